package org.flowkernels.cli;

import java.time.Duration;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar with throughput for long runs: a live bar on a terminal, a plain line every
 * few seconds when the output is not a terminal (a log, a pipe, CI). Close it when done.
 */
final class Progress implements AutoCloseable {
    private final ProgressBar bar;

    Progress(String task, long total, String unit) {
        ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(task).setInitialMax(total)
                .setUnit(" " + unit, 1).showSpeed().setSpeedUnit(java.time.temporal.ChronoUnit.SECONDS);
        if (System.console() != null) {
            b.setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(200).setConsumer(
                    new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err));
        } else {
            b.setUpdateIntervalMillis((int) Duration.ofSeconds(5).toMillis())
                    .setConsumer(new DelegatingProgressBarConsumer(System.err::println));
        }
        this.bar = b.build();
    }

    void stepBy(long n) { bar.stepBy(n); }

    @Override
    public void close() { bar.close(); }
}
