package org.flowkernels.backend.cuda;

import static jcuda.driver.JCudaDriver.*;

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
 * A CUDA device through JCuda's driver API. The kernels come from the fatbin nvcc built at
 * `mvn package` (SASS sm_90 and sm_80, PTX compute_75), loaded once with cuModuleLoadData
 * into the device's primary context. A CUDA context is current per thread, so every call
 * into the driver first makes this backend's context current on the calling thread; that
 * makes the backend usable from any thread (the Cleaner's included).
 */
public final class CudaBackend extends DeviceBackend {
    private final String name;
    private final DeviceInfo info;
    private final CUcontext context = new CUcontext();
    private final CUmodule module = new CUmodule();
    private final ConcurrentHashMap<String, CUfunction> functions = new ConcurrentHashMap<>();
    /** Functions of the modules built for users' snippets, by module and name. */
    private final ConcurrentHashMap<CUmodule, ConcurrentHashMap<String, CUfunction>> userFunctions = new ConcurrentHashMap<>();
    private final int major, minor;
    private final CudaMemory memory;
    private final CublasGemm cublas;

    public CudaBackend(CudaDevices.Found found, byte[] fatbin) {
        this.name = "cuda:" + found.index();
        CUdevice device = new CUdevice();
        cuDeviceGet(device, found.index());
        cuDevicePrimaryCtxRetain(context, device);
        cuCtxSetCurrent(context);
        this.major = CudaDevices.attribute(device, jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
        this.minor = CudaDevices.attribute(device, jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
        try {
            cuModuleLoadData(module, fatbin);
        } catch (CudaException e) {
            throw new FlowKernelsException("cuModuleLoadData(flowkernels.fatbin) on " + name + ": " + e.getMessage()
                    + " (the fatbin holds sm_90, sm_80 and compute_75 PTX; an older driver may not JIT it)", e);
        }
        this.memory = new CudaMemory(this);
        this.cublas = CublasGemm.tryCreate(this);
        DeviceInfo d = found.info();
        this.info = new DeviceInfo(d.name(), d.type(), d.vendor(), d.computeUnits(), d.memoryBytes(),
                d.details() + ", cuBLAS: " + (cublas != null ? "yes" : "no (" + CublasGemm.unavailableReason() + ")"));
    }

    @Override public String name() { return name; }

    @Override public DeviceInfo device() { return info; }

    @Override public Memory memory() { return memory; }

    @Override public int workGroup() { return 256; }

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

    @Override
    protected void enqueue(Object program, String kernel, long[] global, int[] local, Object[] args) {
        makeCurrent();
        CUmodule from = program == null ? module : (CUmodule) program;
        var table = program == null ? functions : userFunctions.computeIfAbsent(from, x -> new ConcurrentHashMap<>());
        CUfunction f = table.computeIfAbsent(kernel, n -> {
            CUfunction fn = new CUfunction();
            try {
                cuModuleGetFunction(fn, from, n);
            } catch (CudaException e) {
                throw new FlowKernelsException("cuModuleGetFunction(" + n + ") on " + name + ": " + e.getMessage(), e);
            }
            return fn;
        });
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
        int gx = (int) (global[0] / local[0]), gy = global.length > 1 ? (int) (global[1] / local[1]) : 1;
        int bx = local[0], by = local.length > 1 ? local[1] : 1;
        try {
            cuLaunchKernel(f, gx, gy, 1, bx, by, 1, shared, null, Pointer.to(used), null);
        } catch (CudaException e) {
            throw new FlowKernelsException("cuLaunchKernel(" + kernel + ", grid " + gx + "x" + gy + ", block " + bx + "x"
                    + by + ") on " + name + ": " + e.getMessage(), e);
        }
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
