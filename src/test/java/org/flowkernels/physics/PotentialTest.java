package org.flowkernels.physics;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flowkernels.Backend;
import org.flowkernels.Backends;
import org.flowkernels.Tensor;
import org.flowkernels.physics.Potential.Ends;
import org.flowkernels.testing.BackendTest;
import org.flowkernels.testing.Compare;
import org.flowkernels.testing.Fresh;
import org.junit.jupiter.api.Test;

class PotentialTest {
    /**
     * Float32 against float64: a value or gradient component sums at most a few hundred terms,
     * each with ~1 ulp (6e-8) of error, and the relative norm over the batch averages them;
     * 1e-5 leaves a factor of >10 over what we measure (at most 1e-6, the LJ gradients) while a wrong
     * sign, a missing bond or a missing pair gives errors of order 1e-2 or more.
     */
    static final double TOL = 1e-5;

    /** A potential and a generator of typical configurations for it. */
    record Case(Potential v, int n, Configs configs) {}

    interface Configs {
        double[] draw(Fresh f, int n);
    }

    static List<Case> cases() {
        Configs gauss = (f, n) -> PotentialReference.gaussian(f, n, 1.2);
        return List.of(
                new Case(Potential.harmonic(1.7), 7, gauss),
                new Case(Potential.diagonalHarmonic(0.3, 1, 2.5, 4, 9), 5, gauss),
                new Case(Potential.harmonicChain(1.3, Ends.FIXED), 9, gauss),
                new Case(Potential.harmonicChain(0.7, Ends.PERIODIC), 2, gauss),
                new Case(Potential.fputAlpha(0.25, Ends.PERIODIC), 16, gauss),
                new Case(Potential.fputAlpha(0.25, Ends.FIXED), 1, gauss),
                new Case(Potential.fputBeta(1, Ends.FIXED), 64, gauss),
                new Case(Potential.fputBeta(1, Ends.PERIODIC), 64, gauss),
                new Case(new Potential.Chain(0.8, 0.3, 1.5, Ends.PERIODIC), 300, gauss), // 75 sites of 4 coordinates
                new Case(Potential.coulombGas(2), 64, (f, n) -> PotentialReference.separated(f, n, 2)),
                new Case(new Potential.CoulombGas(3, 0.5, 2), 21, (f, n) -> PotentialReference.separated(f, n, 3)),
                new Case(new Potential.CoulombGas(1, 1, 1), 5, (f, n) -> PotentialReference.separated(f, n, 1)),
                new Case(Potential.coulombGas(3), 150, (f, n) -> PotentialReference.separated(f, n, 3)),
                new Case(Potential.lennardJones(3), 3 * 13, (f, n) -> PotentialReference.cluster(f, n / 3, 3)),
                new Case(new Potential.LennardJones(2, 0.7, 1.3), 2 * 7, (f, n) -> PotentialReference.cluster(f, n / 2, 2)),
                new Case(Potential.doubleWell(2, 1.3), 1, gauss),
                new Case(Potential.doubleWell(0.5, 0.8), 10, gauss),
                // the device layouts (DevicePotentialKernels.Layout): 33 particles and 65 coordinates (17 sites of 4, the
                // last holding one) leave most of a power of two of lanes idle; past 256 sites the strided build holds up
                // to 3 per lane (260 particles: 3 or 2; 3072 coordinates, 768 sites: every lane 3)
                new Case(Potential.coulombGas(2), 2 * 33, (f, n) -> PotentialReference.separated(f, n, 2)),
                new Case(Potential.fputBeta(1, Ends.FIXED), 65, gauss),
                new Case(Potential.lennardJones(3), 3 * 5, (f, n) -> PotentialReference.cluster(f, n / 3, 3)),
                new Case(new Potential.Chain(1.1, 0.2, 0.7, Ends.PERIODIC), 3072, gauss),
                new Case(Potential.coulombGas(3), 3 * 260, (f, n) -> PotentialReference.separated(f, n, 3)));
    }

