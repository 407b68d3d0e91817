package org.flowkernels.ode;

/**
 * Fixed-step explicit Runge–Kutta methods whose stage i reads only stage i − 1:
 * stage input {@code x + a_i h k_{i−1}} at time {@code t + a_i h}, update
 * {@code x += h Σ b_i k_i}. Codes match ODE_* in native-kernels/cnf.cl.
 */
public enum Solver {
    /** Forward Euler, order 1. */
    EULER(0, 1, new double[] {0}, new double[] {1}),
    /** The explicit midpoint rule, order 2. */
    MIDPOINT(1, 2, new double[] {0, 0.5}, new double[] {0, 1}),
    /** Classic fourth-order Runge–Kutta. */
    RK4(2, 4, new double[] {0, 0.5, 0.5, 1}, new double[] {1.0 / 6, 1.0 / 3, 1.0 / 3, 1.0 / 6});

    public final int code;
    private final int order;
    private final double[] a, b;

    Solver(int code, int order, double[] a, double[] b) {
        this.code = code;
        this.order = order;
        this.a = a;
        this.b = b;
    }

    /** The global error shrinks as h^order. */
    public int order() { return order; }

    /** Evaluations of the field per step. */
    public int stages() { return a.length; }

    /** Weight of k_{i−1} in stage i's input, and stage i's time offset in steps. */
    public double a(int stage) { return a[stage]; }

    /** Weight of k_i in the update. */
    public double b(int stage) { return b[stage]; }
}
