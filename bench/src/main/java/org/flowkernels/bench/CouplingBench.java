package org.flowkernels.bench;

import org.flowkernels.Tensor;
import org.flowkernels.flow.CouplingFlow;
import org.flowkernels.flow.CouplingFlowModule;
import org.flowkernels.flow.FlowSample;
import org.openjdk.jmh.annotations.Benchmark;

/**
 * W1-sample and W1-density (WORKLOADS.md W1): RealNVP with D = 64 and 8 affine couplings whose
 * conditioners are 32 -> 256 -> 256 -> 64 tanh MLPs, through the library's public calls
 * {@code sample(n, seed)} and {@code logProb(x)}, outputs allocated as a user gets them.
 */
public class CouplingBench extends WorkloadBench {
    static final CouplingFlow W1 = CouplingFlow.realNvp(64, 8, 42, 256, 256);
    private static final long SEED = 7;
    /** Rows the round-trip figure compares (a device-to-host copy of the whole GPU batch is not needed). */
    private static final int CHECKED_ROWS = 4096;

    private CouplingFlowModule flow;
    private FlowSample sample;
    private Tensor x, logP;

    @Override
    protected void prepare() {
        flow = W1.on(backend());
        if (workload().id().equals("W1-density")) {
            // the density of the flow's own samples: typical points, and log q(x) to check against
            sample = flow.sample(batch(), SEED);
            x = sample.x();
            note("logProb(x) includes its scan of x for non-finite values");
        }
    }

    @Benchmark
    public void sample() {
        FlowSample s = flow.sample(batch(), SEED);
        backend().synchronize();
        if (sample != null) sample.close();
        sample = s;
    }

    @Benchmark
    public void density() {
        Tensor p = flow.logProb(x);
        backend().synchronize();
        if (logP != null) logP.close();
        logP = p;
    }

    /** log p(f(z)) computed by the inverse pass must equal the log q the forward pass returned. */
    @Override
    protected void finish() {
        try (Tensor p = logP != null ? null : flow.logProb(sample.x())) {
            float[] q = sample.logQ().toArray(), lp = (p != null ? p : logP).toArray();
            double worst = 0;
            for (int i = 0; i < Math.min(q.length, CHECKED_ROWS); i++) worst = Math.max(worst, Math.abs(q[i] - lp[i]));
            figure("max |log p(x) - log q(x)| (round trip, " + Math.min(q.length, CHECKED_ROWS) + " rows)", worst);
        }
    }

    @Override
    protected void release() {
        if (logP != null) logP.close();
        if (sample != null) sample.close();
        flow.close();
    }
}
