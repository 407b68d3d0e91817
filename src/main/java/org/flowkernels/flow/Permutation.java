package org.flowkernels.flow;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.flowkernels.Check;

/**
 * A fixed reordering of the coordinates, y_i = x_{p[i]}, with log|det J| = 0. Placed between
 * couplings so that every coordinate is transformed. It costs nothing at run time: the stack
 * folds it into the next layers' index lists ({@link FlowPlan}).
 */
public final class Permutation implements FlowLayer {
    private final int[] indices;

    private Permutation(int[] indices) {
        check(indices, indices.length, "permutation");
        this.indices = indices.clone();
    }

    /** y_i = x_{p[i]}; p must hold each of 0 .. p.length - 1 exactly once. */
    public static Permutation of(int... p) {
        Check.notNull(p, "permutation");
        return new Permutation(p);
    }

    /** y_i = x_{D-1-i}. */
    public static Permutation reverse(int dim) {
        Check.positive(dim, "dim");
        int[] p = new int[dim];
        for (int i = 0; i < dim; i++) p[i] = dim - 1 - i;
        return new Permutation(p);
    }

    /** A uniformly random permutation (Fisher-Yates) fixed by the seed. */
    public static Permutation random(int dim, long seed) {
        Check.positive(dim, "dim");
        int[] p = new int[dim];
        for (int i = 0; i < dim; i++) p[i] = i;
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = dim - 1; i > 0; i--) {
            int j = r.nextInt(i + 1), t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return new Permutation(p);
    }

    /** p (a copy). */
    public int[] indices() { return indices.clone(); }

    @Override
    public int dim() { return indices.length; }

    /**
     * Fails unless {@code p} holds each of 0 .. n-1 exactly once; the message names an index
     * out of range, a duplicate (with both positions) or a missing index.
     */
    static void check(int[] p, int n, String name) {
        Check.notNull(p, name);
        if (p.length != n)
            throw new IllegalArgumentException(name + ": expected a permutation of 0.." + (n - 1) + " (" + n
                    + " entries), got " + p.length + " entries");
        int[] seenAt = new int[n];
        Arrays.fill(seenAt, -1);
        for (int i = 0; i < n; i++) {
            int v = p[i];
            if (v < 0 || v >= n)
                throw new IllegalArgumentException(name + ": expected indices in 0.." + (n - 1) + ", got " + v + " at position " + i);
            if (seenAt[v] >= 0) {
                int missing = 0;
                while (missing < n && contains(p, missing)) missing++;
                throw new IllegalArgumentException(name + ": not a permutation of 0.." + (n - 1) + ": index " + v
                        + " appears twice (positions " + seenAt[v] + " and " + i + ") and index " + missing + " is missing");
            }
            seenAt[v] = i;
        }
    }

    private static boolean contains(int[] p, int v) {
        for (int x : p) if (x == v) return true;
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Permutation p && Arrays.equals(indices, p.indices);
    }

    @Override
    public int hashCode() { return Arrays.hashCode(indices); }

    @Override
    public String toString() { return "Permutation" + Arrays.toString(indices); }
}
