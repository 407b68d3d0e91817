package org.flowkernels.sample;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.flowkernels.Backend;
import org.flowkernels.Backends;
import org.flowkernels.Tensor;
import org.flowkernels.nn.Activation;
import org.flowkernels.nn.Mlp;
import org.flowkernels.nn.MlpModule;
import org.flowkernels.physics.Potential;
import org.flowkernels.physics.PotentialReference;
import org.flowkernels.testing.BackendTest;
import org.flowkernels.testing.Compare;
import org.flowkernels.testing.Fresh;
import org.junit.jupiter.api.Test;

/** The Langevin kernels' mechanics on every backend: agreement with a float64 run, reproducibility,
 *  statistics, score paths, annealing, errors. The sampling physics is in {@link LangevinPhysicsTest}. */
class LangevinTest {
    /** Short runs in float32 against float64: each step rounds the state (~1e-7 relative) and the
     *  drift (~1e-6 for the pair sums), and a few tens of steps of a smooth drift at small ε
     *  barely amplify that: 1e-4 leaves a wide margin while any wrong term (a sign, a factor
     *  ε/2, a wrong noise word) is off by O(1). */
    static final double TOL = 1e-4;

    static double[] row(float[] x, int i, int n) {
        double[] r = new double[n];
        for (int c = 0; c < n; c++) r[c] = x[i * n + c];
        return r;
    }

    /** Runs the reference for every chain; MALA chains with a decision closer to its threshold
     *  than float32 resolves ln α are left out: 1e-3 plus 2e-6 |ln π(x₀)|, since ln α is the
     *  difference of two float32 sums of that size (260 charges: |ln π| ~ 1e4, a decision within
     *  ~0.02 of its threshold went the other way). Returns how many compared. */
    static int compareWithReference(float[] out, float[] x0, int chains, int n, LangevinReference.Target target, boolean mala,
                                    double eps, long seed, int steps, String what) {
        int compared = 0;
        for (int i = 0; i < chains; i++) {
            double[] x = row(x0, i, n);
            double resolved = mala ? 1e-3 + 2e-6 * Math.abs(target.logDensity(x)) : 0;
            double margin = LangevinReference.run(target, mala, x, eps, seed, i, 0, steps);
            if (mala && margin < resolved) continue;
            float[] got = new float[n];
            System.arraycopy(out, i * n, got, 0, n);
            Compare.close(got, x, TOL, what + ", chain " + i);
            compared++;
        }
        return compared;
    }

    @BackendTest
    void shortRunsMatchTheFloat64Reference(Backend backend) {
        Fresh f = new Fresh("langevin-reference" + backend.name());
        record Case(Potential v, double beta, double eps, int chains, int n, double scale) {}
        List<Case> cases = List.of(
                new Case(Potential.coulombGas(2), 1.0, 1e-2, 37, 8, 1.0),
                new Case(Potential.coulombGas(3), 2.0, 5e-3, 3, 15, 1.0),
                new Case(Potential.doubleWell(1.0, 1.2), 1.5, 5e-2, 33, 3, 1.0),
                new Case(Potential.harmonic(2.0), 1.0, 0.1, 5, 65, 1.0), // on a device 17 sites of 4, the last holding one
                new Case(Potential.fputBeta(1.0, Potential.Ends.PERIODIC), 1.0, 1e-2, 1, 16, 0.5));
        for (Case k : cases)
            for (boolean mala : new boolean[] {false, true}) {
                long seed = f.nextLong();
                float[] x0 = f.gaussian(k.chains() * k.n(), k.scale());
                var settings = LangevinSettings.of(k.eps(), 12, seed);
                Drift drift = Drift.potential(k.v(), k.beta());
                try (Tensor x = backend.tensor(x0, k.chains(), k.n());
                     LangevinResult r = mala ? Langevin.mala(drift, x, settings) : Langevin.ula(drift, x, settings)) {
                    String what = (mala ? "MALA " : "ULA ") + k.v() + " on " + backend.name() + ", " + f.seed();
                    int compared = compareWithReference(r.states().toArray(), x0, k.chains(), k.n(),
                            LangevinReference.potential(k.v(), k.beta()), mala, k.eps(), seed, 12, what);
                    assertTrue(compared >= k.chains() * 3 / 4, what + ": only " + compared + " chains far from a threshold");
                    assertEquals(12, r.steps());
                    assertTrue(r.path().contains(backend.name()), r.path());
                }
            }
    }

