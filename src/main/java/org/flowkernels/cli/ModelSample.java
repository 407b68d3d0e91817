package org.flowkernels.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import org.flowkernels.Backend;
import org.flowkernels.Check;
import org.flowkernels.flow.Flow;
import org.flowkernels.flow.FlowSample;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code flow sample} and {@code cnf sample} (each with its own description): n samples and their log q, as .npy files. */
@Command(mixinStandardHelpOptions = true, sortOptions = false,
        footerHeading = "%nWrites (into --out):%n",
        footer = {"  x.npy     float32 [n, dim]: the samples", "  logq.npy  float32 [n]: log q of each sample"})
abstract class ModelSample extends ModelCommand {
    @Option(names = "--n", paramLabel = "N", defaultValue = "10000", description = "number of samples (default: ${DEFAULT-VALUE})")
    int n;

    @Option(names = "--seed", paramLabel = "K", defaultValue = "1", description = "Philox seed of z (default: ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() throws IOException {
        Check.positive(n, "--n");
        Backend backend = global.backend();
        PrintWriter out = global.out();
        try (Flow m = load(backend); Outputs files = output.open()) {
            out.println(m.describe() + " (" + backend.device() + ")");
            long t0 = System.nanoTime();
            try (FlowSample s = m.sample(n, seed)) {
                float[] x = s.x().toArray(), logQ = s.logQ().toArray();
                double seconds = (System.nanoTime() - t0) * 1e-9;
                out.printf(Locale.ROOT, "%d samples of dimension %d in %.3f s (%.3g samples/s, %s); mean log q = %.4f%n", n, m.dim(),
                        seconds, n / seconds, Progress.WARM_UP, ModelLogProb.mean(logQ));
                files.npy("x.npy", x, n, m.dim());
                files.npy("logq.npy", logQ, n);
            }
            files.report(out);
        }
        return 0;
    }
}
