package org.flowkernels.bench;

import java.nio.file.Path;

/**
 * Where a suite run's files go. Each run writes its JMH JSON, its context, REPORT.md and the
 * chart into a folder of its own: {@code --out DIR}, or by default
 * {@code bench/results/runs/DATE-MODE-BACKENDS/} (git-ignored), so that trying the benchmarks
 * never rewrites the tracked report. {@code --publish} also makes the run the tracked one: its
 * JSON and context are copied into {@code bench/results/} and REPORT.md and the chart are
 * rendered there.
 *
 * @param run       the run's own folder
 * @param published the tracked results folder with --publish, else null
 */
record Destination(Path run, Path published) {
    /** The folder of the run named {@code name} ("2026-11-28-2048-full-cpu-opencl0"), under {@code results} unless {@code out} is given. */
    static Destination of(Path results, Path out, boolean publish, String name) {
        return new Destination(out != null ? out : results.resolve("runs").resolve(name), publish ? results : null);
    }
}
