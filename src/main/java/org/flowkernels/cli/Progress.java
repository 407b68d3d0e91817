package org.flowkernels.cli;

import java.io.PrintWriter;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar over a run's steps with its throughput in units of work (chain-steps/s,
 * particle-steps/s): a live bar on a terminal, a plain line every 5 s and one at the end when
 * the output is not one (a log, a pipe, CI). Close it when done.
 *
 * <p>The plain lines are printed here, on the run's thread, rather than through the progress
 * bar library: its closing renders the final state twice (a refresh, then a forced one),
 * which a terminal overwrites in place but a log keeps as two 100 % lines.
 */
final class Progress implements AutoCloseable {
    /** What every throughput figure of a short run includes: the JVM compiles the hot loops during the first seconds. */
    static final String WARM_UP = "includes JIT warm-up; see bench/ for steady-state figures";

    private static final long LINE_EVERY_NS = 5_000_000_000L;

    private final ProgressBar bar; // null when the output is not a terminal
    private final PrintWriter err;
    private final String task, unit, workUnit;
    private final long total, start = System.nanoTime();
    private final double workPerStep;
    private long done, printed, lastLine = start, lastStep = start;
    private String status = "";

    /** {@code total} steps of {@code workPerStep} units of {@code workUnit} each. */
    Progress(PrintWriter err, String task, long total, String unit, double workPerStep, String workUnit) {
        this.err = err;
        this.task = task;
        this.total = total;
        this.unit = unit;
        this.workPerStep = workPerStep;
        this.workUnit = workUnit;
        this.bar = System.console() == null ? null : new ProgressBarBuilder().setTaskName(task).setInitialMax(total)
                .setUnit(" " + unit, 1).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(200)
                .setConsumer(new ConsoleProgressBarConsumer(System.err)).build();
    }

    /** As {@link #stepBy(long)}, showing {@code status} (a run's current figures) before the throughput. */
    void stepBy(long steps, String status) {
        this.status = status + " ";
        stepBy(steps);
    }

    void stepBy(long steps) {
        done += steps;
        lastStep = System.nanoTime();
        if (bar != null) {
            bar.stepBy(steps);
            bar.setExtraMessage(String.format(Locale.ROOT, "%s%.3g %s/s", status, rate(), workUnit));
        } else if (System.nanoTime() - lastLine >= LINE_EVERY_NS) {
            line();
        }
    }

    /** Units of work per second up to the last step. */
    double rate() {
        return done * workPerStep / seconds();
    }

    /** Seconds from the start to the last step (what the command does after the run is not the run's). */
    private double seconds() {
        return Math.max(1e-9, (lastStep - start) * 1e-9);
    }

    /** "chain  45% 900/2000 steps (0:00:05 elapsed, ETA 0:00:06) 1.23e+07 particle-steps/s", once per state, none before a step. */
    private void line() {
        if (done == printed) return;
        double s = seconds();
        err.printf(Locale.ROOT, "%s %3d%% %d/%d %s (%s elapsed, ETA %s) %s%.3g %s/s%n", task, done * 100 / total, done, total, unit,
                clock(s), clock((total - done) * s / done), status, rate(), workUnit);
        err.flush();
        printed = done;
        lastLine = System.nanoTime();
    }

    private static String clock(double seconds) {
        long t = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60);
    }

    @Override
    public void close() {
        if (bar != null) bar.close();
        else line();
    }
}
