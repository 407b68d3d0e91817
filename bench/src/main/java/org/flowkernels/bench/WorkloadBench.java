package org.flowkernels.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import org.flowkernels.Backend;
import org.flowkernels.Backends;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * The base of every workload benchmark: it holds the two JMH parameters, opens the backend,
 * resolves the batch from the workload's registry entry, and at the end of the trial writes
 * what ran (device, batch, precision, the workload's error figures) for the report.
 *
 * <p>A subclass allocates its inputs on {@link #backend()} for {@link #batch()} items in
 * {@link #prepare()}, measures the whole operation in a {@code @Benchmark} method that ends
 * with {@code backend().synchronize()}, computes its error figures with {@link #figure} in
 * {@link #finish()}, and frees everything in {@link #release()}.
 */
@State(Scope.Benchmark)
public abstract class WorkloadBench {
    /** The backend's name ("cpu", "opencl:0", "cuda:0"); bench/run passes every available one. */
    @Param("cpu")
    public String backend;

    /** "auto" (the workload's GPU batch on a GPU, its CPU batch elsewhere), "cpu", "gpu" or a number. */
    @Param("auto")
    public String batch;

    private Backend on;
    private Workload workload;
    private int n;
    private String benchmarkName;
    private final Map<String, Double> figures = new LinkedHashMap<>();
    private String notes = "";

    @Setup(Level.Trial)
    public final void openTrial(BenchmarkParams params) {
        benchmarkName = params.getBenchmark();
        workload = Workloads.byBenchmark(benchmarkName).orElseThrow(() -> new IllegalStateException(
                "benchmark " + benchmarkName + " has no entry in Workloads.ALL: add one (bench/README.md)"));
        on = Backends.get(backend);
        n = workload.batchFor(on, batch);
        prepare();
        on.synchronize();
    }

    @TearDown(Level.Trial)
    public final void closeTrial() {
        try {
            finish();
        } finally {
            release();
        }
        Records.write(new Records.Run(benchmarkName, backend, batch, workload.id(), on.name(), on.device().name(),
                on.device().type().name(), on.device().details(), n, workload.precision(), figures, notes, on.liveAllocations()));
    }

    /** The backend this trial runs on. */
    protected final Backend backend() { return on; }

    /** The resolved batch. */
    protected final int batch() { return n; }

    protected final Workload workload() { return workload; }

    /** Records one of the workload's error figures (energy error, Δlogp error, acceptance...). */
    protected final void figure(String name, double value) {
        figures.put(name, value);
    }

    /** Says how the trial ran where that matters to the figure (e.g. "cuBLAS for the GEMMs"). */
    protected final void note(String text) {
        notes = notes.isEmpty() ? text : notes + "; " + text;
    }

    /** Allocates the inputs on backend() for batch() items; runs once per trial, untimed. */
    protected abstract void prepare();

    /** Computes the error figures from the last operation's output; untimed. */
    protected void finish() {}

    /** Frees what prepare() allocated. */
    protected abstract void release();
}
