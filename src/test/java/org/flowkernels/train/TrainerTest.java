package org.flowkernels.train;

import static org.junit.jupiter.api.Assertions.*;

import org.flowkernels.Backend;
import org.flowkernels.Backends;
import org.flowkernels.backend.cpu.CpuBackend;
import org.flowkernels.flow.CouplingFlow;
import org.flowkernels.physics.Potential;
import org.flowkernels.testing.BackendTest;
import org.junit.jupiter.api.Test;

/** Training as the physics sees it: the free energy bound on exactly solvable targets, reproducibility, errors. */
class TrainerTest {
    /** −ln Z / β for H = Σ k_c x_c² / 2: Z = Π_c √(2π / (β k_c)). */
    static double gaussianFreeEnergy(double beta, double... k) {
        double lnZ = 0;
        for (double kc : k) lnZ += 0.5 * Math.log(2 * Math.PI / (beta * kc));
        return -lnZ / beta;
    }

    /**
     * −ln Z / β for two unit charges in the 2-D trap, H = 1/|r1 − r2| + |r1|² + |r2|²: with
     * R = (r1 + r2)/2 and ρ = r1 − r2 (Jacobian 1), H = 2|R|² + |ρ|²/2 + 1/|ρ|, so
     * Z = π/(2β) · 2π ∫ ρ exp(−β(1/ρ + ρ²/2)) dρ, the last integral by Simpson's rule (the
     * integrand is smooth and negligible outside (0.05, 4) for β ≥ 1).
     */
    static double twoChargesFreeEnergy(double beta) {
        int n = 20000;
        double a = 1e-3, b = 6, h = (b - a) / n, sum = 0;
        for (int i = 0; i <= n; i++) {
            double rho = a + i * h, f = rho * Math.exp(-beta * (1 / rho + rho * rho / 2 - 1.5));
            sum += f * (i == 0 || i == n ? 1 : i % 2 == 1 ? 4 : 2);
        }
        double lnZ = Math.log(Math.PI / (2 * beta)) + Math.log(2 * Math.PI * sum * h / 3) - 1.5 * beta;
        return -lnZ / beta;
    }

    static void print(String what, Trainer.Estimate e, double exact) {
        System.out.printf("%s: F = %.5f +- %.5f (reference %.5f, excess %.5f), <H> = %.5f, ESS/M = %.3f%n", what, e.value(), e.error(),
                exact, e.value() - exact, e.meanEnergy(), e.essFraction());
    }

    @BackendTest
    void gaussianTargetReachesTheExactFreeEnergy(Backend backend) {
        double beta = 1;
        double[] k = {1, 4};
        Trainer.Estimate e;
        try (Trainer t = Trainer.variationalFreeEnergy(CouplingFlow.realNvp(2, 2, 3, 8), Potential.diagonalHarmonic(k), beta,
                TrainOptions.of(backend).withBatch(128).withRate(LearningRate.cosine(1e-2, 600)))) {
            for (int s = 0; s < 600; s++) t.step();
            e = t.estimate(8192);
        }
        double exact = gaussianFreeEnergy(beta, k);
        print("gaussian on " + backend.name(), e, exact);
        // F[q] >= -ln Z / beta up to the Monte Carlo error; the trained affine flow represents the target exactly
        assertTrue(e.value() >= exact - 4 * e.error(), "F below the exact free energy");
        assertTrue(e.value() - exact < 0.01, "F " + e.value() + " not within 0.01 of " + exact);
        assertTrue(e.essFraction() > 0.95, "ESS/M " + e.essFraction());
    }

    @Test
    void twoChargesInTheTrapStayAboveTheGroundState() {
        double beta = 10;
        Trainer t = Trainer.variationalFreeEnergy(CouplingFlow.realNvp(4, 6, 1, 32, 32), Potential.coulombGas(2), beta,
                TrainOptions.of(Backends.cpu()).withBatch(256).withRate(LearningRate.cosine(3e-3, 1500)));
        for (int s = 0; s < 1500; s++) t.step();
        Trainer.Estimate e = t.estimate(8192);
        double exact = twoChargesFreeEnergy(beta);
        print("two charges", e, exact);
        assertTrue(e.value() > 1.5, "F below the ground-state energy 1.5");
        assertTrue(e.value() >= exact - 4 * e.error(), "F below the exact free energy");
        // the margin: measured excess 0.037 (KL(q || p) = 0.37 nats at this size and run length)
        assertTrue(e.value() - exact < 0.06, "F " + e.value() + " more than 0.06 above the exact " + exact);
    }

