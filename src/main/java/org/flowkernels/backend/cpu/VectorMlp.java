package org.flowkernels.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.flowkernels.spi.Contract;

/**
 * The Vector API versions of {@link MlpBlock}'s primitives. Loaded only when
 * {@link VectorBlocks} chooses it (the incubator module is present), so nothing here is touched
 * otherwise.
 *
 * <p>The layer is a register-blocked GEMM on a feature-major block of B = 32 samples:
 * sixteen accumulators (eight outputs x two 512-bit vectors, or four outputs x four 256-bit
 * vectors) stay in registers across the whole k loop, so each activation vector loaded
 * feeds several FMAs and each weight is one broadcast. Measured on one Zen 4 core (W1's
 * 256 x 256 layer, 512-bit): about 100 GFLOP/s, against about 9 for the plain loops.
 */
final class VectorMlp {
    private VectorMlp() {}

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int V = S.length();
    private static final VectorSpecies<Float> S512 = FloatVector.SPECIES_512, S256 = FloatVector.SPECIES_256;

    /** True when there is a blocked kernel for this machine's vector width (512 or 256 bits). */
    static boolean supports(int blockSamples) {
        return blockSamples == 32 && (V == 16 || V == 8);
    }

    static void layer(float[] p, int wOff, int bOff, int in, int out, float[] a, float[] z, int act) {
        if (V == 16) product512(p, wOff, bOff, in, out, a, z);
        else product256(p, wOff, bOff, in, out, a, z);
        activate(z, out * MlpBlock.B, act);
    }

    /** z = W a + b with 512-bit vectors: a block row is two vectors; eight outputs at a time. */
    static void product512(float[] p, int wOff, int bOff, int in, int out, float[] a, float[] z) {
        final int B = 32, H = 16;
        int o = 0;
        for (; o + 8 <= out; o += 8) {
            FloatVector c00 = FloatVector.broadcast(S512, p[bOff + o]), c01 = c00;
            FloatVector c10 = FloatVector.broadcast(S512, p[bOff + o + 1]), c11 = c10;
            FloatVector c20 = FloatVector.broadcast(S512, p[bOff + o + 2]), c21 = c20;
            FloatVector c30 = FloatVector.broadcast(S512, p[bOff + o + 3]), c31 = c30;
            FloatVector c40 = FloatVector.broadcast(S512, p[bOff + o + 4]), c41 = c40;
            FloatVector c50 = FloatVector.broadcast(S512, p[bOff + o + 5]), c51 = c50;
            FloatVector c60 = FloatVector.broadcast(S512, p[bOff + o + 6]), c61 = c60;
            FloatVector c70 = FloatVector.broadcast(S512, p[bOff + o + 7]), c71 = c70;
            int w0 = wOff + o * in;
            for (int k = 0; k < in; k++) {
                FloatVector a0 = FloatVector.fromArray(S512, a, k * B), a1 = FloatVector.fromArray(S512, a, k * B + H);
                int w = w0 + k;
                FloatVector v;
                v = FloatVector.broadcast(S512, p[w]);          c00 = a0.fma(v, c00); c01 = a1.fma(v, c01);
                v = FloatVector.broadcast(S512, p[w + in]);     c10 = a0.fma(v, c10); c11 = a1.fma(v, c11);
                v = FloatVector.broadcast(S512, p[w + 2 * in]); c20 = a0.fma(v, c20); c21 = a1.fma(v, c21);
                v = FloatVector.broadcast(S512, p[w + 3 * in]); c30 = a0.fma(v, c30); c31 = a1.fma(v, c31);
                v = FloatVector.broadcast(S512, p[w + 4 * in]); c40 = a0.fma(v, c40); c41 = a1.fma(v, c41);
                v = FloatVector.broadcast(S512, p[w + 5 * in]); c50 = a0.fma(v, c50); c51 = a1.fma(v, c51);
                v = FloatVector.broadcast(S512, p[w + 6 * in]); c60 = a0.fma(v, c60); c61 = a1.fma(v, c61);
                v = FloatVector.broadcast(S512, p[w + 7 * in]); c70 = a0.fma(v, c70); c71 = a1.fma(v, c71);
            }
            int zo = o * B;
            c00.intoArray(z, zo);          c01.intoArray(z, zo + H);
            c10.intoArray(z, zo + B);      c11.intoArray(z, zo + B + H);
            c20.intoArray(z, zo + 2 * B);  c21.intoArray(z, zo + 2 * B + H);
            c30.intoArray(z, zo + 3 * B);  c31.intoArray(z, zo + 3 * B + H);
            c40.intoArray(z, zo + 4 * B);  c41.intoArray(z, zo + 4 * B + H);
            c50.intoArray(z, zo + 5 * B);  c51.intoArray(z, zo + 5 * B + H);
            c60.intoArray(z, zo + 6 * B);  c61.intoArray(z, zo + 6 * B + H);
            c70.intoArray(z, zo + 7 * B);  c71.intoArray(z, zo + 7 * B + H);
        }
        for (; o < out; o++) {
            FloatVector c0 = FloatVector.broadcast(S512, p[bOff + o]), c1 = c0;
            int w0 = wOff + o * in;
            for (int k = 0; k < in; k++) {
                FloatVector v = FloatVector.broadcast(S512, p[w0 + k]);
                c0 = FloatVector.fromArray(S512, a, k * B).fma(v, c0);
                c1 = FloatVector.fromArray(S512, a, k * B + H).fma(v, c1);
            }
            c0.intoArray(z, o * B);
            c1.intoArray(z, o * B + H);
        }
    }

