package org.flowkernels.backend.opencl;

import static org.jocl.CL.*;

import java.util.HashMap;
import java.util.Map;
import org.flowkernels.DeviceInfo;
import org.flowkernels.FlowKernelsException;
import org.flowkernels.spi.Buffer;
import org.flowkernels.spi.Memory;
import org.flowkernels.backend.device.DeviceBackend;
import org.flowkernels.backend.device.Kernels;
import org.flowkernels.backend.device.KernelSource;
import org.flowkernels.backend.device.UserProgram;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;

/**
 * An OpenCL 1.2 device through JOCL: one context and one in-order queue; the kernel program
 * is built once, from the sources on the classpath, when the backend is created. Launches are
 * serialised (an OpenCL kernel object holds its arguments between clSetKernelArg and the
 * enqueue, so two threads must not interleave there).
 */
public final class OpenClBackend extends DeviceBackend {
    private final String name;
    private final DeviceInfo info;
    private final cl_context context;
    private final cl_command_queue queue;
    private final cl_program program;
    private final ClMemory memory;
    private final cl_device_id device;
    /** Kernel objects by program (the library's, and those built for users' snippets) and name. */
    private final Map<cl_program, Map<String, cl_kernel>> kernels = new HashMap<>();
    private final int workGroup;

    public OpenClBackend(OpenClDevices.Found found) {
        this.name = "opencl:" + found.index();
        this.info = found.info();
        cl_device_id device = found.device();
        this.device = device;
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL_CONTEXT_PLATFORM, found.platform());
        this.context = clCreateContext(props, 1, new cl_device_id[] {device}, null, null, null);
        @SuppressWarnings("deprecation")
        cl_command_queue q = clCreateCommandQueue(context, device, 0, null);
        this.queue = q;
        this.memory = new ClMemory(context, queue);
        this.program = build(context, device, name);
        this.workGroup = (int) Math.min(128, OpenClDevices.infoSize(device, CL_DEVICE_MAX_WORK_GROUP_SIZE));
    }

    private static cl_program build(cl_context context, cl_device_id device, String name) {
        cl_program p = clCreateProgramWithSource(context, 1, new String[] {KernelSource.program()}, null, null);
        try {
            clBuildProgram(p, 1, new cl_device_id[] {device}, "", null, null);
        } catch (CLException e) {
            throw new FlowKernelsException("OpenCL build of the kernels failed on " + name + " (" + e.getMessage()
                    + "); build log:\n" + buildLog(p, device), e);
        }
        return p;
    }

    /** A user's snippet in the library's program: one build per distinct snippet (DeviceBackend caches it). */
    @Override
    protected cl_program compile(UserProgram user) {
        cl_program p = clCreateProgramWithSource(context, 1, new String[] {user.source()}, null, null);
        try {
            clBuildProgram(p, 1, new cl_device_id[] {device}, "", null, null);
        } catch (CLException e) {
            String log = buildLog(p, device);
            clReleaseProgram(p);
            throw user.failure("the OpenCL build on " + name, log);
        }
        return p;
    }

    private static String buildLog(cl_program p, cl_device_id d) {
        long[] size = new long[1];
        clGetProgramBuildInfo(p, d, CL_PROGRAM_BUILD_LOG, 0, null, size);
        byte[] buf = new byte[(int) size[0]];
        clGetProgramBuildInfo(p, d, CL_PROGRAM_BUILD_LOG, buf.length, Pointer.to(buf), null);
        return new String(buf, 0, Math.max(0, buf.length - 1));
    }

    @Override public String name() { return name; }

    @Override public DeviceInfo device() { return info; }

    @Override public Memory memory() { return memory; }

    @Override public int workGroup() { return workGroup; }

    @Override
    protected synchronized void enqueue(Object from, String kernelName, long[] global, int[] local, Object[] args) {
        cl_program source = from == null ? program : (cl_program) from;
        cl_kernel k = kernels.computeIfAbsent(source, x -> new HashMap<>()).computeIfAbsent(kernelName, n -> {
            try {
                return clCreateKernel(source, n, null);
            } catch (CLException e) {
                throw new FlowKernelsException("clCreateKernel(" + n + ") on " + name + ": " + e.getMessage(), e);
            }
        });
        try {
            for (int i = 0; i < args.length; i++) {
                Object a = args[i];
                if (a instanceof Buffer b) clSetKernelArg(k, i, Sizeof.cl_mem, Pointer.to(ClMemory.mem(b)));
                else if (a instanceof Integer v) clSetKernelArg(k, i, Sizeof.cl_int, Pointer.to(new int[] {v}));
                else if (a instanceof Float v) clSetKernelArg(k, i, Sizeof.cl_float, Pointer.to(new float[] {v}));
                else if (a instanceof Long v) clSetKernelArg(k, i, Sizeof.cl_long, Pointer.to(new long[] {v}));
                else if (a instanceof Kernels.LocalBytes l) clSetKernelArg(k, i, l.bytes(), null);
            }
            long[] localSize = new long[local.length];
            for (int i = 0; i < local.length; i++) localSize[i] = local[i];
            clEnqueueNDRangeKernel(queue, k, global.length, null, global, localSize, 0, null, null);
        } catch (CLException e) {
            throw new FlowKernelsException("launching " + kernelName + " on " + name + ": " + e.getMessage(), e);
        }
    }

    /** OpenCL memory: blocking reads and writes on the backend's queue. */
    static final class ClMemory implements Memory {
        private final cl_context context;
        private final cl_command_queue queue;
        private final java.util.concurrent.atomic.AtomicLong live = new java.util.concurrent.atomic.AtomicLong();

        ClMemory(cl_context context, cl_command_queue queue) {
            this.context = context;
            this.queue = queue;
        }

        static final class ClBuffer extends org.flowkernels.spi.AbstractBuffer {
            final cl_mem mem;

            ClBuffer(Type type, long length, cl_mem mem) {
                super(type, length);
                this.mem = mem;
            }
        }

        static cl_mem mem(Buffer b) { return ((ClBuffer) b).mem; }

        private static ClBuffer cl(Buffer b, long offset, long n, String what) {
            ClBuffer c = (ClBuffer) b;
            c.checkRange(offset, n, what);
            return c;
        }

        @Override
        public Buffer allocate(Buffer.Type type, long length) {
            if (length < 0) throw new IllegalArgumentException("length: expected >= 0, got " + length);
            cl_mem m;
            try {
                // OpenCL has no empty buffers: an empty tensor still holds one element.
                m = clCreateBuffer(context, CL_MEM_READ_WRITE, 4 * Math.max(1, length), null, null);
            } catch (CLException e) {
                throw new FlowKernelsException("clCreateBuffer(" + 4 * length + " bytes): " + e.getMessage(), e);
            }
            live.incrementAndGet();
            ClBuffer b = new ClBuffer(type, length, m);
            if (Memory.poisonRequested()) fill(b, POISON_BITS);
            return b;
        }

        @Override
        public void write(Buffer dst, long dstOffset, float[] src, int srcOffset, int length) {
            if (length == 0) return;
            clEnqueueWriteBuffer(queue, cl(dst, dstOffset, length, "write").mem, CL_TRUE, 4 * dstOffset, 4L * length,
                    Pointer.to(src).withByteOffset(4L * srcOffset), 0, null, null);
        }

        @Override
        public void write(Buffer dst, long dstOffset, int[] src, int srcOffset, int length) {
            if (length == 0) return;
            clEnqueueWriteBuffer(queue, cl(dst, dstOffset, length, "write").mem, CL_TRUE, 4 * dstOffset, 4L * length,
                    Pointer.to(src).withByteOffset(4L * srcOffset), 0, null, null);
        }

        @Override
        public void read(Buffer src, long srcOffset, float[] dst, int dstOffset, int length) {
            if (length == 0) return;
            clEnqueueReadBuffer(queue, cl(src, srcOffset, length, "read").mem, CL_TRUE, 4 * srcOffset, 4L * length,
                    Pointer.to(dst).withByteOffset(4L * dstOffset), 0, null, null);
        }

        @Override
        public void read(Buffer src, long srcOffset, int[] dst, int dstOffset, int length) {
            if (length == 0) return;
            clEnqueueReadBuffer(queue, cl(src, srcOffset, length, "read").mem, CL_TRUE, 4 * srcOffset, 4L * length,
                    Pointer.to(dst).withByteOffset(4L * dstOffset), 0, null, null);
        }

        @Override
        public void fill(Buffer dst, int bits) {
            ClBuffer c = cl(dst, 0, dst.length(), "fill");
            if (c.length() == 0) return;
            clEnqueueFillBuffer(queue, c.mem, Pointer.to(new int[] {bits}), 4, 0, 4 * c.length(), 0, null, null);
        }

        @Override
        public void copy(Buffer src, long srcOffset, Buffer dst, long dstOffset, long length) {
            if (length == 0) return;
            ClBuffer s = cl(src, srcOffset, length, "copy"), d = cl(dst, dstOffset, length, "copy");
            clEnqueueCopyBuffer(queue, s.mem, d.mem, 4 * srcOffset, 4 * dstOffset, 4 * length, 0, null, null);
        }

        @Override
        public void free(Buffer buffer) {
            ClBuffer c = (ClBuffer) buffer;
            if (c.markFreed()) {
                clReleaseMemObject(c.mem);
                live.decrementAndGet();
            }
        }

        @Override public long live() { return live.get(); }

        @Override public void synchronize() { clFinish(queue); }
    }
}
