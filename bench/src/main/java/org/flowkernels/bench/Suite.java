package org.flowkernels.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.flowkernels.BackendStatus;
import org.flowkernels.Backends;
import org.flowkernels.bench.report.Report;
import org.flowkernels.bench.report.RunContext;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * What bench/run runs: picks the backends (every available one unless named), runs each
 * registered workload's benchmark on them through JMH, writes JMH's JSON and the run's context
 * into the run's folder ({@link Destination}), and renders REPORT.md and the chart there (and,
 * with --publish, in bench/results/ too). {@code --help} lists the options.
 */
public final class Suite {
    /** Forks, warm-up and measurement of a mode. */
    record Settings(String mode, int forks, int warmups, int warmupSeconds, int iterations, int iterationSeconds) {
        String describe() {
            return forks + (forks == 1 ? " fork, " : " forks, ") + warmups + " × " + warmupSeconds + " s warm-up, "
                    + iterations + " × " + iterationSeconds + " s measurement per benchmark and backend";
        }
    }

    static final Settings QUICK = new Settings("quick", 1, 1, 1, 5, 1);
    static final Settings FULL = new Settings("full", 2, 3, 2, 5, 2);

    private static final String USAGE = """
            usage: bench/run [--quick | --full] [options] [backend ...]
                   bench/run --report RESULTS.json [--out DIR] [--publish [--readme README.md]]
                   bench/run --list
              backend ...      cpu, opencl, opencl:N, cuda, cuda:N (default: every available one)
              --quick          1 fork, 1 x 1 s warm-up, 5 x 1 s measurement (the default)
              --full           2 forks, 3 x 2 s warm-up, 5 x 2 s measurement
              --only ID,...    only these workloads (ids as in --list)
              --batch B,...    auto (default: the GPU batch on a GPU, else the CPU batch), cpu, gpu or a number
              --out DIR        where JSON, REPORT.md and the chart go (default: a folder of the run's own,
                               bench/results/runs/DATE-MODE-BACKENDS/, git-ignored)
              --publish        also make this the tracked report: copy the JSON and context into
                               bench/results/ and write bench/results/REPORT.md and throughput.png
              --deadline S     start no workload after S seconds (what is left is listed as skipped)
              --machine TEXT   a label for the machine in the report (its CPU, cores and memory are added)
              --note TEXT      a line for the report (e.g. "shared machine, other builds running")
              --readme FILE    also rewrite the table between the bench markers of FILE (with --publish:
                               the table links to the published report)
              --report JSON    render REPORT.md and the chart from an earlier run's JSON (and its context)
              --list           list the workloads and backends, run nothing
            """;

    private Suite() {}

    public static void main(String[] args) throws Exception {
        try {
            System.exit(run(args));
        } catch (IllegalArgumentException e) {
            System.err.println("bench/run: " + e.getMessage());
            System.exit(2);
        }
    }

    static int run(String[] args) throws IOException, RunnerException {
        return run(args, Path.of("bench", "results"));
    }

