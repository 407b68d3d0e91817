package org.flowkernels.bench.report;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.flowkernels.bench.Records;
import org.flowkernels.bench.Workload;
import org.flowkernels.bench.Workloads;

/**
 * JMH's results turned into the workloads' units: each JMH score (operations per second)
 * times the items one operation processes at the batch that ran, and from there GFLOP/s and
 * the fractions of the measured and the datasheet peak.
 */
public final class Results {
    private Results() {}

    /**
     * One measured workload on one backend.
     *
     * @param throughput items per second (the workload's unit)
     * @param error      JMH's 99.9 % confidence half-width, in the same unit (NaN with too few iterations)
     * @param best       the fastest measured iteration, in the same unit (a peak is the best the
     *                   device did: other work on the machine only ever slows an iteration down)
     * @param gflops     achieved GFLOP/s, NaN where the workload's FLOPs are not counted
     * @param peakGflops the backend's measured FMA peak in this run, NaN if not measured
     * @param datasheet  the vendor figure for the device, if known
     * @param vsCpu      throughput over the cpu backend's for the same workload, NaN without one
     */
    public record Row(Workload workload, String backend, String device, String deviceType, int batch, String precision,
                      double throughput, double error, double best, double gflops, double peakGflops,
                      Optional<Datasheet.Entry> datasheet, double vsCpu, Map<String, Double> figures, String notes,
                      long leaked) {
        public double ofMeasuredPeak() { return gflops / peakGflops; }

        public double ofDatasheetPeak() {
            return datasheet.map(d -> gflops / (d.fp32Tflops() * 1e3)).orElse(Double.NaN);
        }
    }

    /** A JMH result with no registry entry, or whose score is not in operations per second. */
    public record Unmatched(String benchmark, String why) {}

    /** The highest iteration score in JMH's raw data (every fork), or the score where there is none. */
    private static double bestIteration(JsonObject metric) {
        double best = Double.NaN;
        if (metric.has("rawData"))
            for (JsonElement fork : metric.getAsJsonArray("rawData"))
                for (JsonElement it : fork.getAsJsonArray()) best = Double.isNaN(best) ? it.getAsDouble() : Math.max(best, it.getAsDouble());
        return Double.isNaN(best) ? metric.get("score").getAsDouble() : best;
    }

    public static List<Row> rows(RunContext ctx, JsonArray jmh, List<Unmatched> unmatched) {
        List<Row> raw = new ArrayList<>();
        for (JsonElement e : jmh) {
            JsonObject r = e.getAsJsonObject();
            String name = r.get("benchmark").getAsString();
            Optional<Workload> w = Workloads.byBenchmark(name);
            if (w.isEmpty()) {
                unmatched.add(new Unmatched(name, "no entry in Workloads.ALL"));
                continue;
            }
            JsonObject metric = r.getAsJsonObject("primaryMetric");
            String unit = metric.get("scoreUnit").getAsString();
            if (!unit.equals("ops/s")) {
                unmatched.add(new Unmatched(name, "score in " + unit + ", expected ops/s (JMH's throughput mode)"));
                continue;
            }
            JsonObject params = r.has("params") ? r.getAsJsonObject("params") : new JsonObject();
            String backendParam = params.has("backend") ? params.get("backend").getAsString() : "cpu";
            String batchParam = params.has("batch") ? params.get("batch").getAsString() : "auto";
            Optional<Records.Run> run = ctx.runs().stream().filter(x -> x.matches(name, backendParam, batchParam))
                    .reduce((first, last) -> last);
            String backend = run.map(Records.Run::backend).orElse(backendParam);
            Optional<RunContext.BackendLine> line = ctx.backends().stream().filter(b -> b.name().equals(backend)).findFirst();
            String device = run.map(Records.Run::device).or(() -> line.map(RunContext.BackendLine::device)).orElse("?");
            String type = run.map(Records.Run::deviceType).or(() -> line.map(RunContext.BackendLine::type)).orElse("?");
            int batch;
            if (run.isPresent()) batch = run.get().batch();
            else if (batchParam.matches("\\d+")) batch = Integer.parseInt(batchParam);
            else {
                unmatched.add(new Unmatched(name + " on " + backend, "no trial record, so the batch '" + batchParam + "' is unknown"));
                continue;
            }
            Workload wl = w.get();
            double items = wl.items(batch);
            double score = metric.get("score").getAsDouble(), err = metric.get("scoreError").getAsDouble();
            double throughput = score * items;
            raw.add(new Row(wl, backend, device, type, batch, wl.precision(), throughput, err * items, bestIteration(metric) * items,
                    throughput * wl.flopsPerItem() / 1e9, Double.NaN, Datasheet.forDevice(device), Double.NaN,
                    run.map(Records.Run::figures).orElse(Map.of()), run.map(Records.Run::notes).orElse(""),
                    run.map(Records.Run::leaked).orElse(0L)));
        }
        List<Row> out = new ArrayList<>();
        for (Row r : raw) {
            double peak = raw.stream().filter(p -> p.workload().id().equals("peak-fma") && p.backend().equals(r.backend()))
                    .mapToDouble(p -> p.best() * p.workload().flopsPerItem() / 1e9).findFirst().orElse(Double.NaN);
            double cpu = raw.stream().filter(p -> p.workload() == r.workload() && p.backend().equals("cpu"))
                    .mapToDouble(Row::throughput).findFirst().orElse(Double.NaN);
            out.add(new Row(r.workload(), r.backend(), r.device(), r.deviceType(), r.batch(), r.precision(), r.throughput(),
                    r.error(), r.best(), r.gflops(), peak, r.datasheet(), r.throughput() / cpu, r.figures(), r.notes(), r.leaked()));
        }
        List<String> order = ctx.backends().stream().map(RunContext.BackendLine::name).toList();
        out.sort(Comparator.comparingInt((Row r) -> Workloads.ALL.indexOf(r.workload()))
                .thenComparingInt(r -> order.contains(r.backend()) ? order.indexOf(r.backend()) : Integer.MAX_VALUE)
                .thenComparingInt(Row::batch));
        return out;
    }
}
