package org.flowkernels.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.flowkernels.Backend;
import org.flowkernels.Tensor;
import org.flowkernels.flow.CouplingFlow;
import org.flowkernels.flow.CouplingFlowModule;
import org.flowkernels.flow.FlowSample;
import picocli.CommandLine.Command;

/** {@code flow sample|logprob}: a coupling flow (RealNVP, NICE) loaded from a model directory. */
@Command(name = "flow", mixinStandardHelpOptions = true, subcommands = {ModelSample.class, ModelLogProb.class},
        description = "Sample a coupling flow (RealNVP / NICE) or evaluate its log-density, x = f(z), z ~ N(0, I).",
        footerHeading = "%nThe model directory (--model DIR):%n",
        footer = {
            "  flow.json          the architecture (format flowkernels.coupling_flow)",
            "  model.safetensors  the weights under PyTorch state_dict names",
            "  or weights.npz     (layers.K.net.J.weight and .bias)",
            "as CouplingFlow.load reads and flow.save writes them; README.md, \"Weights from",
            "PyTorch and NumPy\", describes the format."})
final class FlowCommand extends CommandGroup implements DensityModel.Family {
    @Override
    public DensityModel load(Path dir, Backend backend) throws IOException {
        CouplingFlow flow = CouplingFlow.load(dir);
        CouplingFlowModule m = flow.on(backend);
        return new DensityModel() {
            @Override public int dim() { return m.dim(); }

            @Override public String describe() { return flow + " on " + backend.name(); }

            @Override
            public Drawn sample(int n, long seed) {
                FlowSample s = m.sample(n, seed);
                return new Drawn(s.x(), s.logQ(), "");
            }

            /** Exact log-densities: no probes, the seed plays no part. */
            @Override
            public Scored logProb(Tensor x, OptionalLong probeSeed) { return new Scored(m.logProb(x), ""); }

            @Override public void close() { m.close(); }
        };
    }
}
