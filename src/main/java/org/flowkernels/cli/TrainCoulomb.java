package org.flowkernels.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.flowkernels.Backend;
import org.flowkernels.Check;
import org.flowkernels.physics.Potential;
import org.flowkernels.train.TrainOptions;
import org.flowkernels.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code train coulomb}: a RealNVP trained on N charges in the harmonic trap by the variational
 * free energy. The defaults are the lecture's demo: N = 20, beta = 10, 8 layers of hidden
 * width 128, 128, batch 256, 20000 Adam steps at 1e-3 with cosine decay.
 */
@Command(name = "coulomb", mixinStandardHelpOptions = true, sortOptions = false, showDefaultValues = false,
        description = {
            "Train a RealNVP flow q(x), x = f(z), z ~ N(0, I), on N unit charges in a harmonic trap, "
                    + "V(r) = sum_{i<j} 1/|r_i - r_j| + sum_i |r_i|^2, at inverse temperature beta, by minimising the variational "
                    + "free energy F[q] = E_z[V(f(z)) + ln q(f(z)) / beta] with the pathwise (reparameterization) gradient "
                    + "(or REINFORCE: --estimator).",
            "F[q] = -ln Z / beta + KL(q || p) / beta is an upper bound of the exact free energy -ln Z / beta: lower is better, "
                    + "and a value is honest whatever the flow. At large beta it approaches the ground-state energy from above "
                    + "plus (1/beta) terms.",
            "Prints, from fresh samples of the final model: F +- its standard error, <V>_q, and ESS/M, the effective sample "
                    + "size fraction of the importance weights exp(-beta V - ln q) (1 when q is exact).",
            "Runs on --backend (default: the fastest here), in float32 on every backend. Progress goes to stderr. Ctrl-C stops "
                    + "after the current step and writes the model and the losses so far."},
        footerHeading = "%nWrites (into --out):%n",
        footer = {
            "  flow.json, model.safetensors  the trained flow (read by `flow sample --model`,",
            "               CouplingFlow.load, and PyTorch's safetensors); also every",
            "               --checkpoint-every steps",
            "  loss.npy     float32 [S, 3]: per step, the batch's F, its standard error,",
            "               and the gradient norm (before clipping)",
            "  loss.png     F against the step, with the final estimate"})
final class TrainCoulomb implements Callable<Integer> {
    @Mixin
    GlobalOptions global;

    @Mixin
    OutputFolder output;

    @Mixin
    TrainSettings train;

    @Option(names = "--particles", paramLabel = "N", defaultValue = "20", description = "number of charges (default: ${DEFAULT-VALUE})")
    int particles;

    @Option(names = "--dim", paramLabel = "D", defaultValue = "2", description = "space dimension: 2 or 3 (default: ${DEFAULT-VALUE})")
    int dim;

    @Option(names = "--beta", paramLabel = "B", defaultValue = "10",
            description = "inverse temperature 1/kT, in inverse units of V (default: ${DEFAULT-VALUE})")
    double beta;

    @Option(names = "--estimator", paramLabel = "pathwise|score_function", defaultValue = "pathwise",
            description = "the gradient of F: pathwise (through x = f(z), with grad V) or score_function (REINFORCE with a "
                    + "running-mean baseline: V only, far noisier) (default: ${DEFAULT-VALUE})")
    TrainOptions.Estimator estimator;

    @Override
    public Integer call() throws IOException {
        if (particles < 1 || (long) particles * dim < 2)
            throw new IllegalArgumentException("--particles: expected N with N * D >= 2 (a coupling needs two coordinates), got " + particles);
        if (dim < 2 || dim > 3) throw new IllegalArgumentException("--dim: expected 2 or 3, got " + dim);
        Check.positiveFinite(beta, "--beta");
        train.check();
        Backend backend = global.backend();
        PrintWriter out = global.out();
        Potential.CoulombGas gas = Potential.coulombGas(dim);
        Trainer trainer = Trainer.variationalFreeEnergy(train.flow(particles * dim), gas, beta, train.options(backend).withEstimator(estimator));
        out.printf(Locale.ROOT, "train coulomb: %d charges in %d-D, V = sum 1/r_ij + sum |r_i|^2, beta = %s; %s%n", particles, dim,
                Words.num(beta), train.describe() + (estimator == TrainOptions.Estimator.PATHWISE ? "" : ", " + estimator.name().toLowerCase(Locale.ROOT) + " gradient"));
        out.println("backend: " + backend.name() + " (" + backend.device() + ")");
        out.flush();
        try (trainer; Outputs files = output.open()) {
            long t0 = System.nanoTime();
            TrainSettings.History h = train.run(trainer, files, out, global.err(), "F");
            double seconds = (System.nanoTime() - t0) * 1e-9;
            Trainer.Estimate e = trainer.estimate(train.estimateSamples);
            out.printf(Locale.ROOT, "F = %.4f +- %.4f, <H>_q = %.4f, ESS/M = %.3g%n", e.value(), e.error(), e.meanEnergy(), e.essFraction());
            out.printf(Locale.ROOT, "(from %d fresh samples of the final model; F is an upper bound of the exact free energy -ln Z / beta; "
                    + "%d steps in %.1f s, %s)%n", e.samples(), h.done, seconds, Progress.WARM_UP);
            TrainSettings.plot(files, h, String.format(Locale.ROOT, "variational free energy, %d charges, beta = %s", particles,
                    Words.num(beta)), "F of the batch", String.format(Locale.ROOT, "final F = %.4f", e.value()), e.value());
            files.report(out);
        }
        return 0;
    }
}