    /**
     * The shapes the device kernels lay out differently (DevicePotentialKernels.Layout: a chain per power of two of
     * work-items, a site, a particle or 4 coordinates, per work-item up to 256 sites, up to 3 past that), ULA and MALA
     * against the float64 chains: 5 and 65 coordinates (a last site of one, most lanes idle), 64 coordinates, 33
     * particles of a 2-D gas (W4's shape, one more), particles of 3 coordinates (whose noise straddles two Philox
     * blocks), 1101 coordinates and 260 particles (the strided build), on 1, 3, 4 and 1000 chains (tails of a
     * work-group). Tolerance: {@link #TOL}.
     */
    @BackendTest
    void everyDeviceLayoutMatchesTheFloat64Reference(Backend backend) {
        Fresh f = new Fresh("langevin-layouts" + backend.name());
        /** mala: whether MALA runs too; not at 260 charges, whose |ln π| ~ 1e4 float32 cannot resolve ln α against
         *  (a difference of two sums that large: decisions within ~0.02 of their threshold flip, one in ten chains);
         *  the strided build's MALA is the 1101-coordinate double well's. */
        record Case(Potential v, double eps, int chains, int n, boolean mala) {}
        List<Case> cases = List.of(
                new Case(Potential.fputBeta(1.0, Potential.Ends.FIXED), 1e-2, 3, 5, true),
                new Case(Potential.fputBeta(1.0, Potential.Ends.PERIODIC), 1e-2, 2, 64, true),
                new Case(Potential.doubleWell(1.0, 1.2), 2e-2, 3, 65, true),
                new Case(Potential.coulombGas(2), 1e-3, 3, 2 * 33, true),
                new Case(Potential.coulombGas(3), 5e-3, 1000, 3 * 3, true),
                new Case(Potential.doubleWell(0.7, 1.0), 2e-2, 3, 1101, true),
                new Case(Potential.coulombGas(2), 1e-4, 3, 2 * 260, false));
        int steps = 6;
        for (Case k : cases)
            for (boolean mala : k.mala() ? new boolean[] {false, true} : new boolean[] {false}) {
                long seed = f.nextLong();
                int chains = k.chains(), n = k.n();
                float[] x0 = new float[chains * n];
                for (int i = 0; i < chains; i++) {
                    double[] x = k.v() instanceof Potential.CoulombGas g ? PotentialReference.separated(f, n, g.dim())
                            : PotentialReference.gaussian(f, n, 0.8);
                    for (int c = 0; c < n; c++) x0[i * n + c] = (float) x[c];
                }
                Drift drift = Drift.potential(k.v(), 1.0);
                var settings = LangevinSettings.of(k.eps(), steps, seed);
                try (Tensor x = backend.tensor(x0, chains, n);
                     LangevinResult r = mala ? Langevin.mala(drift, x, settings) : Langevin.ula(drift, x, settings)) {
                    String what = (mala ? "MALA " : "ULA ") + k.v() + " n=" + n + " chains=" + chains + " on " + backend.name()
                            + ", " + f.seed();
                    int compared = compareWithReference(r.states().toArray(), x0, chains, n,
                            LangevinReference.potential(k.v(), 1.0), mala, k.eps(), seed, steps, what);
                    // a MALA chain sits within float32's reach of a threshold about once in a hundred: one may drop out
                    assertTrue(compared >= Math.max(1, chains - Math.max(1, chains / 4)), what + ": only " + compared
                            + " chains far from a threshold");
                }
            }
    }

