package org.flowkernels.bench.report;

import java.util.List;
import org.flowkernels.bench.Records;

/**
 * What a suite run knew besides JMH's timings: when and where it ran, with which settings,
 * which backends it measured and why it left others out, which workloads it could not run,
 * and each trial's record. Written beside JMH's JSON as {@code <name>.context.json}.
 *
 * @param date         UTC, ISO-8601
 * @param mode         "quick" or "full" (or "custom")
 * @param settings     forks, warm-up and measurement iterations, in words
 * @param machine      a label for the machine, given with --machine (may be empty)
 * @param load         the machine's load average at the start and the end of the run (other work competing)
 * @param note         anything the person running it wanted on the report (e.g. "shared machine")
 * @param results      the JMH JSON file's name
 * @param backends     every backend of the machine, measured or not
 * @param workloads    the workloads the run set out to measure
 * @param pending      registry entries whose benchmark is not in this jar
 * @param skipped      workloads left out, with the reason (e.g. the time budget)
 * @param unregistered benchmarks in the jar with no registry entry
 * @param refused      measured backends a workload was not run on, because the library refuses it there
 *                     (empty in the files of runs before the field existed)
 */
public record RunContext(String date, String mode, String settings, String machine, String cpu, int cores,
                         long memoryBytes, String os, String java, String jvmArgs, String jmh, String load, String note,
                         String results, List<BackendLine> backends, List<String> workloads, List<String> pending, List<String> skipped,
                         List<String> unregistered, List<Refusal> refused, List<Records.Run> runs) {
    public RunContext {
        if (refused == null) refused = List.of();
    }

    /** A workload the library cannot run on a backend, with its message. */
    public record Refusal(String workload, String backend, String reason) {
        public String describe() { return backend + ": not available for " + workload + ": " + reason; }
    }

    /**
     * @param status "measured", "not requested", or "not available: why"
     */
    public record BackendLine(String name, String device, String type, String details, String status) {
        public boolean measured() { return status.equals("measured"); }
    }
}
