package org.flowkernels.cli;

import static org.flowkernels.cli.CliTest.assertOneLine;
import static org.flowkernels.cli.CliTest.assertPng;
import static org.flowkernels.cli.CliTest.read;
import static org.flowkernels.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flowkernels.Backend;
import org.flowkernels.flow.CouplingFlow;
import org.flowkernels.io.FloatArray;
import org.flowkernels.io.Npy;
import org.flowkernels.testing.TestBackends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `train coulomb` and `train data` end to end at tiny sizes: their files, their summary, their errors. */
class TrainCommandTest {
    @TempDir
    Path tmp;

    @Test
    void trainCoulombWritesTheModelTheLossesAndTheSummary() throws IOException {
        Path out = tmp.resolve("gas");
        CliTest.Run r = run("train", "coulomb", "--particles", "2", "--beta", "5", "--layers", "2", "--hidden", "8,8", "--batch", "16",
                "--steps", "120", "--lr", "3e-3", "--checkpoint-every", "50", "--estimate-samples", "512", "--out", out.toString()).expect(0);
        float[] loss = read(out.resolve("loss.npy"), 120, 3).data();
        assertPng(out.resolve("loss.png"));
        Matcher m = Pattern.compile("F = (\\S+) \\+- (\\S+), <H>_q = (\\S+), ESS/M = (\\S+)").matcher(r.out());
        assertTrue(m.find(), r.out());
        double f = Double.parseDouble(m.group(1)), err = Double.parseDouble(m.group(2)), h = Double.parseDouble(m.group(3)),
                ess = Double.parseDouble(m.group(4));
        // F bounds -ln Z / beta ~ 1.58 (beta 5: above the ground state 1.5 + O(1/beta)) from above; <H> is above the ground state
        assertTrue(f > 1.5 && err > 0 && h > 1.5 && ess > 0 && ess <= 1, r.out());
        assertTrue(loss[3 * 119] < loss[0], "the loss fell: " + loss[0] + " -> " + loss[3 * 119]);
        assertTrue(r.out().contains("backend: cpu"), r.out());
        // the model directory is what `flow sample` reads
        assertEquals(4, CouplingFlow.load(out).dim());
        Path drawn = tmp.resolve("drawn");
        run("flow", "sample", "--backend", "cpu", "--model", out.toString(), "--n", "33", "--out", drawn.toString()).expect(0);
        read(drawn.resolve("x.npy"), 33, 4);
    }

    @Test
    void trainDataFitsTheRowsOfAnNpy() throws IOException {
        int rows = 500;
        float[] x = new float[3 * rows];
        SplittableRandom r = new SplittableRandom(2);
        for (int i = 0; i < x.length; i++) x[i] = (float) (0.5 * r.nextGaussian() + i % 3);
        Path input = tmp.resolve("x.npy"), out = tmp.resolve("fit");
        Npy.write(input, FloatArray.of(x, rows, 3));
        CliTest.Run run = run("train", "data", "--input", input.toString(), "--layers", "2", "--hidden", "8", "--batch", "32",
                "--steps", "60", "--lr", "1e-2", "--estimate-samples", "256", "--out", out.toString()).expect(0);
        assertTrue(run.out().contains("-<ln q>_data = "), run.out());
        read(out.resolve("loss.npy"), 60, 3);
        assertPng(out.resolve("loss.png"));
        assertTrue(Files.exists(out.resolve("flow.json")) && Files.exists(out.resolve("model.safetensors")));
        assertEquals(3, CouplingFlow.load(out).dim());
    }

    @Test
    void badArgumentsGiveOneLine() throws IOException {
        assertOneLine(run("train", "coulomb", "--batch", "1", "--out", tmp.resolve("a").toString()), Errors.USAGE, "--batch");
        assertOneLine(run("train", "coulomb", "--hidden", "8,0", "--out", tmp.resolve("b").toString()), Errors.USAGE, "--hidden");
        assertOneLine(run("train", "coulomb", "--dim", "1", "--out", tmp.resolve("c").toString()), Errors.USAGE, "--dim");
        Path flat = tmp.resolve("flat.npy");
        Npy.write(flat, FloatArray.of(new float[5], 5));
        assertOneLine(run("train", "data", "--input", flat.toString(), "--out", tmp.resolve("d").toString()), Errors.USAGE,
                "--input: expected a [rows, D] array");
        assertFalse(Files.exists(tmp.resolve("a")), "no folder left by a refused run");
    }

    /** A device asked for by name trains there (float32), said in the header. */
    @Test
    void trainsOnADeviceNamed() throws IOException {
        Optional<Backend> device = TestBackends.started().stream().filter(b -> !b.name().equals("cpu")).findFirst();
        org.junit.jupiter.api.Assumptions.assumeTrue(device.isPresent(), "no OpenCL or CUDA backend on this machine");
        Path out = tmp.resolve("device");
        var run = run("train", "coulomb", "--backend", device.get().name(), "--particles", "2", "--layers", "2", "--hidden", "8",
                "--batch", "64", "--steps", "20", "--estimate-samples", "256", "--out", out.toString()).expect(0);
        assertTrue(run.out().contains("backend: " + device.get().name()) && run.out().contains("F = "), run.out());
        read(out.resolve("loss.npy"), 20, 3);
    }

    /**
     * Ctrl-C's path (SIGTERM here, as in CliTest): the run stops after the step in flight and
     * still writes the model, the losses of the steps done and the summary, exiting with 128 + 15.
     */
    @Test
    void aSignalKeepsTheLastCheckpoint() throws Exception {
        Path out = tmp.resolve("stopped");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                org.flowkernels.testing.ChildJvm.classPath(), Main.class.getName(), "train", "coulomb", "--particles", "3",
                "--layers", "2", "--hidden", "16", "--batch", "32", "--steps", "100000000", "--checkpoint-every", "100000000",
                "--estimate-samples", "256", "--out", out.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        StringBuilder printed = new StringBuilder();
        try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()))) {
            String line;
            while ((line = lines.readLine()) != null && !line.startsWith("backend:")) printed.append(line).append('\n');
            Thread.sleep(1500); // some steps run
            p.toHandle().destroy();
            while ((line = lines.readLine()) != null) printed.append(line).append('\n');
        } finally {
            p.destroyForcibly();
        }
        assertEquals(128 + 15, p.waitFor(), printed.toString());
        Matcher m = Pattern.compile("interrupted after step ([0-9]+) of 100000000").matcher(printed);
        assertTrue(m.find(), printed.toString());
        int done = Integer.parseInt(m.group(1));
        assertTrue(done > 0, printed.toString());
        read(out.resolve("loss.npy"), done, 3);
        assertEquals(6, CouplingFlow.load(out).dim());
        assertTrue(printed.toString().contains("F = "), printed.toString());
    }
}
