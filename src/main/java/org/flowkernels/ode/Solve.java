package org.flowkernels.ode;

import org.flowkernels.Check;

/**
 * How to integrate: the solver, the interval t0 → t1 in {@code steps} fixed steps (either
 * direction: t1 < t0 integrates backwards, the density direction of a flow), the trace, the
 * seed of Hutchinson's probes, snapshots every {@code saveEvery} steps (0: none) and the
 * execution path. Immutable; the {@code with}-style methods return modified copies.
 */
public record Solve(Solver solver, double t0, double t1, int steps, Trace trace, long seed, int saveEvery,
                    Execution execution) {
    public Solve {
        Check.notNull(solver, "solver");
        checkTime(t0, "t0");
        checkTime(t1, "t1");
        if (t0 == t1) throw new IllegalArgumentException("t1: expected a time different from t0 = " + t0 + ", got " + t1);
        Check.positive(steps, "steps");
        Check.notNull(trace, "trace");
        Check.nonNegative(saveEvery, "saveEvery");
        if (saveEvery > steps)
            throw new IllegalArgumentException("saveEvery: expected at most steps = " + steps + ", got " + saveEvery);
        Check.notNull(execution, "execution");
        float h = (float) ((t1 - t0) / steps);
        if (h == 0 || !Float.isFinite(h))
            throw new IllegalArgumentException("steps: the step (t1 - t0) / steps = " + (t1 - t0) / steps
                    + " is not a finite nonzero float32 (t0 = " + t0 + ", t1 = " + t1 + ", steps = " + steps + ")");
    }

    private static void checkTime(double t, String name) {
        Check.finite(t, name);
        if (!Float.isFinite((float) t)) throw new IllegalArgumentException(name + ": expected a float32-representable time, got " + t);
    }

    /** t0 → t1 in {@code steps} steps of {@code solver}; exact trace, seed 0, no snapshots, AUTO. */
    public static Solve of(Solver solver, double t0, double t1, int steps) {
        return new Solve(solver, t0, t1, steps, Trace.exact(), 0, 0, Execution.AUTO);
    }

    public static Solve rk4(double t0, double t1, int steps) { return of(Solver.RK4, t0, t1, steps); }

    public Solve trace(Trace trace) { return new Solve(solver, t0, t1, steps, trace, seed, saveEvery, execution); }

    public Solve seed(long seed) { return new Solve(solver, t0, t1, steps, trace, seed, saveEvery, execution); }

    public Solve saveEvery(int m) { return new Solve(solver, t0, t1, steps, trace, seed, m, execution); }

    public Solve execution(Execution e) { return new Solve(solver, t0, t1, steps, trace, seed, saveEvery, e); }

    /** The same solve from t1 back to t0. */
    public Solve reversed() { return new Solve(solver, t1, t0, steps, trace, seed, saveEvery, execution); }

    /** The step, negative when integrating backwards. */
    public double h() { return (t1 - t0) / steps; }

    /** Snapshots taken: after steps m, 2m, … (the last one at t1 when m divides steps). */
    public int snapshots() { return saveEvery == 0 ? 0 : steps / saveEvery; }

    /** The time of snapshot j. */
    public double snapshotTime(int j) {
        if (j < 0 || j >= snapshots()) throw new IndexOutOfBoundsException("snapshot " + j + " of " + snapshots());
        return t0 + (double) (j + 1) * saveEvery * h();
    }
}