    @BackendTest
    void valuesMatchFloat64AndGradientsMatchFiniteDifferences(Backend backend) {
        Fresh f = new Fresh("potential-fd" + backend.name());
        int[] batches = {1, 3, 130, 1000};
        int which = 0;
        for (Case c : cases()) {
            int rows = batches[which++ % batches.length];
            float[] q = new float[rows * c.n()];
            double[] vRef = new double[rows], gFd = new double[rows * c.n()];
            for (int r = 0; r < rows; r++) {
                double[] x = c.configs().draw(f, c.n());
                for (int k = 0; k < c.n(); k++) q[r * c.n() + k] = (float) x[k];
                double[] xf = new double[c.n()];
                for (int k = 0; k < c.n(); k++) xf[k] = q[r * c.n() + k]; // exactly what the backend sees
                vRef[r] = PotentialReference.value(c.v(), xf);
                System.arraycopy(PotentialReference.finiteDifference(c.v(), xf), 0, gFd, r * c.n(), c.n());
            }
            try (Tensor qt = backend.tensor(q, rows, c.n()); Tensor e = c.v().energy(qt); Tensor g = c.v().gradient(qt)) {
                String what = c.v() + " n=" + c.n() + " rows=" + rows + " on " + backend.name() + ", " + f.seed();
                float[] ev = e.toArray(), gv = g.toArray();
                Compare.close(ev, vRef, TOL, "energy of " + what);
                Compare.close(gv, gFd, TOL, "gradient of " + what);
            }
        }
    }

    /** The float64 reference's own analytic gradients agree with its finite differences, so other
     *  tests (the Hamiltonian ones) can integrate with them. */
    @Test
    void referenceGradientsAreTheDerivativesOfTheReferenceValues() {
        Fresh f = new Fresh("potential-reference");
        for (Case c : cases()) {
            double[] x = c.configs().draw(f, c.n());
            double[] g = PotentialReference.gradient(c.v(), x), fd = PotentialReference.finiteDifference(c.v(), x);
            double num = 0, den = 0;
            for (int k = 0; k < x.length; k++) {
                num += (g[k] - fd[k]) * (g[k] - fd[k]);
                den += g[k] * g[k];
            }
            // finite differences in float64: truncation ~1e-10, rounding ~1e-11 |V|
            assertTrue(Math.sqrt(num / den) < 1e-7, c.v() + ": " + Math.sqrt(num / den) + ", " + f.seed());
        }
    }

    @BackendTest
    void evaluateIntoPoisonedOutputsWithAndWithoutTheGradient(Backend backend) {
        Fresh f = new Fresh("potential-into" + backend.name());
        Potential v = Potential.fputBeta(1, Ends.PERIODIC);
        int rows = 1000, n = 64;
        float[] q = f.gaussian(rows * n, 1.0);
        float[] nan = new float[rows * n];
        java.util.Arrays.fill(nan, Float.NaN);
        double[] vRef = new double[rows];
        for (int r = 0; r < rows; r++) vRef[r] = PotentialReference.value(v, row(q, r, n));
        try (Tensor qt = backend.tensor(q, rows, n); Tensor e = backend.tensor(new float[rows], rows, 1);
             Tensor g = backend.tensor(nan, rows, n); Tensor e2 = backend.empty(rows, 1)) {
            v.evaluate(qt, e, g);
            Compare.close(e.toArray(), vRef, TOL, "energy, " + f.seed());
            assertTrue(Float.isFinite(g.toArray()[rows * n - 1]), "gradient written to the last element");
            v.evaluate(qt, e2, null);
            Compare.close(e2.toArray(), vRef, TOL, "energy without gradient, " + f.seed());
        }
    }

