package org.flowkernels.bench.peak;

import org.flowkernels.Tensor;
import org.flowkernels.bench.WorkloadBench;
import org.openjdk.jmh.annotations.Benchmark;

/** peak-fma: the measured arithmetic peak of each backend (see {@link FmaPeak}). */
public class PeakFmaBench extends WorkloadBench {
    /** Steps per chain: long enough that the launch and the final store are noise. */
    public static final int ITERS = 4096;
    /** Any 0 < a < 1 keeps the chains finite; they converge to b / (1 - a) = 1. */
    static final float A = 0.999f, B = 0.001f;

    private Tensor out;

    @Override
    protected void prepare() {
        out = backend().empty(batch(), 1);
        note(FmaPeak.on(backend()).path());
    }

    @Benchmark
    public void fma() {
        FmaPeak.compute(out, ITERS, A, B);
        backend().synchronize();
    }

    /** The deviation from the closed form shows the chains really ran (the kernel's test checks it properly). */
    @Override
    protected void finish() {
        float[] got = out.toArray();
        double aT = Math.pow(A, ITERS), worst = 0;
        for (int i = 0; i < Math.min(got.length, 64); i++) {
            double ref = 0;
            for (int k = 0; k < FmaPeak.CHAINS; k++)
                ref += aT * FmaPeak.start(i, k) + (double) B * (1 - aT) / (1 - (double) A);
            worst = Math.max(worst, Math.abs(got[i] - ref) / Math.abs(ref));
        }
        figure("rel. deviation from closed form", worst);
    }

    @Override
    protected void release() {
        out.close();
    }
}
