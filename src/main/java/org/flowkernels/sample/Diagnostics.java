package org.flowkernels.sample;

import java.util.Arrays;

/**
 * Convergence diagnostics and Monte Carlo standard errors of one scalar (an energy, a
 * coordinate) recorded from several chains. The draws are laid out [chains][draws], row-major:
 * chain c's draws are {@code x[c * draws] .. x[c * draws + draws - 1]}, in the order they were
 * taken (the layout of the CLI's energy.npy). Everything is computed in float64.
 *
 * <ul>
 *   <li>{@link #splitRHat}: Gelman et al.'s potential scale reduction on split chains (BDA3,
 *       §11.4; Vehtari et al. 2021, "Rank-normalization, folding, and localization", eq. 4,
 *       without the rank normalization): each chain is cut into halves, so a chain that drifts
 *       disagrees with itself. Near 1 when the chains sample one distribution; above 1.01, run
 *       longer or start differently.</li>
 *   <li>{@link #effectiveSampleSize} (all chains) and {@link #effectiveSampleSizes} (each chain):
 *       the draws divided by the integrated autocorrelation time τ = 1 + 2 Σ_{t≥1} ρ_t, the sum
 *       truncated by Geyer's <em>initial monotone sequence</em> (1992): the pair sums
 *       Γ_k = ρ_{2k} + ρ_{2k+1} are added while positive, each lowered to the one before if
 *       larger. The autocovariances come from FFTs, so the cost is O(N log draws) for N draws
 *       even when the chains never decorrelate (about 5 s for 1,024 chains of 10,000).</li>
 *   <li>{@link #standardError}: of the mean of all draws, √(s² / ESS); and
 *       {@link #chainMeansStandardError}, from the spread of the chain means alone, which needs
 *       no autocorrelation model when the chains are many and independent.</li>
 * </ul>
 *
 * <p>Malformed input (a length that is not chains × draws, a non-finite draw) throws
 * IllegalArgumentException; a statistic that the draws cannot define (too few of them, no
 * variance) is NaN.
 */
public final class Diagnostics {
    private Diagnostics() {}

    /** The mean of all draws (equally, of the chain means). */
    public static double mean(double[] x, int chains, int draws) {
        check(x, chains, draws);
        double s = 0;
        for (double v : x) s += v;
        return s / x.length;
    }

    /**
     * Split-R-hat: with the chains cut into M = 2 · chains halves of n = ⌊draws/2⌋ draws (the
     * middle draw of an odd count left out), W the mean of the halves' variances, B/n the
     * variance of their means and var⁺ = (n − 1)/n · W + B/n, R̂ = √(var⁺ / W). NaN below 4
     * draws or when every half is constant.
     */
    public static double splitRHat(double[] x, int chains, int draws) {
        check(x, chains, draws);
        if (draws < 4) return Double.NaN;
        Halves h = new Halves(x, chains, draws);
        return h.within > 0 ? Math.sqrt(h.varPlus() / h.within) : Double.NaN;
    }

    /**
     * The effective sample size of all chains together (Vehtari et al. 2021, eq. 10, on split
     * chains): the halves' autocorrelations combined as ρ_t = 1 − (W − mean of the halves'
     * autocovariances at lag t) / var⁺, which also counts the disagreement between chains
     * against the ESS; τ from Geyer's initial monotone sequence; ESS = M n / τ, with τ held at
     * least 1/log10(M n) (as Stan does) so that anticorrelated draws do not give an unbounded
     * ESS. NaN below 4 draws or without variance.
     */
    public static double effectiveSampleSize(double[] x, int chains, int draws) {
        check(x, chains, draws);
        if (draws < 4) return Double.NaN;
        Halves h = new Halves(x, chains, draws);
        double varPlus = h.varPlus();
        if (!(varPlus > 0)) return Double.NaN;
        int m = h.count, n = h.length;
        Autocovariance acov = new Autocovariance(n);
        double[] rho = new double[n];
        for (int j = 0; j < m; j++) {
            double[] g = acov.of(h.x, j * n);
            for (int t = 1; t < n; t++) rho[t] += g[t] / m;
        }
        rho[0] = 1;
        for (int t = 1; t < n; t++) rho[t] = 1 - (h.within - rho[t]) / varPlus;
        return ess((double) m * n, rho);
    }

