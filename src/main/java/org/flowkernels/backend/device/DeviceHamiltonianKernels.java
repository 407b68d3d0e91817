package org.flowkernels.backend.device;

import org.flowkernels.spi.Buffer;
import org.flowkernels.spi.Contract;
import org.flowkernels.spi.HamiltonianKernels;

/** Hamiltonian integrators on OpenCL and CUDA, one launch per segment: native-kernels/hamiltonian.cl in the
 *  particle-parallel layout of {@link DevicePotentialKernels.Layout}; a user's potential, user_potential.cl's
 *  kernels in its snippet's program (a trajectory per work-item). */
final class DeviceHamiltonianKernels implements HamiltonianKernels {
    private final DeviceBackend dev;

    DeviceHamiltonianKernels(DeviceBackend dev) { this.dev = dev; }

    @Override
    public Prepared prepare(Run run) {
        int n = run.q().cols();
        boolean user = run.potential().user() != null; // a snippet: a trajectory per work-item, in its own program
        DevicePotentialKernels.Layout at = user ? null : DevicePotentialKernels.Layout.of(run.potential(), n, run.q().rows(), 2, 1, "q");
        String kernel = run.integrator() == Contract.INTEGRATOR_RK4 ? "_rk4" : "_splitting";
        Object program = dev.program(run.potential());
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
                Kernels.HamRun args = new Kernels.HamRun(run.q(), run.p(), run.q().rows(), n, run.potential().kind(), prm, invMass,
                        run.dt(), start, steps, run.every(), run.integrator(), run.energies(), run.records(),
                        snapshots ? run.snapshotsQ() : run.energies(), snapshots ? run.snapshotsP() : run.energies(),
                        snapshots ? 1 : 0, run.maxError());
                if (user) {
                    dev.launch(program, new Kernels.UserHamiltonian(args), kernel + DevicePotentialKernels.variant(n), run.q().rows(),
                            dev.workGroup());
                    dev.checkUser(run.potential(), prm);
                } else {
                    dev.launch(new Kernels.Hamiltonian(args, at.sdim(), at.lanes(), at.local()), kernel + at.suffix(), at.workItems(),
                            at.workGroup());
                }
            }

            @Override
            public void close() {
                dev.memory().free(prm);
                dev.memory().free(invMass);
            }
        };
    }
}
