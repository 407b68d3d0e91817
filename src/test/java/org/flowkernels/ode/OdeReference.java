package org.flowkernels.ode;

import org.flowkernels.rng.Distribution;
import org.flowkernels.spi.Philox4x32;
import org.flowkernels.testing.Reference;

/** Float64 references for the continuous-flow tests, written independently of the kernels. */
final class OdeReference {
    private OdeReference() {}

    /** e^{tA} for A [D, D] row-major: scaling and squaring of the Taylor series, in float64. */
    static double[][] expm(float[] a, int D, double t) {
        double norm = 0;
        for (float v : a) norm = Math.max(norm, Math.abs(v) * D);
        int squarings = Math.max(0, (int) Math.ceil(Math.log(Math.abs(t) * norm + 1e-300) / Math.log(2)) + 1);
        double scale = t / Math.pow(2, squarings);
        double[][] m = new double[D][D], term = new double[D][D];
        for (int i = 0; i < D; i++) m[i][i] = term[i][i] = 1;
        for (int k = 1; k <= 30; k++) {
            double[][] next = new double[D][D];
            for (int i = 0; i < D; i++)
                for (int j = 0; j < D; j++) {
                    double s = 0;
                    for (int l = 0; l < D; l++) s += term[i][l] * a[l * D + j];
                    next[i][j] = s * scale / k;
                }
            term = next;
            for (int i = 0; i < D; i++) for (int j = 0; j < D; j++) m[i][j] += term[i][j];
        }
        for (int s = 0; s < squarings; s++) m = multiply(m, m);
        return m;
    }

    static double[][] multiply(double[][] p, double[][] q) {
        int D = p.length;
        double[][] r = new double[D][D];
        for (int i = 0; i < D; i++)
            for (int j = 0; j < D; j++) {
                double s = 0;
                for (int l = 0; l < D; l++) s += p[i][l] * q[l][j];
                r[i][j] = s;
            }
        return r;
    }

    /** v(x, t) of a field in float64. */
    static double[] velocity(VectorField f, double[] x, double t) {
        int D = f.dim();
        double[] in = new double[f.network().inputs()];
        System.arraycopy(x, 0, in, 0, D);
        if (f.timeInput()) in[D] = t;
        return Reference.mlp(f.network(), in);
    }

    /** ∂v/∂x [D][D] by central differences in float64 (step 1e-5: truncation ~1e-10, rounding ~1e-11). */
    static double[][] jacobian(VectorField f, double[] x, double t) {
        int D = f.dim();
        double step = 1e-5;
        double[][] J = new double[D][D];
        for (int j = 0; j < D; j++) {
            double[] xp = x.clone(), xm = x.clone();
            xp[j] += step;
            xm[j] -= step;
            double[] vp = velocity(f, xp, t), vm = velocity(f, xm, t);
            for (int i = 0; i < D; i++) J[i][j] = (vp[i] - vm[i]) / (2 * step);
        }
        return J;
    }

    static double trace(double[][] J) {
        double s = 0;
        for (int i = 0; i < J.length; i++) s += J[i][i];
        return s;
    }

    /** Probe j of sample i: the documented Philox stream, drawn with the Java reference. */
    static double[] probe(Distribution d, long seed, int sample, int j, int D) {
        double[] e = new double[D];
        for (int c = 0; c < D; c++) e[c] = Philox4x32.coordinate(seed, sample, j, Ode.PROBE_STREAM, c, d.code);
        return e;
    }

    /** (1/k) Σ_j ε_jᵀ J ε_j, or tr J when d is null. */
    static double traceEstimate(double[][] J, Distribution d, int k, long seed, int sample) {
        if (d == null) return trace(J);
        int D = J.length;
        double sum = 0;
        for (int j = 0; j < k; j++) {
            double[] e = probe(d, seed, sample, j, D);
            for (int a = 0; a < D; a++) for (int b = 0; b < D; b++) sum += e[a] * J[a][b] * e[b];
        }
        return sum / k;
    }

    /** Butcher tableaux written out here, not taken from Solver: {a (stage input weights), b}. */
    static double[][] tableau(Solver s) {
        return switch (s) {
            case EULER -> new double[][] {{0}, {1}};
            case MIDPOINT -> new double[][] {{0, 0.5}, {0, 1}};
            case RK4 -> new double[][] {{0, 0.5, 0.5, 1}, {1 / 6.0, 1 / 3.0, 1 / 3.0, 1 / 6.0}};
        };
    }

    /**
     * One sample's augmented solve in float64: returns {x(t1)..., Δlogp(t1)}. The trace is
     * exact (d null) or the Hutchinson estimate with the sample's probes.
     */
    static double[] solve(VectorField f, double[] x0, Solver solver, double t0, double t1, int steps, Distribution d,
                          int k, long seed, int sample) {
        int D = f.dim();
        double[][] tab = tableau(solver);
        double h = (t1 - t0) / steps;
        double[] x = x0.clone(), kv = new double[D];
        double dl = 0;
        for (int n = 0; n < steps; n++) {
            double t = t0 + n * h;
            double[] acc = new double[D];
            double accl = 0;
            for (int i = 0; i < tab[0].length; i++) {
                double[] xi = new double[D];
                for (int c = 0; c < D; c++) xi[c] = x[c] + tab[0][i] * h * kv[c];
                kv = velocity(f, xi, t + tab[0][i] * h);
                double tr = traceEstimate(jacobian(f, xi, t + tab[0][i] * h), d, k, seed, sample);
                for (int c = 0; c < D; c++) acc[c] += tab[1][i] * kv[c];
                accl -= tab[1][i] * tr;
            }
            for (int c = 0; c < D; c++) x[c] += h * acc[c];
            dl += h * accl;
        }
        double[] out = new double[D + 1];
        System.arraycopy(x, 0, out, 0, D);
        out[D] = dl;
        return out;
    }

    static double[] row(float[] a, int r, int cols) {
        double[] out = new double[cols];
        for (int c = 0; c < cols; c++) out[c] = a[r * cols + c];
        return out;
    }

    /** A float32 result as float64, to compare two backends' outputs with Compare.close. */
    static double[] doubles(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }
}
