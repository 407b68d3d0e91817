package org.flowkernels.backend.device;

import org.flowkernels.Backend;
import org.flowkernels.spi.Buffer;
import org.flowkernels.spi.CouplingKernels;
import org.flowkernels.spi.HamiltonianKernels;
import org.flowkernels.spi.LangevinKernels;
import org.flowkernels.spi.Matrix;
import org.flowkernels.spi.NnKernels;
import org.flowkernels.spi.OdeKernels;
import org.flowkernels.spi.PotentialKernels;
import org.flowkernels.spi.RngKernels;

/**
 * What the OpenCL and CUDA backends share: both run the same kernel bodies, so a kernel
 * family is implemented once against this class, which launches a kernel by name with its
 * arguments in declaration order. Arguments: {@link Matrix} or {@link Buffer} (a pointer),
 * {@link Integer}, {@link Float}, {@link Long}, and {@link LocalBytes} (dynamic local memory:
 * a {@code LOCAL_ARG} in the kernel, at most one per launch).
 */
public abstract class DeviceBackend extends Backend {
    /** The kernel families, implemented once for both runtimes. */
    protected DeviceBackend() {
        register(RngKernels.class, () -> new DeviceRngKernels(this));
        DeviceNnKernels nn = new DeviceNnKernels(this);
        register(NnKernels.class, () -> nn);
        register(CouplingKernels.class, () -> new DeviceCouplingKernels(this, nn));
        register(OdeKernels.class, () -> new DeviceOdeKernels(this, nn));
        register(PotentialKernels.class, () -> new DevicePotentialKernels(this));
        register(HamiltonianKernels.class, () -> new DeviceHamiltonianKernels(this));
        register(LangevinKernels.class, () -> new DeviceLangevinKernels(this, nn));
    }

    /** Dynamic local (shared) memory for one launch. */
    public record LocalBytes(long bytes) {}

    public static LocalBytes localBytes(long bytes) { return new LocalBytes(bytes); }

    /** 1-D launch of at least {@code n} work-items (rounded up to {@code local}; kernels guard the tail). */
    public void launch(String kernel, long n, int local, Object... args) {
        if (n <= 0) return;
        launch(kernel, new long[] {roundUp(n, local)}, new int[] {local}, args);
    }

    /** 2-D launch: global sizes rounded up to the work-group. */
    public void launch2d(String kernel, long nx, long ny, int lx, int ly, Object... args) {
        if (nx <= 0 || ny <= 0) return;
        launch(kernel, new long[] {roundUp(nx, lx), roundUp(ny, ly)}, new int[] {lx, ly}, args);
    }

    private void launch(String kernel, long[] global, int[] local, Object[] args) {
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a instanceof Matrix t) args[i] = t.buffer();
            else if (a instanceof Buffer b && b.isFreed())
                throw new IllegalStateException(kernel + ": argument " + i + " is a freed buffer");
            else if (!(a instanceof Buffer || a instanceof Integer || a instanceof Float || a instanceof Long
                    || a instanceof LocalBytes))
                throw new IllegalArgumentException(kernel + ": argument " + i + " has unsupported type "
                        + (a == null ? "null" : a.getClass().getSimpleName()));
        }
        enqueue(kernel, global, local, args);
    }

    /** Runs the kernel; global sizes are multiples of the local ones. */
    protected abstract void enqueue(String kernel, long[] global, int[] local, Object[] args);

    /** The work-group size 1-D kernels use on this device. */
    public int workGroup() { return 128; }

    /** A vendor GEMM: y[n, out] = x[n, in] W[out, in]^T, all row-major float32, W at element
     *  offset wOffset of its buffer. */
    public interface LibraryGemm {
        void xwt(Buffer x, Buffer w, int wOffset, Buffer y, int n, int in, int out);
    }

    /** The vendor GEMM where the backend has one (cuBLAS on CUDA, when it loads), else null. */
    public LibraryGemm libraryGemm() { return null; }

    static long roundUp(long n, int m) {
        return (n + m - 1) / m * m;
    }
}
