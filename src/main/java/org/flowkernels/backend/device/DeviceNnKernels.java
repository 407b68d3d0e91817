package org.flowkernels.backend.device;

import org.flowkernels.Tensor;
import org.flowkernels.backend.Buffer;
import org.flowkernels.nn.Activation;
import org.flowkernels.nn.Mlp;
import org.flowkernels.nn.MlpModule;
import org.flowkernels.nn.NnKernels;

/**
 * MLP forward on OpenCL and CUDA: one tiled-GEMM launch per layer (linear.cl), bias and
 * activation fused, hidden activations in two ping-pong scratch buffers. Where the backend
 * has a vendor GEMM (cuBLAS) it takes the large products, and a small kernel adds the bias.
 */
public final class DeviceNnKernels implements NnKernels {
    /** Below this many multiply-adds a cuBLAS call costs more in overhead than it saves. */
    static final long LIBRARY_GEMM_MIN_MACS = 1L << 24;

    private final DeviceBackend dev;

    public DeviceNnKernels(DeviceBackend dev) { this.dev = dev; }

    @Override
    public void forward(MlpModule m, Tensor x, Tensor y) {
        Mlp mlp = m.mlp();
        int n = x.rows(), L = mlp.depth();
        int hidden = 0;
        for (int l = 1; l < L; l++) hidden = Math.max(hidden, mlp.width(l));
        var mem = dev.memory();
        Buffer[] tmp = new Buffer[L > 1 ? Math.min(2, L - 1) : 0];
        try {
            for (int i = 0; i < tmp.length; i++) tmp[i] = mem.allocate(Buffer.Type.FLOAT32, (long) n * hidden);
            for (int l = 0; l < L; l++) {
                Buffer src = l == 0 ? x.buffer() : tmp[(l - 1) % 2];
                Buffer dst = l == L - 1 ? y.buffer() : tmp[l % 2];
                linear(src, m.parameters().buffer(), mlp.weightOffset(l), mlp.biasOffset(l), dst, n, mlp.width(l),
                        mlp.width(l + 1), l + 1 < L ? mlp.activation() : Activation.IDENTITY);
            }
        } finally {
            for (Buffer b : tmp) if (b != null) mem.free(b);
        }
    }

    /** dst [n, out] = act(src [n, in] W^T + b), W and b inside the packed parameters. */
    public void linear(Buffer src, Buffer params, int wOff, int bOff, Buffer dst, int n, int in, int out, Activation act) {
        DeviceBackend.LibraryGemm gemm = dev.libraryGemm();
        if (gemm != null && (long) n * in * out >= LIBRARY_GEMM_MIN_MACS) {
            gemm.xwt(src, params, wOff, dst, n, in, out);
            dev.launch("bias_activate", (long) n * out, dev.workGroup(), dst, params, bOff, n, out, act.code);
            return;
        }
        dev.launch2d("linear_forward", 16L * ((out + 63) / 64), 16L * ((n + 63) / 64), 16, 16,
                src, params, wOff, bOff, dst, n, in, out, act.code);
    }
}
