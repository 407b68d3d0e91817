package org.flowkernels.ode;

import static org.junit.jupiter.api.Assertions.*;

import org.flowkernels.Backend;
import org.flowkernels.Tensor;
import org.flowkernels.testing.BackendTest;
import org.flowkernels.testing.Compare;
import org.flowkernels.testing.Fresh;

/** v = A x has the exact solution x(t) = e^{(t − t0)A} x0 and Δlogp = −(t − t0) tr A. */
class LinearFieldTest {
    private static final Execution[] PATHS = {Execution.FUSED, Execution.PER_STEP};

    @BackendTest
    void matchesTheMatrixExponentialInBothDirections(Backend backend) {
        Fresh f = new Fresh("linear-expm" + backend.name());
        int D = 3;
        float[] a = f.gaussian(D * D, 0.5);
        LinearField field = VectorField.linear(D, a, new float[D]);
        double trA = a[0] + a[4] + a[8];
        try (FieldModule m = field.on(backend)) {
            for (int n : new int[] {1, 3, 1000})
                for (double[] span : new double[][] {{0, 1.5}, {1.5, 0}, {-0.25, 0.5}}) {
                    float[] x0 = f.gaussian(n * D, 1.0);
                    double t = span[1] - span[0];
                    double[][] E = OdeReference.expm(a, D, t);
                    double[] want = new double[n * D], wantDl = new double[n];
                    for (int s = 0; s < n; s++) {
                        for (int i = 0; i < D; i++)
                            for (int j = 0; j < D; j++) want[s * D + i] += E[i][j] * x0[s * D + j];
                        wantDl[s] = -t * trA;
                    }
                    for (Execution path : PATHS) {
                        Solve how = Solve.rk4(span[0], span[1], 64).execution(path);
                        try (Tensor x = backend.tensor(x0, n, D); Solution sol = Ode.solve(m, x, how)) {
                            String what = path + " n=" + n + " t " + span[0] + " -> " + span[1] + " on " + backend.name() + ", " + f.seed();
                            assertEquals(path, sol.execution());
                            // 64 RK4 steps with h|A| < 0.1 leave a truncation error ~1e-8; float32 rounding over
                            // 256 stage updates (~1e-6 relative) dominates, so 2e-5 has a margin of ~10.
                            Compare.close(sol.x().toArray(), want, 2e-5, "x(t1), " + what);
                            // Δlogp integrates a constant: only rounding (~1e-6 of |t tr A|) remains.
                            Compare.close(sol.deltaLogp().toArray(), wantDl, 2e-5, "dlogp(t1), " + what);
                            assertArrayEquals(x0, x.toArray(), "x0 must be left unchanged");
                        }
                    }
                }
        }
    }

    /**
     * The observed order log2(e(N) / e(2N)) for v = A x, A = [[-0.5, 3], [-3, -0.5]] on [0, 1]
     * (|λ| ≈ 3.04). The step counts put |hλ| ≤ 0.3 (RK4, N = 10, 20), 0.08 (midpoint, 40, 80)
     * and 0.015 (Euler, 200, 400): asymptotic enough that the next term of the error series moves
     * the ratio by ≤ 3% (float64 check: 4.03, 2.006, 1.009), while the smaller error (RK4 1.4e-5,
     * midpoint 7e-4, Euler 1.2e-2 relative) is ≥ 30× the float32 rounding floor of the run
     * (≤ 4e-7 relative), which therefore moves the order by ≤ 0.05.
     */
    @BackendTest
    void observedOrderOfEachSolver(Backend backend) {
        Fresh f = new Fresh("linear-order" + backend.name());
        float[] a = {-0.5f, 3f, -3f, -0.5f};
        int n = 65, D = 2;
        float[] x0 = f.gaussian(n * D, 1.0);
        double[][] E = OdeReference.expm(a, D, 1.0);
        double[] want = new double[n * D];
        for (int s = 0; s < n; s++)
            for (int i = 0; i < D; i++) for (int j = 0; j < D; j++) want[s * D + i] += E[i][j] * x0[s * D + j];
        Object[][] cases = {{Solver.RK4, 10, 3.6, 4.4}, {Solver.MIDPOINT, 40, 1.8, 2.2}, {Solver.EULER, 200, 0.9, 1.1}};
        try (FieldModule m = VectorField.linear(D, a, new float[D]).on(backend); Tensor x = backend.tensor(x0, n, D)) {
            for (Object[] c : cases)
                for (Execution path : PATHS) {
                    Solver solver = (Solver) c[0];
                    int steps = (int) c[1];
                    double coarse = error(m, x, Solve.of(solver, 0, 1, steps).execution(path), want);
                    double fine = error(m, x, Solve.of(solver, 0, 1, 2 * steps).execution(path), want);
                    double order = Math.log(coarse / fine) / Math.log(2);
                    String what = solver + " " + path + " on " + backend.name() + ": errors " + coarse + ", " + fine + ", order "
                            + order + ", " + f.seed();
                    assertTrue(order >= (double) c[2] && order <= (double) c[3], what);
                    assertTrue(fine > 1e-5, "the finer error must stay well above float32 rounding: " + what);
                }
        }
    }

    private static double error(FieldModule m, Tensor x0, Solve how, double[] want) {
        try (Solution s = Ode.solve(m, x0, how)) {
            return Compare.relativeError(s.x().toArray(), want);
        }
    }

    @BackendTest
    void oneEulerStepIsXPlusHTimesAxPlusB(Backend backend) {
        Fresh f = new Fresh("linear-euler" + backend.name());
        int D = 5, n = 33;
        float[] a = f.gaussian(D * D, 1.0), b = f.gaussian(D, 1.0), x0 = f.gaussian(n * D, 1.0);
        double h = 0.125;
        double[] want = new double[n * D];
        for (int s = 0; s < n; s++)
            for (int i = 0; i < D; i++) {
                double v = b[i];
                for (int j = 0; j < D; j++) v += (double) a[i * D + j] * x0[s * D + j];
                want[s * D + i] = x0[s * D + i] + h * v;
            }
        for (Execution path : PATHS)
            try (FieldModule m = VectorField.linear(D, a, b).on(backend); Tensor x = backend.tensor(x0, n, D);
                 Solution s = Ode.solve(m, x, Solve.of(Solver.EULER, 2.0, 2.0 + h, 1).execution(path))) {
                Compare.close(s.x().toArray(), want, 1e-6, path + " on " + backend.name() + ", " + f.seed());
            }
    }
}
