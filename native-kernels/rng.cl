/* rng.cl: Philox fills. Launch: 1-D, one work-item per (row, group of four columns),
 * global size rows * ceil(cols / 4), rounded up to the work-group; the tail is guarded.
 * The flat index g is 64-bit: from 2^33 elements (32 GiB) on, a fill has more than 2^31
 * groups, and an int index would wrap negative and write outside the tensor. The 32-bit
 * division below is the common case; the branch is the same for the whole launch. The
 * four words are stored one by one with constant indices, so the block stays in registers. */
KERNEL void philox_fill(PHILOX_FILL_ARGS) {
    int blocks = cols / 4 + (cols % 4 != 0);
    long g = (long)GROUP(0) * LSIZE(0) + LID(0);
    long total = (long)rows * blocks;
    if (g >= total) return;
    int r, blk;
    if (total <= 0x7fffffffL) {
        r = (int)g / blocks;
        blk = (int)g - r * blocks;
    } else {
        r = (int)(g / blocks);
        blk = (int)(g - (long)r * blocks);
    }
    philox_block b = philox4x32_10((uint)r, step, (uint)blk, stream, seed_lo, seed_hi);
    int left = cols - 4 * blk; /* 1..4 columns in this group; cols + 3 could overflow, this cannot */
    GLOBAL REAL* o = out + (long)r * cols + 4L * blk;
    o[0] = philox_draw(b, 0, dist);
    if (left > 1) o[1] = philox_draw(b, 1, dist);
    if (left > 2) o[2] = philox_draw(b, 2, dist);
    if (left > 3) o[3] = philox_draw(b, 3, dist);
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