    /**
     * A chain that stops (a non-finite proposal or energy) keeps the state it had and is not touched again, while
     * the chains around it, in its work-group and its configuration's lanes, run on to the float64 reference. Double
     * wells in 3 coordinates: chain 37 starts with coordinate 0 at 1e13, where the drift −4x³ overflows, so its first
     * proposal is not finite and it stops at step 0, unmoved (a stopped chain that went on writing would move its
     * coordinates 1 and 2, which the potential does not couple to 0). A 2-D Coulomb gas: chain 5 holds a particle at
     * 3e19, whose trap energy overflows: ULA stops it at step 0, MALA rejects every proposal of infinite energy, so
     * either way it stays where it was. 70 chains: tails in the last work-group.
     */
    @BackendTest
    void aStoppedChainStaysWhereItStoppedWhileTheOthersRunOn(Backend backend) {
        Fresh f = new Fresh("langevin-stopped" + backend.name());
        record Case(Potential v, int n, int bad, float far, double eps) {}
        for (Case k : List.of(new Case(Potential.doubleWell(1.0, 1.0), 3, 37, 1e13f, 1e-2),
                new Case(Potential.coulombGas(2), 2 * 6, 5, 3e19f, 1e-3)))
            for (boolean mala : new boolean[] {false, true}) {
                int chains = 70, n = k.n(), steps = 9;
                float[] x0 = new float[chains * n];
                for (int i = 0; i < chains; i++) {
                    double[] x = k.v() instanceof Potential.CoulombGas ? PotentialReference.separated(f, n, 2)
                            : PotentialReference.gaussian(f, n, 0.8);
                    for (int c = 0; c < n; c++) x0[i * n + c] = (float) x[c];
                }
                x0[k.bad() * n] = k.far();
                long seed = f.nextLong();
                Drift drift = Drift.potential(k.v(), 1.0);
                var settings = LangevinSettings.of(k.eps(), steps, seed).withOptions(RunOptions.of(seed).withStepsPerLaunch(4));
                boolean reported = !(mala && k.v() instanceof Potential.CoulombGas);
                String what = (mala ? "MALA " : "ULA ") + k.v() + " on " + backend.name() + ", " + f.seed();
                float[] out;
                try (Tensor x = backend.tensor(x0, chains, n);
                     LangevinRun run = mala ? Langevin.startMala(drift, x, settings) : Langevin.startUla(drift, x, settings)) {
                    if (reported) {
                        var e = assertThrows(NonFiniteStateException.class, () -> run.advance(steps), what);
                        assertEquals(k.bad(), e.chain(), what);
                        assertEquals(0, e.step(), what);
                        assertEquals(1, e.chainsAffected(), what);
                    } else {
                        assertEquals(steps, run.advance(steps), what);
                    }
                    try (Tensor s = run.states()) {
                        out = s.toArray();
                    }
                }
                int ran = reported ? 4 : steps; // a failure stops the run after the launch it happened in
                float[] stopped = java.util.Arrays.copyOfRange(out, k.bad() * n, k.bad() * n + n);
                assertArrayEquals(java.util.Arrays.copyOfRange(x0, k.bad() * n, k.bad() * n + n), stopped,
                        "the stopped chain's state, " + what);
                for (int i = 0; i < chains; i++) {
                    if (i == k.bad()) continue;
                    double[] x = row(x0, i, n);
                    double margin = LangevinReference.run(LangevinReference.potential(k.v(), 1.0), mala, x, k.eps(), seed, i, 0,
                            ran);
                    if (!mala || margin > 1e-3)
                        Compare.close(java.util.Arrays.copyOfRange(out, i * n, i * n + n), x, TOL, "chain " + i + ", " + what);
                }
            }
    }

