package org.flowkernels;

import java.lang.ref.Cleaner;
import org.flowkernels.spi.Buffer;
import org.flowkernels.spi.Matrix;
import org.flowkernels.spi.Memory;

/**
 * A float32 [rows, cols] array, row-major, living on one {@link Backend}. Created by the
 * backend ({@link Backend#tensor(float[], int, int)}, {@link Backend#empty(int, int)}) or
 * returned by operations; copied to the host with {@link #toArray()}.
 *
 * <p>Close it (try-with-resources) to release its device memory at once; a Cleaner releases
 * it when the tensor becomes unreachable, as a safety net only (device memory is not seen by
 * the Java heap, so waiting for the GC can run a GPU out of memory).
 */
public final class Tensor implements Matrix, AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();

    private final Backend backend;
    private final int rows, cols;
    private final Buffer buffer;
    private final Cleaner.Cleanable cleanable;
    private volatile boolean closed;

    Tensor(Backend backend, int rows, int cols, Buffer buffer) {
        this.backend = backend;
        this.rows = rows;
        this.cols = cols;
        this.buffer = buffer;
        this.cleanable = CLEANER.register(this, new Release(backend.memory(), buffer));
    }

    /** Frees without holding the tensor, so that the Cleaner can run it. */
    private record Release(Memory memory, Buffer buffer) implements Runnable {
        @Override public void run() { memory.free(buffer); }
    }

    @Override public int rows() { return rows; }

    @Override public int cols() { return cols; }

    @Override public long size() { return (long) rows * cols; }

    public Backend backend() { return backend; }

    public boolean isClosed() { return closed; }

    /** The memory behind the tensor, for kernel implementations. */
    @Override
    public Buffer buffer() {
        ensureOpen();
        return buffer;
    }

    /** A copy of the contents, row-major. */
    public float[] toArray() {
        ensureOpen();
        if (size() > Integer.MAX_VALUE - 8)
            throw new IllegalStateException("tensor of " + size() + " elements does not fit a Java array");
        float[] out = new float[(int) size()];
        backend.memory().read(buffer, 0, out, 0, out.length);
        return out;
    }

    /** A copy of the contents, one Java array per row. */
    public float[][] toRows() {
        float[] flat = toArray();
        float[][] out = new float[rows][cols];
        for (int r = 0; r < rows; r++) System.arraycopy(flat, r * cols, out[r], 0, cols);
        return out;
    }

    /** Overwrites the contents with {@code data} (row-major, rows * cols elements). */
    public void copyFrom(float[] data) {
        ensureOpen();
        Check.notNull(data, "data");
        if (data.length != size())
            throw new IllegalArgumentException("data: expected " + size() + " elements for a [" + rows + ", " + cols
                    + "] tensor, got " + data.length);
        backend.memory().write(buffer, 0, data, 0, data.length);
    }

    /** Releases the device memory; further use throws IllegalStateException. Idempotent. */
    @Override
    public void close() {
        closed = true;
        cleanable.clean();
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("tensor [" + rows + ", " + cols + "] on " + backend.name() + " is closed");
    }

    @Override
    public String toString() {
        return "Tensor[" + rows + ", " + cols + "] on " + backend.name() + (closed ? " (closed)" : "");
    }
}