    @BackendTest
    void badInputIsRejectedBeforeAnyKernelRuns(Backend backend) {
        try (Tensor q65 = backend.zeros(4, 65); Tensor q1 = backend.zeros(4, 1); Tensor q4 = backend.zeros(4, 4)) {
            var e = assertThrows(IllegalArgumentException.class, () -> Potential.coulombGas(2).energy(q65));
            assertTrue(e.getMessage().startsWith("q: expected a row of 2 x n coordinates") && e.getMessage().contains("got 65"),
                    e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Potential.fputBeta(1, Ends.PERIODIC).gradient(q1));
            assertTrue(e.getMessage().contains("n >= 2") && e.getMessage().contains("got 1 columns"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Potential.diagonalHarmonic(1, 2, 3).energy(q4));
            assertTrue(e.getMessage().contains("expected 3 columns") && e.getMessage().contains("got 4"), e.getMessage());
            try (Tensor wrong = backend.zeros(3, 1)) {
                e = assertThrows(IllegalArgumentException.class, () -> Potential.harmonic(1).evaluate(q4, wrong, null));
                assertTrue(e.getMessage().startsWith("energy: expected [4, 1]"), e.getMessage());
            }
            assertThrows(IllegalArgumentException.class, () -> Potential.harmonic(1).energy(null));
            Tensor closed = backend.zeros(2, 2);
            closed.close();
            assertThrows(IllegalStateException.class, () -> Potential.harmonic(1).energy(closed));
            if (backend != Backends.cpu())
                try (Tensor cpuQ = Backends.cpu().zeros(4, 4); Tensor e4 = backend.zeros(4, 1)) {
                    assertThrows(IllegalArgumentException.class, () -> Potential.harmonic(1).evaluate(cpuQ, e4, null));
                }
        }
    }

    /** The device kernels hold at most 3072 coordinates and 768 particles per row (so a 3-D gas of 768 particles
     *  fits, a 2-D one of 769 does not). */
    @BackendTest
    void rowsOfMoreSitesThanTheDeviceKernelsHoldAreRefusedThere(Backend backend) {
        try (Tensor q = backend.zeros(2, 3073); Tensor gas = backend.zeros(2, 2 * 769)) {
            if (backend == Backends.cpu()) {
                try (Tensor e = Potential.harmonic(1).energy(q)) {
                    assertEquals(0f, e.toArray()[1]);
                }
            } else {
                var e = assertThrows(IllegalArgumentException.class, () -> Potential.harmonic(1).energy(q));
                assertTrue(e.getMessage().contains("at most 3072") && e.getMessage().contains("got 3073"), e.getMessage());
                e = assertThrows(IllegalArgumentException.class, () -> Potential.coulombGas(2).energy(gas));
                assertTrue(e.getMessage().contains("at most 768") && e.getMessage().contains("got 769 particles"), e.getMessage());
            }
        }
        Fresh f = new Fresh("potential-768" + backend.name());
        Potential v = Potential.coulombGas(3);
        double[] x = PotentialReference.separated(f, 3 * 768, 3);
        float[] q = new float[x.length];
        for (int k = 0; k < x.length; k++) q[k] = (float) x[k];
        try (Tensor t = backend.tensor(q, 1, q.length); Tensor e = v.energy(t)) {
            // 295,000 pair energies summed in float32 (~sqrt(N) ulps: 3e-5 relative, 1.1e-5 measured on the plain-Java CPU
            // path): 1e-4, where a particle left out changes V by 2/768 = 2.6e-3
            Compare.close(e.toArray(), new double[] {PotentialReference.value(v, PotentialReference.widen(q))}, 1e-4,
                    "768 particles in 3-D, " + f.seed());
        }
    }

    @BackendTest
    void evaluationLeavesNoAllocationsAndHandlesAnEmptyBatch(Backend backend) {
        long before = backend.liveAllocations();
        try (Tensor q = twoAtoms(backend); Tensor g = Potential.lennardJones(3).gradient(q);
             Tensor empty = backend.zeros(0, 6); Tensor e0 = Potential.coulombGas(3).energy(empty)) {
            assertEquals(5, g.rows());
            assertEquals(0, e0.rows());
        }
        assertEquals(before, backend.liveAllocations(), "live allocations on " + backend.name());
    }

    private static Tensor twoAtoms(Backend backend) {
        // two atoms at distance 1.5 per row: a finite configuration
        float[] q = new float[5 * 6];
        for (int r = 0; r < 5; r++) q[r * 6 + 3] = 1.5f;
        return backend.tensor(q, 5, 6);
    }

    @Test
    void recordsRejectBadParameters() {
        assertThrows(IllegalArgumentException.class, () -> Potential.harmonic(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Potential.diagonalHarmonic());
        assertThrows(IllegalArgumentException.class, () -> new Potential.Chain(1, 0, Double.POSITIVE_INFINITY, Ends.FIXED));
        assertThrows(IllegalArgumentException.class, () -> new Potential.Chain(1, 0, 0, null));
        var e = assertThrows(IllegalArgumentException.class, () -> Potential.coulombGas(4));
        assertEquals("dim: expected 1, 2 or 3, got 4", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Potential.LennardJones(3, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> Potential.doubleWell(1, -1));
        double[] k = {1, 2};
        Potential.DiagonalHarmonic d = Potential.diagonalHarmonic(k);
        k[0] = 5;
        assertEquals(1, d.k()[0], "the record keeps its own copy");
        assertEquals(d, Potential.diagonalHarmonic(1, 2));
    }

    static double[] row(float[] q, int r, int n) {
        double[] x = new double[n];
        for (int k = 0; k < n; k++) x[k] = q[r * n + k];
        return x;
    }
}
