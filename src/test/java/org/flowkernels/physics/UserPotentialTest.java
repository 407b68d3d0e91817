package org.flowkernels.physics;

import static org.junit.jupiter.api.Assertions.*;

import org.flowkernels.Backend;
import org.flowkernels.SnippetException;
import org.flowkernels.Tensor;
import org.flowkernels.backend.cpu.CpuBackend;
import org.flowkernels.testing.BackendTest;
import org.flowkernels.testing.Compare;
import org.flowkernels.testing.Fresh;
import org.flowkernels.testing.UserModels;
import org.junit.jupiter.api.Test;

/**
 * User-defined potentials on every backend: the CPU backend runs the Java twin, OpenCL and CUDA
 * the snippet, and both must give the float64 reference's V and ∇V (the reference's own gradient
 * checked against central differences here), so each form is checked against the other through it.
 */
class UserPotentialTest {
    /** Float32 sums of a few hundred terms against float64: the tolerance of PotentialTest. */
    static final double TOL = 1e-5;

    @BackendTest
    void aTiltedDoubleWellMatchesItsFloat64Reference(Backend backend) {
        Fresh f = new Fresh("user-well" + backend.name());
        double h = f.uniform(0.5, 2), tilt = f.uniform(-0.5, 0.5);
        UserPotential v = UserModels.doubleWell(h, tilt);
        for (int rows : new int[] {1, 3, 1000}) {
            int n = 1 + f.nextInt(9);
            float[] q = f.gaussian(rows * n, 1.3);
            double[] e = new double[rows], g = new double[rows * n];
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < n; c++) {
                    double x = q[r * n + c];
                    e[r] += UserModels.wellValue(h, tilt, x);
                    g[r * n + c] = UserModels.wellSlope(h, tilt, x);
                    double d = 1e-5 * Math.max(1, Math.abs(x)); // the reference's slope against central differences
                    double fd = (UserModels.wellValue(h, tilt, x + d) - UserModels.wellValue(h, tilt, x - d)) / (2 * d);
                    assertEquals(fd, g[r * n + c], 1e-6 * Math.max(1, Math.abs(fd)), "reference slope at " + x);
                }
            check(backend, v, q, rows, n, e, g, f);
        }
    }

    @BackendTest
    void aMorseClusterInATrapMatchesItsFloat64Reference(Backend backend) {
        Fresh f = new Fresh("user-morse" + backend.name());
        for (int dim = 1; dim <= 3; dim++) {
            int particles = 2 + f.nextInt(12), n = particles * dim, rows = dim == 2 ? 130 : 3;
            double depth = f.uniform(0.5, 2), a = f.uniform(1, 2), r0 = f.uniform(0.8, 1.2), trap = f.uniform(0.1, 1);
            UserPotential v = UserModels.morse(dim, depth, a, r0, trap);
            float[] q = new float[rows * n];
            double[] e = new double[rows], g = new double[rows * n];
            for (int r = 0; r < rows; r++) {
                double[] x = PotentialReference.separated(f, n, dim);
                for (int c = 0; c < n; c++) q[r * n + c] = (float) x[c];
                double[] xf = new double[n], gr = new double[n], gp = new double[n], gm = new double[n];
                for (int c = 0; c < n; c++) xf[c] = q[r * n + c];
                e[r] = UserModels.morseValue(dim, depth, a, r0, trap, xf, gr);
                System.arraycopy(gr, 0, g, r * n, n);
                int c = f.nextInt(n); // one component of the reference against central differences
                double[] xp = xf.clone(), xm = xf.clone();
                xp[c] += 1e-6;
                xm[c] -= 1e-6;
                double fd = (UserModels.morseValue(dim, depth, a, r0, trap, xp, gp) - UserModels.morseValue(dim, depth, a, r0, trap, xm, gm))
                        / 2e-6;
                assertEquals(fd, gr[c], 1e-5 * Math.max(1, Math.abs(fd)), "reference gradient, component " + c);
            }
            check(backend, v, q, rows, n, e, g, f);
        }
    }

    private static void check(Backend backend, UserPotential v, float[] q, int rows, int n, double[] e, double[] g, Fresh f) {
        String what = v + " n=" + n + " rows=" + rows + " on " + backend.name() + ", " + f.seed();
        try (Tensor qt = backend.tensor(q, rows, n); Tensor et = v.energy(qt); Tensor gt = v.gradient(qt)) {
            Compare.close(et.toArray(), e, TOL, "energy of " + what);
            Compare.close(gt.toArray(), g, TOL, "gradient of " + what);
        }
    }

    /** The user's double well with tilt 0 is the built-in double well (a = 1): the same trajectories to float rounding. */
    @BackendTest
    void aUserPotentialIntegratesLikeTheSameBuiltInOne(Backend backend) {
        Fresh f = new Fresh("user-hamiltonian" + backend.name());
        int rows = 37, n = 5;
        float[] q0 = f.gaussian(rows * n, 1), p0 = f.gaussian(rows * n, 1);
        try (Tensor q = backend.tensor(q0, rows, n); Tensor p = backend.tensor(p0, rows, n);
             Trajectory user = Hamiltonian.of(UserModels.doubleWell(1.5, 0)).integrate(Integrator.LEAPFROG, q, p, 0.01, 400,
                     Recording.every(100));
             Trajectory builtIn = Hamiltonian.of(Potential.doubleWell(1.5, 1)).integrate(Integrator.LEAPFROG, q, p, 0.01, 400,
                     Recording.every(100))) {
            double[] ref = new double[rows * n];
            float[] b = builtIn.q().toArray();
            for (int i = 0; i < ref.length; i++) ref[i] = b[i];
            Compare.close(user.q().toArray(), ref, 1e-4, "q after 400 leapfrog steps on " + backend.name() + ", " + f.seed());
            assertEquals(builtIn.worstRelativeEnergyError(), user.worstRelativeEnergyError(),
                    0.01 * builtIn.worstRelativeEnergyError(), "the same energy error");
        }
    }

    @Test
    void aSnippetWithoutItsJavaTwinIsRejectedOnTheCpuNamingThePotential() {
        UserPotential v = UserPotential.snippet("bare", UserModels.WELL_ENERGY, UserModels.WELL_GRADIENT).withParameter("h", 1)
                .withParameter("tilt", 0);
        try (Tensor q = new CpuBackend(1).tensor(new float[] {0.5f}, 1, 1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> v.energy(q).close());
            assertTrue(e.getMessage().contains("'bare'") && e.getMessage().contains("Java twin"), e.getMessage());
        }
    }

    @Test
    void javaCodeThatThrowsIsReportedAtTheUsersLine() {
        UserPotential v = UserPotential.java("reads-too-far", (n, m, x, p, energy, gradient) -> {
            for (int s = 0; s < m; s++) energy[s] = x[(n + 1) * m + s]; // one coordinate past the row
        });
        int line = new Throwable().getStackTrace()[0].getLineNumber() - 2;
        try (Tensor q = new CpuBackend(1).tensor(new float[] {0.5f, 1f}, 1, 2)) {
            SnippetException e = assertThrows(SnippetException.class, () -> v.energy(q).close());
            assertEquals("UserPotentialTest.java", e.file(), e.getMessage());
            assertEquals(line, e.line(), e.getMessage());
            assertTrue(e.getMessage().contains("reads-too-far") && e.getMessage().contains("ArrayIndexOutOfBounds"), e.getMessage());
        }
    }

    /** The .json spelling of a snippet file: bodies under their names, placed as "FILE (NAME)" with their own lines. */
    @Test
    void aJsonSnippetFileReadsLikeItsClSpelling(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
        java.nio.file.Path file = dir.resolve("morse.json");
        java.nio.file.Files.writeString(file, "{\"parameters\": {\"D\": 1, \"a\": 2, \"r0\": 1, \"kt\": 0.5}, \"dim\": 3,"
                + " \"pair_energy\": " + com.google.gson.JsonParser.parseString("\"" + UserModels.MORSE_ENERGY.replace("\n", "\\n") + "\"")
                + ", \"pair_force\": \"return RC(0.0);\"}");
        UserPotential v = UserPotential.load(file);
        assertEquals(3, v.particleDim());
        assertEquals(java.util.List.of("D", "a", "r0", "kt"), v.parameterNames());
        assertEquals("morse.json (pair_energy)", v.snippet().label("pair_energy"));
        assertEquals(UserModels.MORSE_ENERGY, v.snippet().body("pair_energy").text());
        java.nio.file.Files.writeString(file, "{\"energy\": \"return 0;\", \"colour\": 3}");
        org.flowkernels.io.FormatException e = assertThrows(org.flowkernels.io.FormatException.class, () -> UserPotential.load(file));
        assertTrue(e.getMessage().contains("unknown key 'colour'"), e.getMessage());
    }

    @Test
    void parametersAreNamedIdentifiersAndTheBodiesMatchTheForm() {
        assertThrows(IllegalArgumentException.class, () -> UserModels.doubleWell(1, 0).withParameter("2x", 1));
        assertThrows(IllegalArgumentException.class, () -> UserModels.doubleWell(1, 0).withParameter("dim", 1));
        assertThrows(IllegalArgumentException.class, () -> UserModels.doubleWell(1, 0).withParameter("h", Double.NaN));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> UserPotential.pairs("p", 2, "return r2;", "return r2;").withOneBody("return 0;", "G(0) = 0;").withParameter("x", 1)
                        .checkCoordinates(3, "q"));
        assertTrue(e.getMessage().contains("q:"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new UserPotential("none", null, null, java.util.Map.of(), 0, false));
    }
}
