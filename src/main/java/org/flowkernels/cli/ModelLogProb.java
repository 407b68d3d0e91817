package org.flowkernels.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.flowkernels.Backend;
import org.flowkernels.Check;
import org.flowkernels.Tensor;
import org.flowkernels.flow.Flow;
import org.flowkernels.io.FloatArray;
import org.flowkernels.io.FormatException;
import org.flowkernels.io.Npy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code flow logprob} and {@code cnf logprob}: log p of the rows of an .npy file. */
@Command(name = "logprob", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Evaluate the model's log-density log p(x) (natural log, nats) at every row of the --input array, "
                + "[n, dim] (float32, or float64 / float16 converted to float32).",
            "A row with a NaN or an infinity is an error naming the row (exit code 4)."},
        footerHeading = "%nWrites (into --out):%n",
        footer = "  logp.npy  float32 [n]: log p of each row")
class ModelLogProb extends ModelCommand {
    @Option(names = "--input", paramLabel = "X.npy", required = true, description = "the points, one per row")
    Path input;

    @Override
    public Integer call() throws IOException {
        Backend backend = global.backend();
        PrintWriter out = global.out();
        try (Flow m = load(backend)) {
            // Reading a directory fails with "Is a directory" and no path.
            if (Files.isDirectory(input)) throw new FormatException(input, "is a directory: --input expects an .npy file");
            FloatArray x = Npy.read(input);
            if (x.rank() != 2 || x.shape()[1] != m.dim())
                throw new FormatException(input, "expected an array [n, " + m.dim() + "] (the model's dimension), got shape "
                        + Arrays.toString(x.shape()));
            try {
                Check.allFinite(x.data(), m.dim(), "x");
            } catch (IllegalArgumentException e) {
                throw new FormatException(input, e.getMessage(), e);
            }
            try (Outputs files = output.open()) {
                out.println(m.describe() + " (" + backend.device() + ")");
                int n = x.shape()[0];
                long t0 = System.nanoTime();
                float[] logP;
                try (Tensor xt = x.toTensor(backend); Tensor lp = logProb(m, xt)) {
                    logP = lp.toArray();
                }
                double seconds = (System.nanoTime() - t0) * 1e-9;
                out.printf(Locale.ROOT, "log p of %d points in %.3f s (%.3g points/s, %s); mean log p = %.4f%n", n, seconds,
                        n / seconds, Progress.WARM_UP, mean(logP));
                files.npy("logp.npy", logP, n);
                files.report(out);
            }
        }
        return 0;
    }

    /** log p of the rows of x; {@code cnf logprob} overrides it to draw the trace probes with --seed. */
    Tensor logProb(Flow m, Tensor x) {
        return m.logProb(x);
    }

    static double mean(float[] v) {
        double s = 0;
        for (float a : v) s += a;
        return v.length == 0 ? Double.NaN : s / v.length;
    }
}
