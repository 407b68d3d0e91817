package org.flowkernels.sample;

import java.util.function.IntToDoubleFunction;

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
 *       larger.</li>
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
        IntToDoubleFunction rho = t -> {
            if (t == 0) return 1;
            double acov = 0;
            for (int j = 0; j < m; j++) acov += autocovariance(h.x, j * n, n, h.means[j], t) / m;
            return 1 - (h.within - acov) / varPlus;
        };
        return ess((double) m * n, rho, n);
    }

    /**
     * Each chain's own effective sample size, from its autocorrelation ρ_t = γ_t / γ_0 (γ_t the
     * autocovariance at lag t, divided by the draws) with Geyer's initial monotone sequence.
     * Each is NaN below 4 draws or when that chain is constant.
     */
    public static double[] effectiveSampleSizes(double[] x, int chains, int draws) {
        check(x, chains, draws);
        double[] out = new double[chains];
        for (int c = 0; c < chains; c++) {
            int from = c * draws;
            double mean = 0;
            for (int i = from; i < from + draws; i++) mean += x[i] / draws;
            double m = mean, gamma0 = autocovariance(x, from, draws, m, 0);
            out[c] = draws < 4 || !(gamma0 > 0) ? Double.NaN
                    : ess(draws, t -> autocovariance(x, from, draws, m, t) / gamma0, draws);
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
    private static double ess(double total, IntToDoubleFunction rho, int lags) {
        double sum = 0, previous = Double.POSITIVE_INFINITY;
        for (int t = 0; t + 1 < lags; t += 2) {
            double gamma = rho.applyAsDouble(t) + rho.applyAsDouble(t + 1);
            if (!(gamma > 0)) break;
            previous = Math.min(gamma, previous);
            sum += previous;
        }
        double tau = Math.max(-1 + 2 * sum, 1 / Math.log10(total));
        return total / tau;
    }

    /** (1/n) Σ_{i < n − t} (x_i − mean)(x_{i+t} − mean) over x[from .. from + n): the biased
     *  estimate, whose sequence is positive definite as Geyer's argument needs. */
    private static double autocovariance(double[] x, int from, int n, double mean, int t) {
        double s = 0;
        for (int i = from; i < from + n - t; i++) s += (x[i] - mean) * (x[i + t] - mean);
        return s / n;
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
