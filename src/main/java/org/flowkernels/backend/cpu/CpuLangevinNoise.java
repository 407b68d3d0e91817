package org.flowkernels.backend.cpu;

import org.flowkernels.spi.Philox4x32;

/**
 * Philox draws for a block of {@link MlpBlock#B} consecutive chains, stored coordinate-major
 * ({@code out[c * B + s]}) like the rest of a CPU chain block. Counter (chain, step, c / 4,
 * stream), word c % 4: the library's layout, so the numbers are those of every other backend
 * (uniform bits identical; normals to float rounding). The Vector API version
 * ({@link CpuLangevinVector}) runs when {@link Simd#ENABLED}; otherwise the Java reference
 * {@link Philox4x32} itself, one chain at a time.
 */
final class CpuLangevinNoise {
    private CpuLangevinNoise() {}

    static final int B = MlpBlock.B;

    /** out[c * B + s] = standard normal coordinate c of (seed, chain0 + s, step, stream), c < n. */
    static void normals(long seed, int chain0, int step, int stream, int n, float[] out) {
        if (Simd.ENABLED) {
            CpuLangevinVector.normals(seed, chain0, step, stream, n, out);
            return;
        }
        int[] w = new int[4];
        float[] z = new float[4];
        for (int s = 0; s < B; s++)
            for (int blk = 0; blk * 4 < n; blk++) {
                Philox4x32.block(seed, chain0 + s, step, blk, stream, w);
                Philox4x32.normals(w, z);
                for (int k = 0; k < 4 && blk * 4 + k < n; k++) out[(blk * 4 + k) * B + s] = z[k];
            }
    }

    /** out[s] = the uniform of word 0 of (seed, chain0 + s, step, block 0, stream). */
    static void uniforms(long seed, int chain0, int step, int stream, float[] out) {
        int[] w = new int[4];
        for (int s = 0; s < B; s++) {
            Philox4x32.block(seed, chain0 + s, step, 0, stream, w);
            out[s] = Philox4x32.uniform(w[0]);
        }
    }

    /** Which implementation draws the noise. */
    static String description() {
        return Simd.ENABLED ? "Philox and Box-Muller in Vector API lanes" : "Philox and Box-Muller in plain Java";
    }
}
