package org.flowkernels.physics;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.flowkernels.Backend;
import org.flowkernels.SnippetException;
import org.flowkernels.Tensor;
import org.flowkernels.sample.Drift;
import org.flowkernels.sample.Hmc;
import org.flowkernels.sample.HmcSettings;
import org.flowkernels.sample.Langevin;
import org.flowkernels.sample.LangevinSettings;
import org.flowkernels.sample.NonFiniteStateException;
import org.flowkernels.testing.BackendTest;
import org.flowkernels.testing.Compare;
import org.flowkernels.testing.Fresh;
import org.flowkernels.testing.UserModels;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad user code, on every backend that compiles snippets (OpenCL; CUDA where NVRTC loads): a
 * compile error comes back at the user's own file and line with the compiler's log; the
 * bounds-checked build catches a read past the row at its line; a snippet that disagrees with its
 * Java twin is named; and a potential that returns NaN is reported with the chain and the step,
 * on every backend (the CPU backend through the Java twin).
 */
class UserSnippetTest {
    @TempDir
    Path dir;

    /**
     * True on the CPU backend, after checking what it does instead (it compiles no snippet: a
     * potential without its Java twin is refused, naming it); on CUDA without NVRTC the test is
     * skipped with the reason.
     */
    private static boolean onCpu(Backend backend, UserPotential v) {
        if (backend.name().equals("cpu")) {
            try (Tensor q = backend.tensor(new float[] {0.5f, 0.25f}, 1, 2)) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> v.energy(q).close());
                assertTrue(e.getMessage().contains("'" + v.name() + "'") && e.getMessage().contains("Java twin"), e.getMessage());
            }
            return true;
        }
        String why = UserModels.whySnippetsCannotRun(backend);
        assumeTrue(why == null, why);
        return false;
    }

    /** The typo is on line 9 of the file (line 3 of the energy section): the error must say so. */
    @BackendTest
    void aCompileErrorNamesTheUsersFileAndLine(Backend backend) throws IOException {
        Path file = dir.resolve("broken.cl");
        Files.writeString(file, """
                // broken.cl: a double well with a typo
                //! parameters h=1
                //! gradient
                for (int c = 0; c < dim; c++)
                    G(c) = RC(4.0) * h * X(c) * (X(c) * X(c) - RC(1.0));
                //! energy
                REAL v = RC(0.0);
                for (int c = 0; c < dim; c++)
                    v += h * (X(c) * X(c) - RC(1.0)) * (X(c) * X(c) - RC(1.0)) + undeclared_name;
                return v;
                """);
        UserPotential v = UserPotential.load(file);
        if (onCpu(backend, v)) return;
        try (Tensor q = backend.tensor(new float[] {0.5f, 1.5f}, 2, 1)) {
            SnippetException e = assertThrows(SnippetException.class, () -> v.energy(q).close());
            assertEquals("broken.cl", e.file(), e.getMessage());
            assertEquals(9, e.line(), e.getMessage());
            String first = e.getMessage().lines().findFirst().orElseThrow();
            assertTrue(first.startsWith("broken.cl:9: error:") && first.contains("undeclared_name"), first);
            assertTrue(e.log().contains("undeclared_name"), "the whole log is kept: " + e.log());
        }
    }

    /** A body given as a Java string counts its lines from its own start, and the message says which body. */
    @BackendTest
    void aCompileErrorInAStringBodyNamesTheBody(Backend backend) {
        UserPotential v = UserPotential.snippet("typo", "REAL v = X(0);\nreturn v * w;\n", "G(0) = RC(1.0);");
        if (onCpu(backend, v)) return;
        try (Tensor q = backend.tensor(new float[] {0.5f}, 1, 1)) {
            SnippetException e = assertThrows(SnippetException.class, () -> v.energy(q).close());
            assertEquals("<typo> (energy)", e.file(), e.getMessage());
            assertEquals(2, e.line(), e.getMessage());
        }
    }

    /**
     * X(dim) on line 3 of the energy body, G(dim) on line 2 of the gradient body: the checked build
     * stops at each, naming the array, the index and the line; the unchecked build runs on unaware.
     */
    @BackendTest
    void theBoundsCheckedBuildCatchesAnIndexPastTheRow(Backend backend) {
        String square = "REAL v = RC(0.0);\nfor (int c = 0; c < dim; c++) v += X(c) * X(c);\nreturn v;\n";
        String slope = "for (int c = 0; c < dim; c++) G(c) = RC(2.0) * X(c);\n";
        UserPotential readsPast = UserPotential.snippet("overrun", "REAL v = RC(0.0);\nfor (int c = 0; c <= dim; c++)\n    v += X(c) * X(c);\nreturn v;\n",
                slope);
        UserPotential writesPast = UserPotential.snippet("overwrite", square, "for (int c = 0; c < dim; c++)\n    G(c + 1) = RC(2.0) * X(c);\n");
        if (onCpu(backend, readsPast.withBoundsCheck())) return; // the JVM checks the Java twin's indices (UserPotentialTest)
        float[] q0 = new Fresh("bounds" + backend.name()).gaussian(3 * 100, 1);
        try (Tensor q = backend.tensor(q0, 100, 3)) {
            SnippetException e = assertThrows(SnippetException.class, () -> readsPast.withBoundsCheck().energy(q).close());
            assertEquals("<overrun> (energy)", e.file(), e.getMessage());
            assertEquals(3, e.line(), e.getMessage());
            assertTrue(e.getMessage().contains("X(3)"), e.getMessage());
            e = assertThrows(SnippetException.class, () -> writesPast.withBoundsCheck().gradient(q).close());
            assertEquals("<overwrite> (gradient)", e.file(), e.getMessage());
            assertEquals(2, e.line(), e.getMessage());
            assertTrue(e.getMessage().contains("G(3)"), e.getMessage());
            try (Tensor g = UserPotential.snippet("fine", square, slope).withBoundsCheck().gradient(q)) { // in bounds: it passes
                double[] ref = new double[q0.length];
                for (int i = 0; i < ref.length; i++) ref[i] = 2.0 * q0[i];
                Compare.close(g.toArray(), ref, 1e-6, "checked gradient");
            }
            readsPast.energy(q).close(); // unchecked: no error, whatever it read
        }
    }

    @BackendTest
    void aSnippetThatDisagreesWithItsJavaTwinIsNamed(Backend backend) {
        UserPotential good = UserModels.doubleWell(1.2, 0.1);
        // the twin's slope misses the tilt: the gradients disagree, the energies agree
        UserPotential bad = good.withJava((n, m, x, p, energy, gradient) -> {
            Arrays.fill(energy, 0, m, 0f);
            for (int i = 0; i < n * m; i++) {
                float u = x[i] * x[i] - 1;
                energy[i % m] += p[0] * u * u + p[1] * x[i];
                gradient[i] = 4 * p[0] * x[i] * u;
            }
        });
        float[] q0 = new Fresh("twin" + backend.name()).gaussian(4 * 50, 1);
        if (backend.name().equals("cpu")) { // where the twin runs there is nothing to compare it with
            try (Tensor q = backend.tensor(q0, 50, 4)) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> good.checkTwin(q, 1e-5));
                assertTrue(e.getMessage().startsWith("q: expected configurations on the OpenCL or CUDA backend"), e.getMessage());
            }
            return;
        }
        String why = UserModels.whySnippetsCannotRun(backend);
        assumeTrue(why == null, why);
        try (Tensor q = backend.tensor(q0, 50, 4)) {
            good.checkTwin(q, 1e-5);
            SnippetException e = assertThrows(SnippetException.class, () -> bad.checkTwin(q, 1e-5));
            assertEquals("<tilted-well> (gradient)", e.file(), e.getMessage());
            assertEquals(1, e.line(), e.getMessage());
            assertTrue(e.getMessage().contains("disagree on the gradient"), e.getMessage());
        }
    }

    /** A potential that is NaN beyond x = 3: chain 5 starts there, and MALA and HMC report chain 5 at step 0. */
    @BackendTest
    void aPotentialThatReturnsNaNIsReportedWithTheChainAndTheStep(Backend backend) {
        String nanBeyond3 = "REAL v = RC(0.0);\nfor (int c = 0; c < dim; c++) v += X(c) > RC(3.0) ? sqrt(RC(-1.0)) : RC(0.5) * X(c) * X(c);\nreturn v;\n";
        UserPotential v = UserPotential.snippet("nan-beyond-3", nanBeyond3,
                "for (int c = 0; c < dim; c++) G(c) = X(c) > RC(3.0) ? sqrt(RC(-1.0)) : X(c);\n")
                .withJava((n, m, x, p, energy, gradient) -> {
                    Arrays.fill(energy, 0, m, 0f);
                    for (int i = 0; i < n * m; i++) {
                        energy[i % m] += x[i] > 3 ? Float.NaN : 0.5f * x[i] * x[i];
                        gradient[i] = x[i] > 3 ? Float.NaN : x[i];
                    }
                });
        float[] x0 = new float[10 * 2];
        x0[5 * 2 + 1] = 3.5f;
        try (Tensor x = backend.tensor(x0, 10, 2)) {
            NonFiniteStateException mala = assertThrows(NonFiniteStateException.class,
                    () -> Langevin.mala(Drift.potential(v, 1), x, LangevinSettings.of(0.01, 20, 1)).close());
            assertEquals(5, mala.chain(), mala.getMessage());
            assertEquals(0, mala.step(), mala.getMessage());
            NonFiniteStateException hmc = assertThrows(NonFiniteStateException.class,
                    () -> Hmc.sample(Drift.potential(v, 1), x, HmcSettings.of(0.01, 3, 20, 1)).close());
            assertEquals(5, hmc.chain(), hmc.getMessage());
            assertEquals(0, hmc.step(), hmc.getMessage());
            assertEquals(1, hmc.chainsAffected(), hmc.getMessage());
        }
    }
}
