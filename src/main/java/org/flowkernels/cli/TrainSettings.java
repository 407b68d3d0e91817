package org.flowkernels.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Locale;
import org.flowkernels.Backend;
import org.flowkernels.Check;
import org.flowkernels.flow.CouplingFlow;
import org.flowkernels.train.LearningRate;
import org.flowkernels.train.Optimizer;
import org.flowkernels.train.TrainOptions;
import org.flowkernels.train.TrainStep;
import org.flowkernels.train.Trainer;
import picocli.CommandLine.Option;

/**
 * What both {@code train} subcommands share (a picocli mixin): the flow's shape, the optimizer
 * and its schedule, and the run itself: steps with a progress bar, a checkpoint of the model
 * every C steps and at the end (Ctrl-C included), loss.npy and loss.png.
 */
final class TrainSettings {
    enum Schedule { CONSTANT, COSINE }

    enum Method { ADAM, SGD }

    @Option(names = "--layers", paramLabel = "K", defaultValue = "8",
            description = "affine coupling layers, alternating the first and the second half of the coordinates (default: ${DEFAULT-VALUE})")
    int layers;

    @Option(names = "--hidden", paramLabel = "H,H", split = ",", defaultValue = "128,128",
            description = "hidden widths of each layer's tanh MLP conditioner (default: ${DEFAULT-VALUE})")
    int[] hidden;

    @Option(names = "--batch", paramLabel = "M", defaultValue = "256", description = "samples per step (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--steps", paramLabel = "S", defaultValue = "20000", description = "optimizer steps (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--lr", paramLabel = "X", defaultValue = "1e-3", description = "initial learning rate (default: ${DEFAULT-VALUE})")
    double lr;

    @Option(names = "--schedule", paramLabel = "cosine|constant", defaultValue = "cosine",
            description = "learning-rate schedule: cosine decay to 0 at the last step, or constant (default: ${DEFAULT-VALUE})")
    Schedule schedule;

    @Option(names = "--optimizer", paramLabel = "adam|sgd", defaultValue = "adam",
            description = "Adam (0.9, 0.999, 1e-8) or plain SGD (default: ${DEFAULT-VALUE})")
    Method optimizer;

    @Option(names = "--clip", paramLabel = "C", defaultValue = "10",
            description = "scale the gradient down to global norm C when longer; Infinity: no clipping. The Coulomb term's "
                    + "gradient is heavy-tailed (a close pair in a batch), and without clipping Adam at 1e-3 diverges at N = 20 "
                    + "(default: ${DEFAULT-VALUE})")
    double clip;

    @Option(names = "--seed", paramLabel = "K", defaultValue = "1",
            description = "seed of the initial weights and of every draw (Philox) (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--checkpoint-every", paramLabel = "C", defaultValue = "1000",
            description = "write the model into --out every C steps (and at the end, also after Ctrl-C) (default: ${DEFAULT-VALUE})")
    int checkpointEvery;

    @Option(names = "--estimate-samples", paramLabel = "E", defaultValue = "16384",
            description = "fresh samples of the final estimate (default: ${DEFAULT-VALUE})")
    int estimateSamples;

    void check() {
        Check.positive(layers, "--layers");
        if (hidden.length == 0) throw new IllegalArgumentException("--hidden: expected at least one width, got none");
        for (int h : hidden) Check.positive(h, "--hidden");
        if (batch < 2) throw new IllegalArgumentException("--batch: expected at least 2 (the loss's error bar needs two samples), got " + batch);
        Check.positive(steps, "--steps");
        Check.positiveFinite(lr, "--lr");
        if (!(clip > 0)) throw new IllegalArgumentException("--clip: expected > 0 (Infinity: no clipping), got " + clip);
        Check.positive(checkpointEvery, "--checkpoint-every");
        if (estimateSamples < 2) throw new IllegalArgumentException("--estimate-samples: expected at least 2, got " + estimateSamples);
    }

    CouplingFlow flow(int dim) {
        return CouplingFlow.realNvp(dim, layers, seed, hidden);
    }

    TrainOptions options(Backend backend) {
        return new TrainOptions(backend, batch, seed, optimizer == Method.ADAM ? new Optimizer.Adam(0.9, 0.999, 1e-8) : new Optimizer.Sgd(0),
                schedule == Schedule.COSINE ? LearningRate.cosine(lr, steps) : LearningRate.constant(lr),
                clip, TrainOptions.Estimator.PATHWISE);
    }

