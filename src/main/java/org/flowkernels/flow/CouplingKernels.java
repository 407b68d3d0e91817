package org.flowkernels.flow;

import org.flowkernels.Tensor;
import org.flowkernels.backend.KernelFamily;
import org.flowkernels.backend.cpu.CpuCouplingKernels;
import org.flowkernels.backend.device.DeviceCouplingKernels;

/** The coupling-flow kernels of one backend. Shapes are checked by the caller; n > 0. */
public interface CouplingKernels {
    KernelFamily<CouplingKernels> FAMILY = KernelFamily.of("coupling", CpuCouplingKernels::new, DeviceCouplingKernels::new);

    /**
     * Runs every layer of {@code plan} over in [n, D] into out [n, D] (in is not modified), and
     * writes row r's result to result [n, 1]: the summed log|det J| or, with {@code density},
     * the log-density: log N(in; 0, I) − Σ log|det J| for a forward plan (log q of the
     * output), log N(out; 0, I) + Σ log|det J| for an inverse plan (log p of the input).
     */
    void transform(CouplingFlowModule flow, FlowPlan plan, Tensor in, Tensor out, Tensor result, boolean density);

    /** The first row of x [n, D] holding a NaN or an infinity, or −1 if there is none. */
    int firstNonFiniteRow(Tensor x);
}
