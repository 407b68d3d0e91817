package org.flowkernels.spi;

/**
 * Fused multi-step integrators of H(q, p) = Σ_c p_c² / (2 m_c) + V(q) on one backend, over a
 * batch of independent trajectories. Inputs are checked by the caller.
 */
public interface HamiltonianKernels {
    /**
     * One run: q, p [batch, n] are advanced in place. Record k is the state after step
     * k · every (record 0: the initial one): energies [batch, records] holds H there, the
     * snapshots [batch, records · n] (both null without snapshots) q and p, and maxError
     * [batch, 1] the largest |H_k − H_0| / |H_0| (absolute where H_0 = 0; NaN stays NaN).
     *
     * @param integrator INTEGRATOR_* code
     */
    record Run(PotentialSpec potential, float[] inverseMasses, int integrator, float dt, int every, Matrix q, Matrix p,
               Matrix energies, Matrix snapshotsQ, Matrix snapshotsP, Matrix maxError) {
        public int records() { return energies.cols(); }
    }

    /** What a run keeps on the backend between launches (parameters, inverse masses). */
    interface Prepared extends AutoCloseable {
        /**
         * Steps start + 1 .. start + steps of the run, in one launch: writes record 0 (the
         * initial state) when start is 0, and record k after step k · every. Between segments
         * H_0 is read back from energies[:, 0] and the running maximum from maxError.
         */
        void advance(int start, int steps);

        @Override
        void close();
    }

    Prepared prepare(Run run);
}
