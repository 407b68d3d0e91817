package org.flowkernels.testing;

import org.flowkernels.nn.Activation;
import org.flowkernels.nn.Mlp;

/** Float64 references, written plainly and independently of the backends' code. */
public final class Reference {
    private Reference() {}

    /** One sample through the MLP in float64. */
    public static double[] mlp(Mlp mlp, double[] x) {
        double[] a = x;
        for (int l = 0; l < mlp.depth(); l++) {
            Mlp.Layer layer = mlp.layers().get(l);
            double[] z = new double[layer.out()];
            for (int o = 0; o < layer.out(); o++) {
                double s = layer.bias()[o];
                for (int k = 0; k < layer.in(); k++) s += (double) layer.weight()[o * layer.in() + k] * a[k];
                z[o] = l + 1 < mlp.depth() ? mlp.activation().apply(s) : s;
            }
            a = z;
        }
        return a;
    }

    /**
     * One sample through an MLP of these widths and activation whose parameters are read, in
     * float64, from {@code params} at {@code offset} in the packed layout (layer by layer, W
     * [out, in] row-major, then b): the reference of parameter-gradient tests.
     */
    public static double[] mlp(int[] widths, Activation activation, double[] params, int offset, double[] x) {
        double[] a = x;
        int at = offset;
        for (int l = 0; l + 1 < widths.length; l++) {
            int in = widths[l], out = widths[l + 1];
            double[] z = new double[out];
            for (int o = 0; o < out; o++) {
                double s = params[at + in * out + o];
                for (int k = 0; k < in; k++) s += params[at + o * in + k] * a[k];
                z[o] = l + 2 < widths.length ? activation.apply(s) : s;
            }
            at += in * out + out;
            a = z;
        }
        return a;
    }

    /** A batch [n, in] (row-major float32) through the MLP in float64, row-major [n, out]. */
    public static double[] mlp(Mlp mlp, float[] x, int n) {
        int in = mlp.inputs(), out = mlp.outputs();
        double[] y = new double[n * out];
        double[] row = new double[in];
        for (int s = 0; s < n; s++) {
            for (int k = 0; k < in; k++) row[k] = x[s * in + k];
            System.arraycopy(mlp(mlp, row), 0, y, s * out, out);
        }
        return y;
    }

    public static Activation[] activations() { return Activation.values(); }
}