    @BackendTest
    void sameSeedGivesTheSameBitsHoweverTheRunIsSplit(Backend backend) {
        Fresh f = new Fresh("langevin-bits" + backend.name());
        int chains = 70, n = 10;
        float[] x0 = f.gaussian(chains * n, 1.0);
        long seed = f.nextLong();
        Drift drift = Drift.potential(Potential.coulombGas(2), 1.0);
        var settings = LangevinSettings.of(5e-3, 40, seed).withWarmup(25).withAdaptation()
                .withOptions(RunOptions.of(seed).withSnapshotEvery(8).withStatisticsEvery(3));
        try (Tensor x = backend.tensor(x0, chains, n);
             LangevinResult a = Langevin.mala(drift, x, settings);
             LangevinResult b = Langevin.mala(drift, x, settings.withOptions(settings.options().withStepsPerLaunch(7)));
             LangevinRun run = Langevin.startMala(drift, x, settings)) {
            assertEquals(13, run.advance(13));
            assertFalse(run.isDone());
            ChainStatistics partial = run.statistics();
            assertEquals(0, partial.samplesPerChain(), "13 steps are all warm-up");
            assertEquals(52, run.advance(1000), "advance stops at the run's end");
            assertTrue(run.isDone());
            try (LangevinResult c = run.result()) {
                float[] sa = a.states().toArray();
                for (LangevinResult other : new LangevinResult[] {b, c}) {
                    assertArrayEquals(sa, other.states().toArray(), "states, " + f.seed());
                    assertArrayEquals(a.stepSizes(), other.stepSizes(), "adapted step sizes, " + f.seed());
                    assertArrayEquals(a.acceptance(), other.acceptance(), "acceptance, " + f.seed());
                    assertArrayEquals(a.statistics().mean(), other.statistics().mean(), "means, " + f.seed());
                    assertEquals(a.statistics().energyVariance(), other.statistics().energyVariance(), "energy variance");
                    assertEquals(a.snapshots().size(), other.snapshots().size());
                    for (int s = 0; s < a.snapshots().size(); s++)
                        assertArrayEquals(a.snapshots().get(s).states(), other.snapshots().get(s).states(), "snapshot " + s);
                }
            }
            try (LangevinResult d = Langevin.mala(drift, x, settings.withSeed(seed + 1))) {
                assertFalse(java.util.Arrays.equals(a.states().toArray(), d.states().toArray()), "another seed, other states");
            }
        }
    }

    @BackendTest
    void statisticsMatchAFloat64RecomputationFromSnapshots(Backend backend) {
        Fresh f = new Fresh("langevin-stats" + backend.name());
        int chains = 45, n = 3, every = 2, steps = 40, warmup = 5;
        Potential v = Potential.diagonalHarmonic(1.0, 4.0, 0.25);
        float[] x0 = f.gaussian(chains * n, 1.0);
        long seed = f.nextLong();
        var settings = LangevinSettings.of(0.3, steps, seed).withWarmup(warmup)
                .withOptions(RunOptions.of(seed).withStatisticsEvery(every).withSnapshotEvery(every).withStepsPerLaunch(9));
        try (Tensor x = backend.tensor(x0, chains, n); LangevinResult r = Langevin.mala(Drift.potential(v, 1.0), x, settings)) {
            List<Snapshot> snaps = r.snapshots();
            assertEquals(steps / every, snaps.size());
            ChainStatistics st = r.statistics();
            assertEquals(steps / every, st.samplesPerChain());
            assertEquals(chains, st.chains());
            for (int j = 0; j < snaps.size(); j++) assertEquals(warmup + (j + 1) * every - 1, snaps.get(j).step(), "snapshot step");
            // the last snapshot is the final state
            assertArrayEquals(r.states().toArray(), snaps.get(snaps.size() - 1).states());
            for (int c = 0; c <= n; c++) {
                double sum = 0, sq = 0;
                int count = 0;
                for (Snapshot s : snaps)
                    for (int i = 0; i < chains; i++) {
                        double val = c < n ? s.states()[i * n + c] : s.energies()[i];
                        sum += val;
                        count++;
                    }
                double mean = sum / count;
                for (Snapshot s : snaps)
                    for (int i = 0; i < chains; i++) {
                        double val = c < n ? s.states()[i * n + c] : s.energies()[i];
                        sq += (val - mean) * (val - mean);
                    }
                double var = sq / (count - 1);
                double gotMean = c < n ? st.mean()[c] : st.energyMean(), gotVar = c < n ? st.variance()[c] : st.energyVariance();
                // float32 Welford over 20 samples and a float32 merge over 45 chains: ~1e-6 of the spread
                assertEquals(mean, gotMean, 1e-5 * Math.sqrt(var), "mean of column " + c + ", " + f.seed());
                assertEquals(var, gotVar, 1e-5 * var, "variance of column " + c + ", " + f.seed());
                if (c == n)
                    for (Snapshot s : snaps)
                        for (int i = 0; i < chains; i++) {
                            double e = 0;
                            double[] k = {1.0, 4.0, 0.25};
                            for (int q = 0; q < n; q++) e += 0.5 * k[q] * s.states()[i * n + q] * s.states()[i * n + q];
                            assertEquals(e, s.energies()[i], 1e-5 * e + 1e-7, "snapshot energy is V of its state");
                        }
            }
            double acc = 0;
            for (float a : r.acceptance()) acc += a;
            assertEquals(acc / chains, r.meanAcceptance(), 1e-6);
        }
    }

