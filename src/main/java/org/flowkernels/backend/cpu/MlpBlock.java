package org.flowkernels.backend.cpu;

import org.flowkernels.spi.Contract;
import org.flowkernels.spi.Network;

/**
 * An MLP evaluated on a block of B samples at once, activations stored feature-major
 * ({@code a[k * B + s]}: feature k of sample s) so that the innermost loops run over the
 * samples, contiguous, and vectorize. One instance per thread: it owns its scratch.
 * The CPU kernels of every family that runs an MLP go through this class.
 */
final class MlpBlock {
    /** Samples per block: 32 floats fill two 512-bit vectors per feature. */
    static final int B = 32;

    private final Network net;
    private final float[] params;
    private final float[][] acts;

    MlpBlock(Network net) {
        this.net = net;
        this.params = CpuBackend.floats(net.parameters());
        acts = new float[net.depth() + 1][];
        for (int l = 0; l <= net.depth(); l++) acts[l] = new float[net.width(l) * B];
    }

    /** The input block to fill, feature-major [inputs][B]. */
    float[] input() { return acts[0]; }

    /** Activations after layer l (1-based; depth() is the output), feature-major [width(l)][B]. */
    float[] activation(int l) { return acts[l]; }

    /** Runs every layer on the input block; returns the output block [outputs][B]. */
    float[] forward() {
        int L = net.depth();
        for (int l = 0; l < L; l++)
            layer(params, net.weightOffset(l), net.biasOffset(l), net.width(l), net.width(l + 1), acts[l], acts[l + 1],
                    net.activationOf(l));
        return acts[L];
    }

    /** Loads rows [s0, s0 + nb) of a row-major [n, cols] array into a feature-major block (zero tail). */
    static void load(float[] x, int s0, int nb, int cols, float[] block) {
        for (int s = 0; s < nb; s++) {
            int row = (s0 + s) * cols;
            for (int k = 0; k < cols; k++) block[k * B + s] = x[row + k];
        }
        if (nb < B) for (int k = 0; k < cols; k++) java.util.Arrays.fill(block, k * B + nb, k * B + B, 0f);
    }

    /** Stores the first nb samples of a feature-major block into rows [s0, s0 + nb) of y [n, cols]. */
    static void store(float[] block, int s0, int nb, int cols, float[] y) {
        for (int s = 0; s < nb; s++) {
            int row = (s0 + s) * cols;
            for (int k = 0; k < cols; k++) y[row + k] = block[k * B + s];
        }
    }

    /** Whether the Vector API kernels run (the module is present and the vector width fits B). */
    static final boolean VECTORIZED = Simd.ENABLED && VectorMlp.supports(B);

    /**
     * z = act(W a + b) on a block: W [out, in] at params[wOff], b at params[bOff], a
     * [in][B] and z [out][B] feature-major. The Vector API kernel where it runs, else plain
     * loops with four outputs per pass, so each activation loaded feeds four FMAs.
     */
    static void layer(float[] params, int wOff, int bOff, int in, int out, float[] a, float[] z, int act) {
        if (VECTORIZED) {
            VectorMlp.layer(params, wOff, bOff, in, out, a, z, act);
            return;
        }
        int o = 0;
        for (; o + 4 <= out; o += 4) {
            int z0 = o * B, z1 = z0 + B, z2 = z1 + B, z3 = z2 + B;
            float b0 = params[bOff + o], b1 = params[bOff + o + 1], b2 = params[bOff + o + 2], b3 = params[bOff + o + 3];
            for (int s = 0; s < B; s++) {
                z[z0 + s] = b0;
                z[z1 + s] = b1;
                z[z2 + s] = b2;
                z[z3 + s] = b3;
            }
            int w0 = wOff + o * in, w1 = w0 + in, w2 = w1 + in, w3 = w2 + in;
            for (int k = 0; k < in; k++) {
                float c0 = params[w0 + k], c1 = params[w1 + k], c2 = params[w2 + k], c3 = params[w3 + k];
                int ak = k * B;
                for (int s = 0; s < B; s++) {
                    float v = a[ak + s];
                    z[z0 + s] += c0 * v;
                    z[z1 + s] += c1 * v;
                    z[z2 + s] += c2 * v;
                    z[z3 + s] += c3 * v;
                }
            }
        }
        for (; o < out; o++) {
            int zo = o * B, wo = wOff + o * in;
            float bo = params[bOff + o];
            for (int s = 0; s < B; s++) z[zo + s] = bo;
            for (int k = 0; k < in; k++) {
                float c = params[wo + k];
                int ak = k * B;
                for (int s = 0; s < B; s++) z[zo + s] += c * a[ak + s];
            }
        }
        activate(z, out * B, act);
    }

    /** z[0..n) = act(z[0..n)) for an ACT_* code, n a multiple of B. */
    static void activate(float[] z, int n, int act) {
        if (VECTORIZED) {
            VectorMlp.activate(z, n, act);
            return;
        }
        switch (act) {
            case Contract.ACT_TANH -> { for (int i = 0; i < n; i++) z[i] = FastMath.tanh(z[i]); }
            case Contract.ACT_RELU -> { for (int i = 0; i < n; i++) z[i] = Math.max(z[i], 0f); }
            default -> { }
        }
    }
}
