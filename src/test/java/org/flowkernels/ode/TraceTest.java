package org.flowkernels.ode;

import static org.junit.jupiter.api.Assertions.*;

import org.flowkernels.Backend;
import org.flowkernels.Tensor;
import org.flowkernels.nn.Activation;
import org.flowkernels.nn.Mlp;
import org.flowkernels.rng.Distribution;
import org.flowkernels.testing.BackendTest;
import org.flowkernels.testing.Compare;
import org.flowkernels.testing.Fresh;

/**
 * The divergence. One Euler step of size h = 1 from (x0, t0) gives Δlogp = −tr(∂v/∂x)(x0, t0)
 * (or the Hutchinson estimate) with no truncation error, so the kernels' traces can be set
 * beside float64 finite differences directly.
 */
class TraceTest {
    private static final Execution[] PATHS = {Execution.FUSED, Execution.PER_STEP};

    /** Minus the exact trace (d null) or the Hutchinson estimate at each (x0, t0), in float64. */
    private static double[] referenceDelta(VectorField field, float[] x0, int n, double t0, Distribution d, int k, long seed) {
        double[] out = new double[n];
        for (int s = 0; s < n; s++) {
            double[] x = OdeReference.row(x0, s, field.dim());
            out[s] = -OdeReference.traceEstimate(OdeReference.jacobian(field, x, t0), d, k, seed, s);
        }
        return out;
    }

    private static VectorField[] fields(Fresh f) {
        return new VectorField[] {
            VectorField.mlp(Mlp.random(f.nextLong(), Activation.TANH, 3, 64, 64, 2), true), // W2-exact's shape
            VectorField.mlp(Mlp.random(f.nextLong(), Activation.TANH, 5, 16, 16, 5), false),
            VectorField.mlp(Mlp.random(f.nextLong(), Activation.TANH, 4, 24, 3), true),
            VectorField.mlp(Mlp.random(f.nextLong(), Activation.IDENTITY, 7, 9, 6), true),
        };
    }

    @BackendTest
    void exactTraceMatchesFloat64FiniteDifferences(Backend backend) {
        Fresh f = new Fresh("trace-exact" + backend.name());
        double t0 = 0.3;
        int n = 100;
        for (VectorField field : fields(f)) {
            int D = field.dim();
            float[] x0 = f.gaussian(n * D, 1.5);
            double[] wantDl = referenceDelta(field, x0, n, t0, null, 0, 0);
            double[] wantX = new double[n * D];
            for (int s = 0; s < n; s++) {
                double[] v = OdeReference.velocity(field, OdeReference.row(x0, s, D), t0);
                for (int c = 0; c < D; c++) wantX[s * D + c] = x0[s * D + c] + v[c];
            }
            for (Execution path : PATHS)
                try (FieldModule m = field.on(backend); Tensor x = backend.tensor(x0, n, D);
                     Solution sol = Ode.solve(m, x, Solve.of(Solver.EULER, t0, t0 + 1, 1).execution(path))) {
                    String what = field.network() + " " + path + " on " + backend.name() + ", " + f.seed();
                    // float32 products over ≤ 64 terms, tanh and its slope: ~1e-6 relative; the
                    // differences' own error is ~1e-10, so 1e-4 leaves a wide margin. Relative to
                    // a trace of at least 0.05 RMS: the identity field's trace is one sum of 54
                    // products of ~0.1 for every sample, and a fresh draw cancelled it to 3e-6,
                    // where its float32 rounding (~4e-8, set by the terms) read as 1 % "relative".
                    Compare.close(sol.deltaLogp().toArray(), wantDl, 1e-4, 0.05, "-tr(dv/dx), " + what);
                    Compare.close(sol.x().toArray(), wantX, 1e-5, "x0 + v(x0, t0), " + what);
                }
        }
    }

