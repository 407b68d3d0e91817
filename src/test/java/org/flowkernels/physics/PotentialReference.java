package org.flowkernels.physics;

import org.flowkernels.testing.Fresh;

/**
 * Float64 references for every built-in potential, written from the formulas in
 * {@link Potential}'s documentation and independently of the kernels: bond by bond, pair by
 * pair. The gradients are checked against central finite differences of the values
 * ({@link #finiteDifference}), so tests may use {@link #gradient} as a float64 oracle. Also
 * typical test configurations: Gaussian, separated charges, jittered LJ clusters.
 */
public final class PotentialReference {
    private PotentialReference() {}

    public static double value(Potential v, double[] q) {
        return valueAndGradient(v, q, null);
    }

    public static double[] gradient(Potential v, double[] q) {
        double[] g = new double[q.length];
        valueAndGradient(v, q, g);
        return g;
    }

    /** V(q); when g is not null it receives dV/dq. */
    public static double valueAndGradient(Potential v, double[] q, double[] g) {
        int n = q.length;
        double[] grad = g != null ? g : new double[n];
        java.util.Arrays.fill(grad, 0);
        double sum = 0;
        if (v instanceof Potential.Harmonic h) {
            for (int c = 0; c < n; c++) {
                sum += 0.5 * h.k() * q[c] * q[c];
                grad[c] = h.k() * q[c];
            }
        } else if (v instanceof Potential.DiagonalHarmonic d) {
            double[] k = d.k();
            for (int c = 0; c < n; c++) {
                sum += 0.5 * k[c] * q[c] * q[c];
                grad[c] = k[c] * q[c];
            }
        } else if (v instanceof Potential.Chain ch) {
            boolean periodic = ch.ends() == Potential.Ends.PERIODIC;
            // bond b joins particle b - 1 (left) and b (right); particles -1 and n are the walls
            int bonds = periodic ? n : n + 1;
            for (int b = 0; b < bonds; b++) {
                int left = b - 1, right = b;
                if (periodic) left = (b - 1 + n) % n;
                double ql = left >= 0 ? q[left] : 0, qr = right < n ? q[right] : 0;
                double r = qr - ql;
                sum += ch.k() / 2 * r * r + ch.alpha() / 3 * r * r * r + ch.beta() / 4 * r * r * r * r;
                double f = ch.k() * r + ch.alpha() * r * r + ch.beta() * r * r * r;
                if (right < n) grad[right] += f;
                if (left >= 0) grad[left] -= f;
            }
        } else if (v instanceof Potential.CoulombGas cg) {
            int dim = cg.dim(), np = n / dim;
            for (int c = 0; c < n; c++) {
                sum += cg.trap() * q[c] * q[c];
                grad[c] += 2 * cg.trap() * q[c];
            }
            for (int i = 0; i < np; i++)
                for (int j = i + 1; j < np; j++) {
                    double r = distance(q, i, j, dim);
                    sum += cg.coupling() / r;
                    double dVdr = -cg.coupling() / (r * r);
                    for (int c = 0; c < dim; c++) {
                        double u = (q[i * dim + c] - q[j * dim + c]) / r;
                        grad[i * dim + c] += dVdr * u;
                        grad[j * dim + c] -= dVdr * u;
                    }
                }
        } else if (v instanceof Potential.LennardJones lj) {
            int dim = lj.dim(), np = n / dim;
            for (int i = 0; i < np; i++)
                for (int j = i + 1; j < np; j++) {
                    double r = distance(q, i, j, dim), sr6 = Math.pow(lj.sigma() / r, 6);
                    sum += 4 * lj.epsilon() * (sr6 * sr6 - sr6);
                    double dVdr = 4 * lj.epsilon() * (-12 * sr6 * sr6 + 6 * sr6) / r;
                    for (int c = 0; c < dim; c++) {
                        double u = (q[i * dim + c] - q[j * dim + c]) / r;
                        grad[i * dim + c] += dVdr * u;
                        grad[j * dim + c] -= dVdr * u;
                    }
                }
        } else if (v instanceof Potential.DoubleWell dw) {
            for (int c = 0; c < n; c++) {
                double u = q[c] / dw.a();
                sum += dw.h() * (u * u - 1) * (u * u - 1);
                grad[c] = dw.h() * 2 * (u * u - 1) * 2 * u / dw.a();
            }
        } else {
            throw new AssertionError("no reference for " + v);
        }
        return sum;
    }

    private static double distance(double[] q, int i, int j, int dim) {
        double s = 0;
        for (int c = 0; c < dim; c++) {
            double d = q[i * dim + c] - q[j * dim + c];
            s += d * d;
        }
        return Math.sqrt(s);
    }

    /** Central differences of the float64 value, step h scaled by each coordinate's size:
     *  truncation ~h^2 V''', rounding ~1e-16 |V| / h, both far below float32 resolution. */
    public static double[] finiteDifference(Potential v, double[] q) {
        double[] g = new double[q.length], x = q.clone();
        for (int c = 0; c < q.length; c++) {
            double h = 1e-5 * Math.max(1, Math.abs(q[c]));
            x[c] = q[c] + h;
            double up = value(v, x);
            x[c] = q[c] - h;
            double down = value(v, x);
            x[c] = q[c];
            g[c] = (up - down) / (2 * h);
        }
        return g;
    }

    /** A float32 array as float64, for comparisons with {@code Compare.close}. */
    public static double[] widen(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) d[i] = x[i];
        return d;
    }

    // ---------------------------------------------------------------- typical configurations

    public static double[] gaussian(Fresh f, int n, double scale) {
        double[] x = new double[n];
        for (int k = 0; k < n; k++) x[k] = scale * f.gaussian();
        return x;
    }

    /** Gaussian positions no two closer than 0.3: the Coulomb sum stays well conditioned. */
    public static double[] separated(Fresh f, int n, int dim) {
        double[] x = new double[n];
        for (int i = 0; i < n / dim; i++) {
            boolean ok;
            do {
                for (int c = 0; c < dim; c++) x[i * dim + c] = 1.5 * f.gaussian();
                ok = true;
                for (int j = 0; j < i && ok; j++) {
                    double s = 0;
                    for (int c = 0; c < dim; c++) s += Math.pow(x[i * dim + c] - x[j * dim + c], 2);
                    ok = s > 0.09;
                }
            } while (!ok);
        }
        return x;
    }

    /** Atoms on a jittered square or cubic lattice of spacing 1.12 (near the LJ minimum). */
    public static double[] cluster(Fresh f, int atoms, int dim) {
        double[] x = new double[atoms * dim];
        int side = (int) Math.ceil(Math.pow(atoms, 1.0 / dim));
        for (int i = 0; i < atoms; i++) {
            int rest = i;
            for (int c = 0; c < dim; c++) {
                x[i * dim + c] = 1.12 * (rest % side) + 0.05 * f.gaussian();
                rest /= side;
            }
        }
        return x;
    }
}
