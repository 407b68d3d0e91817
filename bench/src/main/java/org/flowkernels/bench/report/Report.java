package org.flowkernels.bench.report;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.flowkernels.bench.Records;
import org.flowkernels.bench.Workload;
import org.flowkernels.bench.Workloads;

/**
 * Renders a suite run (JMH's JSON and the run's context) as REPORT.md and a PNG chart, and
 * the short table README.md shows.
 */
public final class Report {
    public static final String MARKDOWN = "REPORT.md";
    public static final String CHART = "throughput.png";
    static final String BEGIN = "<!-- bench:begin", END = "<!-- bench:end -->";

    private final RunContext ctx;
    private final List<Results.Row> rows;
    private final List<Results.Unmatched> unmatched = new ArrayList<>();

    public Report(RunContext ctx, JsonArray jmh) {
        this.ctx = ctx;
        this.rows = Results.rows(ctx, jmh, unmatched);
    }

    /** The report of the JMH JSON file {@code x.json} and its context {@code x.context.json}. */
    public static Report read(Path jmhJson) throws IOException {
        Path context = contextOf(jmhJson);
        if (!Files.exists(context))
            throw new IllegalArgumentException("results: expected the run's context " + context + " beside " + jmhJson
                    + " (bench/run writes both)");
        RunContext ctx = Records.gson().fromJson(Files.readString(context, StandardCharsets.UTF_8), RunContext.class);
        JsonArray jmh = JsonParser.parseString(Files.readString(jmhJson, StandardCharsets.UTF_8)).getAsJsonArray();
        return new Report(ctx, jmh);
    }

    public static Path contextOf(Path jmhJson) {
        String name = jmhJson.getFileName().toString().replaceFirst("\\.json$", "");
        return jmhJson.resolveSibling(name + ".context.json");
    }

    public List<Results.Row> rows() { return rows; }

    public List<Results.Unmatched> unmatched() { return unmatched; }

