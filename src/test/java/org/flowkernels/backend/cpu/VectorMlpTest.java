package org.flowkernels.backend.cpu;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.flowkernels.nn.Activation;
import org.flowkernels.nn.Mlp;
import org.flowkernels.testing.Compare;
import org.flowkernels.testing.Fresh;
import org.junit.jupiter.api.Test;

/**
 * Both register-blocked layer kernels (512-bit and 256-bit) against a float64 product, on
 * widths that are not multiples of the output blocking, whichever one this machine's
 * contract tests exercise. Needs the Vector API module (the default test run has it).
 */
class VectorMlpTest {
    @Test
    void bothVectorWidthsMatchTheFloat64Product() {
        assumeTrue(Simd.ENABLED, "the Vector API module is not in this JVM (" + Simd.description(BlockOps.CHOSEN) + ")");
        Fresh f = new Fresh("vector-mlp");
        for (int[] shape : new int[][] {{1, 1}, {3, 7}, {32, 256}, {65, 13}, {256, 64}, {17, 9}}) {
            int in = shape[0], out = shape[1], B = BlockOps.B;
            Mlp mlp = Mlp.random(f.nextLong(), Activation.IDENTITY, in, out);
            float[] p = mlp.packedParameters();
            float[] a = f.gaussian(in * B, 1.0);
            double[] ref = new double[out * B];
            for (int o = 0; o < out; o++)
                for (int s = 0; s < B; s++) {
                    double acc = p[mlp.biasOffset(0) + o];
                    for (int k = 0; k < in; k++) acc += (double) p[o * in + k] * a[k * B + s];
                    ref[o * B + s] = acc;
                }
            float[] z = new float[out * B];
            java.util.Arrays.fill(z, Float.NaN);
            VectorMlp.product512(p, 0, mlp.biasOffset(0), in, out, a, z);
            Compare.close(z, ref, 1e-5, "512-bit product " + in + " -> " + out + ", " + f.seed());
            java.util.Arrays.fill(z, Float.NaN);
            VectorMlp.product256(p, 0, mlp.biasOffset(0), in, out, a, z);
            Compare.close(z, ref, 1e-5, "256-bit product " + in + " -> " + out + ", " + f.seed());
        }
    }
}
