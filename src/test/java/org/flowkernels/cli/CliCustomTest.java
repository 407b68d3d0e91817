package org.flowkernels.cli;

import static org.flowkernels.cli.CliTest.read;
import static org.flowkernels.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flowkernels.Backend;
import org.flowkernels.io.FloatArray;
import org.flowkernels.testing.BackendTest;
import org.flowkernels.testing.UserModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sample custom} and {@code simulate custom} end to end on every backend, with a user's
 * snippet file (and its Java twin, which the CPU backend runs): the sampled ⟨V⟩ of a tilted
 * double well against float64 quadrature, the README's Morse cluster integrated with its energy
 * conserved, and each kind of bad snippet stopping with one line naming the file and line and
 * exit code 4.
 */
class CliCustomTest {
    @TempDir
    Path tmp;

    static final String WELL = """
            // well.cl: a tilted double well, V = h (x^2 - 1)^2 + tilt x per coordinate
            //! parameters h=1 tilt=0.3
            //! energy
            """ + UserModels.WELL_ENERGY + "//! gradient\n" + UserModels.WELL_GRADIENT;

    static final String WELL_JAVA = """
            public class Well implements org.flowkernels.physics.UserPotential.Function {
                public void evaluate(int n, int m, float[] x, float[] p, float[] energy, float[] gradient) {
                    java.util.Arrays.fill(energy, 0, m, 0f);
                    for (int i = 0; i < n * m; i++) {
                        float u = x[i] * x[i] - 1;
                        energy[i % m] += p[0] * u * u + p[1] * x[i];
                        gradient[i] = 4 * p[0] * x[i] * u + p[1];
                    }
                }
            }
            """;

    private Path write(String name, String text) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    /** ⟨V⟩ = ∫ V e^{−V} / ∫ e^{−V} over one coordinate (Simpson, 2·10⁵ intervals on [−6, 6]). */
    static double exactMeanEnergy(double h, double tilt) {
        int m = 200_000;
        double lo = -6, step = 12.0 / m, z = 0, s = 0;
        for (int i = 0; i <= m; i++) {
            double x = lo + i * step, v = UserModels.wellValue(h, tilt, x), w = (i == 0 || i == m ? 1 : i % 2 == 1 ? 4 : 2) * Math.exp(-v);
            z += w;
            s += w * v;
        }
        return s / z;
    }

    /** The one error line of a failed run (progress lines may precede it on stderr). */
    static String errorLine(CliTest.Run r) {
        var lines = r.err().lines().filter(l -> l.startsWith("flowkernels ")).toList();
        assertEquals(1, lines.size(), "one error line:\n" + r.err());
        return lines.get(0);
    }

