package org.flowkernels.bench.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.flowkernels.bench.Records;
import org.flowkernels.bench.Workloads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report turns JMH scores into the workloads' units, peaks and ratios correctly. */
class ReportTest {
    static final String MLP = "org.flowkernels.bench.MlpForwardBench.forward", PEAK = "org.flowkernels.bench.peak.PeakFmaBench.fma";

    static Records.Run run(String bench, String backend, String workload, String device, String type, int batch) {
        return new Records.Run(bench, backend, "auto", workload, backend, device, type, "", batch, "float32",
                Map.of(), "", 0);
    }

    static String result(String bench, String backend, String score, String error) {
        return result(bench, backend, score, error, "[[" + score + "]]");
    }

    static String result(String bench, String backend, String score, String error, String rawData) {
        return "{\"benchmark\":\"" + bench + "\",\"mode\":\"thrpt\",\"params\":{\"backend\":\"" + backend
                + "\",\"batch\":\"auto\"},\"primaryMetric\":{\"score\":" + score + ",\"scoreError\":" + error
                + ",\"scoreUnit\":\"ops/s\",\"rawData\":" + rawData + "}}";
    }

    /** JMH output as it writes it (a NaN error is the string "NaN"), for a made-up machine with a GPU. */
    static Report report() {
        return report("100");
    }

    static Report report(String peakScore) {
        RunContext ctx = new RunContext("2026-01-02T03:04:05Z", "quick", "1 fork", "test box", "Some CPU", 2, 8L << 30,
                "Linux", "Java 17", "", "1.37", "0.5 at the start, 2.5 at the end", "made-up numbers", "x.json",
                List.of(new RunContext.BackendLine("cpu", "Some CPU", "CPU", "", "measured"),
                        new RunContext.BackendLine("opencl:0", "pthread-cpu", "CPU", "", "measured"),
                        new RunContext.BackendLine("cuda:0", "NVIDIA H200", "GPU", "", "measured"),
                        new RunContext.BackendLine("rocm", "", "", "", "not available: no such runtime")),
                List.of("peak-fma", "philox-normal", "mlp-w1"), List.of("W2-exact (CnfBench.exact)"),
                List.of("W4-ula (time budget of 10 s spent)"), List.of(),
                List.of(new RunContext.Refusal("philox-normal", "cuda:0", "no such kernels here")),
                List.of(run(PEAK, "cpu", "peak-fma", "Some CPU", "CPU", 8192),
                        run(MLP, "cpu", "mlp-w1", "Some CPU", "CPU", 16384),
                        run(MLP, "opencl:0", "mlp-w1", "pthread-cpu", "CPU", 16384),
                        run(MLP, "cuda:0", "mlp-w1", "NVIDIA H200", "GPU", 1 << 20)));
        JsonArray jmh = JsonParser.parseString("[" + String.join(",",
                result(PEAK, "cpu", peakScore, "10", "[[" + peakScore + "], [" + 1.2 * Double.parseDouble(peakScore) + "]]"),
                result(MLP, "cpu", "2", "0.5"),
                result(MLP, "opencl:0", "4", "\"NaN\""),
                result(MLP, "cuda:0", "100", "1")) + "]").getAsJsonArray();
        return new Report(ctx, jmh);
    }

    @Test
    void scoresBecomeWorkloadUnitsAndFractionsOfPeak() {
        List<Results.Row> rows = report().rows();
        assertEquals(List.of("peak-fma/cpu", "mlp-w1/cpu", "mlp-w1/opencl:0", "mlp-w1/cuda:0"),
                rows.stream().map(r -> r.workload().id() + "/" + r.backend()).toList());
        Results.Row peak = rows.get(0), cpu = rows.get(1), cl = rows.get(2), gpu = rows.get(3);
        // 100 ops/s x 8192 items x 2 * 8 * 4096 FLOP; the peak is the best iteration, 120 ops/s
        assertEquals(100.0 * 8192 * 65536 / 1e9, peak.gflops(), 1e-9);
        assertEquals(120.0 * 8192 * 65536 / 1e9, peak.peakGflops(), 1e-9);
        assertEquals(peak.peakGflops(), cpu.peakGflops(), 1e-12);
        assertEquals(2.0 * 16384, cpu.throughput(), 1e-9);
        assertEquals(0.5 * 16384, cpu.error(), 1e-9);
        assertEquals(2.0 * 16384 * Workloads.W1_CONDITIONER_FLOPS / 1e9, cpu.gflops(), 1e-9);
        assertEquals(cpu.gflops() / peak.peakGflops(), cpu.ofMeasuredPeak(), 1e-12);
        assertEquals(2.0, cl.vsCpu(), 1e-12);
        assertTrue(Double.isNaN(cl.error()));
        assertTrue(Double.isNaN(cl.ofMeasuredPeak()), "no peak was measured on opencl:0");
        assertEquals(100.0 * (1 << 20) * Workloads.W1_CONDITIONER_FLOPS / 67e12, gpu.ofDatasheetPeak(), 1e-12);
    }

