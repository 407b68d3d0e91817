package org.flowkernels.nn;

import org.flowkernels.Tensor;
import org.flowkernels.backend.KernelFamily;
import org.flowkernels.backend.cpu.CpuNnKernels;
import org.flowkernels.backend.device.DeviceNnKernels;

/** The MLP kernels of one backend. Shapes are checked by the caller. */
public interface NnKernels {
    KernelFamily<NnKernels> FAMILY = KernelFamily.of("nn", CpuNnKernels::new, DeviceNnKernels::new);

    /** y [n, out] = MLP(x [n, in]). */
    void forward(MlpModule mlp, Tensor x, Tensor y);
}
