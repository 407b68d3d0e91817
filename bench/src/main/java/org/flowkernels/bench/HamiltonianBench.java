package org.flowkernels.bench;

import org.flowkernels.Tensor;
import org.flowkernels.physics.Hamiltonian;
import org.flowkernels.physics.Integrator;
import org.flowkernels.physics.Potential;
import org.flowkernels.physics.Recording;
import org.flowkernels.physics.Trajectory;
import org.flowkernels.rng.Rng;
import org.openjdk.jmh.annotations.Benchmark;

/**
 * W3-leapfrog and W3-rk4 (WORKLOADS.md W3): an FPUT-beta chain of 64 particles, periodic,
 * beta = 1, dt = 0.01, 10,000 steps from q = 0, p ~ N(0, I), one whole {@code integrate}
 * call per operation. H is recorded every 100 steps, for the energy-error figure.
 */
public class HamiltonianBench extends WorkloadBench {
    static final Hamiltonian FPUT = Hamiltonian.of(Potential.fputBeta(1, Potential.Ends.PERIODIC));
    static final int N = 64, STEPS = 10_000, RECORD_EVERY = 100;
    static final double DT = 0.01;

    private Tensor q0, p0;
    private Trajectory last;

    @Override
    protected void prepare() {
        q0 = backend().zeros(batch(), N);
        p0 = Rng.normal(backend(), batch(), N, 42);
    }

    @Benchmark
    public void leapfrog() {
        run(Integrator.LEAPFROG);
    }

    @Benchmark
    public void rk4() {
        run(Integrator.RK4);
    }

    private void run(Integrator method) {
        Trajectory t = FPUT.integrate(method, q0, p0, DT, STEPS, Recording.every(RECORD_EVERY));
        backend().synchronize();
        if (last != null) last.close();
        last = t;
    }

    @Override
    protected void finish() {
        figure("max |dH/H| over the run (every " + RECORD_EVERY + " steps, all trajectories)", last.worstRelativeEnergyError());
    }

    @Override
    protected void release() {
        if (last != null) last.close();
        q0.close();
        p0.close();
    }
}
