package org.flowkernels.spi;

/**
 * Philox4x32-10 (Salmon, Moraes, Dror, Shaw, SC'11), the reference every backend must match
 * bit for bit. Counter-based: the output is a pure function of (counter, key), so any element
 * of any stream can be drawn in any order, on any device.
 *
 * <p>Layout used throughout the library (see native-kernels/include/philox.h):
 * key = (seed low 32 bits, seed high 32 bits), counter = (index, step, block, stream), and
 * coordinate c takes word c % 4 of block c / 4.
 */
public final class Philox4x32 {
    private Philox4x32() {}

    private static final int M0 = Contract.PHILOX_M0, M1 = Contract.PHILOX_M1, W0 = Contract.PHILOX_W0, W1 = Contract.PHILOX_W1;

    /** The four words of Philox4x32-10 at counter (c0..c3) under key (k0, k1), into out[0..3]. */
    public static void block(int c0, int c1, int c2, int c3, int k0, int k1, int[] out) {
        for (int round = 0; round < 10; round++) {
            if (round > 0) {
                k0 += W0;
                k1 += W1;
            }
            long p0 = (M0 & 0xffffffffL) * (c0 & 0xffffffffL);
            long p1 = (M1 & 0xffffffffL) * (c2 & 0xffffffffL);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            c0 = n0;
            c1 = (int) p1;
            c2 = n2;
            c3 = (int) p0;
        }
        out[0] = c0;
        out[1] = c1;
        out[2] = c2;
        out[3] = c3;
    }

    public static int[] block(int c0, int c1, int c2, int c3, int k0, int k1) {
        int[] out = new int[4];
        block(c0, c1, c2, c3, k0, k1, out);
        return out;
    }

    /** The block for (seed, index, step, block, stream) in the library's layout. */
    public static void block(long seed, int index, int step, int block, int stream, int[] out) {
        block(index, step, block, stream, (int) seed, (int) (seed >>> 32), out);
    }

    /** (k + 1/2) 2^-23 for the top 23 bits k: exact in float, strictly inside (0, 1). */
    public static float uniform(int word) {
        return ((word >>> 9) + 0.5f) * 0x1p-23f;
    }

    public static float rademacher(int word) {
        return word < 0 ? -1f : 1f;
    }

    /** Box-Muller on the pair of words holding {@code word}: cosine for even, sine for odd. */
    public static float normal(int[] block, int word) {
        int pair = word & 2;
        double u0 = uniform(block[pair]), u1 = uniform(block[pair + 1]);
        double r = Math.sqrt(-2.0 * Math.log(u0));
        double theta = 2.0 * Math.PI * u1;
        return (float) ((word & 1) != 0 ? r * Math.sin(theta) : r * Math.cos(theta));
    }

    /** All four normals of a block: two Box-Muller pairs, each log and sqrt taken once. */
    public static void normals(int[] block, float[] out) {
        for (int pair = 0; pair < 4; pair += 2) {
            double u0 = uniform(block[pair]), u1 = uniform(block[pair + 1]);
            double r = Math.sqrt(-2.0 * Math.log(u0));
            double theta = 2.0 * Math.PI * u1;
            out[pair] = (float) (r * Math.cos(theta));
            out[pair + 1] = (float) (r * Math.sin(theta));
        }
    }

    /** Word {@code word} of a block drawn from the distribution with code {@code dist} ({@code Contract.DIST_*}). */
    public static float draw(int dist, int[] block, int word) {
        return switch (dist) {
            case Contract.DIST_UNIFORM -> uniform(block[word]);
            case Contract.DIST_NORMAL -> normal(block, word);
            case Contract.DIST_RADEMACHER -> rademacher(block[word]);
            default -> throw new IllegalArgumentException("dist: expected a DIST_* code, got " + dist);
        };
    }

    /** Coordinate c of (seed, index, step, stream) drawn from the distribution with code {@code dist}. */
    public static float coordinate(long seed, int index, int step, int stream, int c, int dist) {
        int[] b = new int[4];
        block(seed, index, step, c >>> 2, stream, b);
        return draw(dist, b, c & 3);
    }
}
