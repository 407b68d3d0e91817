package org.flowkernels.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.flowkernels.Backend;
import org.flowkernels.Tensor;
import org.flowkernels.flow.Flow;
import org.flowkernels.ode.Cnf;
import org.flowkernels.ode.CnfModule;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cnf sample|logprob}: a continuous normalizing flow loaded from a model directory. */
@Command(name = "cnf", mixinStandardHelpOptions = true, subcommands = {CnfCommand.Sample.class, CnfCommand.LogProb.class},
        description = "Sample a continuous normalizing flow, dx/dt = v(x, t) from z ~ N(0, I) at t0 to x at t1, or evaluate its "
                + "log-density, integrating d(log p)/dt = -tr(dv/dx) along (exactly, or with Hutchinson's estimator).",
        footerHeading = "%nThe model directory (--model DIR):%n",
        footer = {
            "  cnf.json           the field, solver, steps, trace (format flowkernels.cnf)",
            "  model.safetensors  the field's weights under PyTorch state_dict names",
            "  or weights.npz     (net.J.weight and .bias)",
            "as Cnf.load reads and cnf.save writes them; README.md, \"Continuous flows\",",
            "describes the format. examples/cnf-2d is one."})
final class CnfCommand extends CommandGroup implements ModelCommand.Loader {
    @Override
    public Flow load(Path dir, Backend backend) throws IOException {
        return Cnf.load(dir).on(backend);
    }

    /** {@code cnf sample}. */
    @Command(name = "sample",
            description = {"Draw n samples from the CNF in DIR: z ~ N(0, I) from Philox (--seed) integrated from t0 to t1, with "
                    + "their log-density log q(x) = log N(z; 0, I) - integral of tr(dv/dx) dt (natural log, nats). With a "
                    + "Hutchinson trace the probes are drawn with the same seed, and log q is then an unbiased estimate: "
                    + "cnf logprob --seed with that seed retraces the same paths.",
                "One batch on the backend (the draws depend on the row index, so the run is not split)."})
    static final class Sample extends ModelSample {}

    /** {@code cnf logprob}, with the seed of the trace probes. */
    @Command(name = "logprob")
    static final class LogProb extends ModelLogProb {
        @Option(names = "--seed", paramLabel = "K",
                description = "the seed of the Hutchinson probes: give the seed the points were sampled with to retrace their "
                        + "paths (default: the \"seed\" of cnf.json; an exact trace draws no probes)")
        Long seed;

        @Override
        Tensor logProb(Flow m, Tensor x) {
            return seed == null ? m.logProb(x) : ((CnfModule) m).logProb(x, seed);
        }
    }
}
