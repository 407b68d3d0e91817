package org.flowkernels.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.flowkernels.testing.Fresh;
import org.junit.jupiter.api.Test;

/**
 * The chain diagnostics: equal to a float64 reference written here with plain loops from the
 * formulas (BDA3's split-R-hat, Geyer's initial monotone sequence), and right about series
 * whose answers are known: i.i.d. draws, AR(1) chains, chains that disagree. Statistical
 * tolerances are about five standard deviations of the estimator.
 */
class DiagnosticsTest {

    // ---- the reference: every quantity spelled out, nothing shared with Diagnostics ----

    /** Chain c of x [chains, draws] as its own array. */
    static double[] chain(double[] x, int draws, int c) {
        double[] out = new double[draws];
        for (int i = 0; i < draws; i++) out[i] = x[c * draws + i];
        return out;
    }

    /** The halves of every chain, first halves and second halves alternating; an odd middle draw dropped. */
    static double[][] split(double[] x, int chains, int draws) {
        int n = draws / 2;
        double[][] out = new double[2 * chains][n];
        for (int c = 0; c < chains; c++) {
            double[] whole = chain(x, draws, c);
            for (int i = 0; i < n; i++) {
                out[2 * c][i] = whole[i];
                out[2 * c + 1][i] = whole[draws - n + i];
            }
        }
        return out;
    }

    static double meanOf(double[] a) {
        double s = 0;
        for (double v : a) s += v;
        return s / a.length;
    }

    static double varianceOf(double[] a) {
        double m = meanOf(a), s = 0;
        for (double v : a) s += (v - m) * (v - m);
        return s / (a.length - 1);
    }

    /** All autocovariances γ_0 .. γ_{n-1} of one sequence, divisor n. */
    static double[] autocovariances(double[] a) {
        int n = a.length;
        double m = meanOf(a);
        double[] g = new double[n];
        for (int t = 0; t < n; t++) {
            for (int i = 0; i + t < n; i++) g[t] += (a[i] - m) * (a[i + t] - m);
            g[t] /= n;
        }
        return g;
    }

    /** BDA3 (11.3)-(11.4) on the split chains. */
    static double refRHat(double[] x, int chains, int draws) {
        double[][] s = split(x, chains, draws);
        int m = s.length, n = s[0].length;
        double[] means = new double[m];
        double w = 0;
        for (int j = 0; j < m; j++) {
            means[j] = meanOf(s[j]);
            w += varianceOf(s[j]) / m;
        }
        double b = n * varianceOf(means);
        double varPlus = (n - 1.0) / n * w + b / n;
        return Math.sqrt(varPlus / w);
    }

    /** τ = −1 + 2 Σ Γ_k, Γ_k = ρ_2k + ρ_2k+1 while positive, made non-increasing; N / max(τ, 1/log10 N). */
    static double refEss(double[] rho, double total) {
        int pairs = rho.length / 2;
        double[] gamma = new double[pairs];
        int k = 0;
        while (k < pairs) {
            gamma[k] = rho[2 * k] + rho[2 * k + 1];
            if (gamma[k] <= 0) break;
            k++;
        }
        double tau = -1;
        for (int j = 0; j < k; j++) {
            if (j > 0 && gamma[j] > gamma[j - 1]) gamma[j] = gamma[j - 1];
            tau += 2 * gamma[j];
        }
        return total / Math.max(tau, 1 / Math.log10(total));
    }

    static double refChainEss(double[] a) {
        double[] g = autocovariances(a), rho = new double[g.length];
        for (int t = 0; t < g.length; t++) rho[t] = g[t] / g[0];
        return refEss(rho, a.length);
    }

    /** Vehtari et al. 2021 eq. 10 on the split chains. */
    static double refTotalEss(double[] x, int chains, int draws) {
        double[][] s = split(x, chains, draws);
        int m = s.length, n = s[0].length;
        double[][] g = new double[m][];
        double[] means = new double[m];
        double w = 0;
        for (int j = 0; j < m; j++) {
            g[j] = autocovariances(s[j]);
            means[j] = meanOf(s[j]);
            w += varianceOf(s[j]) / m;
        }
        double varPlus = (n - 1.0) / n * w + varianceOf(means);
        double[] rho = new double[n];
        rho[0] = 1;
        for (int t = 1; t < n; t++) {
            double meanAcov = 0;
            for (int j = 0; j < m; j++) meanAcov += g[j][t] / m;
            rho[t] = 1 - (w - meanAcov) / varPlus;
        }
        return refEss(rho, (double) m * n);
    }

