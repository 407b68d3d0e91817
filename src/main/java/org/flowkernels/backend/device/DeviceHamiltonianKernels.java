package org.flowkernels.backend.device;

import org.flowkernels.backend.Buffer;
import org.flowkernels.physics.HamiltonianKernels;
import org.flowkernels.physics.Integrator;

/** Hamiltonian integrators on OpenCL and CUDA: native-kernels/hamiltonian.cl, one launch per segment. */
public final class DeviceHamiltonianKernels implements HamiltonianKernels {
    private final DeviceBackend dev;

    public DeviceHamiltonianKernels(DeviceBackend dev) { this.dev = dev; }

    @Override
    public Prepared prepare(Run run) {
        int n = run.q().cols();
        String kernel = DevicePotentialKernels.kernelVariant(
                run.method() == Integrator.RK4 ? "hamiltonian_rk4" : "hamiltonian_splitting", n);
        Buffer prm = DevicePotentialKernels.upload(dev, run.h().potential()), invMass;
        try {
            invMass = dev.memory().upload(run.h().inverseMasses(n));
        } catch (RuntimeException e) {
            dev.memory().free(prm);
            throw e;
        }
        return new Prepared() {
            @Override
            public void advance(int start, int steps) {
                boolean snapshots = run.snapshotsQ() != null;
                dev.launch(kernel, run.q().rows(), dev.workGroup(), run.q(), run.p(), run.q().rows(), n,
                        run.h().potential().kind(), prm, invMass, run.dt(), start, steps, run.every(), run.method().order(),
                        run.energies(), run.records(), snapshots ? run.snapshotsQ() : run.energies(),
                        snapshots ? run.snapshotsP() : run.energies(), snapshots ? 1 : 0, run.maxError());
            }

            @Override
            public void close() {
                dev.memory().free(prm);
                dev.memory().free(invMass);
            }
        };
    }
}
