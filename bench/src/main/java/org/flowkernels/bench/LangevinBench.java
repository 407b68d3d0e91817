package org.flowkernels.bench;

import org.flowkernels.Tensor;
import org.flowkernels.physics.Potential;
import org.flowkernels.rng.Rng;
import org.flowkernels.sample.Drift;
import org.flowkernels.sample.Langevin;
import org.flowkernels.sample.LangevinResult;
import org.flowkernels.sample.LangevinSettings;
import org.openjdk.jmh.annotations.Benchmark;

/**
 * W4-ula and W4-mala (WORKLOADS.md W4): a 2-D Coulomb gas of 32 charges in a harmonic trap,
 * beta = 1, eps = 1e-3, 1,000 steps from x ~ N(0, I), one whole {@code Langevin.ula} or
 * {@code Langevin.mala} call per operation (no warm-up, no step-size adaptation).
 */
public class LangevinBench extends WorkloadBench {
    static final Drift GAS = Drift.potential(Potential.coulombGas(2), 1.0);
    static final LangevinSettings W4 = LangevinSettings.of(1e-3, 1000, 7);

    private Tensor x0;
    private LangevinResult last;

    @Override
    protected void prepare() {
        x0 = Rng.normal(backend(), batch(), 64, 1);
    }

    @Benchmark
    public void ula() {
        keep(Langevin.ula(GAS, x0, W4));
    }

    @Benchmark
    public void mala() {
        keep(Langevin.mala(GAS, x0, W4));
    }

    private void keep(LangevinResult r) {
        backend().synchronize();
        if (last != null) last.close();
        last = r;
    }

    @Override
    protected void finish() {
        if (workload().id().equals("W4-mala")) figure("acceptance rate", last.meanAcceptance());
        figure("mean energy <H> over the run", last.statistics().energyMean());
        note("path: " + last.path());
    }

    @Override
    protected void release() {
        if (last != null) last.close();
        x0.close();
    }
}
