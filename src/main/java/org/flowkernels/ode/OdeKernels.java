package org.flowkernels.ode;

import org.flowkernels.Tensor;
import org.flowkernels.backend.KernelFamily;
import org.flowkernels.backend.cpu.CpuOdeKernels;
import org.flowkernels.backend.device.DeviceOdeKernels;

/** The continuous-flow kernels of one backend. Arguments are checked by the caller. */
public interface OdeKernels {
    KernelFamily<OdeKernels> FAMILY = KernelFamily.of("ode", CpuOdeKernels::new, DeviceOdeKernels::new);

    /** Null when the fused path can run this field with {@code tangents} tangents, else why not. */
    String fusedLimit(FieldModule field, int tangents);

    /**
     * Integrates x [n, D] in place from how.t0() to how.t1() and writes Δlogp [n, 1]; fills the
     * snapshot tensors when how.saveEvery() > 0. {@code fused} picks the path (it is allowed).
     */
    void solve(FieldModule field, Solve how, Tensor x, Tensor deltaLogp, Tensor snapshotX, Tensor snapshotDeltaLogp,
               boolean fused);

    /** out [n, 1] = log N(z; 0, I) + sign · delta, for z [n, D] and delta [n, 1]. */
    void gaussianLogDensity(Tensor z, Tensor delta, float sign, Tensor out);
}
