package org.flowkernels.rng;

import org.flowkernels.Backend;
import org.flowkernels.Check;
import org.flowkernels.Tensor;
import org.flowkernels.spi.Buffer;
import org.flowkernels.spi.RngKernels;

/**
 * Random tensors from Philox4x32-10, the same on every backend: uniform bits are identical,
 * normals agree to float rounding. Row r of a tensor drawn with (seed, stream, step) is
 * coordinate-for-coordinate the draw for sample index r, so a batch can be split or grown
 * without changing the rows it already had.
 */
public final class Rng {
    private Rng() {}

    public static Tensor normal(Backend backend, int rows, int cols, long seed) {
        return draw(backend, Distribution.NORMAL, rows, cols, seed, 0, 0);
    }

    public static Tensor uniform(Backend backend, int rows, int cols, long seed) {
        return draw(backend, Distribution.UNIFORM, rows, cols, seed, 0, 0);
    }

    public static Tensor rademacher(Backend backend, int rows, int cols, long seed) {
        return draw(backend, Distribution.RADEMACHER, rows, cols, seed, 0, 0);
    }

    /** A new [rows, cols] tensor drawn from d with (seed, stream, step). */
    public static Tensor draw(Backend backend, Distribution d, int rows, int cols, long seed, int stream, int step) {
        Check.notNull(backend, "backend");
        Tensor t = backend.empty(rows, cols);
        try {
            fill(t, d, seed, stream, step);
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
        return t;
    }

    /** Overwrites {@code out} with draws from d with (seed, stream, step). */
    public static void fill(Tensor out, Distribution d, long seed, int stream, int step) {
        Check.notNull(out, "out");
        Check.notNull(d, "distribution");
        if (out.isClosed()) throw new IllegalStateException("out: tensor is closed");
        out.backend().kernels(RngKernels.class).fill(out, d.code, seed, stream, step);
    }

    /**
     * Raw Philox4x32-10 blocks computed on the backend, for known-answer tests:
     * {@code countersAndKeys} holds 6 words per case (counter[4], key[2]); returns 4 per case.
     */
    public static int[] rawBlocks(Backend backend, int[] countersAndKeys) {
        Check.notNull(backend, "backend");
        Check.notNull(countersAndKeys, "countersAndKeys");
        if (countersAndKeys.length % 6 != 0)
            throw new IllegalArgumentException("countersAndKeys: expected a multiple of 6 words, got " + countersAndKeys.length);
        int n = countersAndKeys.length / 6;
        var mem = backend.memory();
        Buffer in = mem.upload(countersAndKeys), out = null;
        try {
            out = mem.allocate(Buffer.Type.INT32, 4L * n);
            backend.kernels(RngKernels.class).raw(in, out, n);
            int[] result = new int[4 * n];
            mem.read(out, 0, result, 0, result.length);
            return result;
        } finally {
            mem.free(in);
            if (out != null) mem.free(out);
        }
    }
}
