package org.flowkernels.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flowkernels.Backend;
import org.flowkernels.Backends;
import org.flowkernels.Tensor;
import org.flowkernels.flow.CouplingFlow;
import org.flowkernels.io.FloatArray;
import org.flowkernels.io.Npy;
import org.flowkernels.io.Npz;
import org.flowkernels.io.Safetensors;
import org.flowkernels.io.TensorFile;
import org.flowkernels.nn.Activation;
import org.flowkernels.nn.Mlp;
import org.flowkernels.ode.Cnf;
import org.flowkernels.ode.Solve;
import org.flowkernels.ode.Trace;
import org.flowkernels.ode.VectorField;
import org.flowkernels.physics.Hamiltonian;
import org.flowkernels.physics.HamiltonianReference;
import org.flowkernels.physics.Integrator;
import org.flowkernels.physics.Potential;
import org.flowkernels.physics.Recording;
import org.flowkernels.physics.Trajectory;
import org.flowkernels.physics.PotentialReference;
import org.flowkernels.sample.Diagnostics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command-line tool end to end, in-process on the CPU backend at small sizes: each
 * subcommand's files are read back and checked (shape, finiteness, one physical property),
 * what it prints is checked against its files, and bad arguments give one line and the
 * documented exit code.
 */
class CliTest {
    @TempDir
    Path tmp;

    /** What a run printed and returned. */
    record Run(int code, String out, String err) {
        Run expect(int expected) {
            assertEquals(expected, code, () -> "exit code; stdout:\n" + out + "\nstderr:\n" + err);
            return this;
        }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    static FloatArray read(Path file, int... shape) throws IOException {
        FloatArray a = Npy.read(file);
        assertArrayEquals(shape, a.shape(), file + ": shape");
        for (int i = 0; i < a.data().length; i++)
            assertTrue(Float.isFinite(a.data()[i]), file + ": element " + i + " is " + a.data()[i]);
        return a;
    }

