package org.flowkernels.backend.device;

import org.flowkernels.spi.Buffer;
import org.flowkernels.spi.HmcKernels;
import org.flowkernels.spi.LangevinKernels;

/** HMC on OpenCL and CUDA: native-kernels/hmc.cl, one work-item per chain, every iteration of a launch in one kernel. */
final class DeviceHmcKernels implements HmcKernels {
    private final DeviceBackend dev;

    DeviceHmcKernels(DeviceBackend dev) { this.dev = dev; }

    @Override
    public void run(LangevinKernels.Chains c, LangevinKernels.Launch l, int leapfrogSteps) {
        LangevinKernels.PotentialDrift p = drift(c);
        Object program = dev.program(p.potential());
        Buffer prm = dev.upload(p.potential());
        try {
            dev.launch(program, new Kernels.HmcPotential(DeviceLangevinKernels.common(c, l, l.first(), l.steps()), p.potential().kind(),
                    prm, p.beta(), leapfrogSteps), DevicePotentialKernels.variant(c.dim()), c.count(), dev.workGroup());
            dev.checkUser(p.potential(), prm);
        } finally {
            dev.memory().free(prm);
        }
    }

    private static LangevinKernels.PotentialDrift drift(LangevinKernels.Chains c) {
        if (c.drift() instanceof LangevinKernels.PotentialDrift p) return p;
        throw new IllegalArgumentException("drift: HMC runs on a potential, got " + c.drift());
    }

    @Override
    public String path(LangevinKernels.Chains c, int leapfrogSteps) {
        LangevinKernels.PotentialDrift p = drift(c);
        dev.program(p.potential()); // builds a user's snippet now: a compile error stops the run before it starts
        return dev.name() + ": fused kernel hmc_potential" + DevicePotentialKernels.variant(c.dim()) + " (" + leapfrogSteps
                + " leapfrog steps per iteration, the potential" + (p.potential().user() != null ? " (the user's snippet "
                + p.potential().user().snippet().file() + ")" : "") + " inside the kernel, the state in private memory)";
    }
}
