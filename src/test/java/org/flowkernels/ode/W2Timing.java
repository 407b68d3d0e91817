package org.flowkernels.ode;

import org.flowkernels.Backend;
import org.flowkernels.Backends;
import org.flowkernels.Tensor;
import org.flowkernels.nn.Activation;
import org.flowkernels.nn.Mlp;
import org.flowkernels.rng.Rng;

/**
 * A plain timing of workload W2 (shared/WORKLOADS.md), until bench/ has a JMH harness:
 * {@code java -cp ... org.flowkernels.ode.W2Timing BACKEND exact|hutch BATCH [EXECUTION] [REPEATS]}.
 * Prints samples/s for the whole solve (data resident on the backend), then the figure the
 * workload asks for: W2-exact, the error of Δlogp against a float64 run of the same steps
 * (the first 32 samples); W2-hutch, the variance over the first 256 samples of
 * (Hutchinson Δlogp − exact Δlogp), the exact one from the same backend.
 */
public final class W2Timing {
    public static void main(String[] args) {
        Backend backend = Backends.get(args[0]);
        boolean exact = args[1].equals("exact");
        int n = Integer.parseInt(args[2]);
        Execution path = args.length > 3 ? Execution.valueOf(args[3]) : Execution.AUTO;
        int repeats = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        Mlp mlp = exact ? Mlp.random(1, Activation.TANH, 3, 64, 64, 2) : Mlp.random(1, Activation.TANH, 65, 256, 256, 64);
        VectorField field = VectorField.mlp(mlp, true);
        Solve how = (exact ? Solve.rk4(0, 1, 100) : Solve.rk4(0, 1, 20).trace(Trace.rademacher(1))).seed(3).execution(path);
        System.out.println(backend + ", " + backend.device().details());
        try (FieldModule f = field.on(backend); Tensor x0 = Rng.normal(backend, n, mlp.outputs(), 7)) {
            float[] dl = null;
            for (int r = 0; r < repeats + 1; r++) {
                long t = System.nanoTime();
                try (Solution s = Ode.solve(f, x0, how)) {
                    backend.synchronize();
                    double sec = (System.nanoTime() - t) * 1e-9;
                    System.out.printf("%s W2-%s n=%d %s: %.3f s, %.0f samples/s%s%n", backend.name(), args[1], n, s.execution(), sec,
                            n / sec, r == 0 ? " (warm-up)" : "");
                    dl = s.deltaLogp().toArray();
                }
            }
            float[] x = x0.toArray();
            if (exact) {
                double worst = 0, scale = 0;
                for (int i = 0; i < Math.min(32, n); i++) {
                    double[] ref = OdeReference.solve(field, OdeReference.row(x, i, 2), Solver.RK4, 0, 1, 100, null, 0, 0, i);
                    worst = Math.max(worst, Math.abs(dl[i] - ref[2]));
                    scale = Math.max(scale, Math.abs(ref[2]));
                }
                System.out.printf("W2-exact: max |dlogp - float64 run| = %.2e (max |dlogp| = %.2f), first %d samples%n", worst, scale,
                        Math.min(32, n));
            } else {
                int m = Math.min(256, n);
                float[] head = new float[m * 64];
                System.arraycopy(x, 0, head, 0, head.length);
                try (Tensor xh = backend.tensor(head, m, 64); Solution ex = Ode.solve(f, xh, how.trace(Trace.exact()).execution(Execution.AUTO))) {
                    float[] de = ex.deltaLogp().toArray();
                    double mean = 0, m2 = 0, var = 0;
                    for (int i = 0; i < m; i++) mean += dl[i] - de[i];
                    mean /= m;
                    for (int i = 0; i < m; i++) {
                        var += (dl[i] - de[i] - mean) * (dl[i] - de[i] - mean);
                        m2 += de[i] * de[i];
                    }
                    System.out.printf("W2-hutch: var(hutchinson dlogp - exact dlogp) = %.4g, mean %.3g, rms exact dlogp %.3g (%d samples)%n",
                            var / (m - 1), mean, Math.sqrt(m2 / m), m);
                }
            }
        }
    }
}
