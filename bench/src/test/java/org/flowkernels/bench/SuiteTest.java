package org.flowkernels.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.flowkernels.bench.report.Report;
import org.flowkernels.bench.report.RunContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where bench/run writes: a run's own git-ignored folder by default, the tracked
 * bench/results/ only with --publish. Checked on the path choice and end to end through
 * {@code --report} (which renders a run's files without running JMH), with a made-up results
 * folder in place of bench/results/.
 */
class SuiteTest {
    static final String NAME = "2026-01-02-0304-quick-cpu", MLP = "org.flowkernels.bench.MlpForwardBench.forward";

    @TempDir
    Path tmp;

    @Test
    void aRunGetsItsOwnFolderAndPublishesOnlyWhenAsked() {
        Path results = Path.of("bench", "results");
        Destination d = Destination.of(results, null, false, NAME);
        assertEquals(Path.of("bench", "results", "runs", NAME), d.run());
        assertNull(d.published());
        d = Destination.of(results, null, true, NAME);
        assertEquals(Path.of("bench", "results", "runs", NAME), d.run());
        assertEquals(results, d.published());
        assertEquals(Path.of("elsewhere"), Destination.of(results, Path.of("elsewhere"), false, NAME).run());
    }

    /** A run's files as bench/run leaves them: JMH's JSON (one MLP result on the CPU backend) and the context. */
    Path madeUpRun(Path dir) throws Exception {
        Files.createDirectories(dir);
        RunContext ctx = new RunContext("2026-01-02T03:04:05Z", "quick", "1 fork", "test box", "Some CPU", 2, 8L << 30, "Linux",
                "Java 17", "", "1.37", "", "", NAME + ".json",
                List.of(new RunContext.BackendLine("cpu", "Some CPU", "CPU", "", "measured")), List.of("mlp-w1"), List.of(),
                List.of(), List.of(), List.of(), List.of(new Records.Run(MLP, "cpu", "auto", "mlp-w1", "cpu", "Some CPU", "CPU", "", 16384,
                        "float32", Map.of(), "", 0)));
        Path json = dir.resolve(NAME + ".json");
        Files.writeString(json, "[{\"benchmark\":\"" + MLP + "\",\"mode\":\"thrpt\",\"params\":{\"backend\":\"cpu\",\"batch\":\"auto\"},"
                + "\"primaryMetric\":{\"score\":2,\"scoreError\":0.5,\"scoreUnit\":\"ops/s\",\"rawData\":[[2]]}}]", StandardCharsets.UTF_8);
        Files.writeString(Report.contextOf(json), Records.gson().toJson(ctx), StandardCharsets.UTF_8);
        return json;
    }

    @Test
    void theTrackedReportChangesOnlyWithPublish() throws Exception {
        Path results = Files.createDirectories(tmp.resolve("results")), tracked = results.resolve(Report.MARKDOWN);
        Files.writeString(tracked, "the tracked report\n");
        Path json = madeUpRun(tmp.resolve("elsewhere"));

        assertEquals(0, Suite.run(new String[] {"--report", json.toString()}, results));
        Path run = results.resolve("runs").resolve(NAME);
        assertTrue(Files.readString(run.resolve(Report.MARKDOWN)).contains("| mlp-w1 | cpu | Some CPU |"), "the run's own report");
        assertTrue(Files.exists(run.resolve(NAME + ".json")) && Files.exists(run.resolve(NAME + ".context.json")),
                "the run's folder holds its raw data");
        assertEquals("the tracked report\n", Files.readString(tracked));
        assertFalse(Files.exists(results.resolve(NAME + ".json")));

        // the readme's table links to the tracked report, so it needs --publish
        Path readme = tmp.resolve("README.md");
        Files.writeString(readme, "<!-- bench:begin -->\nold\n<!-- bench:end -->\n");
        assertEquals(2, Suite.run(new String[] {"--report", json.toString(), "--readme", readme.toString()}, results));

        assertEquals(0, Suite.run(new String[] {"--report", json.toString(), "--publish", "--readme", readme.toString()}, results));
        assertTrue(Files.readString(tracked).contains("| mlp-w1 | cpu | Some CPU |"), "published");
        assertTrue(Files.exists(results.resolve(NAME + ".json")) && Files.exists(results.resolve(NAME + ".context.json")),
                "the published report's raw data beside it");
        assertTrue(Files.readString(readme).contains("(results/REPORT.md)"), Files.readString(readme));

        // --out still puts everything in the folder named, as ci/gpu-check asks
        Path out = tmp.resolve("out");
        assertEquals(0, Suite.run(new String[] {"--report", json.toString(), "--out", out.toString()}, results));
        assertTrue(Files.exists(out.resolve(Report.MARKDOWN)) && Files.exists(out.resolve(NAME + ".json")));
    }
}
