/* philox.h: Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3",
 * SC'11), the counter-based generator every backend shares. The Java class
 * org.flowkernels.rng.Philox4x32 is the reference; the raw words must be identical.
 *
 * Stream layout (the same everywhere in the library):
 *   key     = (seed & 0xffffffff, seed >> 32)
 *   counter = (index, step, block, stream)
 * index is the sample / chain / row, step the time step or fill offset, block the group
 * of four coordinates (coordinate c uses block c/4, word c%4), stream separates uses of the
 * same seed (noise, probes, initial states).
 */
#ifndef FK_PHILOX_H
#define FK_PHILOX_H

/* PHILOX_M0, M1 (round multipliers) and W0, W1 (key increments): contract.h. */

typedef struct { uint w[4]; } philox_block;

FN philox_block philox4x32_10(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1) {
    for (int round = 0; round < 10; round++) {
        if (round > 0) { k0 += (uint)PHILOX_W0; k1 += (uint)PHILOX_W1; }
        uint hi0 = MULHI32(PHILOX_M0, c0), lo0 = (uint)PHILOX_M0 * c0;
        uint hi1 = MULHI32(PHILOX_M1, c2), lo1 = (uint)PHILOX_M1 * c2;
        uint n0 = hi1 ^ c1 ^ k0;
        uint n2 = hi0 ^ c3 ^ k1;
        c0 = n0; c1 = lo1; c2 = n2; c3 = lo0;
    }
    philox_block b;
    b.w[0] = c0; b.w[1] = c1; b.w[2] = c2; b.w[3] = c3;
    return b;
}

/* Word w of a block, by selects: w need not be a compile-time constant (a work-item that owns
 * coordinate c reads word c % 4), and an indexed read of the array would put the block in
 * local memory (the stack) on a GPU. */
FN uint philox_word(philox_block b, int w) {
    return w == 0 ? b.w[0] : w == 1 ? b.w[1] : w == 2 ? b.w[2] : b.w[3];
}

/* Uniform in the open interval (0, 1): (k + 1/2) 2^-23 with k the top 23 bits. Exact in
 * float, so every backend produces the same value, and never 0 (log-safe) nor 1. */
FN REAL philox_uniform(uint x) {
    return ((REAL)(x >> 9) + RC(0.5)) * RC(1.1920928955078125e-7);
}

/* Rademacher +-1 from the top bit. */
FN REAL philox_rademacher(uint x) {
    return (x >> 31) ? RC(-1.0) : RC(1.0);
}

/* Box-Muller: words (2j, 2j+1) give normals (2j, 2j+1), the cosine to the even one. The angle
 * 2 pi u1 goes in as sinpi/cospi(2 u1) (2 u1 is exact): closer to the float64 reference than
 * sin of a rounded 2 pi u1, and without CUDA sinf's stack. */
FN REAL philox_normal(philox_block b, int word) {
    int pair = word & 2;
    REAL u0 = philox_uniform(philox_word(b, pair));
    REAL u1 = philox_uniform(philox_word(b, pair + 1));
    REAL r = sqrt(RC(-2.0) * log(u0));
    REAL half_turns = RC(2.0) * u1;
    return (word & 1) ? r * SINPI(half_turns) : r * COSPI(half_turns);
}

/* dist: a DIST_* code of contract.h. */
FN REAL philox_draw(philox_block b, int word, int dist) {
    return dist == DIST_NORMAL ? philox_normal(b, word)
         : dist == DIST_RADEMACHER ? philox_rademacher(philox_word(b, word))
         : philox_uniform(philox_word(b, word));
}

/* Coordinate c of (seed, index, step, stream) for one distribution; one Philox call per
 * coordinate: for loops over all coordinates, draw blocks yourself and use philox_draw. */
FN REAL philox_coordinate(uint seed_lo, uint seed_hi, uint index, uint step, uint stream, int c, int dist) {
    philox_block b = philox4x32_10(index, step, (uint)(c >> 2), stream, seed_lo, seed_hi);
    return philox_draw(b, c & 3, dist);
}

#endif /* FK_PHILOX_H */
