package org.flowkernels.sample;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import org.flowkernels.Backend;
import org.flowkernels.Tensor;
import org.flowkernels.physics.Potential;
import org.flowkernels.physics.UserPotential;
import org.flowkernels.testing.BackendTest;
import org.flowkernels.testing.Fresh;
import org.flowkernels.testing.UserModels;
import org.junit.jupiter.api.Test;

/**
 * HMC, and MALA beside it, on a user's potential, on every backend: the Boltzmann mean and
 * variance of a tilted double well against float64 quadrature, with error bars from
 * {@link Diagnostics}; on a Gaussian, the acceptance rate against its exact float64 value as ε
 * shrinks (the leapfrog energy error ΔH = O(ε²) per trajectory, so 1 − acceptance falls four-fold
 * per halving of ε); and the adaptation of ε toward a target.
 */
class HmcTest {
    static final double H = 1.0, TILT = 0.3, BETA = 1.0;

    /** ∫ x^k e^{−βV(x)} dx / ∫ e^{−βV(x)} dx for k = 1, 2, by Simpson's rule on [−6, 6] (2·10⁵ intervals; the tails are < e^{−400}). */
    static double[] exactMoments() {
        int m = 200_000;
        double lo = -6, hi = 6, h = (hi - lo) / m, z = 0, m1 = 0, m2 = 0;
        for (int i = 0; i <= m; i++) {
            double x = lo + i * h, w = (i == 0 || i == m ? 1 : i % 2 == 1 ? 4 : 2) * Math.exp(-BETA * UserModels.wellValue(H, TILT, x));
            z += w;
            m1 += w * x;
            m2 += w * x * x;
        }
        return new double[] {m1 / z, m2 / z - (m1 / z) * (m1 / z)};
    }

    @Test
    void theQuadratureIsConverged() {
        double[] m = exactMoments();
        assertTrue(m[0] < -0.1 && m[0] > -1, "the tilt pulls the mean into the left well: " + m[0]);
        assertTrue(m[1] > 0.3 && m[1] < 1.2, "both wells are visited: variance " + m[1]);
    }

    /** Mean and variance of coordinate draws [chains][draws] pooled from the snapshots, with Diagnostics' standard errors. */
    record Estimate(double mean, double meanError, double variance, double varianceError) {}

    static Estimate estimate(LangevinResult r, int n) {
        var snaps = r.snapshots();
        int chains = r.states().rows(), draws = snaps.size(), series = chains * n;
        double[] x = new double[series * draws], dev = new double[series * draws];
        for (int j = 0; j < draws; j++) {
            float[] s = snaps.get(j).states();
            for (int i = 0; i < series; i++) x[i * draws + j] = s[i];
        }
        double mean = Diagnostics.mean(x, series, draws);
        for (int i = 0; i < x.length; i++) dev[i] = (x[i] - mean) * (x[i] - mean);
        return new Estimate(mean, Diagnostics.standardError(x, series, draws), Diagnostics.mean(dev, series, draws),
                Diagnostics.standardError(dev, series, draws));
    }

    static void assertBoltzmann(Estimate e, String what) {
        double[] exact = exactMoments();
        assertEquals(exact[0], e.mean(), 5 * e.meanError(), "mean of " + what + " (exact " + exact[0] + ")");
        assertEquals(exact[1], e.variance(), 5 * e.varianceError() + 5 * e.meanError() * e.meanError(),
                "variance of " + what + " (exact " + exact[1] + ")");
        assertTrue(e.meanError() < 0.03, "the error bar resolves the tilt: " + e.meanError());
    }

    /** Chains started in the right well (the wrong one): 300 warm-up iterations of a trajectory of
     *  length 1.2 cross the barrier of 1 kT many times. */
    @BackendTest
    void hmcOnAUserDoubleWellReproducesTheBoltzmannMeanAndVariance(Backend backend) {
        Fresh f = new Fresh("hmc-well" + backend.name());
        int n = 2, chains = 256;
        float[] x0 = new float[chains * n];
        Arrays.fill(x0, 1f);
        long seed = f.nextLong();
        UserPotential v = UserModels.doubleWell(H, TILT);
        HmcSettings s = HmcSettings.of(0.15, 8, 1200, seed).withWarmup(300)
                .withOptions(RunOptions.of(seed).withSnapshotEvery(6));
        try (Tensor x = backend.tensor(x0, chains, n); LangevinResult r = Hmc.sample(Drift.potential(v, BETA), x, s)) {
            assertEquals(Langevin.Method.HMC, r.method());
            assertTrue(r.meanAcceptance() > 0.8 && r.meanAcceptance() < 1, "acceptance " + r.meanAcceptance());
            assertBoltzmann(estimate(r, n), "HMC on " + backend.name() + ", " + f.seed());
        }
    }

