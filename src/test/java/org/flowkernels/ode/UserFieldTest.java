package org.flowkernels.ode;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.flowkernels.Backend;
import org.flowkernels.SnippetException;
import org.flowkernels.Tensor;
import org.flowkernels.flow.FlowSample;
import org.flowkernels.testing.BackendTest;
import org.flowkernels.testing.Compare;
import org.flowkernels.testing.Fresh;
import org.flowkernels.testing.UserModels;

/**
 * A user's vector field on every backend (the CPU runs the Java form, OpenCL and CUDA the
 * snippet): v_c(x, t) = −λ x_c + a tanh(x_{c+1}) + s t sin(x_c) (indices mod D), whose Jacobian
 * is known in closed form. The exact trace through the JVP against a float64 RK4 reference; the
 * Hutchinson estimate by finite differences against the one through the JVP (same probes)
 * within the error UserField states; and the errors when neither is possible.
 */
class UserFieldTest {
    static final double LAMBDA = 0.7, A = 0.8, S = 0.5;

    static final String VELOCITY = """
            for (int c = 0; c < dim; c++)
                V(c) = -lambda * X(c) + a * tanh(X((c + 1) % dim)) + s * t * sin(X(c));
            """, JVP = """
            for (int c = 0; c < dim; c++) {
                REAL th = tanh(X((c + 1) % dim));
                JV(c) = (-lambda + s * t * cos(X(c))) * E(c) + a * (RC(1.0) - th * th) * E((c + 1) % dim);
            }
            """;

    static UserField field(boolean jvp) {
        UserField f = UserField.snippet("swirl", 3, VELOCITY, jvp ? JVP : null).withParameter("lambda", LAMBDA).withParameter("a", A)
                .withParameter("s", S);
        UserField.Velocity v = (n, m, x, t, p, out) -> {
            for (int c = 0; c < n; c++)
                for (int k = 0; k < m; k++) {
                    float xc = x[c * m + k], next = x[((c + 1) % n) * m + k];
                    out[c * m + k] = -p[0] * xc + p[1] * (float) Math.tanh(next) + p[2] * t * (float) Math.sin(xc);
                }
        };
        UserField.Jacobian j = (n, m, x, t, p, e, jv) -> {
            for (int c = 0; c < n; c++)
                for (int k = 0; k < m; k++) {
                    float xc = x[c * m + k], th = (float) Math.tanh(x[((c + 1) % n) * m + k]);
                    jv[c * m + k] = (-p[0] + p[2] * t * (float) Math.cos(xc)) * e[c * m + k] + p[1] * (1 - th * th) * e[((c + 1) % n) * m + k];
                }
        };
        return f.withJava(v, jvp ? j : null);
    }

    static double[] velocity(double[] x, double t) {
        int d = x.length;
        double[] v = new double[d];
        for (int c = 0; c < d; c++) v[c] = -LAMBDA * x[c] + A * Math.tanh(x[(c + 1) % d]) + S * t * Math.sin(x[c]);
        return v;
    }

    static double trace(double[] x, double t) {
        double tr = 0;
        for (double xc : x) tr += -LAMBDA + S * t * Math.cos(xc);
        return tr;
    }

    /** Classic RK4 in float64 of (x, Δlogp) from t0 in `steps` steps of h; returns x then Δlogp. */
    static double[] reference(double[] x0, double t0, double h, int steps) {
        int d = x0.length;
        double[] x = x0.clone();
        double dl = 0;
        double[] a = {0, 0.5, 0.5, 1}, b = {1 / 6.0, 1 / 3.0, 1 / 3.0, 1 / 6.0};
        for (int step = 0; step < steps; step++) {
            double t = t0 + step * h;
            double[] k = new double[d], acc = new double[d];
            double accl = 0;
            for (int st = 0; st < 4; st++) {
                double[] xs = new double[d];
                for (int c = 0; c < d; c++) xs[c] = x[c] + a[st] * h * k[c];
                k = velocity(xs, t + a[st] * h);
                for (int c = 0; c < d; c++) acc[c] += b[st] * k[c];
                accl -= b[st] * trace(xs, t + a[st] * h);
            }
            for (int c = 0; c < d; c++) x[c] += h * acc[c];
            dl += h * accl;
        }
        double[] out = java.util.Arrays.copyOf(x, d + 1);
        out[d] = dl;
        return out;
    }

