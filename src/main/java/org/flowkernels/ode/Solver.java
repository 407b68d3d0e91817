package org.flowkernels.ode;

import org.flowkernels.spi.Tableau;

/**
 * Fixed-step explicit Runge–Kutta methods whose stage i reads only stage i − 1: stage input
 * {@code x + a_i h k_{i−1}} at time {@code t + a_i h}, update {@code x += h Σ b_i k_i}. Each is
 * a {@link Tableau}, which the kernels take as numbers.
 */
public enum Solver {
    /** Forward Euler, order 1. */
    EULER(Tableau.EULER),
    /** The explicit midpoint rule, order 2. */
    MIDPOINT(Tableau.MIDPOINT),
    /** Classic fourth-order Runge–Kutta. */
    RK4(Tableau.RK4);

    private final Tableau tableau;

    Solver(Tableau tableau) { this.tableau = tableau; }

    public Tableau tableau() { return tableau; }

    /** The global error shrinks as h^order. */
    public int order() { return tableau.order(); }

    /** Evaluations of the field per step. */
    public int stages() { return tableau.stages(); }

    /** Weight of k_{i−1} in stage i's input, and stage i's time offset in steps. */
    public double a(int stage) { return tableau.a(stage); }

    /** Weight of k_i in the update. */
    public double b(int stage) { return tableau.b(stage); }
}
