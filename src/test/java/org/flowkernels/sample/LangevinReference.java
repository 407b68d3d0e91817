package org.flowkernels.sample;

import org.flowkernels.nn.Mlp;
import org.flowkernels.physics.Potential;
import org.flowkernels.physics.PotentialReference;
import org.flowkernels.rng.Distribution;
import org.flowkernels.spi.Contract;
import org.flowkernels.spi.Philox4x32;
import org.flowkernels.testing.Reference;

/**
 * Langevin chains in float64, one at a time, written from the formulas of {@link Langevin}
 * and independently of the kernels; the noise is the library's Philox stream (the Java
 * reference), so a backend's short run can be compared with it step for step.
 */
final class LangevinReference {
    private LangevinReference() {}

    /** A chain's drift ∇ ln π and, where defined, ln π. */
    interface Target {
        double[] drift(double[] x);

        double logDensity(double[] x);
    }

    static Target potential(Potential v, double beta) {
        return new Target() {
            @Override public double[] drift(double[] x) {
                double[] g = PotentialReference.gradient(v, x);
                for (int c = 0; c < g.length; c++) g[c] *= -beta;
                return g;
            }

            @Override public double logDensity(double[] x) { return -beta * PotentialReference.value(v, x); }
        };
    }

    static Target score(Mlp net, double sigma) {
        return new Target() {
            @Override public double[] drift(double[] x) {
                double[] in = java.util.Arrays.copyOf(x, x.length + 1);
                in[x.length] = sigma;
                return Reference.mlp(net, in);
            }

            @Override public double logDensity(double[] x) { throw new UnsupportedOperationException("a score has no density"); }
        };
    }

    /** MALA's ln α for the proposal y = x + (ε/2) D(x) + √ε ξ (dx = D(x)):
     *  ln π(y) − ln π(x) + ln q(x|y) − ln q(y|x), the proposal terms written through ξ since
     *  x − y − (ε/2) D(y) = −√ε (ξ + (√ε/2)(D(x) + D(y))). */
    static double logAcceptance(Target target, double[] x, double[] dx, double[] y, double[] xi, double eps) {
        double[] dy = target.drift(y);
        double logAlpha = target.logDensity(y) - target.logDensity(x);
        for (int c = 0; c < x.length; c++) {
            double w = xi[c] + Math.sqrt(eps) / 2 * (dx[c] + dy[c]);
            logAlpha += 0.5 * (xi[c] * xi[c] - w * w);
        }
        return logAlpha;
    }

    static double noise(long seed, int chain, int step, int c) {
        return Philox4x32.coordinate(seed, chain, step, Contract.NOISE_STREAM, c, Distribution.NORMAL.code);
    }

    /**
     * Steps [first, first + steps) of one chain from x (updated in place) with step size eps.
     * Returns, for MALA, the smallest |ln α − ln u| over the accept/reject decisions: a decision
     * closer to its threshold than float32 resolves may go either way on a backend.
     */
    static double run(Target target, boolean mala, double[] x, double eps, long seed, int chain, int first, int steps) {
        int n = x.length;
        double margin = Double.POSITIVE_INFINITY;
        double[] d = target.drift(x);
        for (int t = first; t < first + steps; t++) {
            double[] xi = new double[n], y = new double[n];
            for (int c = 0; c < n; c++) {
                xi[c] = noise(seed, chain, t, c);
                y[c] = x[c] + eps / 2 * d[c] + Math.sqrt(eps) * xi[c];
            }
            boolean take = true;
            if (mala) {
                double logAlpha = logAcceptance(target, x, d, y, xi, eps);
                double logU = Math.log(Philox4x32.coordinate(seed, chain, t, Contract.ACCEPT_STREAM, 0, Distribution.UNIFORM.code));
                margin = Math.min(margin, Math.abs(logAlpha - logU));
                take = logU < logAlpha;
            }
            if (take) {
                System.arraycopy(y, 0, x, 0, n);
                d = target.drift(x);
            }
        }
        return margin;
    }
}