    /**
     * Three charges: the ground state is the equilateral triangle, E0 = 3.9311120913 (the issue's
     * value); at beta = 10 the harmonic free energy about it is F_h = E0 + (1/2beta) sum_k
     * ln(beta k_k / 2pi) - ln(2pi sqrt(I)) / beta = 4.11875 (the Hessian's five non-zero modes and
     * the rotation's angle integral, I = sum |r_i|^2; computed outside with numpy, BFGS from 200
     * starts; for two charges the same formula gives 1.57948 against the exact 1.57679, so
     * anharmonicity moves it by a few thousandths here).
     */
    @Test
    void threeChargesInTheTrapStayAboveTheGroundState() {
        double beta = 10, groundState = 3.9311120913, harmonic = 4.11875;
        Trainer t = Trainer.variationalFreeEnergy(CouplingFlow.realNvp(6, 6, 1, 32, 32), Potential.coulombGas(2), beta,
                TrainOptions.of(Backends.cpu()).withBatch(256).withRate(LearningRate.cosine(3e-3, 1500)));
        for (int s = 0; s < 1500; s++) t.step();
        Trainer.Estimate e = t.estimate(8192);
        print("three charges", e, harmonic);
        assertTrue(e.value() > groundState, "F below the ground-state energy " + groundState);
        assertTrue(e.value() > harmonic - 0.02, "F " + e.value() + " below the free energy " + harmonic + " (harmonic, +-0.02)");
        // the margin: measured excess 0.091 (Vector API) and 0.124 (plain loops) in float32 (in
        // float64 0.115-0.121); runs of this length scatter with the rounding: an earlier weight-
        // gradient tile, the same sums with FMA in other rows, gave 0.266 here, and over seeds 1-12
        // 0.05-0.39 (two above 0.2); PoCL's float32 kernels gave 0.06-0.20
        assertTrue(e.value() - harmonic < 0.3, "F " + e.value() + " more than 0.3 above " + harmonic);
    }

    /** The data's entropy bounds −⟨ln q⟩_data from below (up to sampling); a Gaussian is within an affine flow's reach. */
    @Test
    void maximumLikelihoodReachesTheDataEntropy() {
        double[] mu = {0.5, -1}, sigma = {1.8, 0.5}; // |ln sigma| < 1: the tanh-bounded scales reach them
        int rows = 4000;
        float[] data = new float[2 * rows];
        java.util.SplittableRandom r = new java.util.SplittableRandom(8);
        for (int i = 0; i < data.length; i++) data[i] = (float) (mu[i % 2] + sigma[i % 2] * r.nextGaussian());
        Trainer t = Trainer.maximumLikelihood(CouplingFlow.realNvp(2, 2, 4, 8), data,
                TrainOptions.of(Backends.cpu()).withBatch(128).withRate(LearningRate.cosine(1e-2, 800)));
        for (int s = 0; s < 800; s++) t.step();
        Trainer.Estimate e = t.estimate(8192);
        double entropy = 0;
        for (double s : sigma) entropy += 0.5 * Math.log(2 * Math.PI * Math.E * s * s);
        System.out.printf("maximum likelihood: -<ln q> = %.5f +- %.5f, entropy of the generating Gaussian %.5f%n", e.value(), e.error(),
                entropy);
        // 4000 rows fix the fitted Gaussian's entropy to ~0.02; the estimate's own error on top
        assertTrue(Math.abs(e.value() - entropy) < 0.02 + 3 * e.error(), "-<ln q> " + e.value() + " vs entropy " + entropy);
        assertTrue(Double.isNaN(e.essFraction()) && Double.isNaN(e.meanEnergy()));
    }