    @Test
    void markdownShowsResultsReasonsAndWhatIsMissing(@TempDir Path dir) throws Exception {
        Path md = report().write(dir);
        String text = Files.readString(md, StandardCharsets.UTF_8);
        assertTrue(text.contains("| mlp-w1 | cpu | Some CPU | 16,384 | float32 | 32.8 k samples/s | ± 25 % | 1× | 5.91 | 9.2 % | – |"), text);
        assertTrue(text.contains("| mlp-w1 | opencl:0 | pthread-cpu | 16,384 | float32 | 65.5 k samples/s | – | 2.00× |"), text);
        assertTrue(text.contains("| mlp-w1 | cuda:0 | NVIDIA H200 | 1,048,576 | float32 | 105 M samples/s | ± 1.0 % | 3200× | 18898 | – | 28 % |"), text);
        assertTrue(text.contains("| cpu | Some CPU | 64.4 GFLOP/s | 53.7 GFLOP/s ± 10 % |"), text);
        assertTrue(text.contains("| cuda:0 | NVIDIA H200 | – | – | not measured | 67000 GFLOP/s (NVIDIA H200 SXM) |"), text);
        assertTrue(text.contains("| rocm | – | – | not available: no such runtime |"), text);
        assertTrue(text.contains("failed; its error is in the run's log):** peak-fma on opencl:0, peak-fma on cuda:0, "
                + "philox-normal on cpu, philox-normal on opencl:0\n"), text);
        // a refused backend is listed with the library's message, not as a failure
        assertTrue(text.contains("- **cuda:0: not available for philox-normal: no such kernels here**\n"), text);
        assertTrue(text.contains("W2-exact (CnfBench.exact)") && text.contains("W4-ula (time budget of 10 s spent)"), text);
        assertTrue(text.contains("made-up numbers") && text.contains("0.5 at the start, 2.5 at the end on 2 cores"), text);
        if (ModuleLayer.boot().findModule("java.desktop").isPresent()) {
            byte[] png = Files.readAllBytes(dir.resolve(Report.CHART));
            assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4), "the chart is a PNG");
            assertTrue(text.contains("](throughput.png)"), text);
        } else {
            // ci/gpu-check's JRE: no AWT, and the report says how to draw the chart elsewhere
            assertTrue(text.contains("No chart: this JRE has no java.desktop module") && !Files.exists(dir.resolve(Report.CHART)), text);
        }
    }

    @Test
    void aFractionAboveTheMeasuredPeakIsFlagged(@TempDir Path dir) throws Exception {
        // a peak run slowed by other work: at best 1.2 op/s, 0.64 GFLOP/s, below the MLP's 5.91
        String text = Files.readString(report("1").write(dir), StandardCharsets.UTF_8);
        assertTrue(text.contains("| 5.91 | 917 % (!) |") && text.contains("(!) above the measured peak"), text);
        assertTrue(!report().markdown("").contains("(!)"), "no flag when the peak is above every workload");
    }

    @Test
    void readmeBlockIsReplacedBetweenTheMarkers(@TempDir Path dir) throws Exception {
        Path readme = dir.resolve("README.md");
        Files.writeString(readme, "# x\n\n## Performance\n\n" + Report.BEGIN + " -->\nold table\n" + Report.END + "\n\nafter\n");
        Report r = report();
        Report.updateReadme(readme, r.readmeBlock("bench/results/REPORT.md"));
        String text = Files.readString(readme);
        assertTrue(!text.contains("old table") && text.contains("| mlp-w1 | cuda:0 | NVIDIA H200 | 1,048,576 | 105 M samples/s | 3200× |")
                && text.endsWith("\n\nafter\n") && text.contains("[bench/results/REPORT.md](bench/results/REPORT.md)"), text);
        Files.writeString(readme, "no markers");
        var e = assertThrows(IllegalArgumentException.class, () -> Report.updateReadme(readme, "x"));
        assertTrue(e.getMessage().startsWith("readme: expected the markers"), e.getMessage());
    }

    @Test
    void numbersArePrintedWithSiPrefixes() {
        assertEquals("5.40 GB/s", Format.rate(5.4e9, "B"));
        assertEquals("1.10 TFLOP/s", Format.rate(1.1e12, "FLOP"));
        assertEquals("123 M samples/s", Format.rate(1.234e8, "samples"));
        assertEquals("7.00 chain-steps/s", Format.rate(7, "chain-steps"));
        assertEquals("–", Format.rate(Double.NaN, "samples"));
        assertEquals("± 2.0 %", Format.plusMinus(2, 100));
    }
}
