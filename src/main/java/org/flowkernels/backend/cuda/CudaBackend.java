package org.flowkernels.backend.cuda;

import static jcuda.driver.JCudaDriver.*;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import org.flowkernels.DeviceInfo;
import org.flowkernels.FlowKernelsException;
import org.flowkernels.spi.AbstractBuffer;
import org.flowkernels.spi.Buffer;
import org.flowkernels.spi.Memory;
import org.flowkernels.backend.device.DeviceBackend;
import org.flowkernels.backend.device.Kernels;
import org.flowkernels.backend.device.UserProgram;

/**
 * A CUDA device through JCuda's driver API. The kernels come from the two fatbins nvcc built
 * at `mvn package` (SASS sm_80, sm_90, sm_100 and sm_120, PTX compute_90 and compute_75; see
 * native-kernels/cuda/build-fatbin), loaded once with cuModuleLoadData into the device's
 * primary context: flowkernels.fatbin, where no kernel has a stack frame, and
 * flowkernels-lmem.fatbin, the kernels native-kernels/include/lmem.h allows per-thread arrays.
 * A kernel is looked up in the first, then in the second. A CUDA context is current per
 * thread, so every call into the driver first makes this backend's context current on the
 * calling thread; that makes the backend usable from any thread (the Cleaner's included).
 */
public final class CudaBackend extends DeviceBackend {
    private final String name;
    private final DeviceInfo info;
    private final CUcontext context = new CUcontext();
    private final CUmodule module = new CUmodule();
    private final CUmodule lmemModule; // null when the build made none
    private final ConcurrentHashMap<String, CUfunction> functions = new ConcurrentHashMap<>();
    /** Functions of the modules built for users' snippets, by module and name. */
    private final ConcurrentHashMap<CUmodule, ConcurrentHashMap<String, CUfunction>> userFunctions = new ConcurrentHashMap<>();
    private final int major, minor;
    private final CudaMemory memory;
    private final CublasGemm cublas;

