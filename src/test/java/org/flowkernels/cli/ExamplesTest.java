package org.flowkernels.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.flowkernels.flow.CouplingFlow;
import org.flowkernels.io.Npy;
import org.flowkernels.nn.Activation;
import org.flowkernels.nn.Mlp;
import org.flowkernels.ode.Cnf;
import org.flowkernels.ode.Solve;
import org.flowkernels.ode.VectorField;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example models under examples/ (what the README's {@code flow sample} and
 * {@code cnf sample} commands use on a fresh clone): every one loads and the tool samples
 * from it, and each is exactly what its recipe below makes, so the shipped files cannot rot
 * unnoticed. {@link #main} writes them (after a change of recipe or of the format):
 * {@code mvn -o -q test-compile exec:java -Dexec.mainClass=org.flowkernels.cli.ExamplesTest -Dexec.classpathScope=test}.
 */
public class ExamplesTest { // public: exec:java runs its main
    static final Path EXAMPLES = Path.of("examples");

    @TempDir
    Path tmp;

    /** examples/realnvp-2d: RealNVP on 2-D, 4 affine couplings, conditioners 1 -> 16 -> 16 -> 2 (untrained: nn.Linear's initialisation). */
    static CouplingFlow realNvp2d() {
        return CouplingFlow.realNvp(2, 4, 2024, 16, 16);
    }

    /** examples/cnf-2d: v(x, t) = MLP(x, t), 3 -> 16 -> 16 -> 2, tanh (untrained), 20 RK4 steps from t = 0 to 1, exact trace. */
    static Cnf cnf2d() {
        return new Cnf(VectorField.mlp(Mlp.random(2024, Activation.TANH, 3, 16, 16, 2), true), Solve.rk4(0, 1, 20));
    }

    public static void main(String[] args) throws IOException {
        realNvp2d().save(EXAMPLES.resolve("realnvp-2d"));
        cnf2d().save(EXAMPLES.resolve("cnf-2d"));
    }

    static List<Path> models() throws IOException {
        try (Stream<Path> dirs = Files.list(EXAMPLES)) {
            return dirs.filter(Files::isDirectory).sorted().toList();
        }
    }

    @Test
    void everyExampleLoadsAndSamples() throws IOException {
        List<Path> models = models();
        assertTrue(models.size() >= 2, "examples/: " + models);
        for (Path model : models) {
            String kind = Files.exists(model.resolve("flow.json")) ? "flow" : "cnf";
            assertTrue(Files.exists(model.resolve(kind + ".json")), model + ": neither flow.json nor cnf.json");
            Path out = tmp.resolve(model.getFileName());
            CliTest.run(kind, "sample", "--backend", "cpu", "--model", model.toString(), "--n", "100", "--out", out.toString()).expect(0);
            int dim = Npy.read(out.resolve("x.npy")).shape()[1];
            CliTest.read(out.resolve("x.npy"), 100, dim);
            CliTest.read(out.resolve("logq.npy"), 100);
        }
    }

    @Test
    void theShippedModelsAreTheirRecipes() throws IOException {
        CouplingFlow flow = CouplingFlow.load(EXAMPLES.resolve("realnvp-2d")), want = realNvp2d();
        assertEquals(want.toString(), flow.toString());
        for (int k = 0; k < want.couplings().size(); k++)
            assertArrayEquals(want.couplings().get(k).conditioner().packedParameters(), flow.couplings().get(k).conditioner().packedParameters(),
                    "realnvp-2d coupling " + k);
        Cnf cnf = Cnf.load(EXAMPLES.resolve("cnf-2d")), wantCnf = cnf2d();
        assertEquals(wantCnf.solve(), cnf.solve());
        assertEquals(wantCnf.field().timeInput(), cnf.field().timeInput());
        assertArrayEquals(wantCnf.field().network().packedParameters(), cnf.field().network().packedParameters(), "cnf-2d field");
    }
}
