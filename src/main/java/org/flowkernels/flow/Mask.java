package org.flowkernels.flow;

import java.util.Arrays;
import org.flowkernels.Check;

/**
 * Which coordinates a coupling layer conditions on and which it transforms, as two index
 * lists. The conditioner's input j is x[conditioning[j]]; its outputs s_j and t_j act on
 * x[transformed[j]]. Together the lists hold each of 0 .. dim-1 exactly once.
 *
 * <p>The named masks: {@link #firstHalf}/{@link #secondHalf} (WORKLOADS.md W1 alternates them),
 * {@link #even}/{@link #odd} (alternating coordinates), {@link #checkerboard} for a lattice;
 * {@link #of(int, int[], int[])} takes any split. {@link #swapped()} exchanges the roles, so
 * that a stack can alternate a mask with its complement.
 */
public final class Mask {
    /** How the mask was made; a flow description records it by this name. */
    public enum Kind { HALF, ALTERNATING, CHECKERBOARD, INDICES }

    private final Kind kind;
    private final int parity, rows, cols;
    private final int[] conditioning, transformed;

    private Mask(Kind kind, int parity, int rows, int cols, int[] conditioning, int[] transformed) {
        this.kind = kind;
        this.parity = parity;
        this.rows = rows;
        this.cols = cols;
        this.conditioning = conditioning;
        this.transformed = transformed;
        int dim = conditioning.length + transformed.length;
        if (conditioning.length == 0 || transformed.length == 0)
            throw new IllegalArgumentException("mask: expected at least one conditioning and one transformed index, got "
                    + conditioning.length + " and " + transformed.length + " (dim " + dim + ")");
        int[] all = Arrays.copyOf(conditioning, dim);
        System.arraycopy(transformed, 0, all, conditioning.length, transformed.length);
        Permutation.check(all, dim, "mask (conditioning then transformed indices)");
    }

    /** Conditions on x[0 .. dim/2), transforms x[dim/2 .. dim). */
    public static Mask firstHalf(int dim) { return half(dim, 0); }

    /** Conditions on x[dim/2 .. dim), transforms x[0 .. dim/2): the complement of {@link #firstHalf}. */
    public static Mask secondHalf(int dim) { return half(dim, 1); }

    private static Mask half(int dim, int parity) {
        atLeastTwo(dim);
        int h = dim / 2;
        int[] first = range(0, h), second = range(h, dim);
        return parity == 0 ? new Mask(Kind.HALF, 0, 0, 0, first, second) : new Mask(Kind.HALF, 1, 0, 0, second, first);
    }

    /** Conditions on the even coordinates 0, 2, 4, ..., transforms the odd ones. */
    public static Mask even(int dim) { return alternating(dim, 0); }

    /** Conditions on the odd coordinates, transforms the even ones. */
    public static Mask odd(int dim) { return alternating(dim, 1); }

    private static Mask alternating(int dim, int parity) {
        atLeastTwo(dim);
        int[] c = new int[(dim + 1 - parity) / 2], t = new int[dim - c.length];
        int ci = 0, ti = 0;
        for (int i = 0; i < dim; i++) {
            if (i % 2 == parity) c[ci++] = i;
            else t[ti++] = i;
        }
        return new Mask(Kind.ALTERNATING, parity, 0, 0, c, t);
    }

