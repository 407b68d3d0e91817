package org.flowkernels.backend.device;

import org.flowkernels.spi.Buffer;
import org.flowkernels.spi.Contract;
import org.flowkernels.spi.HamiltonianKernels;

/** Hamiltonian integrators on OpenCL and CUDA: native-kernels/hamiltonian.cl, one launch per segment. */
final class DeviceHamiltonianKernels implements HamiltonianKernels {
    private final DeviceBackend dev;

    DeviceHamiltonianKernels(DeviceBackend dev) { this.dev = dev; }

    @Override
    public Prepared prepare(Run run) {
        int n = run.q().cols();
        String kernel = (run.integrator() == Contract.INTEGRATOR_RK4 ? "rk4" : "splitting")
                + DevicePotentialKernels.variant(n);
        Object program = dev.program(run.potential()); // a user's potential: its snippet's program
        Buffer prm = dev.upload(run.potential()), invMass;
        try {
            invMass = dev.memory().upload(run.inverseMasses());
        } catch (RuntimeException e) {
            dev.memory().free(prm);
            throw e;
        }
        return new Prepared() {
            @Override
            public void advance(int start, int steps) {
                boolean snapshots = run.snapshotsQ() != null;
                dev.launch(program, new Kernels.HamRun(run.q(), run.p(), run.q().rows(), n, run.potential().kind(), prm, invMass,
                        run.dt(), start, steps, run.every(), run.integrator(), run.energies(), run.records(),
                        snapshots ? run.snapshotsQ() : run.energies(), snapshots ? run.snapshotsP() : run.energies(),
                        snapshots ? 1 : 0, run.maxError()), "_" + kernel, run.q().rows(), dev.workGroup());
                dev.checkUser(run.potential(), prm);
            }

            @Override
            public void close() {
                dev.memory().free(prm);
                dev.memory().free(invMass);
            }
        };
    }
}
