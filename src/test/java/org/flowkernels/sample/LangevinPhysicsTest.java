package org.flowkernels.sample;

import static org.junit.jupiter.api.Assertions.*;

import java.util.function.DoubleUnaryOperator;
import org.flowkernels.Backend;
import org.flowkernels.Tensor;
import org.flowkernels.physics.Potential;
import org.flowkernels.physics.PotentialReference;
import org.flowkernels.testing.BackendTest;
import org.flowkernels.testing.Fresh;

/**
 * What the chains sample, on every backend: ULA's exactly known bias on a Gaussian, MALA's
 * exactness (Gaussian and double-well marginals, Kolmogorov-Smirnov at α = 0.001 on samples
 * that are independent across chains and thinned within them), the step-size adaptation, and
 * a Coulomb gas cooled to its ground state plus equipartition. Tolerances are five standard
 * errors computed from the number of effective samples unless said otherwise.
 */
class LangevinPhysicsTest {
    /**
     * ULA on V = Σ_c k_c x_c²/2 at β = 1 (π = N(0, σ_c²), σ_c² = 1/k_c): each coordinate is the
     * AR(1) chain x ← ρ x + √ε ξ with ρ = 1 − ε k/2. Its stationary variance v solves
     * v = ρ² v + ε, so v = ε / (1 − ρ²) = ε / (εk − ε²k²/4) = σ² / (1 − ε/(4σ²)): larger than σ²
     * by the O(ε) discretization bias, which the measured variance must show.
     *
     * <p>Effective samples: the chains start in that stationary law (so there is no burn-in)
     * and x² of an AR(1) chain has autocorrelation ρ^(2l), integrated time
     * τ = (1 + ρ²)/(1 − ρ²); the variance estimate over N samples has standard error
     * v √(2τ/N), the mean √(v τ'/N) with τ' = (1 + ρ)/(1 − ρ).
     */
    @BackendTest
    void ulaHasTheStationaryVarianceOfItsDiscretization(Backend backend) {
        Fresh f = new Fresh("ula-variance" + backend.name());
        double[] k = {1.0, 0.5, 2.0, 1.0};
        int n = k.length, chains = 1000, steps = 300;
        double eps = 0.5;
        double[] v = new double[n];
        for (int c = 0; c < n; c++) v[c] = (1 / k[c]) / (1 - eps * k[c] / 4);
        float[] x0 = new float[chains * n];
        for (int i = 0; i < chains; i++)
            for (int c = 0; c < n; c++) x0[i * n + c] = (float) (Math.sqrt(v[c]) * f.gaussian());
        long seed = f.nextLong();
        try (Tensor x = backend.tensor(x0, chains, n);
             LangevinResult r = Langevin.ula(Drift.potential(Potential.diagonalHarmonic(k), 1.0), x,
                     LangevinSettings.of(eps, steps, seed))) {
            ChainStatistics st = r.statistics();
            double samples = (double) chains * steps, energy = 0, energyVar = 0;
            for (int c = 0; c < n; c++) {
                double rho = 1 - eps * k[c] / 2, tau2 = (1 + rho * rho) / (1 - rho * rho), tau1 = (1 + rho) / (1 - rho);
                double seVar = v[c] * Math.sqrt(2 * tau2 / samples), seMean = Math.sqrt(v[c] * tau1 / samples);
                String what = "coordinate " + c + " (k = " + k[c] + ") on " + backend.name() + ", " + f.seed();
                assertEquals(v[c], st.variance()[c], 5 * seVar, "ULA variance σ²/(1 − ε/4σ²) of " + what);
                assertTrue(Math.abs(st.variance()[c] - 1 / k[c]) > 5 * seVar, "the O(ε) bias is resolved: " + what);
                assertEquals(0, st.mean()[c], 5 * seMean, "mean of " + what);
                energy += k[c] / 2 * v[c];
                energyVar += k[c] * k[c] / 4 * 2 * v[c] * v[c] * tau2; // Var(k x²/2) = k² v² / 2, times τ
            }
            assertEquals(energy, st.energyMean(), 5 * Math.sqrt(energyVar / samples), "mean energy, " + f.seed());
            assertEquals(1.0, r.meanAcceptance(), "ULA accepts every step");
        }
    }