    /** The PNG was drawn (where the runtime can draw: a jlink image without java.desktop, as
     *  ci/gpu-check carries, writes the .npy files and says which plots it skipped). */
    static void assertPng(Path file) throws IOException {
        if (!Outputs.CAN_DRAW) {
            assertFalse(Files.exists(file), file + " drawn without java.desktop?");
            return;
        }
        byte[] b = Files.readAllBytes(file);
        assertTrue(b.length > 1000 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G', file + " is not a PNG");
    }

    /** The PNG was drawn at width x height pixels (where the runtime can draw). */
    static void assertPng(Path file, int width, int height) throws IOException {
        assertPng(file);
        if (!Outputs.CAN_DRAW) return;
        java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(file.toFile());
        assertEquals(width + " x " + height, image.getWidth() + " x " + image.getHeight(), file.toString());
    }

    static double number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), "no match for " + regex + " in:\n" + text);
        return Double.parseDouble(m.group(1));
    }

    /**
     * 4 charges in 2-D at beta = 10 from x ~ N(0, I): the chain mean of V falls from the start
     * (about 13: the trap holds 8 on average, six pairs at mean 1/r = 0.89) toward the ground
     * state, 7.34 + 7/20. The printed mean and standard error are those of the per-chain means
     * of energy.npy over the sampling records, R-hat is the split-R-hat of those records, the
     * ESS and its standard error are the library's, and the printed virial agrees with dN/beta.
     */
    @Test
    void sampleCoulombCoolsFromARandomStartAndReportsTheChainMeans() throws IOException {
        int chains = 64, particles = 4, warmup = 300, steps = 600, every = 30;
        Path out = tmp.resolve("coulomb");
        Run r = run("sample", "coulomb", "--backend", "cpu", "--particles", "" + particles, "--beta", "10", "--chains", "" + chains,
                "--warmup", "" + warmup, "--steps", "" + steps, "--record-every", "" + every, "--seed", "5", "--out", out.toString())
                .expect(0);
        int records = (warmup + steps) / every + 1;
        read(out.resolve("samples.npy"), chains, particles * 2);
        float[] v = read(out.resolve("energy.npy"), chains, records).data();
        float[] at = read(out.resolve("steps.npy"), records).data();
        assertEquals(0, at[0]);
        assertEquals(warmup + steps, at[records - 1]);
        assertPng(out.resolve("energy.png"), Plots.WIDTH, 3 * 330); // the whole run, V after the warm-up, the virial
        assertPng(out.resolve("density.png"));

        double first = 0, last = 0;
        for (int c = 0; c < chains; c++) {
            first += v[c * records] / (double) chains;
            last += v[c * records + records - 1] / (double) chains;
        }
        assertTrue(first > 11 && last < 8.5 && last > 7.34, "mean V from " + first + " to " + last);

        // The report: the mean of the chain means over the records after the warm-up, and their standard error.
        double[] means = new double[chains];
        int sampled = 0;
        for (int k = 0; k < records; k++) if (at[k] > warmup) sampled++;
        for (int c = 0; c < chains; c++)
            for (int k = 0; k < records; k++) if (at[k] > warmup) means[c] += v[c * records + k] / (double) sampled;
        double mean = Arrays.stream(means).average().orElseThrow(), ss = 0;
        for (double m : means) ss += (m - mean) * (m - mean);
        double error = Math.sqrt(ss / (chains - 1) / chains);
        assertEquals(mean, number(r.out(), "<V> = ([0-9.]+) \\+-"), 1e-5, r.out());
        assertEquals(error, number(r.out(), "<V> = [0-9.]+ \\+- ([0-9.]+)"), 1e-5, r.out());
        double virial = number(r.out(), "= <3 U_trap - V> = ([-0-9.]+)"), virialError = number(r.out(), "<3 U_trap - V> = [-0-9.]+ \\+- ([0-9.]+)");
        // <r . grad V> = dN/beta = 0.8 exactly for MALA in equilibrium; 5 standard errors (their own estimate from 64 chains).
        assertEquals(0.8, virial, 5 * virialError, r.out());
        assertTrue(r.out().contains("acceptance") && r.out().contains("backend: cpu"), r.out());
        // A short run's throughput includes the JIT's first seconds: the line says so.
        assertTrue(r.out().contains("chain-steps/s (includes JIT warm-up; see bench/ for steady-state figures)"), r.out());

        // Split-R-hat from the same records (BDA3): each chain's 20 sampling records cut in halves of 10, W the mean
        // of the halves' variances, B/n the variance of their means.
        int n = sampled / 2, halves = 2 * chains, start = records - sampled;
        double[] halfMeans = new double[halves];
        double within = 0, grand = 0, between = 0;
        for (int h = 0; h < halves; h++) {
            int from = (h / 2) * records + start + (h % 2) * (sampled - n);
            for (int i = from; i < from + n; i++) halfMeans[h] += v[i] / (double) n;
            for (int i = from; i < from + n; i++) within += Math.pow(v[i] - halfMeans[h], 2) / ((n - 1.0) * halves);
            grand += halfMeans[h] / halves;
        }
        for (double m : halfMeans) between += (m - grand) * (m - grand) / (halves - 1);
        double rHat = Math.sqrt(((n - 1.0) / n * within + between) / within);
        assertEquals(rHat, number(r.out(), "R-hat of V = ([0-9.]+)"), 1e-4, r.out());
        // The ESS and the error it gives, as the library computes them from energy.npy's sampling records.
        double[] draws = new double[chains * sampled];
        for (int c = 0; c < chains; c++)
            for (int k = 0; k < sampled; k++) draws[c * sampled + k] = v[c * records + start + k];
        assertEquals(Math.round(Diagnostics.effectiveSampleSize(draws, chains, sampled)), number(r.out(), "ESS of V = ([0-9]+) of"), r.out());
        assertEquals(Diagnostics.standardError(draws, chains, sampled), number(r.out(), "standard error from the ESS ([0-9.]+)"), 1e-5,
                r.out());
    }

    @Test
    void sampleCoulombRunsUlaToo() throws IOException {
        Path out = tmp.resolve("ula");
        Run r = run("sample", "coulomb", "--backend", "cpu", "--method", "ula", "--step-size", "1e-3", "--particles", "3",
                "--dim", "1", "--chains", "8", "--warmup", "0", "--steps", "100", "--record-every", "100", "--out", out.toString())
                .expect(0);
        read(out.resolve("samples.npy"), 8, 3);
        read(out.resolve("energy.npy"), 8, 2);
        assertPng(out.resolve("density.png"));
        assertFalse(r.out().contains("acceptance"), "ULA accepts every step: " + r.out());
    }

    /**
     * A periodic FPUT-beta chain with leapfrog: the records joined from the chunks equal one
     * uninterrupted run of the library, H of every record equals the float64 energy of its q
     * and p, the total momentum is 0 and stays 0, and the energy error is small and bounded.
     */
    @Test
    void simulateChainLeapfrogConservesEnergyAcrossChunks() throws IOException {
        int n = 8, trajectories = 3, steps = 2000, every = 20, records = steps / every + 1;
        double dt = 0.01;
        Path out = tmp.resolve("chain");
        Run r = run("simulate", "chain", "--backend", "cpu", "--particles", "" + n, "--trajectories", "" + trajectories,
                "--model", "fput-beta", "--ends", "periodic", "--dt", "" + dt, "--steps", "" + steps, "--record-every", "" + every,
                "--out", out.toString()).expect(0);
        float[] q = read(out.resolve("q.npy"), trajectories, records, n).data();
        float[] p = read(out.resolve("p.npy"), trajectories, records, n).data();
        float[] h = read(out.resolve("energy.npy"), trajectories, records).data();
        float[] t = read(out.resolve("time.npy"), records).data();
        assertEquals(steps * dt, t[records - 1], 1e-4);
        assertPng(out.resolve("energy-error.png"), Plots.WIDTH, 500);

        Hamiltonian ham = Hamiltonian.of(Potential.fputBeta(1, Potential.Ends.PERIODIC));
        double worst = 0, firstHalf = 0;
        for (int b = 0; b < trajectories; b++) {
            double h0 = h[b * records];
            for (int k = 0; k < records; k++) {
                double[] qk = PotentialReference.widen(Arrays.copyOfRange(q, (b * records + k) * n, (b * records + k + 1) * n));
                double[] pk = PotentialReference.widen(Arrays.copyOfRange(p, (b * records + k) * n, (b * records + k + 1) * n));
                // H is summed in float32 from float32 q and p: a few ulps of the sum.
                assertEquals(HamiltonianReference.energy(ham, qk, pk), h[b * records + k], 1e-5 * Math.abs(h0), "H at record " + k);
                assertEquals(0, Arrays.stream(pk).sum(), 1e-4, "total momentum of trajectory " + b + " at record " + k);
                double e = Math.abs(h[b * records + k] - h0) / Math.abs(h0);
                worst = Math.max(worst, e);
                if (k <= records / 2) firstHalf = Math.max(firstHalf, e);
            }
        }
        // Leapfrog's error is O(dt^2) and oscillates without drift: about 1e-5 here (W3 at dt = 0.01: 9e-5 over 1e4 steps).
        assertTrue(worst < 1e-3, "max |dH/H| " + worst);
        assertTrue(worst < 3 * firstHalf + 1e-6, "the error grew: first half " + firstHalf + ", whole run " + worst);
        assertEquals(worst, number(r.out(), "records: ([0-9.e+-]+) \\("), 1e-3 * worst + 1e-9, r.out());
        assertTrue(r.out().contains("particle-steps/s (includes JIT warm-up; see bench/ for steady-state figures)"), r.out());
        // Piped (not a terminal), the progress is plain lines; the final one comes once.
        assertEquals(1, r.err().lines().filter(l -> l.contains("100%")).count(), r.err());
        assertTrue(r.err().contains("chain 100% 2000/2000 steps"), r.err());

        // One library call from the same start, recording as often (p is synchronised at the records, so the
        // leapfrog's merged half kicks split there), ends bit for bit where the chunked run does.
        Backend cpu = Backends.cpu();
        float[] q0 = new float[trajectories * n], p0 = new float[trajectories * n];
        for (int b = 0; b < trajectories; b++) {
            System.arraycopy(q, b * records * n, q0, b * n, n);
            System.arraycopy(p, b * records * n, p0, b * n, n);
        }
        try (Tensor qt = cpu.tensor(q0, trajectories, n); Tensor pt = cpu.tensor(p0, trajectories, n);
             Trajectory whole = ham.integrate(Integrator.LEAPFROG, qt, pt, dt, steps, Recording.every(every))) {
            float[] qEnd = whole.q().toArray();
            for (int b = 0; b < trajectories; b++)
                assertArrayEquals(Arrays.copyOfRange(qEnd, b * n, (b + 1) * n),
                        Arrays.copyOfRange(q, ((b + 1) * records - 1) * n, (b + 1) * records * n), "trajectory " + b);
        }
    }

    /**
     * A signal in the middle of a long run (SIGTERM here: ProcessHandle.destroy sends it, and it
     * takes the same shutdown path as Ctrl-C's SIGINT): the run stops after its chunk, prints its
     * results, writes its files, and exits with 128 + 15.
     */
    @Test
    void aSignalStopsTheRunAndKeepsTheResults() throws Exception {
        Path out = tmp.resolve("stopped");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                org.flowkernels.testing.ChildJvm.classPath(), Main.class.getName(), "sample", "coulomb", "--backend", "cpu",
                "--chains", "64", "--warmup", "0", "--steps", "100000000", "--record-every", "100", "--out", out.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        StringBuilder printed = new StringBuilder();
        try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()))) {
            String line;
            while ((line = lines.readLine()) != null && !line.startsWith("backend:")) printed.append(line).append('\n');
            Thread.sleep(1000); // some chunks of 100 steps run
            p.toHandle().destroy(); // SIGTERM; Process.destroy would also close our end of the pipe
            while ((line = lines.readLine()) != null) printed.append(line).append('\n');
        } finally {
            p.destroyForcibly();
        }
        assertEquals(128 + 15, p.waitFor(), printed.toString());
        int done = (int) number(printed.toString(), "interrupted after step ([0-9]+) of");
        assertTrue(done > 0 && done % 100 == 0, printed.toString());
        read(out.resolve("samples.npy"), 64, 12);
        read(out.resolve("energy.npy"), 64, done / 100 + 1);
        assertPng(out.resolve("density.png"));
    }

    /** --init mode: record 0 is the harmonic mode's shape at rest; fixed ends also plot the mode energies. */
    @Test
    void simulateChainStartsFromANormalMode() throws IOException {
        int n = 6;
        Path out = tmp.resolve("mode");
        run("simulate", "chain", "--backend", "cpu", "--particles", "" + n, "--trajectories", "1", "--model", "fput-alpha",
                "--integrator", "yoshida4", "--init", "mode", "--mode", "2", "--amplitude", "0.5", "--steps", "100",
                "--record-every", "50", "--out", out.toString()).expect(0);
        float[] q = read(out.resolve("q.npy"), 1, 3, n).data(), p = read(out.resolve("p.npy"), 1, 3, n).data();
        for (int i = 0; i < n; i++) {
            assertEquals(0.5 * Math.sin(Math.PI * 2 * (i + 1) / (n + 1)), q[i], 1e-7, "q_" + i);
            assertEquals(0, p[i], "p_" + i);
        }
        assertPng(out.resolve("modes.png"));
    }

    /** A coupling flow saved by the library (NumPy weights): logprob of the sampled points equals the log q that sample wrote. */
    @Test
    void flowLogProbOfItsSamplesEqualsLogQ() throws IOException {
        Path model = tmp.resolve("realnvp");
        CouplingFlow.realNvp(4, 4, 11, 16, 16).save(model, "weights.npz");
        Path drawn = tmp.resolve("drawn"), scored = tmp.resolve("scored");
        run("flow", "sample", "--backend", "cpu", "--model", model.toString(), "--n", "257", "--seed", "3", "--out", drawn.toString())
                .expect(0);
        float[] x = read(drawn.resolve("x.npy"), 257, 4).data(), logQ = read(drawn.resolve("logq.npy"), 257).data();
        run("flow", "logprob", "--backend", "cpu", "--model", model.toString(), "--input", drawn.resolve("x.npy").toString(),
                "--out", scored.toString()).expect(0);
        float[] logP = read(scored.resolve("logp.npy"), 257).data();
        // Forward and inverse through four float32 layers round differently: 1e-4 absolute on log-densities of order 5.
        for (int i = 0; i < logQ.length; i++) assertEquals(logQ[i], logP[i], 1e-4 * (1 + Math.abs(logQ[i])), "row " + i);
        assertFalse(Arrays.equals(Arrays.copyOf(x, 4), Arrays.copyOfRange(x, 4, 8)), "samples differ");
    }

    /**
     * A CNF saved by the library, with the exact trace and with Hutchinson's (the probes drawn
     * with the sampling seed, so logprob --seed retraces the same paths): logprob of the sampled
     * points equals the log q that sample wrote, to the integrator's accuracy.
     */
    @Test
    void cnfLogProbOfItsSamplesEqualsLogQ() throws IOException {
        VectorField field = VectorField.mlp(Mlp.random(5, Activation.TANH, 3, 16, 16, 2), true);
        for (Trace trace : new Trace[] {Trace.exact(), Trace.rademacher(2)}) {
            Path model = tmp.resolve("cnf-" + trace.tangents(2));
            new Cnf(field, Solve.rk4(0, 1, 20).trace(trace)).save(model);
            Path drawn = tmp.resolve("drawn-" + trace.tangents(2)), scored = tmp.resolve("scored-" + trace.tangents(2));
            run("cnf", "sample", "--backend", "cpu", "--model", model.toString(), "--n", "100", "--seed", "9", "--out",
                    drawn.toString()).expect(0);
            read(drawn.resolve("x.npy"), 100, 2);
            float[] logQ = read(drawn.resolve("logq.npy"), 100).data();
            run("cnf", "logprob", "--backend", "cpu", "--model", model.toString(), "--input", drawn.resolve("x.npy").toString(),
                    "--seed", "9", "--out", scored.toString()).expect(0);
            float[] logP = read(scored.resolve("logp.npy"), 100).data();
            // 20 RK4 steps there and back through a smooth field in float32 close to about 1e-6 (7e-7 seen); other
            // probes than the sampling ones (a lost --seed) miss by 0.2.
            for (int i = 0; i < logQ.length; i++) assertEquals(logQ[i], logP[i], 2e-5 * (1 + Math.abs(logQ[i])), trace + ", row " + i);
        }
    }

    // ---- errors: one line, the documented exit code, no stack trace ----

    static void assertOneLine(Run r, int code, String... contains) {
        r.expect(code);
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), "one line:\n" + r.err());
        assertTrue(err.startsWith("flowkernels "), err);
        assertFalse(err.contains("\tat "), "no stack trace: " + err);
        for (String c : contains) assertTrue(err.contains(c), "'" + c + "' in: " + err);
    }

    @Test
    void badArgumentsGiveOneLineAndExitCode2() {
        assertOneLine(run("sample", "coulomb", "--backend", "nosuch"), Errors.USAGE, "backend", "'nosuch'");
        assertOneLine(run("sample", "coulomb", "--steps", "ten"), Errors.USAGE, "--steps", "'ten'");
        assertOneLine(run("simulate", "chain", "--dt", "fast"), Errors.USAGE, "--dt");
        assertOneLine(run("sample", "coulomb", "--backend", "cpu", "--precision", "float64"), Errors.USAGE, "--precision", "float64");
        assertOneLine(run("sample", "coulomb", "--backend", "cpu", "--chains", "0"), Errors.USAGE, "--chains");
        assertOneLine(run("sample", "coulomb", "--backend", "cpu", "--method", "ula", "--adapt"), Errors.USAGE, "--adapt");
        assertOneLine(run("simulate", "chain", "--backend", "cpu", "--model", "toda"), Errors.USAGE, "--model", "toda");
        assertOneLine(run("simulate", "chain", "--backend", "cpu", "--steps", "1001", "--record-every", "10"), Errors.USAGE,
                "--steps", "multiple");
        assertOneLine(run("sample", "coulomb", "--no-such-option"), Errors.USAGE, "--no-such-option");
        assertOneLine(run("flow", "sample", "--n", "3"), Errors.USAGE, "--model");
        assertOneLine(run("sample"), Errors.USAGE, "coulomb");
    }

    @Test
    void anUnavailableBackendGivesExitCode3() {
        var missing = Backends.available().stream().filter(s -> !s.available()).findFirst();
        org.junit.jupiter.api.Assumptions.assumeTrue(missing.isPresent(), "every backend is available on this machine");
        assertOneLine(run("flow", "sample", "--backend", missing.get().name(), "--model", tmp.toString()), Errors.UNAVAILABLE,
                "not available");
    }

    @Test
    void missingAndMalformedFilesGiveExitCode4() throws IOException {
        Path model = tmp.resolve("model");
        CouplingFlow.realNvp(4, 2, 1, 8).save(model);
        Path none = tmp.resolve("none");
        assertOneLine(run("flow", "sample", "--backend", "cpu", "--model", none.toString()), Errors.BAD_FILE, none.toString());
        assertOneLine(run("flow", "logprob", "--backend", "cpu", "--model", model.toString(), "--input", none.resolve("x.npy").toString()),
                Errors.BAD_FILE, "no such file");

        Path broken = Files.createDirectories(tmp.resolve("broken"));
        Files.copy(model.resolve("model.safetensors"), broken.resolve("model.safetensors"));
        Files.writeString(broken.resolve("flow.json"), "{\"format\": \"flowkernels.coupling_flow\", \"version\": 1,");
        assertOneLine(run("flow", "sample", "--backend", "cpu", "--model", broken.toString()), Errors.BAD_FILE, "flow.json");

        Path badCnf = tmp.resolve("bad-cnf");
        new Cnf(VectorField.mlp(Mlp.random(1, Activation.TANH, 3, 8, 2), true), Solve.rk4(0, 1, 4)).save(badCnf);
        Files.writeString(badCnf.resolve("cnf.json"), "{\"format\": \"flowkernels.cnf\", \"version\": 1, \"dim\": 2, "
                + "\"hidden\": [8]}"); // no "steps"
        assertOneLine(run("cnf", "sample", "--backend", "cpu", "--model", badCnf.toString()), Errors.BAD_FILE, "cnf.json", "steps");

        Path garbage = Files.write(tmp.resolve("garbage.npy"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        assertOneLine(run("flow", "logprob", "--backend", "cpu", "--model", model.toString(), "--input", garbage.toString()),
                Errors.BAD_FILE, "garbage.npy");
        Path wide = tmp.resolve("wide.npy");
        Npy.write(wide, FloatArray.of(new float[10], 2, 5));
        assertOneLine(run("flow", "logprob", "--backend", "cpu", "--model", model.toString(), "--input", wide.toString()),
                Errors.BAD_FILE, "[n, 4]", "[2, 5]");
        Path nan = tmp.resolve("nan.npy");
        Npy.write(nan, FloatArray.of(new float[] {0, 0, 0, 0, 0, Float.NaN, 0, 0}, 2, 4));
        assertOneLine(run("flow", "logprob", "--backend", "cpu", "--model", model.toString(), "--input", nan.toString()),
                Errors.BAD_FILE, "row 1");
    }

    @Test
    void aRunTooLargeForTheMemoryNamesTheOptionAndTheBytes() {
        Path out = tmp.resolve("huge");
        // 10^8 chains of 12 coordinates: 4.8 GB of states on the backend alone, and V at 241 records of each on the host.
        assertOneLine(run("sample", "coulomb", "--backend", "cpu", "--chains", "100000000", "--out", out.toString()), Errors.USAGE,
                "--chains: 100000000 chains", "GiB", "more than the", "Java heap");
        assertOneLine(run("simulate", "chain", "--backend", "cpu", "--trajectories", "1000000000", "--out", out.toString()),
                Errors.USAGE, "--trajectories: 1000000000 trajectories", "GiB", "Java heap");
        // many records of a few trajectories: the records are what to cut
        assertOneLine(run("simulate", "chain", "--backend", "cpu", "--steps", "1000000000", "--record-every", "1", "--out",
                out.toString()), Errors.USAGE, "--record-every: 16 trajectories", "GiB");
        assertFalse(Files.exists(out), "no --out folder for a run that never started");
    }

    /** A failed run leaves no --out folder it created behind (and removes the missing parents it made too). */
    @Test
    void aFailedRunLeavesNoEmptyOutFolder() throws IOException {
        Path out = tmp.resolve("new").resolve("blown-up");
        // eps = 100 at beta = 100: the first ULA steps throw the charges to infinity
        Run r = run("sample", "coulomb", "--backend", "cpu", "--method", "ula", "--step-size", "100", "--chains", "8", "--warmup", "0",
                "--steps", "100", "--out", out.toString());
        assertOneLine(r, Errors.FAILURE, "non-finite", "--step-size");
        assertFalse(Files.exists(tmp.resolve("new")), "the folders the failed run created are gone");

        Path model = nonFiniteModel();
        Path drawn = tmp.resolve("drawn");
        assertOneLine(run("flow", "sample", "--backend", "cpu", "--model", model.toString(), "--out", drawn.toString()), Errors.BAD_FILE);
        assertFalse(Files.exists(drawn), "no --out folder for a model that did not load");

        Path existing = Files.createDirectories(tmp.resolve("existing"));
        run("sample", "coulomb", "--backend", "cpu", "--method", "ula", "--step-size", "100", "--chains", "8", "--warmup", "0",
                "--steps", "100", "--out", existing.toString()).expect(Errors.FAILURE);
        assertTrue(Files.isDirectory(existing), "a folder that was there before stays");
    }

    /** A RealNVP saved by the library, with one bias of coupling 1 made NaN. */
    private Path nonFiniteModel() throws IOException {
        Path model = tmp.resolve("nan-model");
        CouplingFlow.realNvp(4, 2, 1, 8).save(model);
        Path file = model.resolve("model.safetensors");
        TensorFile weights = TensorFile.read(file);
        Map<String, FloatArray> tensors = new LinkedHashMap<>();
        for (String name : weights.names()) tensors.put(name, weights.get(name));
        tensors.get("layers.1.net.2.bias").data()[3] = Float.NaN;
        Safetensors.write(file, tensors, Map.of());
        return model;
    }

    /** NaN or infinite weights are refused at load, naming the tensor and the first bad value, for both kinds of model. */
    @Test
    void aModelWithNonFiniteWeightsIsRefused() throws IOException {
        Path model = nonFiniteModel();
        assertOneLine(run("flow", "sample", "--backend", "cpu", "--model", model.toString()), Errors.BAD_FILE,
                model.resolve("model.safetensors").toString(), "'layers.1.net.2.bias'", "NaN at index 3");

        Path cnf = tmp.resolve("inf-cnf");
        new Cnf(VectorField.mlp(Mlp.random(1, Activation.TANH, 3, 8, 2), true), Solve.rk4(0, 1, 4)).save(cnf, "weights.npz");
        Path file = cnf.resolve("weights.npz");
        TensorFile weights = TensorFile.read(file);
        Map<String, FloatArray> tensors = new LinkedHashMap<>();
        for (String name : weights.names()) tensors.put(name, weights.get(name));
        tensors.get("net.0.weight").data()[1 * 3 + 2] = Float.NEGATIVE_INFINITY;
        Npz.write(file, tensors);
        assertOneLine(run("cnf", "sample", "--backend", "cpu", "--model", cnf.toString()), Errors.BAD_FILE, "'net.0.weight'",
                "-Infinity at index 5 ([1, 2] of shape [8, 3])");
    }

    /** File options that name the wrong kind of file: the message names the path. */
    @Test
    void aDirectoryForAFileOrAFileForADirectoryNamesThePath() throws IOException {
        Path model = tmp.resolve("model");
        CouplingFlow.realNvp(4, 2, 1, 8).save(model);
        Path dir = Files.createDirectories(tmp.resolve("points"));
        assertOneLine(run("flow", "logprob", "--backend", "cpu", "--model", model.toString(), "--input", dir.toString()),
                Errors.BAD_FILE, dir.toString(), "directory");
        Path weights = model.resolve("model.safetensors");
        assertOneLine(run("flow", "sample", "--backend", "cpu", "--model", weights.toString()), Errors.BAD_FILE, weights.toString(),
                "not a directory", "--model");
        Path file = Files.writeString(tmp.resolve("a-file"), "");
        assertOneLine(run("flow", "sample", "--backend", "cpu", "--model", model.toString(), "--out", file.toString()),
                Errors.BAD_FILE, file.toString(), "not a directory");
    }

    @Test
    void versionIsTheBuildsVersion() throws IOException {
        Matcher m = Pattern.compile("<artifactId>flowkernels</artifactId>\\s*<version>([^<]+)</version>").matcher(Files.readString(Path.of("pom.xml")));
        assertTrue(m.find(), "the project version in pom.xml");
        assertEquals("flowkernels " + m.group(1), run("--version").expect(0).out().strip());
    }

    @Test
    void debugPrintsTheStackTrace() {
        Run r = run("sample", "coulomb", "--backend", "nosuch", "--debug").expect(Errors.USAGE);
        assertTrue(r.err().contains("\tat "), r.err());
    }

    /** Every command's --help: exit 0, every option with a default says it, the exit codes, and what is written where. */
    @Test
    void everyHelpIsComplete() {
        String[][] commands = {{"devices"}, {"demo"}, {"sample", "coulomb"}, {"simulate", "chain"}, {"flow", "sample"},
                {"flow", "logprob"}, {"cnf", "sample"}, {"cnf", "logprob"}, {"train", "coulomb"}, {"train", "data"}};
        for (String[] c : commands) {
            String[] args = Arrays.copyOf(c, c.length + 1);
            args[c.length] = "--help";
            Run r = run(args).expect(0);
            assertTrue(r.out().contains("Exit codes:") && r.out().contains(" 4 "), String.join(" ", c) + ":\n" + r.out());
            boolean computes = !c[0].equals("devices");
            if (computes) assertTrue(r.out().contains("--backend") && r.out().contains("--precision"), r.out());
            if (computes && !c[0].equals("demo")) assertTrue(r.out().contains("Writes") && r.out().contains("--out"), r.out());
        }
        String flowSample = run("flow", "sample", "--help").out(), cnfSample = run("cnf", "sample", "--help").out();
        assertFalse(flowSample.contains("probe") || flowSample.contains("Hutchinson") || flowSample.contains("CNF"), flowSample);
        assertTrue(flowSample.contains("coupling flow"), flowSample);
        assertTrue(cnfSample.contains("Hutchinson") && cnfSample.contains("probes"), cnfSample);
        picocli.CommandLine cl = new picocli.CommandLine(new Main());
        for (String[] c : commands) {
            picocli.CommandLine sub = cl;
            for (String name : c) sub = sub.getSubcommands().get(name);
            for (var o : sub.getCommandSpec().options()) {
                if (o.defaultValue() == null) continue;
                String text = String.join(" ", o.description());
                assertTrue(text.contains("${DEFAULT-VALUE}") || text.contains("default"), String.join(" ", c) + " " + o.longestName()
                        + ": the help does not give its default");
            }
        }
    }
}
