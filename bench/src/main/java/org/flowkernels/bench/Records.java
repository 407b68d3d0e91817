package org.flowkernels.bench;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What each benchmark trial ran on, beside JMH's timing: the forked JVM that ran the trial
 * appends one JSON line to the file named by the system property {@value #PROPERTY} (the
 * suite sets it), and prints it, so a run by hand shows it too.
 */
public final class Records {
    public static final String PROPERTY = "flowkernels.bench.records";
    private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();

    private Records() {}

    /**
     * One trial.
     *
     * @param benchmark    the JMH benchmark name (fully qualified method)
     * @param backendParam the JMH parameter values as given
     * @param batchParam   likewise
     * @param figures      the workload's error figures, by name
     * @param notes        how it ran, where that matters to the figure (the code path taken)
     * @param leaked       device buffers still allocated after the benchmark released its own
     */
    public record Run(String benchmark, String backendParam, String batchParam, String workload, String backend,
                      String device, String deviceType, String deviceDetails, int batch, String precision,
                      Map<String, Double> figures, String notes, long leaked) {
        /** Whether this record belongs to the JMH result with these parameters. */
        public boolean matches(String benchmarkName, String backendValue, String batchValue) {
            return benchmark.equals(benchmarkName) && backendParam.equals(backendValue) && batchParam.equals(batchValue);
        }
    }

    static void write(Run run) {
        String json = GSON.toJson(run);
        System.out.println("[bench] " + run.workload() + " on " + run.backend() + " (" + run.device() + "), batch "
                + run.batch() + ", " + run.precision() + (run.figures().isEmpty() ? "" : ", " + run.figures())
                + (run.notes().isEmpty() ? "" : "; " + run.notes())
                + (run.leaked() > 0 ? ", WARNING: " + run.leaked() + " device buffers not freed" : ""));
        String path = System.getProperty(PROPERTY);
        if (path == null || path.isBlank()) return;
        try {
            Files.writeString(Path.of(path), json + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new IllegalStateException("writing the benchmark record to " + path + ": " + e.getMessage(), e);
        }
    }

    /** The records of a file written by {@link #write}; none if it does not exist. */
    public static List<Run> read(Path path) throws IOException {
        List<Run> out = new ArrayList<>();
        if (!Files.exists(path)) return out;
        for (String line : Files.readAllLines(path, StandardCharsets.UTF_8))
            if (!line.isBlank()) out.add(GSON.fromJson(line, Run.class));
        return out;
    }

    public static Gson gson() { return GSON; }
}