    /** The same seed gives the same losses bit for bit, whatever the number of threads. */
    @Test
    void sameSeedSameLossTrajectory() {
        double[][] runs = new double[3][];
        Backend[] backends = {Backends.cpu(), new CpuBackend(1), new CpuBackend(3)};
        for (int k = 0; k < 3; k++) {
            Trainer t = Trainer.variationalFreeEnergy(CouplingFlow.realNvp(6, 4, 2, 24, 24), Potential.coulombGas(2), 5,
                    TrainOptions.of(backends[k]).withBatch(75).withSeed(7));
            runs[k] = new double[20];
            for (int s = 0; s < 20; s++) {
                TrainStep st = t.step();
                runs[k][s] = st.loss() + st.gradientNorm();
            }
        }
        assertArrayEquals(runs[0], runs[1], 0.0, "1 thread");
        assertArrayEquals(runs[0], runs[2], 0.0, "3 threads");
        Trainer other = Trainer.variationalFreeEnergy(CouplingFlow.realNvp(6, 4, 2, 24, 24), Potential.coulombGas(2), 5,
                TrainOptions.of(Backends.cpu()).withBatch(75).withSeed(8));
        assertNotEquals(runs[0][0], other.step().loss(), "another seed, another batch");
    }

    @Test
    void badInputIsRefusedInOneLine() {
        CouplingFlow flow = CouplingFlow.realNvp(4, 2, 1, 8);
        TrainOptions o = TrainOptions.of(Backends.cpu());
        assertOneLine(() -> o.withBatch(1), "batch: expected at least 2");
        assertOneLine(() -> o.withClipNorm(0), "clipNorm: expected > 0");
        assertOneLine(() -> LearningRate.cosine(Double.NaN, 10), "learning rate");
        assertOneLine(() -> LearningRate.cosine(1e-3, 0), "steps");
        assertOneLine(() -> new Optimizer.Adam(1, 0.999, 1e-8), "beta1: expected a value in [0, 1), got 1.0");
        assertOneLine(() -> Trainer.variationalFreeEnergy(flow, Potential.coulombGas(2), 0, o), "beta");
        assertOneLine(() -> Trainer.variationalFreeEnergy(flow, Potential.coulombGas(3), 1, o), "flow (its dim)");
        assertOneLine(() -> Trainer.maximumLikelihood(flow, new float[6], o), "data: expected rows of 4 values (the flow's dim), got 6 values");
        assertOneLine(() -> Trainer.maximumLikelihood(flow, new float[] {0, 1, Float.NaN, 2}, o), "data: non-finite value NaN at row 0, column 2");
        assertOneLine(() -> Trainer.maximumLikelihood(flow, new float[8], o.withEstimator(TrainOptions.Estimator.SCORE_FUNCTION)),
                "estimator: maximum likelihood has only the pathwise gradient");
    }

    /** Steps, an estimate and the parameters read back, then close: the backend's live allocations are where they were. */
    @BackendTest
    void leavesNoAllocationsBehind(Backend backend) {
        long before = backend.liveAllocations();
        try (Trainer t = Trainer.variationalFreeEnergy(CouplingFlow.realNvp(4, 2, 1, 8), Potential.coulombGas(2), 1,
                TrainOptions.of(backend).withBatch(40).withEstimator(TrainOptions.Estimator.SCORE_FUNCTION))) {
            t.step();
            t.step();
            t.estimate(1500);
            assertEquals(t.parameters().length, t.flow().couplings().stream().mapToInt(c -> c.conditioner().parameterCount()).sum());
        }
        assertEquals(before, backend.liveAllocations(), "live allocations on " + backend.name());
    }

