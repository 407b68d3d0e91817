package org.flowkernels.physics;

import org.flowkernels.Tensor;
import org.flowkernels.backend.KernelFamily;
import org.flowkernels.backend.cpu.CpuPotentialKernels;
import org.flowkernels.backend.device.DevicePotentialKernels;

/** Energies and gradients of built-in potentials on one backend. Shapes are checked by the caller. */
public interface PotentialKernels {
    KernelFamily<PotentialKernels> FAMILY = KernelFamily.of("potential", CpuPotentialKernels::new, DevicePotentialKernels::new);

    /** energy [batch, 1] = V(q) and, when gradient is not null, gradient [batch, n] = dV/dq, for q [batch, n]. */
    void evaluate(Potential v, Tensor q, Tensor energy, Tensor gradient);
}
