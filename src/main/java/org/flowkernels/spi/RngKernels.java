package org.flowkernels.spi;

/** Philox4x32-10 on one backend (layout: {@link Philox4x32}). */
public interface RngKernels {
    /** Element (r, c) of {@code out} = coordinate c of (seed, index r, step, stream), drawn from {@code dist} (DIST_*). */
    void fill(Matrix out, int dist, long seed, int stream, int step);

    /** n raw blocks: case i reads counter[4], key[2] from in[6i..] and writes 4 words to out[4i..]. */
    void raw(Buffer in, Buffer out, int n);
}