    /** The suite with {@code tracked} as the tracked results folder (bench/results from the checkout's root). */
    static int run(String[] args, Path tracked) throws IOException, RunnerException {
        Settings settings = QUICK;
        List<String> backends = new ArrayList<>(), only = new ArrayList<>(), batches = new ArrayList<>();
        Path out = null, readme = null, report = null;
        String machine = "", note = "";
        long deadline = Long.MAX_VALUE;
        boolean list = false, publish = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--quick" -> settings = QUICK;
                case "--full" -> settings = FULL;
                case "--only" -> only.addAll(Arrays.asList(value(args, ++i, a).split(",")));
                case "--batch" -> batches.addAll(Arrays.asList(value(args, ++i, a).split(",")));
                case "--out" -> out = Path.of(value(args, ++i, a));
                case "--deadline" -> deadline = seconds(value(args, ++i, a));
                case "--machine" -> machine = value(args, ++i, a);
                case "--note" -> note = value(args, ++i, a);
                case "--readme" -> readme = Path.of(value(args, ++i, a));
                case "--report" -> report = Path.of(value(args, ++i, a));
                case "--publish" -> publish = true;
                case "--list" -> list = true;
                case "-h", "--help" -> {
                    System.out.print(USAGE);
                    return 0;
                }
                default -> {
                    if (a.startsWith("-")) {
                        System.err.print("bench/run: unknown option " + a + "\n" + USAGE);
                        return 2;
                    }
                    backends.add(a.toLowerCase(Locale.ROOT));
                }
            }
        }
        if (readme != null && !publish) {
            System.err.println("bench/run: --readme: the README links to the tracked report, so add --publish (it writes "
                    + tracked.resolve(Report.MARKDOWN) + ")");
            return 2;
        }
        if (report != null) {
            Report r = Report.read(report);
            finish(r, report, Destination.of(tracked, out, publish, report.getFileName().toString().replaceFirst("\\.json$", "")),
                    readme);
            return 0;
        }
        for (String id : only)
            if (Workloads.byId(id).isEmpty()) {
                System.err.println("bench/run: --only: unknown workload '" + id + "'; known: " + ids(Workloads.ALL));
                return 2;
            }

        List<BackendStatus> statuses = Backends.available();
        List<RunContext.BackendLine> lines = new ArrayList<>();
        List<String> chosen = new ArrayList<>();
        for (String b : backends) {
            List<BackendStatus> match = statuses.stream().filter(s -> matches(b, s.name())).toList();
            if (match.isEmpty()) {
                System.err.println("bench/run: no backend '" + b + "' on this machine; there are: "
                        + String.join(", ", statuses.stream().map(BackendStatus::name).toList()));
                return 2;
            }
            if (match.stream().noneMatch(BackendStatus::available)) {
                System.err.println("bench/run: backend " + b + " was asked for but is not available: " + match.get(0).reason());
                return 2;
            }
        }
        for (BackendStatus s : statuses) {
            boolean asked = backends.isEmpty() || backends.stream().anyMatch(b -> matches(b, s.name()));
            String status = !s.available() ? "not available: " + s.reason() : asked ? "measured" : "not requested";
            var d = s.device();
            lines.add(new RunContext.BackendLine(s.name(), d == null ? "" : d.name(), d == null ? "" : d.type().name(),
                    d == null ? "" : d.details(), status));
            System.out.println("[bench] backend " + s.name() + ": " + (d == null ? "" : d.name() + ": ") + status);
            if (s.available() && asked) chosen.add(s.name());
        }

        Set<String> inJar = benchmarksInJar();
        List<Workload> todo = new ArrayList<>();
        List<String> pending = new ArrayList<>();
        for (Workload w : Workloads.ALL) {
            if (!only.isEmpty() && only.stream().noneMatch(id -> id.equalsIgnoreCase(w.id()))) continue;
            if (inJar.contains(w.benchmarkName())) todo.add(w);
            else pending.add(w.id() + " (" + w.benchmark() + ")");
        }
        List<String> unregistered = inJar.stream().filter(b -> Workloads.byBenchmark(b).isEmpty()).toList();
        for (String p : pending) System.out.println("[bench] not benchmarked yet: " + p);
        for (String u : unregistered)
            System.out.println("[bench] WARNING: benchmark " + u + " has no entry in Workloads.ALL and is not run");
        if (list) {
            for (Workload w : Workloads.ALL)
                System.out.printf("%-14s %-9s %-16s batch %,d / %,d  %s%n", w.id(), inJar.contains(w.benchmarkName()) ? "ready" : "pending",
                        w.unit(), w.cpuBatch(), w.gpuBatch(), w.what());
            return 0;
        }

        Instant start = Instant.now();
        String loadAtStart = loadAverage();
        String stamp = DateTimeFormatter.ofPattern("yyyy-MM-dd-HHmm").withZone(ZoneOffset.UTC).format(start);
        String name = stamp + "-" + settings.mode() + "-" + String.join("-", chosen).replace(":", "");
        Destination to = Destination.of(tracked, out, publish, name);
        Files.createDirectories(to.run());
        Path records = to.run().resolve(name + ".records.tmp").toAbsolutePath();
        Files.deleteIfExists(records);
        String batch = batches.isEmpty() ? "auto" : String.join(",", batches);

        List<RunResult> results = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        List<RunContext.Refusal> refused = new ArrayList<>();
        long expected = 0;
        for (int i = 0; i < todo.size(); i++) {
            Workload w = todo.get(i);
            long elapsed = start.until(Instant.now(), ChronoUnit.SECONDS);
            if (elapsed > deadline) {
                skipped.add(w.id() + " (time budget of " + deadline + " s spent)");
                continue;
            }
            if (chosen.isEmpty()) break;
            List<String> on = new ArrayList<>();
            for (String b : chosen) {
                Optional<String> why = w.refusal().apply(b);
                if (why.isEmpty()) on.add(b);
                else {
                    RunContext.Refusal f = new RunContext.Refusal(w.id(), b, why.get());
                    refused.add(f);
                    System.out.println("[bench] " + f.describe());
                }
            }
            if (on.isEmpty()) continue;
            expected += (long) on.size() * batch.split(",").length;
            System.out.printf("%n[bench] workload %d/%d: %s on %s (%d s so far)%n", i + 1, todo.size(), w.id(),
                    String.join(", ", on), elapsed);
            ChainedOptionsBuilder opt = new OptionsBuilder()
                    .include("^" + Pattern.quote(w.benchmarkName()) + "$")
                    .param("backend", on.toArray(String[]::new))
                    .param("batch", batch.split(","))
                    .mode(Mode.Throughput).timeUnit(TimeUnit.SECONDS)
                    .forks(settings.forks())
                    .warmupIterations(settings.warmups()).warmupTime(TimeValue.seconds(settings.warmupSeconds()))
                    .measurementIterations(settings.iterations()).measurementTime(TimeValue.seconds(settings.iterationSeconds()))
                    .jvmArgsAppend("-D" + Records.PROPERTY + "=" + records)
                    .shouldFailOnError(false);
            Collection<RunResult> r = new Runner(opt.build()).run();
            results.addAll(r);
        }

        Path json = to.run().resolve(name + ".json");
        try (PrintStream ps = new PrintStream(Files.newOutputStream(json), true, StandardCharsets.UTF_8)) {
            ResultFormatFactory.getInstance(ResultFormatType.JSON, ps).writeOut(results);
        }
        RunContext ctx = new RunContext(DateTimeFormatter.ISO_INSTANT.format(start.truncatedTo(ChronoUnit.SECONDS)),
                settings.mode(), settings.describe(), machine, Backends.cpu().device().name(),
                Runtime.getRuntime().availableProcessors(), memoryBytes(),
                System.getProperty("os.name") + " " + System.getProperty("os.version"),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")",
                String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()), jmhVersion(),
                loadAtStart.isEmpty() ? "" : loadAtStart + " at the start, " + loadAverage() + " at the end", note,
                json.getFileName().toString(), lines, todo.stream().map(Workload::id).toList(), pending, skipped,
                unregistered, refused, Records.read(records));
        Files.writeString(Report.contextOf(json), Records.gson().newBuilder().setPrettyPrinting().create().toJson(ctx),
                StandardCharsets.UTF_8);
        Files.deleteIfExists(records);
        System.out.println("\n[bench] JMH results: " + json + "\n[bench] run context: " + Report.contextOf(json));
        Report r = new Report(ctx, com.google.gson.JsonParser.parseString(Files.readString(json)).getAsJsonArray());
        finish(r, json, to, readme);
        if (r.rows().size() < expected) {
            System.out.println("[bench] " + (expected - r.rows().size()) + " benchmark(s) gave no result: see REPORT.md and the log above");
            return 3;
        }
        return 0;
    }

    /** REPORT.md and the chart in the run's folder, beside its JSON and context; with --publish, in the tracked folder too. */
    private static void finish(Report r, Path json, Destination to, Path readme) throws IOException {
        Path md = render(r, json, to.run(), "report");
        if (to.published() != null) md = render(r, json, to.published(), "published");
        if (readme != null) {
            Path dir = readme.toAbsolutePath().getParent();
            String link = dir.relativize(md.toAbsolutePath()).toString();
            Report.updateReadme(readme, r.readmeBlock(link));
            System.out.println("[bench] table updated in " + readme);
        }
    }

    /** Writes REPORT.md and the chart into dir, with the run's JSON and context beside them (the report names them as
     *  its raw data); returns REPORT.md. */
    private static Path render(Report r, Path json, Path dir, String what) throws IOException {
        Files.createDirectories(dir);
        for (Path f : List.of(json, Report.contextOf(json)))
            Files.copy(f, dir.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING); // a file onto itself: copy leaves it alone
        Path md = r.write(dir);
        System.out.println("[bench] " + what + ": " + md + (Files.exists(dir.resolve(Report.CHART)) ? ", chart: " + dir.resolve(Report.CHART) : ""));
        return md;
    }

    /** "opencl" names every opencl:N, "cuda" every cuda:N; otherwise names must be equal. */
    static boolean matches(String asked, String name) {
        return asked.equals(name) || (!asked.contains(":") && (name.equals(asked) || name.startsWith(asked + ":")));
    }

    private static long seconds(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--deadline: expected whole seconds, got '" + text + "'");
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) throw new IllegalArgumentException(option + ": expected a value after it");
        return args[i];
    }

    private static String ids(List<Workload> ws) {
        return String.join(", ", ws.stream().map(Workload::id).toList());
    }

    /** The names of the benchmarks compiled into this jar (JMH's annotation processor lists them). */
    static Set<String> benchmarksInJar() throws IOException {
        Set<String> out = new LinkedHashSet<>();
        try (InputStream in = Suite.class.getResourceAsStream(BenchmarkList.BENCHMARK_LIST)) {
            if (in == null) return out;
            for (BenchmarkListEntry e : BenchmarkList.readBenchmarkList(in)) out.add(e.getUsername());
        }
        return out;
    }

    private static long memoryBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo")))
                if (line.startsWith("MemTotal:")) return 1024 * Long.parseLong(line.replaceAll("\\D", ""));
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return Runtime.getRuntime().maxMemory();
    }

    /** The 1-minute load average (Linux), or "" where there is none. */
    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static String jmhVersion() {
        Package p = Runner.class.getPackage();
        return p != null && p.getImplementationVersion() != null ? p.getImplementationVersion() : "1.37";
    }
}
