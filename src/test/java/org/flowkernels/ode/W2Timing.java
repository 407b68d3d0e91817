package org.flowkernels.ode;

import org.flowkernels.Backend;
import org.flowkernels.Backends;
import org.flowkernels.Tensor;
import org.flowkernels.nn.Activation;
import org.flowkernels.nn.Mlp;
import org.flowkernels.rng.Rng;

/**
 * A plain timing of workload W2 (shared/WORKLOADS.md) until bench/ has a JMH harness:
 * {@code java -cp ... org.flowkernels.ode.W2Timing BACKEND exact|hutch BATCH [EXECUTION] [REPEATS]}.
 */
public final class W2Timing {
    public static void main(String[] args) {
        Backend backend = Backends.get(args[0]);
        boolean exact = args[1].equals("exact");
        int n = Integer.parseInt(args[2]);
        Execution path = args.length > 3 ? Execution.valueOf(args[3]) : Execution.AUTO;
        int repeats = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        Mlp mlp = exact ? Mlp.random(1, Activation.TANH, 3, 64, 64, 2) : Mlp.random(1, Activation.TANH, 65, 256, 256, 64);
        Solve how = exact ? Solve.rk4(0, 1, 100) : Solve.rk4(0, 1, 20).trace(Trace.rademacher(1));
        how = how.execution(path);
        try (FieldModule f = VectorField.mlp(mlp, true).on(backend); Tensor x0 = Rng.normal(backend, n, mlp.outputs(), 7)) {
            for (int r = 0; r < repeats + 1; r++) {
                long t = System.nanoTime();
                try (Solution s = Ode.solve(f, x0, how)) {
                    backend.synchronize();
                    double sec = (System.nanoTime() - t) * 1e-9;
                    System.out.printf("%s W2-%s n=%d %s: %.3f s, %.0f samples/s%s%n", backend.name(), args[1], n, s.execution(), sec,
                            n / sec, r == 0 ? " (warm-up)" : "");
                }
            }
        }
    }
}
