package org.flowkernels.backend.device;

import org.flowkernels.Tensor;
import org.flowkernels.backend.Buffer;
import org.flowkernels.rng.Distribution;
import org.flowkernels.rng.RngKernels;

/** Philox on OpenCL and CUDA: native-kernels/rng.cl. */
public final class DeviceRngKernels implements RngKernels {
    private final DeviceBackend dev;

    public DeviceRngKernels(DeviceBackend dev) { this.dev = dev; }

    @Override
    public void fill(Tensor out, Distribution d, long seed, int stream, int step) {
        int blocks = (out.cols() + 3) / 4;
        dev.launch("philox_fill", (long) out.rows() * blocks, dev.workGroup(), out, out.rows(), out.cols(),
                (int) seed, (int) (seed >>> 32), stream, step, d.code);
    }

    @Override
    public void raw(Buffer in, Buffer out, int n) {
        dev.launch("philox_raw", n, dev.workGroup(), in, out, n);
    }
}