    private static String skip(Backend backend) {
        return backend.name().equals("cpu") ? null : UserModels.whySnippetsCannotRun(backend);
    }

    /** Float32 RK4 against float64 over 40 steps: a few float32 roundings per stage add up to ~1e-6; 1e-5 leaves room. */
    @BackendTest
    void theExactTraceThroughTheJvpMatchesTheFloat64Reference(Backend backend) {
        assumeTrue(skip(backend) == null, skip(backend));
        Fresh f = new Fresh("user-field-exact" + backend.name());
        for (int n : new int[] {1, 3, 1000}) {
            float[] x0 = f.gaussian(n * 3, 1.0);
            double[] rx = new double[n * 3], rl = new double[n];
            for (int i = 0; i < n; i++) {
                double[] xi = {x0[3 * i], x0[3 * i + 1], x0[3 * i + 2]}, r = reference(xi, 0, 1.0 / 40, 40);
                System.arraycopy(r, 0, rx, 3 * i, 3);
                rl[i] = r[3];
            }
            try (FieldModule m = field(true).on(backend); Tensor x = backend.tensor(x0, n, 3);
                 Solution s = Ode.solve(m, x, Solve.rk4(0, 1, 40).saveEvery(20))) {
                String what = "n = " + n + " on " + backend.name() + ", " + f.seed();
                Compare.close(s.x().toArray(), rx, 1e-5, "x(1) " + what);
                Compare.close(s.deltaLogp().toArray(), rl, 1e-5, "Δlogp(1) " + what);
                assertEquals(Execution.FUSED, s.execution());
                float[] last = java.util.Arrays.copyOfRange(s.snapshotX().toArray(), n * 3, 2 * n * 3);
                assertArrayEquals(s.x().toArray(), last, "the last snapshot is the end state");
            }
        }
    }

    /**
     * Hutchinson's estimate with central differences against the same estimate through the JVP
     * (the same Rademacher probes): UserField's stated error per probe and evaluation,
     * (δ²/6)|ε|⁴ M₃ + 2u|ε| max|v|/δ with δ = 2^-7 (1 + max|x|) ≤ 2^-7 · 5 here, |ε|² = D = 3,
     * M₃ = max|∂³v| ≤ 2a + s, |v| ≤ 5, summed over the 40 steps' weights (time 1) and averaged
     * over the probes: the bound below. The difference must not be zero (the differences ran).
     */
    @BackendTest
    void hutchinsonByFiniteDifferencesStaysWithinItsStatedError(Backend backend) {
        assumeTrue(skip(backend) == null, skip(backend));
        Fresh f = new Fresh("user-field-fd" + backend.name());
        int n = 500;
        float[] x0 = f.uniform(n * 3, -1.5, 1.5);
        long seed = f.nextLong();
        Solve how = Solve.rk4(0, 1, 40).trace(Trace.rademacher(4)).seed(seed);
        double deltaMax = UserField.FD_STEP * 5, deltaMin = UserField.FD_STEP, u = 0x1p-24;
        double bound = deltaMax * deltaMax / 6 * 9 * (2 * A + S) + 2 * u * Math.sqrt(3) * 5 / deltaMin;
        try (FieldModule withJvp = field(true).on(backend); FieldModule without = field(false).on(backend);
             Tensor x = backend.tensor(x0, n, 3); Solution a = Ode.solve(withJvp, x, how); Solution b = Ode.solve(without, x, how)) {
            float[] la = a.deltaLogp().toArray(), lb = b.deltaLogp().toArray();
            double worst = 0, any = 0;
            for (int i = 0; i < n; i++) {
                worst = Math.max(worst, Math.abs(la[i] - lb[i]));
                any += Math.abs(la[i] - lb[i]);
            }
            assertTrue(worst <= bound, "finite differences off by " + worst + " > the stated " + bound + " on " + backend.name() + ", " + f.seed());
            assertTrue(any > 0, "the finite-difference path ran (it differs from the JVP's in rounding)");
            Compare.close(b.x().toArray(), toDouble(a.x().toArray()), 1e-6, "the states do not depend on the trace");
            // and the estimate is unbiased: its mean over the samples is the exact Δlogp's within Hutchinson's spread
            try (Solution exact = Ode.solve(withJvp, x, Solve.rk4(0, 1, 40))) {
                float[] le = exact.deltaLogp().toArray();
                double mean = 0, sq = 0;
                for (int i = 0; i < n; i++) {
                    double d = lb[i] - le[i];
                    mean += d / n;
                    sq += d * d / n;
                }
                double se = Math.sqrt(Math.max(sq - mean * mean, 1e-30) / n);
                assertEquals(0, mean, 5 * se, "Hutchinson is unbiased, " + f.seed());
            }
        }
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }

