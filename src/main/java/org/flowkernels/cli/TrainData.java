package org.flowkernels.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.flowkernels.Backend;
import org.flowkernels.io.FloatArray;
import org.flowkernels.io.Npy;
import org.flowkernels.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code train data}: a RealNVP fitted to the rows of an .npy file by maximum likelihood. */
@Command(name = "data", mixinStandardHelpOptions = true, sortOptions = false, showDefaultValues = false,
        description = {
            "Train a RealNVP flow q(x) on samples, the rows of a float32 .npy [rows, D], by maximum likelihood: minimise "
                    + "-E_data[ln q(x)] (the forward KL(p_data || q) up to the data's entropy) over batches of rows drawn with "
                    + "replacement.",
            "Prints -<ln q>_data +- its standard error from fresh draws of rows with the final model. Runs on the CPU backend, also without --backend. "
                    + "Ctrl-C stops after the current step and writes the model and the losses so far."},
        footerHeading = "%nWrites (into --out):%n",
        footer = {
            "  flow.json, model.safetensors  the trained flow (read by `flow sample --model`)",
            "  loss.npy     float32 [S, 3]: per step, the batch's -<ln q>, its standard",
            "               error, and the gradient norm (before clipping)",
            "  loss.png     -<ln q> against the step, with the final estimate"})
final class TrainData implements Callable<Integer> {
    @Mixin
    GlobalOptions global;

    @Mixin
    OutputFolder output;

    @Mixin
    TrainSettings train;

    @Option(names = "--input", paramLabel = "X.npy", required = true, description = "the samples: float32 [rows, D], D >= 2")
    Path input;

    @Override
    public Integer call() throws IOException {
        train.check();
        FloatArray x = Npy.read(input);
        if (x.rank() != 2 || x.shape()[1] < 2)
            throw new IllegalArgumentException("--input: expected a [rows, D] array with D >= 2, got shape " + Arrays.toString(x.shape()));
        int d = x.shape()[1];
        Backend backend = global.backend();
        PrintWriter out = global.out();
        Trainer trainer = Trainer.maximumLikelihood(train.flow(d), x.data(), train.options(backend));
        out.printf(Locale.ROOT, "train data: %d rows of %d coordinates from %s; %s%n", x.shape()[0], d, input, train.describe());
        out.println("backend: " + backend.name() + " (" + backend.device() + ")");
        out.flush();
        try (trainer; Outputs files = output.open()) {
            TrainSettings.History h = train.run(trainer, files, out, global.err(), "-<ln q>");
            Trainer.Estimate e = trainer.estimate(train.estimateSamples);
            out.printf(Locale.ROOT, "-<ln q>_data = %.4f +- %.4f (from %d rows drawn with replacement; the data's entropy is a lower "
                    + "bound)%n", e.value(), e.error(), e.samples());
            TrainSettings.plot(files, h, "maximum likelihood on " + input.getFileName(), "-<ln q> of the batch",
                    String.format(Locale.ROOT, "final -<ln q> = %.4f", e.value()), e.value());
            files.report(out);
        }
        return 0;
    }
}
