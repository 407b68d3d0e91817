package org.flowkernels.backend.cpu;

import org.flowkernels.spi.HmcKernels;
import org.flowkernels.spi.LangevinKernels;

/**
 * HMC on the CPU: the blocks of {@link CpuLangevinBlock}, whose step becomes an HMC iteration
 * (L leapfrog steps with the state of the block in cache, then the Metropolis decision).
 */
final class CpuHmcKernels implements HmcKernels {
    private final CpuBackend cpu;
    private final CpuLangevinKernels langevin;

    CpuHmcKernels(CpuBackend cpu) {
        this.cpu = cpu;
        this.langevin = (CpuLangevinKernels) cpu.kernels(LangevinKernels.class);
    }

    @Override
    public void run(LangevinKernels.Chains chains, LangevinKernels.Launch launch, int leapfrogSteps) {
        langevin.run(chains, launch, leapfrogSteps);
    }

    @Override
    public String path(LangevinKernels.Chains chains, int leapfrogSteps) {
        return langevin.path(chains).replace("cpu: fused,", "cpu: fused HMC (" + leapfrogSteps + " leapfrog steps per iteration),");
    }
}
