package org.flowkernels.cli;

import java.io.PrintWriter;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar over a run's steps with its throughput in units of work (chain-steps/s,
 * particle-steps/s): a live bar on a terminal, a plain line every 5 s when the output is not
 * one (a log, a pipe, CI). Close it when done.
 */
final class Progress implements AutoCloseable {
    private final ProgressBar bar;
    private final double workPerStep;
    private final String workUnit;
    private final long start = System.nanoTime();
    private long done;

    /** {@code total} steps of {@code workPerStep} units of {@code workUnit} each. */
    Progress(PrintWriter err, String task, long total, String unit, double workPerStep, String workUnit) {
        this.workPerStep = workPerStep;
        this.workUnit = workUnit;
        ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setUnit(" " + unit, 1)
                .setStyle(ProgressBarStyle.ASCII);
        if (System.console() != null) {
            b.setUpdateIntervalMillis(200).setConsumer(new ConsoleProgressBarConsumer(System.err));
        } else {
            b.setUpdateIntervalMillis(5_000).setConsumer(new DelegatingProgressBarConsumer(line -> {
                err.println(line);
                err.flush();
            }, 110));
        }
        this.bar = b.build();
    }

    void stepBy(long steps) {
        done += steps;
        bar.stepBy(steps);
        bar.setExtraMessage(String.format(Locale.ROOT, "%.3g %s/s", rate(), workUnit));
    }

    /** Units of work per second so far. */
    double rate() {
        return done * workPerStep / Math.max(1e-9, (System.nanoTime() - start) * 1e-9);
    }

    @Override
    public void close() { bar.close(); }
}