    @BackendTest
    void malaOnAUserDoubleWellReproducesTheBoltzmannMeanAndVariance(Backend backend) {
        Fresh f = new Fresh("mala-user-well" + backend.name());
        int n = 2, chains = 256;
        float[] x0 = new float[chains * n];
        Arrays.fill(x0, 1f);
        long seed = f.nextLong();
        UserPotential v = UserModels.doubleWell(H, TILT);
        LangevinSettings s = LangevinSettings.of(0.2, 6000, seed).withWarmup(1000)
                .withOptions(RunOptions.of(seed).withSnapshotEvery(30));
        try (Tensor x = backend.tensor(x0, chains, n); LangevinResult r = Langevin.mala(Drift.potential(v, BETA), x, s)) {
            assertBoltzmann(estimate(r, n), "MALA on " + backend.name() + ", " + f.seed());
        }
    }

    /**
     * HMC's rejection rate 1 − E[min(1, e^{−ΔH})] on the standard Gaussian in n = 4 dimensions,
     * the chains started in the target, against its float64 Monte Carlo value (4·10⁵
     * trajectories of the same leapfrog map, standard error < 3%), for ε = 0.4 .. 0.05 at a fixed
     * trajectory length 1: within five binomial standard errors of the 64 x 400 decisions (the
     * momenta are fresh at every iteration, so the decisions are nearly independent) plus 5%.
     * The reference itself must show the leapfrog law ΔH = O(ε²): halving ε divides the rejection
     * rate by 4 (± 15%); and at ε = 0.05 the acceptance is above 0.995.
     */
    @BackendTest
    void hmcAcceptanceTendsToOneAsTheLeapfrogErrorShrinks(Backend backend) {
        Fresh f = new Fresh("hmc-gauss" + backend.name());
        int n = 4, chains = 64, iterations = 400;
        float[] x0 = f.gaussian(chains * n, 1.0);
        long seed = f.nextLong();
        double lastExpected = Double.NaN;
        try (Tensor x = backend.tensor(x0, chains, n)) {
            for (double eps : new double[] {0.4, 0.2, 0.1, 0.05}) {
                int steps = (int) Math.round(1.0 / eps);
                double expected = 1 - expectedAcceptance(n, eps, steps, f, 400_000);
                try (LangevinResult r = Hmc.sample(Drift.potential(Potential.harmonic(1), 1), x,
                        HmcSettings.of(eps, steps, iterations, seed))) {
                    String what = "ε = " + eps + " on " + backend.name() + ", " + f.seed();
                    double reject = 1 - r.meanAcceptance(), decisions = (double) chains * iterations;
                    assertEquals(expected, reject, 5 * Math.sqrt(expected * (1 - expected) / decisions) + 0.05 * expected,
                            "rejection rate at " + what);
                    if (!Double.isNaN(lastExpected))
                        assertEquals(4, lastExpected / expected, 0.6, "the reference's 1 − acceptance scales as ε²: " + lastExpected
                                + " -> " + expected);
                    if (eps == 0.05) assertTrue(r.meanAcceptance() > 0.995, "acceptance -> 1: " + r.meanAcceptance());
                    lastExpected = expected;
                }
            }
        }
    }