    /** Samples of coordinate c / scale[c] from every snapshot and every chain. */
    static double[] pooled(LangevinResult r, int n, double[] scale) {
        var snaps = r.snapshots();
        int chains = r.states().rows();
        double[] out = new double[snaps.size() * chains * n];
        int j = 0;
        for (Snapshot s : snaps)
            for (int i = 0; i < chains * n; i++) out[j++] = s.states()[i] / scale[i % n];
        return out;
    }

    /**
     * MALA on N(0, diag(1, 1/4)) at ε = 0.8, where ULA's bias is large: the chains start in the
     * target (drawn here in float64) and MALA must keep them there, while ULA drifts to variances
     * 1.25 and 5 times too large. Snapshots every 25 steps (the accepted-move autocorrelation is
     * |1 − εk/2| ≤ 0.6 per step, so 25 steps decorrelate), 1000 chains x 2 coordinates x 4
     * snapshots = 8000 samples; KS at α = 0.001. The acceptance rate is compared with its value
     * computed here by Monte Carlo in float64.
     */
    @BackendTest
    void malaSamplesAGaussianExactly(Backend backend) {
        Fresh f = new Fresh("mala-gauss" + backend.name());
        double[] k = {1.0, 4.0}, sd = {1.0, 0.5};
        int n = 2, chains = 1000, steps = 100;
        double eps = 0.8;
        float[] x0 = new float[chains * n];
        for (int i = 0; i < chains * n; i++) x0[i] = (float) (sd[i % n] * f.gaussian());
        long seed = f.nextLong();
        Drift drift = Drift.potential(Potential.diagonalHarmonic(k), 1.0);
        var settings = LangevinSettings.of(eps, steps, seed).withOptions(RunOptions.of(seed).withSnapshotEvery(25));
        DoubleUnaryOperator normal = Ks.cdf(x -> -x * x / 2, -9, 9);
        try (Tensor x = backend.tensor(x0, chains, n); LangevinResult mala = Langevin.mala(drift, x, settings);
             LangevinResult ula = Langevin.ula(drift, x, settings)) {
            double[] samples = pooled(mala, n, sd);
            double d = Ks.statistic(samples, normal), crit = Ks.critical(samples.length);
            assertTrue(d < crit, "MALA: KS D = " + d + " >= " + crit + " (α = 0.001) on " + backend.name() + ", " + f.seed());
            double dUla = Ks.statistic(pooled(ula, n, sd), normal);
            assertTrue(dUla > 3 * crit, "the test has power: ULA at the same ε gives D = " + dUla);

            // E[min(1, α)] with x ~ π: 2e5 float64 draws, standard error < 1e-3
            double expected = expectedAcceptance(Potential.diagonalHarmonic(k), eps, () -> {
                double[] q = new double[n];
                for (int c = 0; c < n; c++) q[c] = sd[c] * f.gaussian();
                return q;
            }, f, 200_000);
            // 1e5 correlated accept/reject decisions (correlation time a few steps): standard error ~3e-3
            assertEquals(expected, mala.meanAcceptance(), 0.015, "acceptance rate, " + f.seed());
        }
    }

