package org.flowkernels;

/**
 * Argument checks shared by every operation: each message names the argument, what was
 * expected and what was given, and each runs before any kernel is launched.
 */
public final class Check {
    private Check() {}

    public static <T> T notNull(T value, String name) {
        if (value == null) throw new IllegalArgumentException(name + ": expected a value, got null");
        return value;
    }

    public static int positive(int value, String name) {
        if (value <= 0) throw new IllegalArgumentException(name + ": expected > 0, got " + value);
        return value;
    }

    public static int nonNegative(int value, String name) {
        if (value < 0) throw new IllegalArgumentException(name + ": expected >= 0, got " + value);
        return value;
    }

    public static double finite(double value, String name) {
        if (!Double.isFinite(value)) throw new IllegalArgumentException(name + ": expected a finite number, got " + value);
        return value;
    }

    public static double positiveFinite(double value, String name) {
        if (!(value > 0) || !Double.isFinite(value))
            throw new IllegalArgumentException(name + ": expected a finite number > 0, got " + value);
        return value;
    }

    /** The tensor is open, lives on {@code backend} and has the given width. */
    public static Tensor tensor(Tensor t, Backend backend, int cols, String name) {
        notNull(t, name);
        if (t.isClosed()) throw new IllegalStateException(name + ": tensor is closed");
        if (t.backend() != backend)
            throw new IllegalArgumentException(name + ": expected a tensor on " + backend.name() + ", got one on "
                    + t.backend().name());
        if (t.cols() != cols)
            throw new IllegalArgumentException(name + ": expected " + cols + " columns, got [" + t.rows() + ", " + t.cols() + "]");
        return t;
    }

    /** As {@link #tensor(Tensor, Backend, int, String)}, with the row count fixed too. */
    public static Tensor tensor(Tensor t, Backend backend, int rows, int cols, String name) {
        tensor(t, backend, cols, name);
        if (t.rows() != rows)
            throw new IllegalArgumentException(name + ": expected [" + rows + ", " + cols + "], got [" + t.rows() + ", " + t.cols() + "]");
        return t;
    }

    /** Every element is finite; names the first offending row and column. */
    public static void allFinite(float[] data, int cols, String name) {
        for (int i = 0; i < data.length; i++)
            if (!Float.isFinite(data[i]))
                throw new IllegalArgumentException(name + ": non-finite value " + data[i] + " at row " + (i / cols)
                        + ", column " + (i % cols));
    }
}