    /** Writes REPORT.md and the chart into {@code dir}; a chart that cannot be drawn (no fonts on a
     *  bare machine) is reported in REPORT.md and on stderr, and the Markdown is still written. */
    public Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        String chartLine;
        Files.deleteIfExists(dir.resolve(CHART));
        if (ModuleLayer.boot().findModule("java.desktop").isEmpty()) {
            // ci/gpu-check's carried JRE leaves AWT out; the run's files render anywhere else
            chartLine = "No chart: this JRE has no java.desktop module. Draw it on another machine with "
                    + "`bench/run --report " + ctx.results() + "` (the context file must sit beside it).\n";
            System.out.println("[bench] " + chartLine.trim());
        } else {
            try {
                Chart.render(rows, ctx.backends().stream().map(RunContext.BackendLine::name).toList(),
                        ctx.date().substring(0, 10) + ", " + ctx.mode(), dir.resolve(CHART));
                chartLine = rows.isEmpty() ? "" : "![throughput by backend, one panel per workload](" + CHART + ")\n";
            } catch (IOException | RuntimeException | LinkageError e) {
                // e.g. a headless machine without fonts: the tables matter more than the picture
                System.err.println("[bench] the chart could not be drawn: " + e);
                chartLine = "The chart could not be drawn on this machine: `" + e + "`.\n";
            }
        }
        Path md = dir.resolve(MARKDOWN);
        Files.writeString(md, markdown(chartLine), StandardCharsets.UTF_8);
        return md;
    }

    String markdown(String chartLine) {
        StringBuilder s = new StringBuilder();
        s.append("# flowkernels benchmark report\n\n");
        s.append("- **Date:** ").append(ctx.date().replace('T', ' ').replaceFirst(":\\d\\d(\\.\\d+)?Z$", " UTC")).append('\n');
        s.append("- **Machine:** ").append(machine()).append('\n');
        s.append("- **Run:** ").append(ctx.mode()).append(": ").append(ctx.settings()).append("; JMH ").append(ctx.jmh())
                .append("; ").append(ctx.java()).append("; JVM options `").append(ctx.jvmArgs()).append("`\n");
        if (ctx.load() != null && !ctx.load().isBlank())
            s.append("- **Load average (1 min):** ").append(ctx.load()).append(" on ").append(ctx.cores())
                    .append(" cores (above the core count means other work competed with the benchmarks)\n");
        if (ctx.note() != null && !ctx.note().isBlank()) s.append("- **Note:** ").append(ctx.note()).append('\n');
        s.append("- **Raw data:** `").append(ctx.results()).append("` (JMH), `")
                .append(contextOf(Path.of(ctx.results())).getFileName()).append("` (devices, batches, error figures)\n\n");

        s.append("## Backends\n\n| backend | device | type | status |\n|---|---|---|---|\n");
        for (RunContext.BackendLine b : ctx.backends())
            s.append("| ").append(b.name()).append(" | ").append(cell(b.device())).append(" | ").append(cell(b.type()))
                    .append(" | ").append(cell(b.status())).append(" |\n");

        s.append("\n## Results\n\n");
        s.append("Throughput is JMH's operations per second times the items one operation processes at that batch; ± is JMH's "
                + "99.9 % confidence half-width as a share of the score (– when there were too few iterations for one). "
                + "The timed region is the whole operation on data already on the device, ending with `synchronize()`; "
                + "host-device copies are the transfer rows. GFLOP/s counts the workload's FLOPs (Workloads.java: "
                + "the matrix products, a multiply-add as 2); *of peak* divides it by the backend's measured FMA peak "
                + "(peak-fma, below) and by the vendor's datasheet FP32 figure where the device is known.\n\n");
        s.append("| workload | backend | device | batch | precision | throughput | ± | vs cpu | GFLOP/s | of measured peak "
                + "| of datasheet peak |\n|---|---|---|---:|---|---:|---:|---:|---:|---:|---:|\n");
        for (Results.Row r : rows) {
            if (r.workload().id().equals("peak-fma")) continue;
            s.append("| ").append(r.workload().id()).append(" | ").append(r.backend()).append(" | ").append(cell(r.device()))
                    .append(" | ").append(Format.batch(r.batch())).append(" | ").append(r.precision()).append(" | ")
                    .append(Format.rate(r.throughput(), r.workload().item())).append(" | ")
                    .append(Format.plusMinus(r.error(), r.throughput())).append(" | ")
                    .append(r.backend().equals("cpu") ? "1×" : Format.ratio(r.vsCpu())).append(" | ")
                    .append(Format.gflops(r.gflops())).append(" | ").append(ofPeak(r)).append(" | ")
                    .append(Format.percent(r.ofDatasheetPeak())).append(" |\n");
        }
        if (rows.stream().anyMatch(r -> r.ofMeasuredPeak() > 1))
            s.append("\n(!) above the measured peak: that backend's peak-fma run was slowed by other work on the machine "
                    + "(see the load average), so its fractions are not to be trusted; rerun on a quiet machine.\n");

        s.append("\n### Peak arithmetic rate\n\n");
        s.append("*Measured*: the peak-fma benchmark, run in this same session: each item runs 8 independent chains of "
                + "fused multiply-adds (x ← a·x + b) for 4096 steps in registers with no memory traffic: the kernel "
                + "`peak_fma` (native-kernels/peak.cl) on OpenCL and CUDA (`peak_fma_lanes`, float16 lanes, on an OpenCL "
                + "CPU device), a Java loop on the CPU backend (Vector API lanes when the JVM has the module, plain loops "
                + "otherwise). The peak is its fastest iteration (other work on the machine only slows an iteration down); "
                + "the mean is shown beside it. *Datasheet*: the vendor's FP32 (non-tensor) figure at boost clock, for GPUs "
                + "listed in Datasheet.java; none for CPUs.\n\n");
        s.append("| backend | device | measured FMA peak (best iteration) | mean ± error | how | datasheet FP32 peak |\n"
                + "|---|---|---:|---:|---|---:|\n");
        for (Results.Row r : rows) {
            if (!r.workload().id().equals("peak-fma")) continue;
            s.append("| ").append(r.backend()).append(" | ").append(cell(r.device())).append(" | ")
                    .append(Format.gflops(r.peakGflops())).append(" GFLOP/s | ").append(Format.gflops(r.gflops()))
                    .append(" GFLOP/s ").append(Format.plusMinus(r.error(), r.throughput())).append(" | ")
                    .append(cell(r.notes())).append(" | ")
                    .append(r.datasheet().map(d -> Format.gflops(d.fp32Tflops() * 1e3) + " GFLOP/s (" + d.model() + ")")
                            .orElse("–")).append(" |\n");
        }
        for (RunContext.BackendLine b : ctx.backends()) {
            Optional<Datasheet.Entry> d = Datasheet.forDevice(b.device());
            if (d.isPresent() && rows.stream().noneMatch(r -> r.workload().id().equals("peak-fma") && r.backend().equals(b.name())))
                s.append("| ").append(b.name()).append(" | ").append(cell(b.device())).append(" | – | – | not measured | ")
                        .append(Format.gflops(d.get().fp32Tflops() * 1e3)).append(" GFLOP/s (").append(d.get().model()).append(") |\n");
        }

        List<Results.Row> withFigures = rows.stream().filter(r -> !r.figures().isEmpty() || !r.notes().isEmpty() || r.leaked() > 0)
                .filter(r -> !r.workload().id().equals("peak-fma") || !r.figures().isEmpty()).toList();
        if (!withFigures.isEmpty()) {
            s.append("\n### Error figures and notes\n\n");
            for (Results.Row r : withFigures) {
                List<String> parts = new ArrayList<>();
                for (Map.Entry<String, Double> f : r.figures().entrySet()) parts.add(f.getKey() + " = " + Format.number(f.getValue()));
                if (!r.notes().isEmpty()) parts.add(r.notes());
                if (r.leaked() > 0) parts.add("**" + r.leaked() + " device buffers not freed**");
                s.append("- ").append(r.workload().id()).append(" on ").append(r.backend()).append(", batch ")
                        .append(Format.batch(r.batch())).append(": ").append(String.join("; ", parts)).append('\n');
            }
        }

        s.append("\n### Workloads\n\n| workload | one operation | unit | batch CPU / GPU | FLOPs per item |\n|---|---|---|---|---:|\n");
        for (String id : ctx.workloads()) {
            Workload w = Workloads.byId(id).orElse(null);
            if (w == null) continue;
            s.append("| ").append(w.id()).append(" | ").append(cell(w.what())).append(" | ").append(w.unit()).append(" | ")
                    .append(Format.batch(w.cpuBatch())).append(" / ").append(Format.batch(w.gpuBatch())).append(" | ")
                    .append(Format.number(w.flopsPerItem())).append(" |\n");
        }

        List<String> missing = new ArrayList<>();
        for (String id : ctx.workloads())
            for (RunContext.BackendLine b : ctx.backends())
                if (b.measured() && rows.stream().noneMatch(r -> r.workload().id().equals(id) && r.backend().equals(b.name()))
                        && ctx.refused().stream().noneMatch(f -> f.workload().equals(id) && f.backend().equals(b.name())))
                    missing.add(id + " on " + b.name());
        if (!missing.isEmpty() || !ctx.refused().isEmpty() || !ctx.pending().isEmpty() || !ctx.skipped().isEmpty()
                || !unmatched.isEmpty() || !ctx.unregistered().isEmpty()) {
            s.append("\n### Not measured\n\n");
            if (!missing.isEmpty())
                s.append("- **No result (the benchmark failed; its error is in the run's log):** ").append(String.join(", ", missing)).append('\n');
            for (RunContext.Refusal f : ctx.refused()) s.append("- **").append(f.describe()).append("**\n");
            if (!ctx.skipped().isEmpty()) s.append("- **Skipped:** ").append(String.join("; ", ctx.skipped())).append('\n');
            if (!ctx.pending().isEmpty())
                s.append("- **Not benchmarked yet** (registry entries without a benchmark in this jar): ")
                        .append(String.join(", ", ctx.pending())).append('\n');
            if (!ctx.unregistered().isEmpty())
                s.append("- **Benchmarks without a registry entry** (not run): ").append(String.join(", ", ctx.unregistered())).append('\n');
            for (Results.Unmatched u : unmatched) s.append("- **Result not shown:** ").append(u.benchmark()).append(": ").append(u.why()).append('\n');
        }
        if (!chartLine.isEmpty()) s.append('\n').append(chartLine);
        return s.toString();
    }

    /** The block README.md's Performance section shows, between its bench markers. */
    public String readmeBlock(String reportLink) {
        StringBuilder s = new StringBuilder();
        s.append(BEGIN).append(" (written by bench/run --readme; edit outside the markers) -->\n");
        s.append("Latest run: ").append(ctx.date().substring(0, 10)).append(", ").append(ctx.mode()).append(" mode, on ")
                .append(machine());
        if (ctx.load() != null && !ctx.load().isBlank()) s.append(", load average ").append(ctx.load());
        if (ctx.note() != null && !ctx.note().isBlank()) s.append(". ").append(ctx.note().trim().replaceFirst("\\.$", ""));
        s.append(". Full report, with errors, peaks and the chart: [").append(reportLink).append("](").append(reportLink).append(").\n\n");
        s.append("| workload | backend | device | batch | throughput | vs cpu | GFLOP/s | of measured peak |\n"
                + "|---|---|---|---:|---:|---:|---:|---:|\n");
        for (Results.Row r : rows)
            s.append("| ").append(r.workload().id()).append(" | ").append(r.backend()).append(" | ").append(cell(r.device()))
                    .append(" | ").append(Format.batch(r.batch())).append(" | ").append(Format.rate(r.throughput(), r.workload().item()))
                    .append(" | ").append(r.backend().equals("cpu") ? "1×" : Format.ratio(r.vsCpu())).append(" | ")
                    .append(Format.gflops(r.workload().id().equals("peak-fma") ? r.peakGflops() : r.gflops())).append(" | ")
                    .append(r.workload().id().equals("peak-fma") ? "the peak (best iteration)" : ofPeak(r)).append(" |\n");
        if (rows.stream().anyMatch(r -> r.ofMeasuredPeak() > 1))
            s.append("\n(!) above the measured peak: that backend's peak-fma run was slowed by other work on the machine.\n");
        s.append(END);
        return s.toString();
    }

    /** Replaces the block between the bench markers of a README (which must have them). */
    public static void updateReadme(Path readme, String block) throws IOException {
        String text = Files.readString(readme, StandardCharsets.UTF_8);
        int b = text.indexOf(BEGIN), e = text.indexOf(END);
        if (b < 0 || e < b)
            throw new IllegalArgumentException("readme: expected the markers '" + BEGIN + " ... -->' and '" + END + "' in " + readme);
        Files.writeString(readme, text.substring(0, b) + block + text.substring(e + END.length()), StandardCharsets.UTF_8);
    }

    /** The fraction of the measured peak, marked when above 1 (a disturbed peak run). */
    private static String ofPeak(Results.Row r) {
        return Format.percent(r.ofMeasuredPeak()) + (r.ofMeasuredPeak() > 1 ? " (!)" : "");
    }

    /** "label: CPU, N cores, M GiB, OS", the label left out when none was given. */
    private String machine() {
        String hw = ctx.cpu() + ", " + ctx.cores() + " cores, " + Format.bytes(ctx.memoryBytes()) + ", " + ctx.os();
        return ctx.machine() == null || ctx.machine().isBlank() ? hw : ctx.machine() + " (" + hw + ")";
    }

    private static String cell(String text) {
        return text == null || text.isEmpty() ? "–" : text.replace("|", "\\|").replace("\n", " ");
    }

}
