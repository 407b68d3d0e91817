package org.flowkernels.spi;

/**
 * Continuous flows on one backend: dx/dt = v(x, t) with d Δlogp/dt = −tr(∂v/∂x), v an MLP on x
 * or on concat(x, t), the trace from T forward-mode tangents J ε_j (unit vectors for the exact
 * trace, Philox probes for Hutchinson's). Arguments are checked by the caller.
 */
public interface OdeKernels {
    /**
     * One solve.
     *
     * @param field       the velocity MLP; its parameter buffer holds, from {@code zeroBias}
     *                    on, {@code field.maxWidth()} zeros: the bias of a tangent product
     * @param timeInput   whether t is the MLP's last input
     * @param tableau     the Runge–Kutta method
     * @param h           the step, negative when integrating backwards
     * @param tangents    T: D for the exact trace, the probe count for Hutchinson's
     * @param probe       the probes' DIST_* code, or PROBE_EXACT
     * @param traceWeight 1 (exact) or 1 / T (Hutchinson)
     * @param seed        Philox key of the probes: probe j of sample s is counter (s, j, d / 4, probeStream)
     * @param saveEvery   a snapshot after every saveEvery steps (0: none)
     */
    record Problem(Network field, int dim, boolean timeInput, int zeroBias, Tableau tableau, int steps, float t0,
                   float h, int tangents, int probe, float traceWeight, long seed, int probeStream, int saveEvery) {}

    /** Null when the fused path can run this field with {@code tangents} tangents, else why not. */
    String fusedLimit(Network field, int dim, int tangents);

    /**
     * Integrates x [n, D] in place and writes Δlogp [n, 1]; fills the snapshot matrices (rows
     * [j n, (j + 1) n) for snapshot j) when saveEvery > 0. {@code fused} picks the path.
     */
    void solve(Problem problem, Matrix x, Matrix deltaLogp, Matrix snapshotX, Matrix snapshotDeltaLogp, boolean fused);

    /** out [n, 1] = log N(z; 0, I) + sign · delta, for z [n, D] and delta [n, 1]. */
    void gaussianLogDensity(Matrix z, Matrix delta, float sign, Matrix out);
}
