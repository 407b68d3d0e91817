package org.flowkernels.backend.device;

import org.flowkernels.spi.Buffer;
import org.flowkernels.spi.Matrix;
import org.flowkernels.spi.Network;
import org.flowkernels.spi.NnKernels;

/**
 * MLP forward on OpenCL and CUDA: one tiled-GEMM launch per layer (linear.cl), bias and
 * activation fused, hidden activations in two ping-pong scratch buffers. Where the backend
 * has a vendor GEMM (cuBLAS) it takes the large products, and a small kernel adds the bias.
 */
final class DeviceNnKernels implements NnKernels {
    /** Below this many multiply-adds a cuBLAS call costs more in overhead than it saves. */
    static final long LIBRARY_GEMM_MIN_MACS = 1L << 24;

    private final DeviceBackend dev;

    DeviceNnKernels(DeviceBackend dev) { this.dev = dev; }

    @Override
    public void forward(Network mlp, Matrix x, Matrix y) {
        int n = x.rows(), L = mlp.depth(), hidden = mlp.maxHidden();
        try (Scratch s = dev.scratch()) {
            Buffer[] tmp = new Buffer[L > 1 ? Math.min(2, L - 1) : 0];
            for (int i = 0; i < tmp.length; i++) tmp[i] = s.floats((long) n * hidden);
            forward(mlp, x.buffer(), y.buffer(), tmp, n);
        }
    }

    /** Every layer of the net on x [n, inputs] into y [n, outputs], hidden activations in the two scratch buffers. */
    void forward(Network mlp, Buffer x, Buffer y, Buffer[] hidden, int n) {
        int L = mlp.depth();
        for (int l = 0; l < L; l++)
            linear(l == 0 ? x : hidden[(l - 1) % 2], mlp.parameters(), mlp.weightOffset(l), mlp.biasOffset(l),
                    l == L - 1 ? y : hidden[l % 2], n, mlp.width(l), mlp.width(l + 1), mlp.activationOf(l));
    }

    /** dst [n, out] = act(src [n, in] W^T + b), W and b inside the packed parameters, act an ACT_* code. */
    void linear(Buffer src, Buffer params, int wOff, int bOff, Buffer dst, int n, int in, int out, int act) {
        if (n <= 0 || out <= 0) return;
        DeviceBackend.LibraryGemm gemm = dev.libraryGemm();
        if (gemm != null && (long) n * in * out >= LIBRARY_GEMM_MIN_MACS) {
            gemm.xwt(src, params, wOff, dst, n, in, out);
            dev.launch(new Kernels.BiasActivate(dst, params, bOff, n, out, act), (long) n * out);
            return;
        }
        // row tiles on the first grid dimension (2^31 - 1 work-groups), output tiles on the second
        long rowTiles = (n + DeviceLimits.LIN_TILE_ROWS - 1) / DeviceLimits.LIN_TILE_ROWS;
        long outTiles = (out + DeviceLimits.LIN_TILE_OUTPUTS - 1) / DeviceLimits.LIN_TILE_OUTPUTS;
        if (outTiles > 65_535)
            throw new IllegalArgumentException("out: at most " + 65_535L * DeviceLimits.LIN_TILE_OUTPUTS
                    + " outputs per layer on the device, got " + out);
        dev.launch2d(new Kernels.LinearForward(src, params, wOff, bOff, dst, n, in, out, act),
                rowTiles * DeviceLimits.LIN_GROUP, outTiles, DeviceLimits.LIN_GROUP, 1);
    }
}
