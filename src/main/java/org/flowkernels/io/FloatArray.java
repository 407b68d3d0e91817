package org.flowkernels.io;

import java.util.Arrays;
import org.flowkernels.Backend;
import org.flowkernels.Check;
import org.flowkernels.Tensor;

/**
 * A float32 array of any rank in C (row-major) order, as the weight files hold them. The
 * arrays are not copied: don't change them while the record is in use.
 */
public record FloatArray(int[] shape, float[] data) {
    public FloatArray {
        Check.notNull(shape, "shape");
        Check.notNull(data, "data");
        long n = 1;
        for (int i = 0; i < shape.length; i++) n *= Check.nonNegative(shape[i], "shape[" + i + "]");
        if (n != data.length)
            throw new IllegalArgumentException("data: expected " + n + " elements for shape " + Arrays.toString(shape)
                    + ", got " + data.length);
    }

    public static FloatArray of(float[] data, int... shape) {
        return new FloatArray(shape.clone(), data);
    }

    /** The tensor's contents, shape [rows, cols]. */
    public static FloatArray of(Tensor t) {
        Check.notNull(t, "tensor");
        return new FloatArray(new int[] {t.rows(), t.cols()}, t.toArray());
    }

    public int rank() { return shape.length; }

    public int size() { return data.length; }

    /** A tensor on {@code backend}: rank 2 as [rows, cols], rank 1 as one row [1, n], rank 0 as [1, 1]. */
    public Tensor toTensor(Backend backend) {
        Check.notNull(backend, "backend");
        return switch (shape.length) {
            case 0 -> backend.tensor(data, 1, 1);
            case 1 -> backend.tensor(data, 1, shape[0]);
            case 2 -> backend.tensor(data, shape[0], shape[1]);
            default -> throw new IllegalArgumentException("array: expected rank 0, 1 or 2 for a tensor, got shape "
                    + Arrays.toString(shape));
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FloatArray a && Arrays.equals(shape, a.shape) && Arrays.equals(data, a.data);
    }

    @Override
    public int hashCode() { return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data); }

    @Override
    public String toString() { return "FloatArray" + Arrays.toString(shape); }
}
