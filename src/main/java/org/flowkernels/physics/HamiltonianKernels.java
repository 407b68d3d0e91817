package org.flowkernels.physics;

import org.flowkernels.Tensor;
import org.flowkernels.backend.KernelFamily;
import org.flowkernels.backend.cpu.CpuHamiltonianKernels;
import org.flowkernels.backend.device.DeviceHamiltonianKernels;

/** Fused multi-step Hamiltonian integrators on one backend. Inputs are checked by the caller. */
public interface HamiltonianKernels {
    KernelFamily<HamiltonianKernels> FAMILY = KernelFamily.of("hamiltonian", CpuHamiltonianKernels::new,
            DeviceHamiltonianKernels::new);

    /**
     * One run: q, p [batch, n] are advanced in place; energies [batch, records], the snapshots
     * [batch, records * n] (both null without snapshots) and maxError [batch, 1] follow the
     * conventions of {@link Trajectory}.
     */
    record Run(Hamiltonian h, Integrator method, float dt, int every, Tensor q, Tensor p, Tensor energies,
               Tensor snapshotsQ, Tensor snapshotsP, Tensor maxError) {
        public int records() { return energies.cols(); }
    }

    /** What a run keeps on the backend between launches (parameters, inverse masses). */
    interface Prepared extends AutoCloseable {
        /**
         * Steps start + 1 .. start + steps of the run, in one launch: writes record 0 (the
         * initial state) when start is 0, and record k after step k * every. Between segments
         * H_0 is read back from energies[:, 0] and the running maximum from maxError.
         */
        void advance(int start, int steps);

        @Override
        void close();
    }

    Prepared prepare(Run run);
}