    // ---- test data ----

    /** x_t = φ x_{t−1} + √(1 − φ²) e_t from x_0 ~ N(0, 1): stationary N(0, 1), ρ_t = φ^t, τ = (1 + φ)/(1 − φ). */
    static double[] ar1(Fresh f, int chains, int draws, double phi) {
        double[] x = new double[chains * draws];
        double s = Math.sqrt(1 - phi * phi);
        for (int c = 0; c < chains; c++) {
            double v = f.gaussian();
            for (int i = 0; i < draws; i++) {
                x[c * draws + i] = v;
                v = phi * v + s * f.gaussian();
            }
        }
        return x;
    }

    @Test
    void matchesTheReferenceOnManyShapes() {
        Fresh f = new Fresh("diagnostics-reference");
        int[][] shapes = {{1, 4}, {1, 5}, {3, 7}, {2, 101}, {8, 400}, {5, 1001}};
        for (int[] shape : shapes)
            for (double phi : new double[] {0, 0.7, -0.5}) {
                int chains = shape[0], draws = shape[1];
                double[] x = ar1(f, chains, draws, phi);
                for (int i = 0; i < x.length; i++) x[i] = 3 + 0.5 * x[i] + (i / draws) * 0.1; // offset chains a little
                String what = chains + " x " + draws + ", phi " + phi + ", " + f.seed();
                assertEquals(refRHat(x, chains, draws), Diagnostics.splitRHat(x, chains, draws), 1e-12, "R-hat " + what);
                assertEquals(1, Diagnostics.effectiveSampleSize(x, chains, draws) / refTotalEss(x, chains, draws), 1e-12, "ESS " + what);
                double[] per = Diagnostics.effectiveSampleSizes(x, chains, draws);
                for (int c = 0; c < chains; c++)
                    assertEquals(1, per[c] / refChainEss(chain(x, draws, c)), 1e-12, "chain " + c + " ESS " + what);
                double[] means = new double[chains];
                for (int c = 0; c < chains; c++) means[c] = meanOf(chain(x, draws, c));
                assertEquals(meanOf(means), Diagnostics.mean(x, chains, draws), 1e-12, "mean " + what);
                assertEquals(Math.sqrt(varianceOf(x) / refTotalEss(x, chains, draws)), Diagnostics.standardError(x, chains, draws),
                        1e-12, "SE " + what);
                if (chains > 1)
                    assertEquals(Math.sqrt(varianceOf(means) / chains), Diagnostics.chainMeansStandardError(x, chains, draws), 1e-12,
                            "chain-means SE " + what);
            }
    }

    /**
     * i.i.d. N(0, 1), 8 chains of 2,000: R-hat within 0.01 of 1 (over 100 seeds its standard
     * deviation was 0.0002), the ESS within 15 % of the 16,000 draws (2.3 %) and so is the mean
     * of the chains' own ESS (about 2.5 %; a single chain's is four times noisier).
     */
    @Test
    void independentDrawsHaveRHatOneAndFullEss() {
        Fresh f = new Fresh("diagnostics-iid");
        int chains = 8, draws = 2000;
        double[] x = ar1(f, chains, draws, 0);
        assertEquals(1, Diagnostics.splitRHat(x, chains, draws), 0.01, f.seed());
        assertEquals(1, Diagnostics.effectiveSampleSize(x, chains, draws) / (chains * draws), 0.15, f.seed());
        double perChain = 0;
        for (double e : Diagnostics.effectiveSampleSizes(x, chains, draws)) perChain += e / chains;
        assertEquals(1, perChain / draws, 0.15, f.seed());
        // the standard error of the mean of N independent draws is 1/√N
        assertEquals(1 / Math.sqrt(chains * draws), Diagnostics.standardError(x, chains, draws), 0.15 / Math.sqrt(chains * draws), f.seed());
    }