    /** s(x, σ) = −x / s² as an MLP: identity layers that copy x through (a hidden layer of the
     *  given width, if any) and scale it; σ gets weight 0. */
    static Mlp linearScore(int n, double s2, int hidden) {
        float k = (float) (-1 / s2);
        if (hidden == 0) {
            float[] w = new float[n * (n + 1)];
            for (int c = 0; c < n; c++) w[c * (n + 1) + c] = k;
            return new Mlp(List.of(new Mlp.Layer(n + 1, n, w, new float[n])), Activation.IDENTITY);
        }
        float[] w1 = new float[hidden * (n + 1)], w2 = new float[n * hidden];
        for (int c = 0; c < n; c++) {
            w1[c * (n + 1) + c] = 1;
            w2[c * hidden + c] = k;
        }
        return new Mlp(List.of(new Mlp.Layer(n + 1, hidden, w1, new float[hidden]), new Mlp.Layer(hidden, n, w2, new float[n])),
                Activation.IDENTITY);
    }

    @BackendTest
    void aLinearScoreRunsTheChainOfItsGaussian(Backend backend) {
        Fresh f = new Fresh("langevin-score-gauss" + backend.name());
        int chains = 50, n = 3;
        double s2 = 0.7;
        float[] x0 = f.gaussian(chains * n, 1.0);
        long seed = f.nextLong();
        var settings = LangevinSettings.of(0.05, 30, seed).withOptions(RunOptions.of(seed).withStepsPerLaunch(11));
        // hidden 0: fused on every device; 200 > the fused kernel's width: the per-step MLP path on OpenCL/CUDA
        for (int hidden : new int[] {0, 200}) {
            try (Tensor x = backend.tensor(x0, chains, n); MlpModule net = linearScore(n, s2, hidden).on(backend);
                 LangevinResult byScore = Langevin.ula(Drift.score(net, 0.3), x, settings);
                 LangevinResult byPotential = Langevin.ula(Drift.potential(Potential.harmonic(1 / s2), 1.0), x, settings)) {
                // −x/s² through the MLP and −β k x through the potential round alike: the same chain to float rounding
                Compare.close(byScore.states().toArray(), toDouble(byPotential.states().toArray()), 1e-6,
                        "hidden " + hidden + " (" + byScore.path() + "), " + f.seed());
                assertArrayEquals(byPotential.statistics().mean(), byScore.statistics().mean(), 1e-5);
                assertFalse(byScore.statistics().hasEnergy());
                assertThrows(IllegalStateException.class, () -> byScore.statistics().energyMean());
                if (backend != Backends.cpu())
                    assertTrue(byScore.path().contains(hidden == 0 ? "fused" : "per-step"), byScore.path());
            }
        }
    }

