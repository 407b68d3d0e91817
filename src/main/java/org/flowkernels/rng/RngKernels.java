package org.flowkernels.rng;

import org.flowkernels.Tensor;
import org.flowkernels.backend.Buffer;
import org.flowkernels.backend.KernelFamily;
import org.flowkernels.backend.cpu.CpuRngKernels;
import org.flowkernels.backend.device.DeviceRngKernels;

/** The Philox kernels of one backend. */
public interface RngKernels {
    KernelFamily<RngKernels> FAMILY = KernelFamily.of("rng", CpuRngKernels::new, DeviceRngKernels::new);

    /** Element (r, c) of {@code out} = coordinate c of (seed, index r, step, stream). */
    void fill(Tensor out, Distribution d, long seed, int stream, int step);

    /** n raw blocks: case i reads counter[4], key[2] from in[6i..] and writes 4 words to out[4i..]. */
    void raw(Buffer in, Buffer out, int n);
}
