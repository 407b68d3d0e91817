package org.flowkernels.backend.cuda;

import static jcuda.jcublas.cublasOperation.CUBLAS_OP_N;
import static jcuda.jcublas.cublasOperation.CUBLAS_OP_T;

import java.util.function.Consumer;
import jcuda.Pointer;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import org.flowkernels.spi.Buffer;
import org.flowkernels.backend.device.DeviceBackend;

/**
 * cuBLAS SGEMM for the large matrix products, used only when libcublas.so.12 loads (JCublas
 * 12.0.0 needs it; CUDA 13 machines do not have it, and then the hand-written GEMM runs).
 * The handle holds device memory (its workspace): {@link #close()} destroys it, once; the CUDA
 * backend does that at JVM exit, since backends live as long as the process.
 */
final class CublasGemm implements DeviceBackend.LibraryGemm, AutoCloseable {
    private static volatile String unavailable = "not tried";
    private final String device;
    private final Runnable makeCurrent;
    private final cublasHandle handle;
    private final Consumer<cublasHandle> destroy;
    private boolean closed;

    /** makeCurrent: the device's context onto the calling thread; destroy: cublasDestroy (a test passes its own). */
    CublasGemm(String device, Runnable makeCurrent, cublasHandle handle, Consumer<cublasHandle> destroy) {
        this.device = device;
        this.makeCurrent = makeCurrent;
        this.handle = handle;
        this.destroy = destroy;
    }

    static CublasGemm tryCreate(CudaBackend backend) {
        if ("false".equals(System.getProperty("flowkernels.cublas"))) {
            unavailable = "switched off by flowkernels.cublas=false";
            return null;
        }
        try {
            JCublas2.setExceptionsEnabled(true);
            cublasHandle h = new cublasHandle();
            backend.makeCurrent();
            JCublas2.cublasCreate(h);
            unavailable = "";
            return new CublasGemm(backend.name(), backend::makeCurrent, h, JCublas2::cublasDestroy);
        } catch (LinkageError | RuntimeException e) {
            String m = String.valueOf(e.getMessage());
            unavailable = m.contains("cublas") ? "libcublas.so.12 not found" : e.getClass().getSimpleName() + ": "
                    + m.lines().findFirst().orElse("");
            return null;
        }
    }

    static String unavailableReason() { return unavailable; }

    /** y[n, out] = x[n, in] W[out, in]^T. Row-major y is column-major y^T = W x^T, so in
     *  cuBLAS's column-major terms: C(out x n) = op_T(W as in x out) * x^T (in x n). */
    @Override
    public synchronized void xwt(Buffer x, Buffer w, int wOffset, Buffer y, int n, int in, int out) {
        if (closed) throw new IllegalStateException("cuBLAS on " + device + ": the handle was released (the JVM is exiting)");
        makeCurrent.run();
        JCublas2.cublasSgemm(handle, CUBLAS_OP_T, CUBLAS_OP_N, out, n, in, Pointer.to(new float[] {1f}),
                CudaBackend.CudaMemory.ptr(w).withByteOffset(4L * wOffset), in, CudaBackend.CudaMemory.ptr(x), in, Pointer.to(new float[] {0f}),
                CudaBackend.CudaMemory.ptr(y), out);
    }

    /** Destroys the handle after the work queued on it; later calls of xwt fail. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        makeCurrent.run();
        destroy.accept(handle);
    }
}