    /**
     * AR(1) with φ = 0.5 and 0.9: ESS/N = (1 − φ)/(1 + φ) = 1/3 and 1/19. With 16 chains of
     * 10,000 the relative standard deviation of the ESS was 1.5 % and 3.6 % over 100 seeds (of
     * the mean of the chains' own ESS, 1.3 % and 2.9 %), so the tolerances, 15 % and 20 %, are
     * over five of them. The standard error from the ESS estimates the true one, √(τ / N) for
     * a stationary start.
     */
    @Test
    void ar1ChainsHaveTheirKnownEss() {
        Fresh f = new Fresh("diagnostics-ar1");
        int chains = 16, draws = 10_000;
        for (double phi : new double[] {0.5, 0.9}) {
            double[] x = ar1(f, chains, draws, phi);
            double expected = (1 - phi) / (1 + phi), tol = phi < 0.8 ? 0.15 : 0.2;
            String what = "phi " + phi + ", " + f.seed();
            assertEquals(1, Diagnostics.effectiveSampleSize(x, chains, draws) / (chains * draws) / expected, tol, what);
            double perChain = 0;
            for (double e : Diagnostics.effectiveSampleSizes(x, chains, draws)) perChain += e / chains;
            assertEquals(1, perChain / draws / expected, tol, what);
            assertEquals(1, Diagnostics.splitRHat(x, chains, draws), 0.01, what);
            double trueSe = Math.sqrt(1 / expected / (chains * draws));
            assertEquals(1, Diagnostics.standardError(x, chains, draws) / trueSe, tol, what);
        }
        // the spread of many chain means: 400 chains give the SE to √(1/(2 · 399)) = 3.5 %
        double[] x = ar1(f, 400, 1000, 0.5);
        assertEquals(1, Diagnostics.chainMeansStandardError(x, 400, 1000) / Math.sqrt(3.0 / 400_000), 0.2, f.seed());
    }

    /**
     * Four chains of N(0, 1), one shifted by d (a chain stuck in another mode): the 8 halves' means
     * have variance 1.5 d²/7, so R-hat = √(1 + 1.5 d²/7): 1.10 at d = 1, 1.36 at d = 2, the case
     * here. A single chain whose mean drifts from −1 to 1 disagrees with itself: its halves'
     * means differ by 1, R-hat = √(1 + 0.5/1.08) = 1.21.
     */
    @Test
    void chainsThatDisagreeHaveRHatWellAboveOne() {
        Fresh f = new Fresh("diagnostics-disagree");
        int chains = 4, draws = 1000;
        double[] x = ar1(f, chains, draws, 0.3);
        for (int i = 3 * draws; i < 4 * draws; i++) x[i] += 2;
        double rHat = Diagnostics.splitRHat(x, chains, draws);
        assertTrue(rHat > 1.1, "R-hat " + rHat + ", " + f.seed());
        assertTrue(Diagnostics.effectiveSampleSize(x, chains, draws) < 0.1 * chains * draws, "the disagreement costs ESS, " + f.seed());

        double[] drift = ar1(f, 1, 2000, 0);
        for (int i = 0; i < 2000; i++) drift[i] += -1 + 2.0 * i / 1999;
        assertTrue(Diagnostics.splitRHat(drift, 1, 2000) > 1.1, "a drifting chain, " + f.seed());
    }

    @Test
    void undefinedIsNaNAndMalformedIsAnError() {
        assertTrue(Double.isNaN(Diagnostics.splitRHat(new double[] {1, 2, 3}, 1, 3)), "3 draws cannot be split in two variances");
        assertTrue(Double.isNaN(Diagnostics.effectiveSampleSize(new double[8], 2, 4)), "constant chains");
        assertTrue(Double.isNaN(Diagnostics.effectiveSampleSizes(new double[] {1, 2, 3}, 1, 3)[0]));
        assertTrue(Double.isNaN(Diagnostics.chainMeansStandardError(new double[] {1, 2, 3, 4}, 1, 4)), "one chain");
        assertEquals(0, Diagnostics.standardError(new double[] {2, 2, 2, 2}, 1, 4));
        var e = assertThrows(IllegalArgumentException.class, () -> Diagnostics.mean(new double[5], 2, 3));
        assertTrue(e.getMessage().startsWith("x: expected chains x draws = 2 x 3 = 6 values, got 5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Diagnostics.splitRHat(new double[] {0, 1, Double.NaN, 3}, 2, 2));
        assertTrue(e.getMessage().contains("chain 1, draw 0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Diagnostics.effectiveSampleSizes(new double[0], 0, 1));
    }
}
