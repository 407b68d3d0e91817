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