    /**
     * Each chain's own effective sample size, from its autocorrelation ρ_t = γ_t / γ_0 (γ_t the
     * autocovariance at lag t, divided by the draws) with Geyer's initial monotone sequence.
     * Each is NaN below 4 draws or when that chain is constant.
     */
    public static double[] effectiveSampleSizes(double[] x, int chains, int draws) {
        check(x, chains, draws);
        double[] out = new double[chains];
        if (draws < 4) {
            Arrays.fill(out, Double.NaN);
            return out;
        }
        Autocovariance acov = new Autocovariance(draws);
        for (int c = 0; c < chains; c++) {
            double[] g = acov.of(x, c * draws);
            if (!(g[0] > 0)) {
                out[c] = Double.NaN;
                continue;
            }
            double gamma0 = g[0];
            for (int t = 0; t < draws; t++) g[t] /= gamma0;
            out[c] = ess(draws, g);
        }
        return out;
    }

    /** The standard error of {@link #mean} from the effective sample size: √(s² / ESS), s² the
     *  variance of all draws together (divisor N − 1); 0 when every draw is equal. */
    public static double standardError(double[] x, int chains, int draws) {
        double mean = mean(x, chains, draws), ss = 0;
        for (double v : x) ss += (v - mean) * (v - mean);
        if (ss == 0) return 0;
        return Math.sqrt(ss / (x.length - 1) / effectiveSampleSize(x, chains, draws));
    }

    /**
     * The standard error of {@link #mean} from the chain means alone: √(Σ_c (m_c − m̄)² /
     * ((C − 1) C)). It assumes nothing about the autocorrelation within a chain, only that the
     * chains are independent and equally long; good with tens of chains or more. NaN for one chain.
     */
    public static double chainMeansStandardError(double[] x, int chains, int draws) {
        check(x, chains, draws);
        if (chains < 2) return Double.NaN;
        double[] means = new double[chains];
        double grand = 0, ss = 0;
        for (int c = 0; c < chains; c++) {
            for (int i = c * draws; i < (c + 1) * draws; i++) means[c] += x[i] / draws;
            grand += means[c] / chains;
        }
        for (double m : means) ss += (m - grand) * (m - grand);
        return Math.sqrt(ss / (chains - 1) / chains);
    }

    /** N / τ, τ = −1 + 2 Σ_k Γ_k over the initial monotone sequence of Γ_k = ρ_{2k} + ρ_{2k+1}. */
    private static double ess(double total, double[] rho) {
        double sum = 0, previous = Double.POSITIVE_INFINITY;
        for (int t = 0; t + 1 < rho.length; t += 2) {
            double gamma = rho[t] + rho[t + 1];
            if (!(gamma > 0)) break;
            previous = Math.min(gamma, previous);
            sum += previous;
        }
        double tau = Math.max(-1 + 2 * sum, 1 / Math.log10(total));
        return total / tau;
    }

    /**
     * The autocovariances γ_t = (1/n) Σ_{i < n − t} (x_i − x̄)(x_{i+t} − x̄), t = 0 .. n − 1, of
     * sequences of n draws: the biased estimate, whose sequence is positive definite as Geyer's
     * argument needs. All lags at once by FFT, O(n log n): a chain that never decorrelates needs
     * them all, which direct sums would make O(n²).
     */
    private static final class Autocovariance {
        private final int n, size;
        private final double[] re, im, cos, sin;

        Autocovariance(int n) {
            this.n = n;
            size = Integer.highestOneBit(2 * n - 2) << 1; // the power of two >= 2n - 1 (n >= 2): padding, so no lag wraps around
            re = new double[size];
            im = new double[size];
            cos = new double[size / 2];
            sin = new double[size / 2];
            for (int k = 0; k < size / 2; k++) {
                cos[k] = Math.cos(2 * Math.PI * k / size);
                sin[k] = Math.sin(2 * Math.PI * k / size);
            }
        }

