package org.flowkernels.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.flowkernels.Backend;
import org.flowkernels.flow.CouplingFlow;
import org.flowkernels.flow.Flow;
import picocli.CommandLine.Command;

/** {@code flow sample|logprob}: a coupling flow (RealNVP, NICE) loaded from a model directory. */
@Command(name = "flow", mixinStandardHelpOptions = true, subcommands = {FlowCommand.Sample.class, ModelLogProb.class},
        description = "Sample a coupling flow (RealNVP / NICE) or evaluate its log-density, x = f(z), z ~ N(0, I).",
        footerHeading = "%nThe model directory (--model DIR):%n",
        footer = {
            "  flow.json          the architecture (format flowkernels.coupling_flow)",
            "  model.safetensors  the weights under PyTorch state_dict names",
            "  or weights.npz     (layers.K.net.J.weight and .bias)",
            "as CouplingFlow.load reads and flow.save writes them; README.md, \"Weights from",
            "PyTorch and NumPy\", describes the format. examples/realnvp-2d is one."})
final class FlowCommand extends CommandGroup implements ModelCommand.Loader {
    @Override
    public Flow load(Path dir, Backend backend) throws IOException {
        return CouplingFlow.load(dir).on(backend);
    }

    /** {@code flow sample}. */
    @Command(name = "sample",
            description = {"Draw n samples x = f(z) from the coupling flow in DIR, z ~ N(0, I) from Philox (--seed), with their "
                    + "exact log-density log q(x) = log N(z; 0, I) - log|det dx/dz| (natural log, nats).",
                "One batch on the backend (the draws depend on the row index, so the run is not split)."})
    static final class Sample extends ModelSample {}
}
