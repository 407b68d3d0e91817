package org.flowkernels.bench;

import org.flowkernels.Tensor;
import org.flowkernels.rng.Distribution;
import org.flowkernels.spi.Philox4x32;
import org.flowkernels.rng.Rng;
import org.openjdk.jmh.annotations.Benchmark;

/** philox-normal: a [batch, 64] tensor of standard normals, W1-sample's first step. */
public class PhiloxNormalBench extends WorkloadBench {
    private static final long SEED = 0x5eed;
    private static final int STREAM = 0, STEP = 1;

    private Tensor out;

    @Override
    protected void prepare() {
        out = backend().empty(batch(), 64);
    }

    @Benchmark
    public void normal() {
        Rng.fill(out, Distribution.NORMAL, SEED, STREAM, STEP);
        backend().synchronize();
    }

    /** The draws must be the Java reference's to float rounding (Box-Muller's log, sqrt, cos). */
    @Override
    protected void finish() {
        float[] got = out.toArray();
        double worst = 0;
        for (int r = 0; r < Math.min(batch(), 256); r++)
            for (int c = 0; c < 64; c++)
                worst = Math.max(worst, Math.abs(got[r * 64 + c] - Philox4x32.coordinate(SEED, r, STEP, STREAM, c, Distribution.NORMAL.code)));
        figure("max |x - Java reference| (first 256 rows)", worst);
    }

    @Override
    protected void release() {
        out.close();
    }
}
