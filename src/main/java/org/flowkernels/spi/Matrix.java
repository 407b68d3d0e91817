package org.flowkernels.spi;

/**
 * A [rows, cols] float32 array in one backend's memory, row-major: what kernels read and
 * write. A tensor is one; a kernel implementation wraps its own scratch with {@link #of}.
 */
public interface Matrix {
    Buffer buffer();

    int rows();

    int cols();

    default long size() { return (long) rows() * cols(); }

    /** A view of {@code buffer} as [rows, cols]. */
    static Matrix of(Buffer buffer, int rows, int cols) {
        record View(Buffer buffer, int rows, int cols) implements Matrix {}
        return new View(buffer, rows, cols);
    }
}
