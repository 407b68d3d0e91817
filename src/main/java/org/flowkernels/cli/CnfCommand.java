package org.flowkernels.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.flowkernels.Backend;
import org.flowkernels.Tensor;
import org.flowkernels.ode.Cnf;
import org.flowkernels.ode.CnfModule;
import org.flowkernels.ode.Trace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import static org.flowkernels.cli.Words.lower;

/** {@code cnf sample|logprob}: a continuous normalizing flow loaded from a model directory. */
@Command(name = "cnf", mixinStandardHelpOptions = true, subcommands = {ModelSample.class, CnfCommand.LogProb.class},
        description = "Sample a continuous normalizing flow, dx/dt = v(x, t) from z ~ N(0, I) at t0 to x at t1, or evaluate its "
                + "log-density, integrating d(log p)/dt = -tr(dv/dx) along (exactly, or with Hutchinson's estimator).",
        footerHeading = "%nThe model directory (--model DIR):%n",
        footer = {
            "  cnf.json           the field, solver, steps, trace (format flowkernels.cnf)",
            "  model.safetensors  the field's weights under PyTorch state_dict names",
            "  or weights.npz     (net.J.weight and .bias)",
            "as Cnf.load reads and cnf.save writes them; README.md, \"Continuous flows\",",
            "describes the format."})
final class CnfCommand extends CommandGroup implements DensityModel.Family {
    @Override
    public DensityModel load(Path dir, Backend backend) throws IOException {
        Cnf cnf = Cnf.load(dir);
        CnfModule m = cnf.on(backend);
        return new DensityModel() {
            @Override public int dim() { return m.dim(); }

            @Override
            public String describe() {
                var s = cnf.solve();
                String trace = s.trace() instanceof Trace.Hutchinson h
                        ? "Hutchinson trace, " + h.probes() + " " + lower(h.probe()) + " probe(s)" : "exact trace";
                return "CNF of dimension " + cnf.dim() + ": " + cnf.field() + ", " + s.solver() + " from t = " + s.t0() + " to "
                        + s.t1() + " in " + s.steps() + " steps, " + trace + ", on " + backend.name();
            }

            @Override
            public Drawn sample(int n, long seed) {
                CnfModule.Sample s = m.sample(n, seed);
                return new Drawn(s.x(), s.logQ(), "ran " + s.execution());
            }

            @Override
            public Scored logProb(Tensor x, OptionalLong probeSeed) {
                CnfModule.Density d = probeSeed.isPresent() ? m.logProb(x, probeSeed.getAsLong()) : m.logProb(x);
                d.z().close();
                return new Scored(d.logProb(), "ran " + d.execution());
            }

            @Override public void close() { m.close(); }
        };
    }

    /** {@code cnf logprob}, with the seed of the trace probes. */
    @Command(name = "logprob")
    static final class LogProb extends ModelLogProb {
        @Option(names = "--seed", paramLabel = "K",
                description = "the seed of the Hutchinson probes: give the seed the points were sampled with to retrace their "
                        + "paths (default: the \"seed\" of cnf.json; an exact trace draws no probes)")
        Long seed;

        @Override
        OptionalLong probeSeed() {
            return seed == null ? OptionalLong.empty() : OptionalLong.of(seed);
        }
    }
}
