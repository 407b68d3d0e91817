package org.flowkernels.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.flowkernels.Backend;
import org.flowkernels.Backends;
import org.flowkernels.Check;
import org.flowkernels.Tensor;
import org.flowkernels.nn.Activation;
import org.flowkernels.nn.Mlp;
import org.flowkernels.nn.MlpModule;
import org.flowkernels.rng.Rng;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A first look: draws standard normals with Philox on the chosen backend, checks their
 * moments, runs the W1 conditioner MLP (32 -> 256 -> 256 -> 64, tanh) on them and compares
 * the result with the Java CPU backend.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Draw standard normals with Philox on a backend and check their mean and variance, run the W1 conditioner "
                + "MLP (32 -> 256 -> 256 -> 64, tanh) on them, time it, and compare the result with the Java CPU backend.",
                "Prints only; writes no files."})
final class DemoCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    GlobalOptions global;

    @Option(names = "--batch", defaultValue = "16384", description = "number of samples (rows) (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--seed", defaultValue = "42", description = "Philox seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() {
        Backend b = global.backend();
        Check.positive(batch, "--batch");
        PrintWriter out = global.out();
        out.println("backend: " + b.name() + " (" + b.device() + ")");
        Mlp mlp = Mlp.random(seed, Activation.TANH, 32, 256, 256, 64);
        try (Tensor z = Rng.normal(b, batch, 32, seed); MlpModule m = mlp.on(b)) {
            float[] zs = z.toArray();
            double mean = 0, var = 0;
            for (float v : zs) mean += v;
            mean /= zs.length;
            for (float v : zs) var += (v - mean) * (v - mean);
            var /= zs.length;
            out.printf(Locale.ROOT, "drew %d x 32 normals: mean %+.4f (expect 0 +- %.4f), variance %.4f (expect 1 +- %.4f)%n",
                    batch, mean, 3 / Math.sqrt(zs.length), var, 3 * Math.sqrt(2.0 / zs.length));
            m.forward(z).close(); // warm-up: kernel compilation and first-touch allocations
            b.synchronize();
            long t0 = System.nanoTime();
            try (Tensor y = m.forward(z)) {
                b.synchronize();
                double s = (System.nanoTime() - t0) * 1e-9;
                out.printf(Locale.ROOT, "MLP %s on %d samples: %.2f ms, %.1f GFLOP/s%n", mlp, batch, s * 1e3,
                        mlp.flopsPerSample() * (double) batch / s * 1e-9);
                if (b != Backends.cpu()) {
                    Backend cpu = Backends.cpu();
                    try (Tensor zc = cpu.tensor(zs, batch, 32); MlpModule mc = mlp.on(cpu); Tensor yc = mc.forward(zc)) {
                        float[] a = y.toArray(), c = yc.toArray();
                        double num = 0, den = 0;
                        for (int i = 0; i < a.length; i++) {
                            num += (a[i] - c[i]) * (double) (a[i] - c[i]);
                            den += (double) c[i] * c[i];
                        }
                        out.printf(Locale.ROOT, "relative difference from the Java CPU backend: %.2e%n", Math.sqrt(num / den));
                    }
                }
            }
        }
        return 0;
    }
}