        /** γ_0 .. γ_{n-1} of x[from .. from + n), a new array. */
        double[] of(double[] x, int from) {
            double mean = 0;
            for (int i = from; i < from + n; i++) mean += x[i] / n;
            Arrays.fill(re, 0);
            Arrays.fill(im, 0);
            for (int i = 0; i < n; i++) re[i] = x[from + i] - mean;
            transform(-1);
            for (int k = 0; k < size; k++) {
                re[k] = re[k] * re[k] + im[k] * im[k]; // |X_k|²: the transform of the circular autocorrelation
                im[k] = 0;
            }
            transform(1);
            double[] g = new double[n];
            for (int t = 0; t < n; t++) g[t] = re[t] / ((double) size * n);
            return g;
        }

        /** The radix-2 FFT of (re, im) in place, with e^{sign 2πi jk/size}; unnormalised. */
        private void transform(int sign) {
            for (int i = 1, j = 0; i < size; i++) {
                int bit = size >> 1;
                for (; (j & bit) != 0; bit >>= 1) j ^= bit;
                j ^= bit;
                if (i < j) {
                    double t = re[i];
                    re[i] = re[j];
                    re[j] = t;
                    t = im[i];
                    im[i] = im[j];
                    im[j] = t;
                }
            }
            for (int len = 2; len <= size; len <<= 1)
                for (int i = 0; i < size; i += len)
                    for (int k = 0; k < len / 2; k++) {
                        double wr = cos[k * (size / len)], wi = sign * sin[k * (size / len)];
                        int a = i + k, b = a + len / 2;
                        double tr = re[b] * wr - im[b] * wi, ti = re[b] * wi + im[b] * wr;
                        re[b] = re[a] - tr;
                        im[b] = im[a] - ti;
                        re[a] += tr;
                        im[a] += ti;
                    }
        }
    }

    private static void check(double[] x, int chains, int draws) {
        if (x == null) throw new IllegalArgumentException("x: expected draws, got null");
        if (chains < 1) throw new IllegalArgumentException("chains: expected >= 1, got " + chains);
        if (draws < 1) throw new IllegalArgumentException("draws: expected >= 1, got " + draws);
        if ((long) chains * draws != x.length)
            throw new IllegalArgumentException("x: expected chains x draws = " + chains + " x " + draws + " = "
                    + (long) chains * draws + " values, got " + x.length);
        for (int i = 0; i < x.length; i++)
            if (!Double.isFinite(x[i]))
                throw new IllegalArgumentException("x: non-finite draw " + x[i] + " (chain " + i / draws + ", draw " + i % draws + ")");
    }

    /** The chains cut in halves: M = 2 chains sequences of n draws each, packed, with their
     *  means, W (the mean of their variances) and B/n (the variance of their means). */
    private static final class Halves {
        final int count, length;
        final double[] x, means;
        final double within, betweenOverN;

        Halves(double[] draws, int chains, int r) {
            count = 2 * chains;
            length = r / 2;
            x = new double[count * length];
            for (int c = 0; c < chains; c++) {
                System.arraycopy(draws, c * r, x, 2 * c * length, length);
                System.arraycopy(draws, c * r + r - length, x, (2 * c + 1) * length, length);
            }
            means = new double[count];
            double grand = 0, w = 0, b = 0;
            for (int j = 0; j < count; j++) {
                for (int i = j * length; i < (j + 1) * length; i++) means[j] += x[i] / length;
                grand += means[j] / count;
            }
            for (int j = 0; j < count; j++) {
                double ss = 0;
                for (int i = j * length; i < (j + 1) * length; i++) ss += (x[i] - means[j]) * (x[i] - means[j]);
                w += ss / (length - 1) / count;
                b += (means[j] - grand) * (means[j] - grand) / (count - 1);
            }
            within = w;
            betweenOverN = b;
        }

        /** var⁺ = (n − 1)/n W + B/n: the pooled variance, an overestimate until the chains mix. */
        double varPlus() { return (length - 1.0) / length * within + betweenOverN; }
    }
}
