package org.flowkernels.bench.peak;

import org.flowkernels.DeviceInfo;
import org.flowkernels.Tensor;
import org.flowkernels.backend.opencl.OpenClBackend;
import org.flowkernels.backend.device.DeviceBackend;
import org.flowkernels.backend.device.Kernels;

/**
 * The FMA chains on OpenCL and CUDA (native-kernels/peak.cl): one work-item per item, except
 * on an OpenCL CPU device, where only the float16 variant reaches the SIMD units.
 */
final class DeviceFmaPeak implements FmaPeak {
    /** Items per work-item of peak_fma_lanes. */
    private static final int LANES = 16;

    private final DeviceBackend dev;
    private final boolean lanes;

    DeviceFmaPeak(DeviceBackend dev) {
        this(dev, dev instanceof OpenClBackend && dev.device().type() == DeviceInfo.Type.CPU);
    }

    /** With {@code lanes}, peak_fma_lanes (OpenCL only); the tests run both kernels on OpenCL. */
    DeviceFmaPeak(DeviceBackend dev, boolean lanes) {
        this.dev = dev;
        this.lanes = lanes;
    }

    @Override
    public void run(Tensor out, int iters, float a, float b) {
        int n = out.rows();
        Kernels.PeakFma args = new Kernels.PeakFma(out, n, iters, a, b);
        if (lanes) dev.launch(args, "_lanes", (n + LANES - 1) / LANES, dev.workGroup());
        else dev.launch(args, n);
    }

    @Override
    public String path() {
        return (lanes ? "kernel peak_fma_lanes (float16 lanes)" : "kernel peak_fma") + ", work-group " + dev.workGroup();
    }
}