    /**
     * A checkerboard on a rows × cols lattice whose site (i, j) is coordinate i·cols + j:
     * conditions on the sites with (i + j) % 2 == parity (0: the site (0, 0)'s colour).
     */
    public static Mask checkerboard(int rows, int cols, int parity) {
        Check.positive(rows, "rows");
        Check.positive(cols, "cols");
        if (parity != 0 && parity != 1) throw new IllegalArgumentException("parity: expected 0 or 1, got " + parity);
        if ((long) rows * cols < 2 || (long) rows * cols > Integer.MAX_VALUE)
            throw new IllegalArgumentException("lattice: expected 2 .. 2^31-1 sites, got " + rows + " x " + cols);
        int dim = rows * cols;
        int[] cond = new int[dim], trans = new int[dim];
        int ci = 0, ti = 0;
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) {
                if ((i + j) % 2 == parity) cond[ci++] = i * cols + j;
                else trans[ti++] = i * cols + j;
            }
        return new Mask(Kind.CHECKERBOARD, parity, rows, cols, Arrays.copyOf(cond, ci), Arrays.copyOf(trans, ti));
    }

    /** A checkerboard on an L × L lattice. */
    public static Mask checkerboard(int side, int parity) {
        return checkerboard(side, side, parity);
    }

    /**
     * Any split: the conditioner reads x[conditioning[j]] as its input j and writes s_j, t_j
     * for x[transformed[j]]. The two lists together must be a permutation of 0 .. dim-1.
     */
    public static Mask of(int dim, int[] conditioning, int[] transformed) {
        Check.notNull(conditioning, "conditioning");
        Check.notNull(transformed, "transformed");
        atLeastTwo(dim);
        if (conditioning.length + transformed.length != dim)
            throw new IllegalArgumentException("mask: expected " + dim + " indices in all, got " + conditioning.length
                    + " conditioning + " + transformed.length + " transformed");
        return new Mask(Kind.INDICES, 0, 0, 0, conditioning.clone(), transformed.clone());
    }

    /** The first {@code conditioningCount} entries of a permutation condition, the rest are transformed. */
    public static Mask of(int[] permutation, int conditioningCount) {
        Check.notNull(permutation, "permutation");
        if (conditioningCount < 1 || conditioningCount >= permutation.length)
            throw new IllegalArgumentException("conditioningCount: expected 1 .. " + (permutation.length - 1) + ", got "
                    + conditioningCount);
        return of(permutation.length, Arrays.copyOfRange(permutation, 0, conditioningCount),
                Arrays.copyOfRange(permutation, conditioningCount, permutation.length));
    }

    /** The same split with the roles exchanged. */
    public Mask swapped() {
        return new Mask(kind, 1 - parity, rows, cols, transformed.clone(), conditioning.clone());
    }

    public Kind kind() { return kind; }

    /** HALF: 0 conditions on the first half; ALTERNATING, CHECKERBOARD: 0 conditions on the even ones. */
    public int parity() { return parity; }

    /** Lattice rows and columns of a checkerboard (0 otherwise). */
    public int rows() { return rows; }

    public int cols() { return cols; }

    public int dim() { return conditioning.length + transformed.length; }

    public int[] conditioning() { return conditioning.clone(); }

    public int[] transformed() { return transformed.clone(); }

    /** Conditioner inputs. */
    public int conditioningCount() { return conditioning.length; }

    public int transformedCount() { return transformed.length; }

    private static int[] range(int from, int to) {
        int[] r = new int[to - from];
        for (int i = 0; i < r.length; i++) r[i] = from + i;
        return r;
    }

    private static void atLeastTwo(int dim) {
        if (dim < 2) throw new IllegalArgumentException("dim: expected >= 2 (a coupling needs a part to condition on and a part to transform), got " + dim);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Mask m && Arrays.equals(conditioning, m.conditioning) && Arrays.equals(transformed, m.transformed);
    }

    @Override
    public int hashCode() { return 31 * Arrays.hashCode(conditioning) + Arrays.hashCode(transformed); }

    @Override
    public String toString() {
        String what = switch (kind) {
            case HALF -> parity == 0 ? "first half" : "second half";
            case ALTERNATING -> parity == 0 ? "even" : "odd";
            case CHECKERBOARD -> "checkerboard " + rows + "x" + cols + (parity == 0 ? " even" : " odd");
            case INDICES -> "indices";
        };
        return "Mask[" + what + ", conditions on " + conditioning.length + " of " + dim() + "]";
    }
}