    /**
     * MALA on the double well V = ((x/a)² − 1)² (h = 1, a = 1, β = 1: minima at ±1, a barrier
     * of 1 kT) in three independent coordinates, every chain started at x = +1 in the right
     * well. Overdamped Kramers rate between the wells: √(V''(1) |V''(0)|)/(2π) e^(−1) ≈ 0.33
     * per unit time (relaxation rate 0.66), and a step of ε = 0.2 is a time ε/2 = 0.1: the 600
     * warm-up steps leave e^−40 of the start, and the 150 steps between snapshots a correlation of e^−10. 1000 chains x 3
     * coordinates x 3 snapshots = 9000 samples against the exact marginal ∝ exp(−V); KS at
     * α = 0.001. The acceptance rate is compared with its value computed here by Monte Carlo.
     */
    @BackendTest
    void malaSamplesTheDoubleWell(Backend backend) {
        Fresh f = new Fresh("mala-double-well" + backend.name());
        int n = 3, chains = 1000;
        float[] x0 = new float[chains * n];
        java.util.Arrays.fill(x0, 1f);
        long seed = f.nextLong();
        Potential v = Potential.doubleWell(1.0, 1.0);
        var settings = LangevinSettings.of(0.2, 450, seed).withWarmup(600)
                .withOptions(RunOptions.of(seed).withSnapshotEvery(150).withStatisticsEvery(10));
        try (Tensor x = backend.tensor(x0, chains, n); LangevinResult r = Langevin.mala(Drift.potential(v, 1.0), x, settings)) {
            double[] samples = pooled(r, n, new double[] {1, 1, 1});
            DoubleUnaryOperator cdf = Ks.cdf(q -> -PotentialReference.value(v, new double[] {q}), -4, 4);
            double d = Ks.statistic(samples, cdf), crit = Ks.critical(samples.length);
            assertTrue(d < crit, "KS D = " + d + " >= " + crit + " (α = 0.001) on " + backend.name() + ", " + f.seed());
            int left = 0;
            for (double s : samples) if (s < 0) left++;
            assertEquals(0.5, (double) left / samples.length, 5 * Math.sqrt(0.25 / samples.length), "half the mass in each well");
            // E[min(1, α)] with x ~ π (rejection sampling in float64): 1e5 draws
            double expected = expectedAcceptance(v, 0.2, () -> {
                double[] q = new double[n];
                for (int c = 0; c < n; c++)
                    do q[c] = f.uniform(-3, 3); while (f.uniform(0, 1) > Math.exp(-PotentialReference.value(v, new double[] {q[c]})));
                return q;
            }, f, 100_000);
            // 1.35e6 decisions with a correlation time of a few steps: standard error ~1e-3
            assertEquals(expected, r.meanAcceptance(), 0.015, "acceptance rate, " + f.seed());
        }
    }

    /**
     * Dual averaging from a poor start (ε = 1 on a Gaussian whose stiffest direction wants
     * ε ~ 0.1) must bring each chain's acceptance over the sampling steps near the target, and
     * a higher target must give smaller steps. Per-chain acceptance over 300 steps scatters by
     * ~0.03, and dual averaging lands near, not on, the target: ± 0.06 on the mean of 128 chains.
     */
    @BackendTest
    void malaAdaptsItsStepSizeTowardTheTarget(Backend backend) {
        Fresh f = new Fresh("mala-adapt" + backend.name());
        double[] k = {0.25, 0.5, 1, 2, 4, 1, 0.5, 3};
        int n = k.length, chains = 128;
        float[] x0 = f.gaussian(chains * n, 1.0);
        long seed = f.nextLong();
        Drift drift = Drift.potential(Potential.diagonalHarmonic(k), 1.0);
        try (Tensor x = backend.tensor(x0, chains, n)) {
            double meanEps574 = 0;
            for (double target : new double[] {0.574, 0.85}) {
                var settings = LangevinSettings.of(1.0, 300, seed).withWarmup(400).withAdaptation(target);
                try (LangevinResult r = Langevin.mala(drift, x, settings)) {
                    assertEquals(target, r.meanAcceptance(), 0.06, "target " + target + " on " + backend.name() + ", " + f.seed());
                    double meanEps = 0;
                    for (float e : r.stepSizes()) {
                        assertTrue(e > 0 && e < 1, "adapted ε " + e);
                        meanEps += e / chains;
                    }
                    if (target == 0.574) meanEps574 = meanEps;
                    else assertTrue(meanEps < meanEps574, "a higher target takes smaller steps: " + meanEps + " vs " + meanEps574);
                }
            }
        }
    }

