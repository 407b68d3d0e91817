package org.flowkernels.flow;

import org.flowkernels.testing.Reference;

/**
 * The flow in float64, one sample at a time, written from the definitions (layers applied
 * literally, permutations moved, not folded): the oracle of the coupling tests.
 */
public final class FlowReference {
    private FlowReference() {}

    /** Conditioner k's output for the input in (k indexes the flow's couplings). */
    @FunctionalInterface
    public interface Conditioners {
        double[] apply(int coupling, double[] in);
    }

    /** The flow's own conditioners, float32 weights read in float64. */
    static Conditioners of(CouplingFlow flow) {
        return (k, in) -> Reference.mlp(flow.couplings().get(k).conditioner(), in);
    }

    /** x = f(z) through layers 0 .. K-1; logDet[0] receives log|det ∂x/∂z|. */
    static double[] forward(CouplingFlow flow, double[] z, double[] logDet) {
        return forward(flow, of(flow), z, logDet);
    }

    /** z = f⁻¹(x) through the layers in reverse; logDet[0] receives log|det ∂z/∂x|. */
    static double[] inverse(CouplingFlow flow, double[] x, double[] logDet) {
        return inverse(flow, of(flow), x, logDet);
    }

    /** As {@link #forward(CouplingFlow, double[], double[])} with the given conditioners. */
    public static double[] forward(CouplingFlow flow, Conditioners conditioners, double[] z, double[] logDet) {
        double[] x = z.clone();
        double ld = 0;
        int k = 0;
        for (FlowLayer layer : flow.layers()) {
            if (layer instanceof Permutation p) {
                int[] perm = p.indices();
                double[] y = new double[x.length];
                for (int i = 0; i < y.length; i++) y[i] = x[perm[i]];
                x = y;
            } else {
                ld += couple((Coupling) layer, conditioners, k++, x, false);
            }
        }
        if (logDet != null) logDet[0] = ld;
        return x;
    }

    /** As {@link #inverse(CouplingFlow, double[], double[])} with the given conditioners. */
    public static double[] inverse(CouplingFlow flow, Conditioners conditioners, double[] x, double[] logDet) {
        double[] z = x.clone();
        double ld = 0;
        int coupling = flow.couplings().size();
        for (int k = flow.layers().size() - 1; k >= 0; k--) {
            FlowLayer layer = flow.layers().get(k);
            if (layer instanceof Permutation p) {
                int[] perm = p.indices();
                double[] y = new double[z.length];
                for (int i = 0; i < y.length; i++) y[perm[i]] = z[i];
                z = y;
            } else {
                ld += couple((Coupling) layer, conditioners, --coupling, z, true);
            }
        }
        if (logDet != null) logDet[0] = ld;
        return z;
    }

    /** One coupling in place; returns its log|det J|. */
    private static double couple(Coupling c, Conditioners conditioners, int k, double[] x, boolean inverse) {
        int[] cond = c.mask().conditioning(), trans = c.mask().transformed();
        double[] in = new double[cond.length];
        for (int j = 0; j < cond.length; j++) in[j] = x[cond[j]];
        double[] o = conditioners.apply(k, in);
        int dt = trans.length;
        double ld = 0;
        for (int j = 0; j < dt; j++) {
            double s = c.affine() ? c.scaleBound().apply(o[j]) : 0, t = c.affine() ? o[dt + j] : o[j];
            x[trans[j]] = inverse ? (x[trans[j]] - t) * Math.exp(-s) : x[trans[j]] * Math.exp(s) + t;
            ld += inverse ? -s : s;
        }
        return ld;
    }

    public static double logNormal(double[] z) {
        double ss = 0;
        for (double v : z) ss += v * v;
        return -0.5 * (ss + z.length * Math.log(2 * Math.PI));
    }

    /** A batch [n, D] through forward (or inverse): {output [n * D], logDet [n]}. */
    static double[][] batch(CouplingFlow flow, float[] in, int n, boolean inverse) {
        int d = flow.dim();
        double[] out = new double[n * d], ld = new double[n], row = new double[d], l = new double[1];
        for (int r = 0; r < n; r++) {
            for (int k = 0; k < d; k++) row[k] = in[r * d + k];
            double[] y = inverse ? inverse(flow, row, l) : forward(flow, row, l);
            System.arraycopy(y, 0, out, r * d, d);
            ld[r] = l[0];
        }
        return new double[][] {out, ld};
    }
}