    /** Probe j of sample i is the documented Philox draw; the kernels' estimate uses exactly it. */
    @BackendTest
    void hutchinsonUsesTheDocumentedProbes(Backend backend) {
        Fresh f = new Fresh("trace-probes" + backend.name());
        double t0 = -0.7;
        int n = 77;
        for (VectorField field : fields(f))
            for (Object[] c : new Object[][] {{Distribution.RADEMACHER, 1}, {Distribution.NORMAL, 3}}) {
                Distribution d = (Distribution) c[0];
                int k = (int) c[1], D = field.dim();
                long seed = f.nextLong();
                float[] x0 = f.gaussian(n * D, 1.0);
                double[] want = referenceDelta(field, x0, n, t0, d, k, seed);
                for (Execution path : PATHS)
                    try (FieldModule m = field.on(backend); Tensor x = backend.tensor(x0, n, D);
                         Solution sol = Ode.solve(m, x, Solve.of(Solver.EULER, t0, t0 + 1, 1).trace(Trace.hutchinson(d, k))
                                 .seed(seed).execution(path))) {
                        Compare.close(sol.deltaLogp().toArray(), want, 1e-4, d + " k=" + k + " " + field.network() + " " + path
                                + " on " + backend.name() + ", " + f.seed());
                    }
            }
    }

    /**
     * For v = A x every stage sees the same Jacobian A, so with probes held fixed through the
     * solve (FFJORD) RK4 over [0, 1] gives Δlogp = −(1/k) Σ_j ε_jᵀ A ε_j exactly: mean −tr A,
     * variance 2‖A_s‖²_F / k (Gaussian) or 2(‖A_s‖²_F − Σ A_ii²) / k (Rademacher). Probes redrawn
     * at each of the 40 stages would shrink the variance ~40-fold and fail the check.
     */
    @BackendTest
    void hutchinsonIsUnbiasedWithTheTheoreticalVariance(Backend backend) {
        Fresh f = new Fresh("trace-variance" + backend.name());
        int D = 4, n = 20000;
        float[] a = f.gaussian(D * D, 1.0);
        double trA = 0, frob = 0, diag = 0;
        for (int i = 0; i < D; i++) {
            trA += a[i * D + i];
            diag += (double) a[i * D + i] * a[i * D + i];
            for (int j = 0; j < D; j++) {
                double sym = 0.5 * (a[i * D + j] + a[j * D + i]);
                frob += sym * sym;
            }
        }
        try (FieldModule m = VectorField.linear(D, a, new float[D]).on(backend); Tensor x = backend.zeros(n, D)) {
            for (Object[] c : new Object[][] {{Distribution.NORMAL, 1}, {Distribution.RADEMACHER, 1}, {Distribution.NORMAL, 3}}) {
                Distribution d = (Distribution) c[0];
                int k = (int) c[1];
                double theory = (d == Distribution.NORMAL ? 2 * frob : 2 * (frob - diag)) / k;
                try (Solution sol = Ode.solve(m, x, Solve.rk4(0, 1, 10).trace(Trace.hutchinson(d, k)).seed(f.nextLong()))) {
                    float[] dl = sol.deltaLogp().toArray();
                    double mean = 0;
                    for (float v : dl) mean += v;
                    mean /= n;
                    double m2 = 0, m4 = 0;
                    for (float v : dl) {
                        double e = v - mean;
                        m2 += e * e;
                        m4 += e * e * e * e;
                    }
                    m2 /= n - 1;
                    m4 /= n;
                    String what = d + " k=" + k + " on " + backend.name() + ": mean " + mean + " vs " + -trA + ", variance " + m2
                            + " vs " + theory + ", " + f.seed();
                    // 4 standard errors: the mean's from the theoretical variance, the sample
                    // variance's from the sample's fourth moment (SE² ≈ (m4 − s⁴) / n)
                    assertEquals(-trA, mean, 4 * Math.sqrt(theory / n), what);
                    assertEquals(theory, m2, 4 * Math.sqrt(Math.max(m4 - m2 * m2, 0) / n), what);
                }
            }
        }
    }
}
