package org.flowkernels.sample;

import java.util.Arrays;
import java.util.function.DoubleUnaryOperator;

/** The one-sample Kolmogorov-Smirnov test against a 1-D density known up to a constant. */
final class Ks {
    private Ks() {}

    /** c(α) of the asymptotic KS distribution: P(√N D > c) = α; 1.949 for α = 0.001. */
    static final double C_001 = 1.949;

    /** The CDF of the density ∝ exp(logDensity(x)) on [lo, hi] (the mass outside negligible), tabulated in float64. */
    static DoubleUnaryOperator cdf(DoubleUnaryOperator logDensity, double lo, double hi) {
        int m = 200_000;
        double h = (hi - lo) / m;
        double[] f = new double[m + 1], cum = new double[m + 1];
        double top = Double.NEGATIVE_INFINITY;
        for (int i = 0; i <= m; i++) top = Math.max(top, f[i] = logDensity.applyAsDouble(lo + i * h));
        for (int i = 0; i <= m; i++) f[i] = Math.exp(f[i] - top);
        for (int i = 1; i <= m; i++) cum[i] = cum[i - 1] + 0.5 * h * (f[i - 1] + f[i]); // trapezoid: error ~h² f'' ≈ 1e-10
        double total = cum[m];
        return x -> {
            if (x <= lo) return 0;
            if (x >= hi) return 1;
            double p = (x - lo) / h;
            int i = (int) p;
            double frac = p - i;
            return (cum[i] + frac * (cum[Math.min(i + 1, m)] - cum[i])) / total;
        };
    }

    /** D = sup |F_N − F| of the samples against F. */
    static double statistic(double[] samples, DoubleUnaryOperator cdf) {
        double[] s = samples.clone();
        Arrays.sort(s);
        double d = 0;
        for (int i = 0; i < s.length; i++) {
            double f = cdf.applyAsDouble(s[i]);
            d = Math.max(d, Math.max(f - (double) i / s.length, (double) (i + 1) / s.length - f));
        }
        return d;
    }

    static double critical(int n) {
        return C_001 / Math.sqrt(n);
    }
}
