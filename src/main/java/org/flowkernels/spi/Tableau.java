package org.flowkernels.spi;

/**
 * A fixed-step explicit Runge–Kutta method whose stage i reads only stage i − 1 (Euler, the
 * midpoint rule, classic RK4): stage input {@code x + a_i h k_{i−1}} at time {@code t + a_i h},
 * update {@code x += h Σ b_i k_i}. The kernels take the tableau as numbers, so every
 * integrator of the library runs the same definition.
 *
 * @param order the global error shrinks as h^order
 * @param a     weight of k_{i−1} in stage i's input, and stage i's time offset in steps (a_0 = 0)
 * @param b     weight of k_i in the update
 */
public record Tableau(int order, double[] a, double[] b) {
    public static final Tableau EULER = new Tableau(1, new double[] {0}, new double[] {1});
    public static final Tableau MIDPOINT = new Tableau(2, new double[] {0, 0.5}, new double[] {0, 1});
    public static final Tableau RK4 = new Tableau(4, new double[] {0, 0.5, 0.5, 1},
            new double[] {1.0 / 6, 1.0 / 3, 1.0 / 3, 1.0 / 6});

    /** The most stages a kernel's tableau holds. */
    public static final int MAX_STAGES = 4;

    public Tableau {
        if (a.length != b.length || a.length == 0 || a.length > MAX_STAGES || a[0] != 0)
            throw new IllegalArgumentException("tableau: expected 1.." + MAX_STAGES + " stages with a_0 = 0, got a of "
                    + a.length + " and b of " + b.length);
        a = a.clone();
        b = b.clone();
    }

    public int stages() { return a.length; }

    public double a(int stage) { return a[stage]; }

    public double b(int stage) { return b[stage]; }

    @Override public double[] a() { return a.clone(); }

    @Override public double[] b() { return b.clone(); }

    /** [a_0 .. a_{s-1}, b_0 .. b_{s-1}] in float32: how the kernels receive it. */
    public float[] packed() {
        float[] p = new float[2 * a.length];
        for (int i = 0; i < a.length; i++) {
            p[i] = (float) a[i];
            p[a.length + i] = (float) b[i];
        }
        return p;
    }
}
