package org.flowkernels.backend.device;

import org.flowkernels.Backend;
import org.flowkernels.spi.Buffer;
import org.flowkernels.spi.CouplingKernels;
import org.flowkernels.spi.HamiltonianKernels;
import org.flowkernels.spi.LangevinKernels;
import org.flowkernels.spi.NnKernels;
import org.flowkernels.spi.OdeKernels;
import org.flowkernels.spi.PotentialKernels;
import org.flowkernels.spi.RngKernels;

/**
 * What the OpenCL and CUDA backends share: both run the same kernel bodies, so a kernel
 * family is implemented once against this class, which launches a kernel from its typed
 * argument record ({@link Kernels}).
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

    /** 1-D launch of kernel {@code args}, at least {@code n} work-items in groups of {@link #workGroup()}. */
    public void launch(Kernels.Args args, long n) {
        launch(args, "", n, workGroup());
    }

    /**
     * 1-D launch of the build {@code name + suffix} (suffix "" or, for kernels built for several
     * sizes, "_64", ...), at least {@code n} work-items rounded up to {@code local}; kernels
     * guard the tail.
     */
    public void launch(Kernels.Args args, String suffix, long n, int local) {
        if (n <= 0) return;
        run(args, suffix, new long[] {roundUp(n, local)}, new int[] {local});
    }

    /** 2-D launch: global sizes rounded up to the work-group. */
    public void launch2d(Kernels.Args args, long nx, long ny, int lx, int ly) {
        if (nx <= 0 || ny <= 0) return;
        run(args, "", new long[] {roundUp(nx, lx), roundUp(ny, ly)}, new int[] {lx, ly});
    }

    private void run(Kernels.Args args, String suffix, long[] global, int[] local) {
        String kernel = KernelSignatures.name(args.getClass()) + suffix;
        Object[] values = KernelSignatures.values((Record) args);
        for (int i = 0; i < values.length; i++)
            if (values[i] instanceof Buffer b && b.isFreed())
                throw new IllegalStateException(kernel + ": argument " + i + " is a freed buffer");
        enqueue(kernel, global, local, values);
    }

    /**
     * Runs the kernel; global sizes are multiples of the local ones. Arguments: {@link Buffer}
     * (a pointer), Integer, Float, Long, and at most one {@link Kernels.LocalBytes} (dynamic
     * local memory, last).
     */
    protected abstract void enqueue(String kernel, long[] global, int[] local, Object[] args);

    /** The work-group size 1-D kernels use on this device. */
    public int workGroup() { return 128; }

    /**
     * Local (shared) memory one work-group may take, in bytes: what the fused kernels size their
     * tiles by. 32 KiB, the least OpenCL 1.2 guarantees a GPU and less than CUDA's 48 KiB
     * without opting in; a backend that knows its device may say more.
     */
    public long localMemoryBytes() { return 32 * 1024; }

    private volatile Scratch.Cache scratch;

    private Scratch.Cache cache() {
        Scratch.Cache c = scratch;
        if (c == null)
            synchronized (this) {
                if ((c = scratch) == null)
                    scratch = c = new Scratch.Cache(memory(), Math.max(64L << 20, device().memoryBytes() / 8));
            }
        return c;
    }

    /** Scratch buffers for one call, reused across calls (see {@link Scratch}); close it when the call ends. */
    public Scratch scratch() {
        return new Scratch(cache());
    }

    /** Frees the idle scratch buffers this backend keeps (they are otherwise kept up to an eighth of the device's memory). */
    public void releaseScratch() {
        cache().clear();
    }

    /** Live allocations less the idle scratch buffers the backend keeps for reuse (see {@link Scratch.Cache}). */
    @Override
    public long liveAllocations() {
        return cache().liveOutsideCache();
    }

    /** Idle scratch buffers kept now (tests). */
    int idleScratch() {
        return cache().idleCount();
    }

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
