package org.flowkernels.backend.device;

import org.flowkernels.spi.Buffer;
import org.flowkernels.spi.Matrix;
import org.flowkernels.spi.RngKernels;

/** Philox on OpenCL and CUDA: native-kernels/rng.cl. */
final class DeviceRngKernels implements RngKernels {
    private final DeviceBackend dev;

    DeviceRngKernels(DeviceBackend dev) { this.dev = dev; }

    @Override
    public void fill(Matrix out, int dist, long seed, int stream, int step) {
        long blocks = (out.cols() + 3L) / 4; // one work-item per group of four columns; the kernel's index is 64-bit
        dev.launch(new Kernels.PhiloxFill(out, out.rows(), out.cols(), (int) seed, (int) (seed >>> 32), stream, step, dist),
                out.rows() * blocks);
    }

    @Override
    public void raw(Buffer in, Buffer out, int n) {
        dev.launch(new Kernels.PhiloxRaw(in, out, n), n);
    }
}
