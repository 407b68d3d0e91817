package org.flowkernels.bench;

import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.LongUnaryOperator;
import org.flowkernels.Backend;

/**
 * One entry of the benchmark registry ({@link Workloads}): a workload of shared/WORKLOADS.md,
 * or a supporting measurement (the FMA peak, host-device transfer). It says what the
 * throughput counts and how much of it one timed operation does, so that the report can turn
 * JMH's operations per second into the workload's unit and into GFLOP/s.
 *
 * @param id           the name in WORKLOADS.md and in the report, e.g. "W1-sample"
 * @param benchmark    the JMH method that measures it, "Class.method", the class in package
 *                     org.flowkernels.bench (or "sub.Class.method" for a sub-package)
 * @param what         one line: what one timed operation computes
 * @param item         what the throughput counts: "samples", "particle-steps", "chain-steps", "B"
 * @param itemsPerOp   items one operation processes, as a function of the batch
 * @param flopsPerItem floating-point operations per item (a multiply-add counts 2), NaN where
 *                     they are not counted
 * @param cpuBatch     the batch on a CPU-type device (the Java backend, OpenCL on PoCL)
 * @param gpuBatch     the batch on a GPU
 * @param precision    storage and arithmetic precision
 * @param refusal      why the backend of this name cannot run it (the library's own message), empty
 *                     where it can; the suite lists such a backend as not available for the
 *                     workload and runs the others
 */
public record Workload(String id, String benchmark, String what, String item, LongUnaryOperator itemsPerOp,
                       double flopsPerItem, int cpuBatch, int gpuBatch, String precision,
                       Function<String, Optional<String>> refusal) {

    /** A float32 workload counting one item per batch element, FLOPs unknown, on every backend; refine with the withers. */
    public static Workload of(String id, String benchmark, String what) {
        return new Workload(id, benchmark, what, "items", b -> b, Double.NaN, 1, 1, "float32", b -> Optional.empty());
    }

    public Workload counting(String item, LongUnaryOperator itemsPerOp) {
        return new Workload(id, benchmark, what, item, itemsPerOp, flopsPerItem, cpuBatch, gpuBatch, precision, refusal);
    }

    public Workload flopsPerItem(double flops) {
        return new Workload(id, benchmark, what, item, itemsPerOp, flops, cpuBatch, gpuBatch, precision, refusal);
    }

    public Workload batches(int cpu, int gpu) {
        return new Workload(id, benchmark, what, item, itemsPerOp, flopsPerItem, cpu, gpu, precision, refusal);
    }

    public Workload inPrecision(String p) {
        return new Workload(id, benchmark, what, item, itemsPerOp, flopsPerItem, cpuBatch, gpuBatch, p, refusal);
    }

    public Workload refusedBy(Function<String, Optional<String>> why) {
        return new Workload(id, benchmark, what, item, itemsPerOp, flopsPerItem, cpuBatch, gpuBatch, precision, why);
    }

    /** The throughput unit, e.g. "samples/s". */
    public String unit() {
        return item + "/s";
    }

    public long items(int batch) {
        return itemsPerOp.applyAsLong(batch);
    }

    /** The fully qualified JMH benchmark name. */
    public String benchmarkName() {
        return Workloads.PACKAGE + "." + benchmark;
    }

    /**
     * The batch a run uses: {@code auto} is the GPU batch on a GPU and the CPU batch elsewhere;
     * {@code cpu} and {@code gpu} pick one of them; a number is taken as it is.
     */
    public int batchFor(Backend backend, String batch) {
        String b = batch == null ? "auto" : batch.trim().toLowerCase(Locale.ROOT);
        switch (b) {
            case "auto": return backend.isGpu() ? gpuBatch : cpuBatch;
            case "cpu": return cpuBatch;
            case "gpu": return gpuBatch;
            default:
                try {
                    int n = Integer.parseInt(b);
                    if (n > 0) return n;
                } catch (NumberFormatException e) {
                    // fall through to the message
                }
                throw new IllegalArgumentException("batch: expected auto, cpu, gpu or a positive integer, got '" + batch + "'");
        }
    }
}