    public CudaBackend(CudaDevices.Found found, byte[] fatbin, byte[] lmemFatbin) {
        this.name = "cuda:" + found.index();
        CUdevice device = new CUdevice();
        cuDeviceGet(device, found.index());
        cuDevicePrimaryCtxRetain(context, device);
        cuCtxSetCurrent(context);
        this.major = CudaDevices.attribute(device, jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
        this.minor = CudaDevices.attribute(device, jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
        load(module, fatbin, CudaDevices.FATBIN);
        this.lmemModule = lmemFatbin == null ? null : load(new CUmodule(), lmemFatbin, CudaDevices.FATBIN_LMEM);
        this.memory = new CudaMemory(this);
        this.cublas = CublasGemm.tryCreate(this);
        // Backends live as long as the process: the cuBLAS handle (and its workspace) goes at exit.
        if (cublas != null) Runtime.getRuntime().addShutdownHook(new Thread(cublas::close, name + " cuBLAS release"));
        DeviceInfo d = found.info();
        this.info = new DeviceInfo(d.name(), d.type(), d.vendor(), d.computeUnits(), d.memoryBytes(),
                d.details() + ", cuBLAS: " + (cublas != null ? "yes" : "no (" + CublasGemm.unavailableReason() + ")"));
    }

    private CUmodule load(CUmodule m, byte[] fatbin, String path) {
        try {
            cuModuleLoadData(m, fatbin);
            return m;
        } catch (CudaException e) {
            int built = CudaDevices.fatbinCudaVersion();
            throw new FlowKernelsException("cuModuleLoadData(" + path.substring(path.lastIndexOf('/') + 1) + ") on " + name
                    + ": " + e.getMessage() + " (it holds SASS for sm_80, sm_90, sm_100 and sm_120 and PTX for compute_90 and"
                    + " compute_75, built with CUDA " + (built == 0 ? "(unknown)" : CudaDevices.version(built))
                    + "; the driver JIT-compiles the PTX for other GPUs only if it is as new as that)", e);
        }
    }

    @Override public String name() { return name; }

    @Override public DeviceInfo device() { return info; }

    @Override public Memory memory() { return memory; }

    @Override public int workGroup() { return 256; }

    /** Every CUDA device since Volta gives a block 48 KiB of shared memory without opting in to more. */
    @Override public long localMemoryBytes() { return 48 * 1024; }

    @Override public LibraryGemm libraryGemm() { return cublas; }

    void makeCurrent() { cuCtxSetCurrent(context); }

    /**
     * A user's snippet in the library's program, compiled by NVRTC to PTX for this device and
     * loaded as a module of its own. Where NVRTC cannot be loaded (JCuda 12.0.0 needs
     * libnvrtc.so.12) this says so and why: the snippet does not run on CUDA then.
     */
    @Override
    protected CUmodule compile(UserProgram user) {
        String why = Nvrtc.unavailableReason();
        if (why != null)
            throw new FlowKernelsException(name + " cannot build the user snippet " + user.snippet().file() + ": NVRTC is not "
                    + "available (" + why + "). Run it on OpenCL, or on the CPU backend with its Java twin");
        byte[] ptx = Nvrtc.ptx(user, major, minor);
        makeCurrent();
        CUmodule m = new CUmodule();
        try {
            cuModuleLoadData(m, ptx);
        } catch (CudaException e) {
            throw new FlowKernelsException("cuModuleLoadData(user snippet " + user.snippet().file() + ", PTX for compute_" + major
                    + minor + ") on " + name + ": " + e.getMessage(), e);
        }
        return m;
    }

    /** The library's kernels come from its two modules (function), a user snippet's from its own module. */
    @Override
    protected void enqueue(Object program, String kernel, long[] global, int[] local, Object[] args) {
        makeCurrent();
        CUfunction f;
        if (program == null) {
            f = functions.computeIfAbsent(kernel, this::function);
        } else {
            CUmodule from = (CUmodule) program;
            f = userFunctions.computeIfAbsent(from, x -> new ConcurrentHashMap<>()).computeIfAbsent(kernel, n -> {
                CUfunction fn = new CUfunction();
                try {
                    cuModuleGetFunction(fn, from, n);
                } catch (CudaException e) {
                    throw new FlowKernelsException("cuModuleGetFunction(" + n + ") of a user snippet's module on " + name + ": "
                            + e.getMessage(), e);
                }
                return fn;
            });
        }
        Pointer[] params = new Pointer[args.length];
        int shared = 0, p = 0;
        for (Object a : args) {
            if (a instanceof Buffer b) params[p++] = Pointer.to(CudaMemory.ptr(b));
            else if (a instanceof Integer v) params[p++] = Pointer.to(new int[] {v});
            else if (a instanceof Float v) params[p++] = Pointer.to(new float[] {v});
            else if (a instanceof Long v) params[p++] = Pointer.to(new long[] {v});
            else if (a instanceof Kernels.LocalBytes l) shared += (int) l.bytes(); // extern __shared__, not a parameter
        }
        Pointer[] used = java.util.Arrays.copyOf(params, p);
        int[] grid = grid(kernel, global, local);
        int gx = grid[0], gy = grid[1];
        int bx = local[0], by = local.length > 1 ? local[1] : 1;
        try {
            cuLaunchKernel(f, gx, gy, 1, bx, by, 1, shared, null, Pointer.to(used), null);
        } catch (CudaException e) {
            throw new FlowKernelsException("cuLaunchKernel(" + kernel + ", grid " + gx + "x" + gy + ", block " + bx + "x"
                    + by + ") on " + name + ": " + e.getMessage(), e);
        }
    }

    /** The kernel from the strict module, else from the lmem module (a kernel is in one of them). */
    private CUfunction function(String kernel) {
        CUfunction fn = new CUfunction();
        try {
            cuModuleGetFunction(fn, module, kernel);
            logFirstLaunch(kernel, "strict");
            return fn;
        } catch (CudaException strict) {
            if (lmemModule != null) {
                try {
                    cuModuleGetFunction(fn, lmemModule, kernel);
                    logFirstLaunch(kernel, "lmem");
                    return fn;
                } catch (CudaException e) {
                    strict.addSuppressed(e);
                }
            }
            throw new FlowKernelsException("cuModuleGetFunction(" + kernel + ") on " + name + ": " + strict.getMessage()
                    + " in flowkernels.fatbin" + (lmemModule != null ? " and in flowkernels-lmem.fatbin" : " (there is no lmem module)"),
                    strict);
        }
    }

    /**
     * With -Dflowkernels.cuda.kernel-log=FILE, each kernel's first launch on this backend appends
     * "name module" to FILE: ci/gpu-check measures which kernels ran under compute-sanitizer.
     */
    private void logFirstLaunch(String kernel, String from) {
        String log = System.getProperty("flowkernels.cuda.kernel-log");
        if (log == null) return;
        try {
            synchronized (CudaBackend.class) {
                Files.writeString(Path.of(log), kernel + " " + from + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("flowkernels.cuda.kernel-log=" + log, e);
        }
    }

    /** Blocks per grid dimension; CUDA allows 2^31 - 1 in x and 65535 in y, and an int cast would wrap silently. */
    static int[] grid(String kernel, long[] global, int[] local) {
        long gx = global[0] / local[0], gy = global.length > 1 ? global[1] / local[1] : 1;
        if (gx > Integer.MAX_VALUE || gy > 65535)
            throw new FlowKernelsException(kernel + ": a grid of " + gx + " x " + gy + " blocks of " + local[0]
                    + (local.length > 1 ? " x " + local[1] : "") + " exceeds CUDA's " + Integer.MAX_VALUE + " x 65535");
        return new int[] {(int) gx, (int) gy};
    }

    /** Device memory through cuMemAlloc; copies are synchronous on the default stream. */
    static final class CudaMemory implements Memory {
        private final CudaBackend backend;
        private final AtomicLong live = new AtomicLong();

        CudaMemory(CudaBackend backend) { this.backend = backend; }

        static final class CudaBuffer extends AbstractBuffer {
            final CUdeviceptr ptr;

            CudaBuffer(Type type, long length, CUdeviceptr ptr) {
                super(type, length);
                this.ptr = ptr;
            }
        }

        static CUdeviceptr ptr(Buffer b) { return ((CudaBuffer) b).ptr; }

        private static CudaBuffer cu(Buffer b, long offset, long n, String what) {
            CudaBuffer c = (CudaBuffer) b;
            c.checkRange(offset, n, what);
            return c;
        }

        @Override
        public Buffer allocate(Buffer.Type type, long length) {
            if (length < 0) throw new IllegalArgumentException("length: expected >= 0, got " + length);
            backend.makeCurrent();
            CUdeviceptr p = new CUdeviceptr();
            try {
                cuMemAlloc(p, 4 * Math.max(1, length));
            } catch (CudaException e) {
                throw new FlowKernelsException("cuMemAlloc(" + 4 * length + " bytes) on " + backend.name + ": "
                        + e.getMessage(), e);
            }
            live.incrementAndGet();
            CudaBuffer b = new CudaBuffer(type, length, p);
            if (Memory.poisonRequested()) fill(b, POISON_BITS);
            return b;
        }

        @Override
        public void write(Buffer dst, long dstOffset, float[] src, int srcOffset, int length) {
            if (length == 0) return;
            backend.makeCurrent();
            cuMemcpyHtoD(cu(dst, dstOffset, length, "write").ptr.withByteOffset(4 * dstOffset),
                    Pointer.to(src).withByteOffset(4L * srcOffset), 4L * length);
        }

        @Override
        public void write(Buffer dst, long dstOffset, int[] src, int srcOffset, int length) {
            if (length == 0) return;
            backend.makeCurrent();
            cuMemcpyHtoD(cu(dst, dstOffset, length, "write").ptr.withByteOffset(4 * dstOffset),
                    Pointer.to(src).withByteOffset(4L * srcOffset), 4L * length);
        }

        @Override
        public void read(Buffer src, long srcOffset, float[] dst, int dstOffset, int length) {
            if (length == 0) return;
            backend.makeCurrent();
            cuMemcpyDtoH(Pointer.to(dst).withByteOffset(4L * dstOffset),
                    cu(src, srcOffset, length, "read").ptr.withByteOffset(4 * srcOffset), 4L * length);
        }

        @Override
        public void read(Buffer src, long srcOffset, int[] dst, int dstOffset, int length) {
            if (length == 0) return;
            backend.makeCurrent();
            cuMemcpyDtoH(Pointer.to(dst).withByteOffset(4L * dstOffset),
                    cu(src, srcOffset, length, "read").ptr.withByteOffset(4 * srcOffset), 4L * length);
        }

        @Override
        public void fill(Buffer dst, int bits) {
            CudaBuffer c = cu(dst, 0, dst.length(), "fill");
            if (c.length() == 0) return;
            backend.makeCurrent();
            cuMemsetD32(c.ptr, bits, c.length());
        }

        @Override
        public void copy(Buffer src, long srcOffset, Buffer dst, long dstOffset, long length) {
            if (length == 0) return;
            backend.makeCurrent();
            cuMemcpyDtoD(cu(dst, dstOffset, length, "copy").ptr.withByteOffset(4 * dstOffset),
                    cu(src, srcOffset, length, "copy").ptr.withByteOffset(4 * srcOffset), 4 * length);
        }

        @Override
        public void free(Buffer buffer) {
            CudaBuffer c = (CudaBuffer) buffer;
            if (c.markFreed()) {
                backend.makeCurrent();
                cuMemFree(c.ptr);
                live.decrementAndGet();
            }
        }

        @Override public long live() { return live.get(); }

        @Override
        public void synchronize() {
            backend.makeCurrent();
            cuCtxSynchronize();
        }
    }
}