    /** z = W a + b with 256-bit vectors (AVX2): a block row is four vectors; four outputs at a time. */
    static void product256(float[] p, int wOff, int bOff, int in, int out, float[] a, float[] z) {
        final int B = 32, Q = 8;
        int o = 0;
        for (; o + 4 <= out; o += 4) {
            FloatVector c00 = FloatVector.broadcast(S256, p[bOff + o]), c01 = c00, c02 = c00, c03 = c00;
            FloatVector c10 = FloatVector.broadcast(S256, p[bOff + o + 1]), c11 = c10, c12 = c10, c13 = c10;
            FloatVector c20 = FloatVector.broadcast(S256, p[bOff + o + 2]), c21 = c20, c22 = c20, c23 = c20;
            FloatVector c30 = FloatVector.broadcast(S256, p[bOff + o + 3]), c31 = c30, c32 = c30, c33 = c30;
            int w0 = wOff + o * in;
            for (int k = 0; k < in; k++) {
                int ak = k * B, w = w0 + k;
                FloatVector a0 = FloatVector.fromArray(S256, a, ak), a1 = FloatVector.fromArray(S256, a, ak + Q);
                FloatVector a2 = FloatVector.fromArray(S256, a, ak + 2 * Q), a3 = FloatVector.fromArray(S256, a, ak + 3 * Q);
                FloatVector v;
                v = FloatVector.broadcast(S256, p[w]);
                c00 = a0.fma(v, c00); c01 = a1.fma(v, c01); c02 = a2.fma(v, c02); c03 = a3.fma(v, c03);
                v = FloatVector.broadcast(S256, p[w + in]);
                c10 = a0.fma(v, c10); c11 = a1.fma(v, c11); c12 = a2.fma(v, c12); c13 = a3.fma(v, c13);
                v = FloatVector.broadcast(S256, p[w + 2 * in]);
                c20 = a0.fma(v, c20); c21 = a1.fma(v, c21); c22 = a2.fma(v, c22); c23 = a3.fma(v, c23);
                v = FloatVector.broadcast(S256, p[w + 3 * in]);
                c30 = a0.fma(v, c30); c31 = a1.fma(v, c31); c32 = a2.fma(v, c32); c33 = a3.fma(v, c33);
            }
            int zo = o * B;
            c00.intoArray(z, zo); c01.intoArray(z, zo + Q); c02.intoArray(z, zo + 2 * Q); c03.intoArray(z, zo + 3 * Q);
            zo += B;
            c10.intoArray(z, zo); c11.intoArray(z, zo + Q); c12.intoArray(z, zo + 2 * Q); c13.intoArray(z, zo + 3 * Q);
            zo += B;
            c20.intoArray(z, zo); c21.intoArray(z, zo + Q); c22.intoArray(z, zo + 2 * Q); c23.intoArray(z, zo + 3 * Q);
            zo += B;
            c30.intoArray(z, zo); c31.intoArray(z, zo + Q); c32.intoArray(z, zo + 2 * Q); c33.intoArray(z, zo + 3 * Q);
        }
        for (; o < out; o++) {
            int w0 = wOff + o * in;
            for (int q = 0; q < B; q += Q) {
                FloatVector c = FloatVector.broadcast(S256, p[bOff + o]);
                for (int k = 0; k < in; k++) c = FloatVector.fromArray(S256, a, k * B + q).fma(FloatVector.broadcast(S256, p[w0 + k]), c);
                c.intoArray(z, o * B + q);
            }
        }
    }