    /** A closed trainer says so instead of running on released memory. */
    @Test
    void aClosedTrainerRefuses() {
        Trainer t = Trainer.variationalFreeEnergy(CouplingFlow.realNvp(4, 2, 1, 8), Potential.coulombGas(2), 1, TrainOptions.of(Backends.cpu()));
        t.close();
        t.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, t::step);
        assertEquals("trainer: closed (its parameters were released)", e.getMessage());
        assertThrows(IllegalStateException.class, () -> t.estimate(4));
    }

    /** A step whose loss overflows stops with a message rather than handing NaN parameters on. */
    @Test
    void nonFiniteLossStopsTheRun() {
        Trainer t = Trainer.variationalFreeEnergy(CouplingFlow.realNvp(4, 2, 1, 8), Potential.coulombGas(2), 1,
                TrainOptions.of(Backends.cpu()).withOptimizer(new Optimizer.Sgd(0)).withRate(LearningRate.constant(1e30)));
        t.step();
        RuntimeException e = assertThrows(RuntimeException.class, () -> { for (int s = 0; s < 5; s++) t.step(); });
        assertTrue(e.getMessage().matches("step \\d: the (loss|gradient) is not finite .*"), e.getMessage());
    }

    static void assertOneLine(org.junit.jupiter.api.function.Executable bad, String part) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, bad);
        assertTrue(e.getMessage().contains(part) && !e.getMessage().contains("\n"), e.getMessage());
    }

    /**
     * The pathwise and the score-function (REINFORCE) estimators are both unbiased: over many
     * batches at the same parameters, their mean gradients agree within the error bar of the paired
     * difference, projected on the mean gradient's direction; their variances are printed.
     */
    @Test
    void pathwiseAndScoreFunctionGradientsAgree() {
        CouplingFlow flow = CouplingFlow.realNvp(2, 2, 5, 8);
        Potential v = Potential.diagonalHarmonic(1, 4);
        TrainOptions o = TrainOptions.of(Backends.cpu());
        Trainer path = Trainer.variationalFreeEnergy(flow, v, 1, o);
        Trainer score = Trainer.variationalFreeEnergy(flow, v, 1, o.withEstimator(TrainOptions.Estimator.SCORE_FUNCTION));
        int batches = 400, m = 64, p = path.parameters().length;
        double[][] gp = new double[batches][p], gs = new double[batches][p];
        double[] u = new double[p];
        java.util.SplittableRandom r = new java.util.SplittableRandom(11);
        for (int k = 0; k < batches; k++) {
            float[] z = new float[2 * m];
            for (int i = 0; i < z.length; i++) z[i] = (float) r.nextGaussian();
            path.evaluate(z, m, gp[k]);
            score.evaluate(z, m, gs[k]);
            for (int i = 0; i < p; i++) u[i] += gp[k][i];
        }
        double un = Math.sqrt(java.util.Arrays.stream(u).map(x -> x * x).sum());
        double[] a = new double[batches], b = new double[batches], diff = new double[batches];
        for (int k = 0; k < batches; k++) {
            for (int i = 0; i < p; i++) {
                a[k] += gp[k][i] * u[i] / un;
                b[k] += gs[k][i] * u[i] / un;
            }
            diff[k] = b[k] - a[k];
        }
        double[] pa = meanAndError(a), pb = meanAndError(b), pd = meanAndError(diff);
        System.out.printf("gradient along its mean direction: pathwise %.4f +- %.4f (variance per batch %.3g), score function %.4f +- %.4f "
                + "(variance per batch %.3g)%n", pa[0], pa[1], pa[1] * pa[1] * batches, pb[0], pb[1], pb[1] * pb[1] * batches);
        assertTrue(Math.abs(pd[0]) < 4 * pd[1], "means differ by " + pd[0] + " +- " + pd[1]);
        assertTrue(5 * pd[1] < Math.abs(pa[0]), "the comparison resolves the gradient: error " + pd[1] + " of " + pa[0]);
        assertTrue(pb[1] > pa[1], "the score function is the noisier estimator");
    }

    /** {mean, standard error of the mean}. */
    static double[] meanAndError(double[] x) {
        double mean = java.util.Arrays.stream(x).average().orElseThrow(), var = 0;
        for (double v : x) var += (v - mean) * (v - mean);
        return new double[] {mean, Math.sqrt(var / (x.length - 1) / x.length)};
    }
}
