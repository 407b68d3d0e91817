/* rng.cl: Philox fills. Launch: 1-D, one work-item per (row, group of four columns),
 * global size rows * ceil(cols / 4), rounded up to the work-group; the tail is guarded. */

KERNEL void philox_fill(PHILOX_FILL_ARGS) {
    int blocks = (cols + 3) >> 2;
    int g = GID(0);
    if (g >= rows * blocks) return;
    int r = g / blocks, blk = g - r * blocks;
    philox_block b = philox4x32_10((uint)r, step, (uint)blk, stream, seed_lo, seed_hi);
    for (int w = 0; w < 4; w++) {
        int c = blk * 4 + w;
        if (c < cols) out[(long)r * cols + c] = philox_draw(b, w, dist);
    }
}

/* Raw Philox4x32-10 blocks, for the known-answer tests: case i reads counter[4] and key[2]
 * from in[6i..6i+5] and writes the four result words to out[4i..4i+3]. */
KERNEL void philox_raw(PHILOX_RAW_ARGS) {
    int i = GID(0);
    if (i >= n) return;
    GLOBAL const uint* c = in + 6 * i;
    philox_block b = philox4x32_10(c[0], c[1], c[2], c[3], c[4], c[5]);
    for (int w = 0; w < 4; w++) out[4 * i + w] = b.w[w];
}