    /** Blocks per pass of {@link #weightGradient}: their rows of an input tile of aT (16 KB at 512 bits) stay in L1 while the outputs pass. */
    private static final int GRADIENT_BLOCKS = 4;

    /**
     * The weight gradient dW = dyᵀ a over a group's rows ({@link BlockOps#weightGradient}), the
     * layer's product turned around: sixteen accumulators (eight outputs x two vectors of
     * inputs), each row two loads of aT and one broadcast of dy per output. The rows go by in
     * passes of {@link #GRADIENT_BLOCKS} blocks, within a pass input tile by input tile, so that
     * the tile's rows of aT stay in L1 while the outputs pass over them (dy, one float per output
     * and row, is the cheaper stream); the accumulators are stored and loaded again between
     * passes, which leaves the sums' order and bits as if they had stayed in registers. Measured
     * on one Zen 4 core (1,024 rows of 256 x 256): four outputs over all rows in one pass ran at
     * 84 GFLOP/s against the layer's 180; this at about 150 against 190. The edges that do not
     * fill a tile are {@link ScalarBlocks}'.
     */
    static void weightGradient(float[][] dy, float[] aT, int blocks, int in, int out, float[] w, int wOff) {
        final int B = MlpBlock.B;
        int out8 = out - out % 8, in2 = in - in % (2 * V);
        for (int o = 0; o < out8; o++) java.util.Arrays.fill(w, wOff + o * in, wOff + o * in + in2, 0f);
        for (int b0 = 0; b0 < blocks; b0 += GRADIENT_BLOCKS) {
            int b1 = Math.min(blocks, b0 + GRADIENT_BLOCKS);
            for (int i = 0; i < in2; i += 2 * V)
                for (int o = 0; o < out8; o += 8) {
                    int w0 = wOff + o * in + i;
                    FloatVector c00 = FloatVector.fromArray(S, w, w0), c01 = FloatVector.fromArray(S, w, w0 + V);
                    FloatVector c10 = FloatVector.fromArray(S, w, w0 + in), c11 = FloatVector.fromArray(S, w, w0 + in + V);
                    FloatVector c20 = FloatVector.fromArray(S, w, w0 + 2 * in), c21 = FloatVector.fromArray(S, w, w0 + 2 * in + V);
                    FloatVector c30 = FloatVector.fromArray(S, w, w0 + 3 * in), c31 = FloatVector.fromArray(S, w, w0 + 3 * in + V);
                    FloatVector c40 = FloatVector.fromArray(S, w, w0 + 4 * in), c41 = FloatVector.fromArray(S, w, w0 + 4 * in + V);
                    FloatVector c50 = FloatVector.fromArray(S, w, w0 + 5 * in), c51 = FloatVector.fromArray(S, w, w0 + 5 * in + V);
                    FloatVector c60 = FloatVector.fromArray(S, w, w0 + 6 * in), c61 = FloatVector.fromArray(S, w, w0 + 6 * in + V);
                    FloatVector c70 = FloatVector.fromArray(S, w, w0 + 7 * in), c71 = FloatVector.fromArray(S, w, w0 + 7 * in + V);
                    for (int b = b0; b < b1; b++) {
                        float[] d = dy[b];
                        for (int s = 0; s < B; s++) {
                            int at = (b * B + s) * in + i, ds = o * B + s;
                            FloatVector a0 = FloatVector.fromArray(S, aT, at), a1 = FloatVector.fromArray(S, aT, at + V), v;
                            v = FloatVector.broadcast(S, d[ds]);         c00 = a0.fma(v, c00); c01 = a1.fma(v, c01);
                            v = FloatVector.broadcast(S, d[ds + B]);     c10 = a0.fma(v, c10); c11 = a1.fma(v, c11);
                            v = FloatVector.broadcast(S, d[ds + 2 * B]); c20 = a0.fma(v, c20); c21 = a1.fma(v, c21);
                            v = FloatVector.broadcast(S, d[ds + 3 * B]); c30 = a0.fma(v, c30); c31 = a1.fma(v, c31);
                            v = FloatVector.broadcast(S, d[ds + 4 * B]); c40 = a0.fma(v, c40); c41 = a1.fma(v, c41);
                            v = FloatVector.broadcast(S, d[ds + 5 * B]); c50 = a0.fma(v, c50); c51 = a1.fma(v, c51);
                            v = FloatVector.broadcast(S, d[ds + 6 * B]); c60 = a0.fma(v, c60); c61 = a1.fma(v, c61);
                            v = FloatVector.broadcast(S, d[ds + 7 * B]); c70 = a0.fma(v, c70); c71 = a1.fma(v, c71);
                        }
                    }
                    c00.intoArray(w, w0);          c01.intoArray(w, w0 + V);
                    c10.intoArray(w, w0 + in);     c11.intoArray(w, w0 + in + V);
                    c20.intoArray(w, w0 + 2 * in); c21.intoArray(w, w0 + 2 * in + V);
                    c30.intoArray(w, w0 + 3 * in); c31.intoArray(w, w0 + 3 * in + V);
                    c40.intoArray(w, w0 + 4 * in); c41.intoArray(w, w0 + 4 * in + V);
                    c50.intoArray(w, w0 + 5 * in); c51.intoArray(w, w0 + 5 * in + V);
                    c60.intoArray(w, w0 + 6 * in); c61.intoArray(w, w0 + 6 * in + V);
                    c70.intoArray(w, w0 + 7 * in); c71.intoArray(w, w0 + 7 * in + V);
                }
        }
        if (in2 < in) ScalarBlocks.weightGradient(dy, aT, blocks, in, w, wOff, 0, out8, in2, in);
        if (out8 < out) ScalarBlocks.weightGradient(dy, aT, blocks, in, w, wOff, out8, out, 0, in);
    }

    /** z[0..n) = act(z[0..n)); n a multiple of the vector length (a whole block). One loop
     *  per activation, so that the vector ops stay intrinsics (a vector passed through a
     *  call that is not inlined is boxed, and costs ten times more). */
    static void activate(float[] z, int n, int act) {
        switch (act) {
            case Contract.ACT_TANH -> { for (int i = 0; i < n; i += V) VectorMath.tanh(FloatVector.fromArray(S, z, i)).intoArray(z, i); }
            case Contract.ACT_RELU -> { for (int i = 0; i < n; i += V) FloatVector.fromArray(S, z, i).max(0f).intoArray(z, i); }
            default -> { }
        }
    }
}
