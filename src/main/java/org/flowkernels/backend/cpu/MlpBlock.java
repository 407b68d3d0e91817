package org.flowkernels.backend.cpu;

import org.flowkernels.spi.Network;

/**
 * An MLP evaluated on a block of B samples at once, activations stored feature-major
 * ({@code a[k * B + s]}: feature k of sample s) so that the innermost loops run over the
 * samples, contiguous, and vectorize. One instance per thread: it owns its scratch.
 * The CPU kernels of every family that runs an MLP go through this class.
 */
final class MlpBlock {
    static final int B = BlockOps.B;

    private final Network net;
    private final BlockOps ops;
    private final float[] params;
    private final float[][] acts;

    MlpBlock(Network net, BlockOps ops) {
        this.net = net;
        this.ops = ops;
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
            ops.layer(params, net.weightOffset(l), net.biasOffset(l), net.width(l), net.width(l + 1), acts[l], acts[l + 1],
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
}