    static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }

    @BackendTest
    void scoreNetworksMatchTheFloat64Reference(Backend backend) {
        Fresh f = new Fresh("langevin-score-ref" + backend.name());
        int chains = 29, n = 2, steps = 8;
        double eps = 0.01, sigma = 0.5;
        for (int[] widths : new int[][] {{3, 16, 16, 2}, {3, 160, 2}}) {
            Mlp mlp = Mlp.random(f.nextLong(), Activation.TANH, widths);
            float[] x0 = f.gaussian(chains * n, 1.0);
            long seed = f.nextLong();
            try (Tensor x = backend.tensor(x0, chains, n); MlpModule net = mlp.on(backend);
                 LangevinResult r = Langevin.ula(Drift.score(net, sigma), x, LangevinSettings.of(eps, steps, seed))) {
                compareWithReference(r.states().toArray(), x0, chains, n, LangevinReference.score(mlp, sigma), false, eps, seed,
                        steps, mlp + " (" + r.path() + "), " + f.seed());
            }
        }
    }

    /** The fused score kernel at chain counts around its tiles (a work-group owns a tile of
     *  chains, a multiple of 4 up to 64), every chain against the float64 reference. */
    @BackendTest
    void fusedScoreAtTileBoundaries(Backend backend) {
        Fresh f = new Fresh("langevin-score-tiles" + backend.name());
        int n = 2, steps = 5;
        double eps = 0.01, sigma = 0.5;
        Mlp mlp = Mlp.random(f.nextLong(), Activation.TANH, 3, 64, 64, 2);
        for (int chains : new int[] {1, 63, 64, 65, 1000}) {
            float[] x0 = f.gaussian(chains * n, 1.0);
            long seed = f.nextLong();
            try (Tensor x = backend.tensor(x0, chains, n); MlpModule net = mlp.on(backend);
                 LangevinResult r = Langevin.ula(Drift.score(net, sigma), x, LangevinSettings.of(eps, steps, seed))) {
                if (backend != Backends.cpu()) assertTrue(r.path().contains("fused"), r.path());
                compareWithReference(r.states().toArray(), x0, chains, n, LangevinReference.score(mlp, sigma), false, eps, seed,
                        steps, chains + " chains (" + r.path() + "), " + f.seed());
            }
        }
    }

    @BackendTest
    void annealingRunsItsLevelsInOrder(Backend backend) {
        Fresh f = new Fresh("langevin-annealed" + backend.name());
        int chains = 21, n = 2;
        Mlp mlp = Mlp.random(f.nextLong(), Activation.TANH, 3, 16, 2);
        Annealing schedule = Annealing.of(new Annealing.Level(1.0, 0.02, 4), new Annealing.Level(0.5, 0.01, 3),
                new Annealing.Level(0.25, 0.005, 5));
        float[] x0 = f.gaussian(chains * n, 1.0);
        long seed = f.nextLong();
        try (Tensor x = backend.tensor(x0, chains, n); MlpModule net = mlp.on(backend);
             LangevinResult r = Langevin.annealed(net, x, schedule, RunOptions.of(seed).withSnapshotEvery(5).withStepsPerLaunch(3))) {
            float[] out = r.states().toArray();
            for (int i = 0; i < chains; i++) {
                double[] xi = row(x0, i, n);
                int first = 0;
                for (Annealing.Level l : schedule.levels()) {
                    LangevinReference.run(LangevinReference.score(mlp, l.sigma()), false, xi, l.stepSize(), seed, i, first, l.steps());
                    first += l.steps();
                }
                float[] got = {out[i * n], out[i * n + 1]};
                Compare.close(got, xi, TOL, "annealed chain " + i + ", " + f.seed());
            }
            assertEquals(5, r.statistics().samplesPerChain(), "statistics of the last level only");
            assertEquals(1, r.snapshots().size());
            assertEquals(11, r.snapshots().get(0).step());
            assertEquals(0.005f, r.stepSizes()[0]);
            assertEquals(Langevin.Method.ANNEALED, r.method());
        }
    }

    @Test
    void geometricScheduleFollowsSongAndErmon() {
        Annealing a = Annealing.geometric(1.0, 0.01, 3, 2e-5, 100);
        assertEquals(3, a.levels().size());
        assertEquals(1.0, a.levels().get(0).sigma(), 1e-12);
        assertEquals(0.1, a.levels().get(1).sigma(), 1e-12);
        assertEquals(0.01, a.levels().get(2).sigma(), 1e-12);
        assertEquals(2e-5 * 1e4, a.levels().get(0).stepSize(), 1e-12);
        assertEquals(2e-5, a.levels().get(2).stepSize(), 1e-15);
        assertEquals(300, a.totalSteps());
        assertThrows(IllegalArgumentException.class, () -> Annealing.geometric(0.1, 1.0, 3, 1e-3, 10));
        assertThrows(IllegalArgumentException.class, () -> Annealing.of());
    }

    @BackendTest
    void aChainThatOverflowsIsReportedWithItsStep(Backend backend) {
        // x ← x + (ε/2)(−k x) + √ε ξ with k = 1, ε = 8: x ← −3x + noise. Chain 5 starts at 1e10
        // and the others near 0; the first non-finite value is chain 5's energy x²/2 in float,
        // once 3^(t+1) 1e10 > √(float max) ≈ 1.8e19, at t = 19 (noise ~3 cannot move that).
        int chains = 40, n = 1, bad = 5;
        float[] x0 = new float[chains];
        x0[bad] = 1e10f;
        int expected = -1;
        for (float v = 1e10f; ; ) {
            expected++;
            v = v + 4f * -v;
            if (!Float.isFinite(v * v)) break;
        }
        assertEquals(19, expected);
        long before = backend.liveAllocations();
        try (Tensor x = backend.tensor(x0, chains, n);
             LangevinRun run = Langevin.startUla(Drift.potential(Potential.harmonic(1), 1.0), x, LangevinSettings.of(8, 30, 3))) {
            var e = assertThrows(NonFiniteStateException.class, () -> run.advance(30));
            assertEquals(bad, e.chain(), e.getMessage());
            assertEquals(expected, e.step(), e.getMessage());
            assertEquals(1, e.chainsAffected());
            assertTrue(e.getMessage().contains("chain 5") && e.getMessage().contains("step 19"), e.getMessage());
            try (Tensor s = run.states()) {
                float[] states = s.toArray();
                for (float v : states) assertTrue(Float.isFinite(v), "every chain keeps a finite state");
                assertTrue(Math.abs(states[bad]) > 1e18, "chain 5 stopped at its last finite state, " + states[bad]);
            }
            assertThrows(IllegalStateException.class, () -> run.advance(1), "a stopped run does not go on");
        }
        assertEquals(before, backend.liveAllocations(), "live allocations");
    }

    @BackendTest
    void badInputIsRejectedBeforeAnyKernelRuns(Backend backend) {
        Potential v = Potential.coulombGas(2);
        Drift drift = Drift.potential(v, 1.0);
        var ok = LangevinSettings.of(1e-3, 10, 1);
        long before = backend.liveAllocations();
        try (Tensor x = backend.zeros(4, 8); Tensor odd = backend.zeros(4, 7); Tensor none = backend.zeros(0, 8);
             MlpModule wide = Mlp.random(1, Activation.TANH, 9, 16, 7).on(backend);
             MlpModule good = Mlp.random(1, Activation.TANH, 9, 16, 8).on(backend)) {
            assertMessage(() -> LangevinSettings.of(0, 10, 1), "stepSize");
            assertMessage(() -> LangevinSettings.of(-1e-3, 10, 1), "stepSize");
            assertMessage(() -> LangevinSettings.of(Double.NaN, 10, 1), "stepSize");
            assertMessage(() -> LangevinSettings.of(Double.POSITIVE_INFINITY, 10, 1), "stepSize");
            assertMessage(() -> LangevinSettings.of(1e-3, 0, 1), "steps");
            assertMessage(() -> ok.withWarmup(-1), "warmup");
            assertMessage(() -> ok.withAdaptation(1.5), "targetAcceptance");
            assertMessage(() -> Drift.potential(v, 0), "beta");
            assertMessage(() -> Drift.potential(v, -1), "beta");
            assertMessage(() -> Drift.potential(v, Double.NaN), "beta");
            assertMessage(() -> Drift.score(good, 0), "sigma");
            assertMessage(() -> RunOptions.of(1).withStepsPerLaunch(0), "stepsPerLaunch");
            assertMessage(() -> RunOptions.of(1).withStatisticsEvery(0), "statisticsEvery");
            assertMessage(() -> Langevin.ula(drift, odd, ok), "x0");
            assertMessage(() -> Langevin.ula(drift, none, ok), "x0 rows");
            assertMessage(() -> Langevin.ula(Drift.score(wide, 1), x, ok), "net: expected a score MLP with n + 1 = 9 inputs");
            assertMessage(() -> Langevin.mala(Drift.score(good, 1), x, ok), "MALA");
            assertMessage(() -> Langevin.ula(drift, x, ok.withAdaptation()), "adaptation");
            assertMessage(() -> Langevin.ula(null, x, ok), "drift");
            assertMessage(() -> Langevin.ula(drift, null, ok), "x0");
            float[] nan = new float[32];
            nan[13] = Float.NaN;
            try (Tensor xn = backend.tensor(nan, 4, 8)) {
                assertMessage(() -> Langevin.ula(drift, xn, ok), "row 1, column 5");
            }
            if (backend != Backends.cpu()) {
                try (Tensor elsewhere = Backends.cpu().zeros(4, 8)) {
                    assertMessage(() -> Langevin.ula(Drift.score(good, 1), elsewhere, ok), "net: expected a module on cpu");
                }
                try (Tensor huge = backend.zeros(2, 3073)) {
                    assertMessage(() -> Langevin.ula(Drift.potential(Potential.harmonic(1), 1), huge, ok), "3072");
                }
            }
            Tensor closed = backend.zeros(4, 8);
            closed.close();
            assertThrows(IllegalStateException.class, () -> Langevin.ula(drift, closed, ok));
        }
        assertEquals(before, backend.liveAllocations(), "live allocations after rejected calls");
    }

    static void assertMessage(org.junit.jupiter.api.function.Executable call, String part) {
        var e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(part), "expected the message to mention '" + part + "': " + e.getMessage());
    }

    @BackendTest
    void runsLeaveNoAllocationsBehind(Backend backend) {
        long before = backend.liveAllocations();
        try (Tensor x = backend.zeros(10, 4); MlpModule net = linearScore(4, 1.0, 200).on(backend)) {
            var s = LangevinSettings.of(0.1, 12, 1).withWarmup(3)
                    .withOptions(RunOptions.of(1).withSnapshotEvery(2).withStepsPerLaunch(5));
            Langevin.mala(Drift.potential(Potential.harmonic(1), 1), x, s.withAdaptation()).close();
            Langevin.ula(Drift.score(net, 0.5), x, s).close();
            try (LangevinRun run = Langevin.startUla(Drift.potential(Potential.harmonic(1), 1), x, s)) {
                run.advance(4);
                run.statistics();
                run.states().close();
            }
        }
        assertEquals(before, backend.liveAllocations(), "live allocations on " + backend.name());
    }
}