    private static double[] meanAndError(String out) {
        Matcher m = Pattern.compile("<V> = (\\S+) \\+- (\\S+)").matcher(out);
        assertTrue(m.find(), out);
        return new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2))};
    }

    /** HMC and MALA through the tool: ⟨V⟩ within five of its printed standard errors of the exact value (2 coordinates). */
    @BackendTest
    void sampleCustomReproducesTheBoltzmannMeanEnergy(Backend backend) throws IOException {
        Path well = write("well.cl", WELL), twin = write("Well.java", WELL_JAVA);
        double exact = 2 * exactMeanEnergy(1, 0.3);
        for (String method : new String[] {"hmc", "mala"}) {
            Path out = tmp.resolve("out-" + method);
            CliTest.Run r = run("sample", "custom", "--potential", well.toString(), "--java", twin.toString(), "--particles", "2",
                    "--backend", backend.name(), "--method", method, "--chains", "128", "--steps", method.equals("hmc") ? "1000" : "4000",
                    "--warmup", "500", "--leapfrog", "5", "--step-size", method.equals("hmc") ? "0.2" : "0.1", "--record-every", "10",
                    "--seed", "7", "--out", out.toString()).expect(0);
            double[] v = meanAndError(r.out());
            assertEquals(exact, v[0], 5 * v[1], method + " on " + backend.name() + ":\n" + r.out());
            assertTrue(v[1] < 0.05, "a resolving error bar: " + r.out());
            FloatArray e = read(out.resolve("energy.npy"), 128, (method.equals("hmc") ? 1500 : 4500) / 10 + 1);
            assertEquals(128 * 2, read(out.resolve("samples.npy"), 128, 2).data().length);
            assertTrue(e.data()[0] > 0, "V at the start");
        }
    }

    /** The README's Morse cluster (examples/morse.cl, its twin examples/Morse.java): leapfrog keeps H to 1e-3. */
    @BackendTest
    void simulateCustomIntegratesTheReadmesMorseCluster(Backend backend) throws IOException {
        Path out = tmp.resolve("sim");
        CliTest.Run r = run("simulate", "custom", "--potential", "examples/morse.cl", "--java", "examples/Morse.java", "--particles", "5",
                "--backend", backend.name(), "--dt", "0.005", "--steps", "2000", "--record-every", "100", "--trajectories", "8",
                "--start-scale", "1.5", "--temperature", "0.5", "--out", out.toString()).expect(0);
        Matcher m = Pattern.compile("max \\|H\\(t\\) - H\\(0\\)\\|/\\|H\\(0\\)\\| over 8 trajectories and 21 records: (\\S+)").matcher(r.out());
        assertTrue(m.find(), r.out());
        assertTrue(Double.parseDouble(m.group(1)) < 1e-3, r.out());
        read(out.resolve("q.npy"), 8, 21, 10);
        read(out.resolve("energy.npy"), 8, 21);
    }

    /** Device-only bad input: a snippet that does not compile, reads past its row, or disagrees with its twin. */
    @BackendTest
    void aBadSnippetIsOneLineNamingItsFileAndLineWithExitCode4(Backend backend) throws IOException {
        Path broken = write("broken.cl", WELL.replace("return v;", "return v + oops;"));
        if (backend.name().equals("cpu")) { // the CPU backend compiles no snippet: without its Java twin it is a usage error
            CliTest.Run r = run("sample", "custom", "--potential", broken.toString(), "--backend", "cpu", "--steps", "10",
                    "--out", tmp.resolve("o0").toString()).expect(2);
            assertTrue(errorLine(r).contains("--java: the CPU backend runs a snippet's Java twin"), r.err());
            return;
        }
        assumeTrue(UserModels.whySnippetsCannotRun(backend) == null, UserModels.whySnippetsCannotRun(backend));
        CliTest.Run r = run("sample", "custom", "--potential", broken.toString(), "--backend", backend.name(), "--steps", "10",
                "--out", tmp.resolve("o1").toString()).expect(4);
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(errorLine(r).startsWith("flowkernels sample custom: broken.cl:9: error:") && r.err().contains("oops"), r.err());

        Path overrun = write("overrun.cl", WELL.replace("c < dim; c++) {", "c <= dim; c++) {"));
        r = run("sample", "custom", "--potential", overrun.toString(), "--bounds-check", "--backend", backend.name(), "--steps", "10",
                "--out", tmp.resolve("o2").toString()).expect(4);
        assertTrue(errorLine(r).startsWith("flowkernels sample custom: overrun.cl:6: X(1) in 'energy'"), r.err());

        Path twin = write("Well.java", WELL_JAVA.replace("+ p[1] * x[i];", "+ 2 * p[1] * x[i];"));
        r = run("simulate", "custom", "--potential", write("well.cl", WELL).toString(), "--java", twin.toString(), "--backend",
                backend.name(), "--steps", "100", "--out", tmp.resolve("o3").toString()).expect(4);
        assertTrue(errorLine(r).startsWith("flowkernels simulate custom: well.cl:4: the snippet and its Java twin disagree on the energy"),
                r.err());
    }

    /** Every backend: a potential that is NaN beyond x = 2 (the start reaches there), and a Java twin that does not compile. */
    @BackendTest
    void aNaNOrABrokenTwinIsOneLineWithExitCode4(Backend backend) throws IOException {
        Path nan = write("nan.cl", WELL.replace("return v;", "return X(0) > RC(2.0) ? sqrt(RC(-1.0)) : v;"));
        Path nanTwin = write("Well.java", WELL_JAVA.replace("gradient[i] = 4", "if (x[i] > 2) energy[i % m] = Float.NaN;\n gradient[i] = 4"));
        CliTest.Run r = run("sample", "custom", "--potential", nan.toString(), "--java", nanTwin.toString(), "--backend", backend.name(),
                "--twin-tolerance", "1e300", "--start-scale", "3", "--steps", "50", "--out", tmp.resolve("o4").toString()).expect(4);
        assertTrue(errorLine(r).matches("flowkernels sample custom: nan\\.cl: chain \\d+ became non-finite at step \\d+.*"), r.err());

        Path badJava = write("Well.java", WELL_JAVA.replace("float u =", "float u = undefinedThing +"));
        r = run("sample", "custom", "--potential", write("well.cl", WELL).toString(), "--java", badJava.toString(), "--backend",
                backend.name(), "--steps", "10", "--out", tmp.resolve("o5").toString()).expect(4);
        assertTrue(errorLine(r).startsWith("flowkernels sample custom: Well.java:5: error:") && errorLine(r).contains("undefinedThing"), r.err());
    }

    @Test
    void usageErrorsNameTheOption() throws IOException {
        Path well = write("well.cl", WELL);
        CliTest.Run r = run("sample", "custom", "--potential", well.toString(), "-P", "height=2", "--backend", "cpu",
                "--out", tmp.resolve("o").toString()).expect(2);
        assertTrue(r.err().contains("--param: well.cl declares no parameter 'height' (it declares h, tilt"), r.err());
        r = run("sample", "custom", "--potential", well.toString(), "--backend", "cpu", "--out", tmp.resolve("o").toString()).expect(2);
        assertTrue(r.err().contains("--java: the CPU backend runs a snippet's Java twin"), r.err());
        r = run("sample", "custom", "--potential", tmp.resolve("missing.cl").toString(), "--backend", "cpu").expect(4);
        Path noDim = write("pairs.cl", "//! pair_energy\nreturn r2;\n//! pair_force\nreturn RC(-2.0);\n");
        r = run("simulate", "custom", "--potential", noDim.toString(), "--backend", "cpu", "--out", tmp.resolve("o").toString()).expect(4);
        assertTrue(r.err().contains("needs its particles' dimension"), r.err());
    }
}