    String describe() {
        return String.format(Locale.ROOT, "RealNVP %d layers, hidden %s; batch %d, %d steps, %s lr %s (%s)%s, seed %d", layers,
                Arrays.toString(hidden), batch, steps, optimizer.name().toLowerCase(Locale.ROOT), Words.num(lr),
                schedule.name().toLowerCase(Locale.ROOT), Double.isInfinite(clip) ? "" : ", clip " + Words.num(clip), seed);
    }

    /** The per-step figures of a run, host side. */
    static final class History {
        float[] rows = new float[3 * 1024]; // [steps, 3]: loss, its standard error, gradient norm; grown as the run goes
        int done;

        void add(TrainStep s) {
            if (3 * done == rows.length) rows = Arrays.copyOf(rows, 2 * rows.length);
            rows[3 * done] = (float) s.loss();
            rows[3 * done + 1] = (float) s.lossError();
            rows[3 * done + 2] = (float) s.gradientNorm();
            done++;
        }

        /** Column c of the steps done. */
        double[] column(int c) {
            double[] v = new double[done];
            for (int i = 0; i < done; i++) v[i] = rows[3 * i + c];
            return v;
        }
    }

    /**
     * Runs the steps (until --steps or Ctrl-C), checkpointing the model into the output folder,
     * then writes loss.npy and the final model; returns the history.
     */
    History run(Trainer trainer, Outputs files, PrintWriter out, PrintWriter err, String lossName) throws IOException {
        History h = new History();
        Interrupt ctrlC = Interrupt.arm();
        double window = 0, windowVar = 0;
        int inWindow = 0;
        try (Progress bar = new Progress(err, "train", steps, "steps", batch, "samples")) {
            while (h.done < steps && !ctrlC.requested()) {
                TrainStep s = trainer.step();
                h.add(s);
                window += s.loss();
                windowVar += s.lossError() * s.lossError();
                inWindow++;
                // the bar shows the mean loss of the steps since its last update, with that mean's error
                if (inWindow == 50 || h.done == steps) {
                    bar.stepBy(inWindow, String.format(Locale.ROOT, "%s = %.4f +- %.4f", lossName, window / inWindow,
                            Math.sqrt(windowVar) / inWindow));
                    window = windowVar = inWindow = 0;
                }
                if (h.done % checkpointEvery == 0) save(trainer, files);
            }
            if (inWindow > 0) bar.stepBy(inWindow);
        }
        if (h.done < steps)
            out.printf(Locale.ROOT, "interrupted after step %d of %d: the model and the losses are those of the steps done%n", h.done, steps);
        save(trainer, files);
        files.npy("loss.npy", Arrays.copyOf(h.rows, 3 * h.done), h.done, 3);
        return h;
    }

    private static void save(Trainer trainer, Outputs files) throws IOException {
        trainer.save(files.dir());
        files.wrote("flow.json", "model.safetensors");
    }

    /**
     * loss.png: the per-step loss with its running mean over 100 steps against the final
     * estimate; a second panel shows the last half alone, where the first steps' large losses
     * would flatten the curve.
     */
    static void plot(Outputs files, History h, String title, String yLabel, String levelName, double level) throws IOException {
        if (h.done == 0) return; // stopped before its first step: nothing to draw
        double[] step = new double[h.done], loss = h.column(0), mean = new double[h.done];
        double sum = 0;
        for (int i = 0; i < h.done; i++) {
            step[i] = i;
            sum += loss[i] - (i >= 100 ? loss[i - 100] : 0);
            mean[i] = sum / Math.min(i + 1, 100);
        }
        Plots.Panel whole = new Plots.Panel(title, "step", yLabel, step).line("batch mean", loss).line("mean over 100 steps", mean)
                .level(levelName, level);
        if (h.done < 200) {
            files.png("loss.png", f -> Plots.save(f, 400, whole));
            return;
        }
        int from = h.done / 2;
        Plots.Panel tail = new Plots.Panel("the second half of the run", "step", yLabel, Arrays.copyOfRange(step, from, h.done))
                .line("batch mean", Arrays.copyOfRange(loss, from, h.done)).line("mean over 100 steps", Arrays.copyOfRange(mean, from, h.done))
                .level(levelName, level);
        files.png("loss.png", f -> Plots.save(f, 330, whole, tail));
    }
}