    @BackendTest
    void theExactTraceWithoutAJvpIsAnErrorThatNamesTheWayOut(Backend backend) {
        assumeTrue(skip(backend) == null, skip(backend));
        try (FieldModule m = field(false).on(backend); Tensor x = backend.tensor(new float[3], 1, 3)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ode.solve(m, x, Solve.rk4(0, 1, 4)).close());
            assertTrue(e.getMessage().contains("swirl") && e.getMessage().contains("Trace.rademacher"), e.getMessage());
        }
    }

    /** A user field is a CNF's field too: sampling and then evaluating log q at the samples agree (exact trace). */
    @BackendTest
    void aCnfOfAUserFieldRoundTrips(Backend backend) {
        assumeTrue(skip(backend) == null, skip(backend));
        Cnf cnf = new Cnf(field(true), Solve.rk4(0, 1, 40));
        try (CnfModule m = cnf.on(backend); FlowSample s = m.sample(200, 5); Tensor logp = m.logProb(s.x())) {
            double[] ref = toDouble(s.logQ().toArray());
            Compare.close(logp.toArray(), ref, 1e-4, "log q there and back on " + backend.name());
        }
    }

    @BackendTest
    void aSnippetFieldThatDoesNotCompileNamesItsLine(Backend backend) {
        UserField broken = UserField.snippet("broken-field", 2, "V(0) = X(0);\nV(1) = X(1) * nothing;\n", null);
        if (backend.name().equals("cpu")) { // it compiles no snippet: a field without its Java velocity is refused, named
            try (FieldModule m = broken.on(backend); Tensor x = backend.tensor(new float[2], 1, 2)) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> Ode.solve(m, x, Solve.rk4(0, 1, 2).trace(Trace.rademacher(1))));
                assertTrue(e.getMessage().contains("'broken-field'") && e.getMessage().contains("Java velocity"), e.getMessage());
            }
            return;
        }
        assumeTrue(skip(backend) == null, skip(backend));
        try (FieldModule m = broken.on(backend); Tensor x = backend.tensor(new float[2], 1, 2)) {
            SnippetException e = assertThrows(SnippetException.class, () -> Ode.solve(m, x, Solve.rk4(0, 1, 2).trace(Trace.rademacher(1))));
            assertEquals("<broken-field> (velocity)", e.file(), e.getMessage());
            assertEquals(2, e.line(), e.getMessage());
        }
        UserField overrun = UserField.snippet("overrun-field", 2, "V(0) = X(0);\nV(1) = X(2);\n", null).withBoundsCheck();
        try (FieldModule m = overrun.on(backend); Tensor x = backend.tensor(new float[2], 1, 2)) {
            SnippetException e = assertThrows(SnippetException.class, () -> Ode.solve(m, x, Solve.rk4(0, 1, 2).trace(Trace.rademacher(1))));
            assertEquals(2, e.line(), e.getMessage());
            assertTrue(e.getMessage().contains("X(2)"), e.getMessage());
        }
    }
}