    /**
     * The 2-D Coulomb gas V = Σ_{i<j} 1/r_ij + Σ_i |r_i|² of N = 4 charges, cooled by MALA at
     * β = 100 from x0 ~ N(0, I). Near its minimum V* (a square, found here by float64 gradient
     * descent from several starts) V ≈ V* + ½ δᵀHδ, and each of the Hessian's non-zero modes
     * holds kT/2 on average (equipartition). The trap removes the translation zero modes; the
     * rotation about the trap's centre remains one zero mode in 2-D (V does not change along it,
     * so it holds no potential energy). So ⟨V⟩ = V* + (dN − 1)/(2β) + O(β⁻²) = V* + 0.035: the
     * tolerance, 0.0025, keeps the anharmonic O(β⁻²) ~ 1e-4 and the sampling error (~1e-4) well
     * inside while it excludes dN/(2β) = 0.040, the answer without the zero mode.
     */
    @BackendTest
    void aCoulombGasCoolsToItsGroundStatePlusEquipartition(Backend backend) {
        Fresh f = new Fresh("coulomb-cool" + backend.name());
        int d = 2, particles = 4, n = d * particles, chains = 256;
        double beta = 100;
        Potential v = Potential.coulombGas(d);
        double ground = groundState(v, n, f);
        float[] x0 = f.gaussian(chains * n, 1.0);
        double start = 0;
        for (int i = 0; i < chains; i++) start += PotentialReference.value(v, LangevinTest.row(x0, i, n)) / chains;
        long seed = f.nextLong();
        var settings = LangevinSettings.of(2e-3, 1500, seed).withWarmup(600).withAdaptation();
        try (Tensor x = backend.tensor(x0, chains, n); LangevinResult r = Langevin.mala(Drift.potential(v, beta), x, settings)) {
            double mean = r.statistics().energyMean();
            assertTrue(mean < start - 1, "the energy falls from " + start + " to " + mean);
            double equipartition = (d * particles - 1) / (2 * beta);
            assertEquals(ground + equipartition, mean, 0.0025, "⟨V⟩ = V* + (dN − 1)/2β with V* = " + ground + " on "
                    + backend.name() + ", " + f.seed());
        }
    }

    /** MALA's mean acceptance probability E[min(1, α)] at β = 1 and step ε, x ~ π drawn by
     *  {@code target}, ξ ~ N(0, I): a float64 Monte Carlo average over {@code draws} proposals. */
    static double expectedAcceptance(Potential v, double eps, java.util.function.Supplier<double[]> target, Fresh f, int draws) {
        LangevinReference.Target pi = LangevinReference.potential(v, 1.0);
        double sum = 0;
        for (int m = 0; m < draws; m++) {
            double[] x = target.get(), dx = pi.drift(x), xi = new double[x.length], y = new double[x.length];
            for (int c = 0; c < x.length; c++) {
                xi[c] = f.gaussian();
                y[c] = x[c] + eps / 2 * dx[c] + Math.sqrt(eps) * xi[c];
            }
            sum += Math.min(1, Math.exp(LangevinReference.logAcceptance(pi, x, dx, y, xi, eps)));
        }
        return sum / draws;
    }

    /** The lowest V over gradient descents (backtracking line search, float64) from 8 random starts. */
    static double groundState(Potential v, int n, Fresh f) {
        double best = Double.POSITIVE_INFINITY;
        for (int start = 0; start < 8; start++) {
            double[] q = new double[n];
            for (int c = 0; c < n; c++) q[c] = f.gaussian();
            double e = PotentialReference.value(v, q), step = 0.1;
            for (int it = 0; it < 20_000; it++) {
                double[] g = PotentialReference.gradient(v, q);
                double g2 = 0;
                for (double gc : g) g2 += gc * gc;
                if (g2 < 1e-24) break;
                while (true) {
                    double[] trial = q.clone();
                    for (int c = 0; c < n; c++) trial[c] -= step * g[c];
                    double et = PotentialReference.value(v, trial);
                    if (et <= e - 0.5 * step * g2) {
                        q = trial;
                        e = et;
                        step *= 1.5;
                        break;
                    }
                    step *= 0.5;
                    if (step < 1e-20) break;
                }
            }
            best = Math.min(best, e);
        }
        return best;
    }
}
