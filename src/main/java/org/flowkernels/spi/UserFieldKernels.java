package org.flowkernels.spi;

/**
 * Continuous flows of a user's vector field v(x, t) on one backend: dx/dt = v with
 * d Δlogp/dt = −tr(∂v/∂x), the trace from T tangents J ε_j (unit vectors for the exact trace,
 * Philox probes for Hutchinson's, as {@link OdeKernels}), each J ε either the user's
 * Jacobian-vector product or the central difference (v(x + δε) − v(x − δε)) / 2δ with
 * δ = fdStep (1 + max_c |x_c|). Arguments are checked by the caller.
 */
public interface UserFieldKernels {
    /** v(x, t) of a block of m states of n coordinates, coordinate-major: v[c * m + s]; p the parameters. */
    @FunctionalInterface
    interface Block {
        void velocity(int n, int m, float[] x, float t, float[] p, float[] v);
    }

    /** jv[c * m + s] = Σ_k ∂v_c/∂x_k (x_s, t) e[k * m + s] for a block, coordinate-major. */
    @FunctionalInterface
    interface JvpBlock {
        void jvp(int n, int m, float[] x, float t, float[] p, float[] e, float[] jv);
    }

    /**
     * A user's field as the kernels see it.
     *
     * @param snippet       bodies "velocity" and optionally "jvp" (OpenCL, CUDA), or null
     * @param velocity      the Java form (CPU backend), or null
     * @param jvp           the Java form's Jacobian-vector product, or null
     * @param boundsChecked the device build checks X(i), V(i), E(i), JV(i)
     */
    record Field(String name, int dim, Snippet snippet, Block velocity, JvpBlock jvp, float[] parameters, boolean boundsChecked) {
        public Field {
            parameters = parameters.clone();
        }

        @Override public float[] parameters() { return parameters.clone(); }
    }

    /**
     * One solve, as {@link OdeKernels.Problem} (steps of h from t0, tangents, probes, weight,
     * seed, snapshots), with the way each tangent is computed.
     *
     * @param traceMode USER_TRACE_JVP or USER_TRACE_FINITE_DIFFERENCE
     * @param fdStep    the relative step δ of the central differences
     */
    record Problem(Field field, Tableau tableau, int steps, float t0, float h, int traceMode, int tangents, int probe,
                   float traceWeight, float fdStep, long seed, int probeStream, int saveEvery) {}

    /** Whether this backend's form of the field has a Jacobian-vector product (the CPU: the Java one; devices: a "jvp" body). */
    boolean hasJvp(Field field);

    /** Which implementation runs it, in words; rejects a field this backend cannot run (no Java form on the CPU, no snippet on a device). */
    String path(Field field);

    /** Integrates x [n, D] in place and writes Δlogp [n, 1], and the snapshots when saveEvery > 0. */
    void solve(Problem problem, Matrix x, Matrix deltaLogp, Matrix snapshotX, Matrix snapshotDeltaLogp);
}