    /**
     * E[min(1, e^{−ΔH})] for x, p ~ N(0, I_n) and L leapfrog steps of ε on H = |x|²/2 + |p|²/2, in
     * float64: leapfrog is linear here, so the L steps are one 2 x 2 map M of each (x_c, p_c), and
     * ΔH = Σ_c (|M z_c|² − |z_c|²)/2.
     */
    static double expectedAcceptance(int n, double eps, int steps, Fresh f, int draws) {
        double[] m = {1, 0, 0, 1}; // row-major, acting on (q, p)
        double[] step = {1 - eps * eps / 2, eps, -eps * (1 - eps * eps / 4), 1 - eps * eps / 2}; // kick, drift, kick
        for (int l = 0; l < steps; l++)
            m = new double[] {step[0] * m[0] + step[1] * m[2], step[0] * m[1] + step[1] * m[3],
                    step[2] * m[0] + step[3] * m[2], step[2] * m[1] + step[3] * m[3]};
        double sum = 0;
        for (int d = 0; d < draws; d++) {
            double dh = 0;
            for (int c = 0; c < n; c++) {
                double q = f.gaussian(), p = f.gaussian(), q1 = m[0] * q + m[1] * p, p1 = m[2] * q + m[3] * p;
                dh += (q1 * q1 + p1 * p1 - q * q - p * p) / 2;
            }
            sum += Math.min(1, Math.exp(-dh));
        }
        return sum / draws;
    }

    /**
     * From ε = 1.5, where the stiffest coordinate's leapfrog is unstable (εω > 2: the first
     * trajectories diverge and are rejected), dual averaging brings the sampling acceptance to the
     * target, and a higher target takes smaller steps. Dual averaging approaches its target slowly
     * (after 500 warm-up iterations it still overshoots 0.651 by about 0.05 here; Stan's runs show
     * the same): 2000 warm-up iterations, ± 0.04 on the mean of 128 chains.
     */
    @BackendTest
    void adaptiveHmcHitsItsTargetAcceptance(Backend backend) {
        Fresh f = new Fresh("hmc-adapt" + backend.name());
        double[] k = {0.5, 0.8, 1, 1.2, 1.6, 2};
        int n = k.length, chains = 128;
        float[] x0 = f.gaussian(chains * n, 0.5);
        long seed = f.nextLong();
        double lastEps = Double.POSITIVE_INFINITY;
        try (Tensor x = backend.tensor(x0, chains, n)) {
            for (double target : new double[] {HmcSettings.OPTIMAL_ACCEPTANCE, 0.9}) {
                HmcSettings s = HmcSettings.of(1.5, 3, 400, seed).withWarmup(2000).withAdaptation(target);
                try (LangevinResult r = Hmc.sample(Drift.potential(Potential.diagonalHarmonic(k), 1), x, s)) {
                    assertEquals(target, r.meanAcceptance(), 0.04, "target " + target + " on " + backend.name() + ", " + f.seed());
                    double meanEps = 0;
                    for (float e : r.stepSizes()) {
                        assertTrue(e > 0 && e < 1.5, "adapted ε " + e);
                        meanEps += e / chains;
                    }
                    assertTrue(meanEps < lastEps, "a higher target takes smaller steps: " + meanEps + " after " + lastEps);
                    lastEps = meanEps;
                }
            }
        }
    }

    @Test
    void hmcNeedsALogDensityAndValidSettings() {
        assertThrows(IllegalArgumentException.class, () -> HmcSettings.of(0, 5, 10, 1));
        assertThrows(IllegalArgumentException.class, () -> HmcSettings.of(0.1, 0, 10, 1));
        assertThrows(IllegalArgumentException.class, () -> HmcSettings.of(0.1, 5, 10, 1).withAdaptation(1.0));
    }

    /** The same seed gives the same chains; a run split into chunks is bit-identical to an unsplit one. */
    @BackendTest
    void hmcRunsAreReproducibleAndSplitInvariant(Backend backend) {
        Fresh f = new Fresh("hmc-split" + backend.name());
        int n = 3, chains = 70;
        float[] x0 = f.gaussian(chains * n, 1.0);
        long seed = f.nextLong();
        Drift d = Drift.potential(UserModels.doubleWell(1, 0.2), 1);
        HmcSettings s = HmcSettings.of(0.2, 4, 50, seed).withWarmup(20).withAdaptation();
        try (Tensor x = backend.tensor(x0, chains, n); LangevinResult whole = Hmc.sample(d, x, s);
             LangevinRun split = Hmc.start(d, x, s.withOptions(s.options().withStepsPerLaunch(7)))) {
            while (!split.isDone()) split.advance(13);
            try (LangevinResult parts = split.result()) {
                assertArrayEquals(whole.states().toArray(), parts.states().toArray(), "states on " + backend.name());
                assertArrayEquals(whole.acceptance(), parts.acceptance(), "acceptance");
                assertArrayEquals(whole.stepSizes(), parts.stepSizes(), "adapted ε");
            }
        }
    }
}
