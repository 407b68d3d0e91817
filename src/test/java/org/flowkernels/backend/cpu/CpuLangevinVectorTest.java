package org.flowkernels.backend.cpu;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import org.flowkernels.physics.Potential;
import org.flowkernels.physics.PotentialReference;
import org.flowkernels.rng.Distribution;
import org.flowkernels.rng.Philox4x32;
import org.flowkernels.testing.Fresh;
import org.junit.jupiter.api.Test;

/**
 * The Vector API parts of the CPU Langevin kernels against the Java references, on shapes
 * that leave partial Philox blocks and odd Box-Muller pairs. (The contract tests run them
 * through whole chains; these pin each piece down on its own.)
 */
class CpuLangevinVectorTest {
    static final int B = MlpBlock.B;

    @Test
    void normalsAreThePhiloxReferenceDraws() {
        assumeTrue(Simd.ENABLED, "the Vector API module is not in this JVM (" + Simd.description() + ")");
        Fresh f = new Fresh("cpu-langevin-normals");
        for (int n : new int[] {1, 2, 3, 4, 5, 7, 64}) {
            long seed = f.nextLong();
            int chain0 = f.nextInt(1 << 30), step = f.nextInt(1 << 20), stream = 16;
            float[] out = new float[n * B];
            Arrays.fill(out, Float.NaN);
            CpuLangevinVector.normals(seed, chain0, step, stream, n, out);
            for (int c = 0; c < n; c++)
                for (int s = 0; s < B; s++) {
                    double ref = Philox4x32.coordinate(seed, chain0 + s, step, stream, c, Distribution.NORMAL);
                    // float log/cos/sin against the reference's double: a few ulps of |r| <= 5.6
                    assertEquals(ref, out[c * B + s], 2e-6 * Math.max(1, Math.abs(ref)),
                            "n=" + n + ", coordinate " + c + ", chain " + (chain0 + s) + ", " + f.seed());
                }
        }
    }

    @Test
    void coulombMatchesTheFloat64Potential() {
        assumeTrue(Simd.ENABLED && CpuLangevinVector.fitsBlock(), "no Vector API kernel here (" + Simd.description() + ")");
        Fresh f = new Fresh("cpu-langevin-coulomb");
        for (int dim = 1; dim <= 3; dim++)
            for (int particles : new int[] {1, 2, 5, 32}) {
                int n = dim * particles;
                var gas = new Potential.CoulombGas(dim, f.uniform(0.5, 2), f.uniform(0.5, 2));
                float[] q = f.gaussian(n * B, 1.0), g = new float[n * B], e = new float[B];
                Arrays.fill(g, Float.NaN);
                CpuLangevinVector.coulomb(q, g, e, dim, particles, (float) gas.coupling(), (float) gas.trap());
                for (int s = 0; s < B; s++) {
                    double[] row = new double[n];
                    for (int c = 0; c < n; c++) row[c] = q[c * B + s];
                    double[] ref = new double[n];
                    double v = PotentialReference.valueAndGradient(gas, row, ref);
                    // float32 pair sums over up to 496 pairs: ~1e-6 relative; 1/r of close pairs
                    // amplifies the coordinates' rounding, so compare against the gradient's scale
                    double scale = 0;
                    for (double x : ref) scale = Math.max(scale, Math.abs(x));
                    String what = gas + " with " + particles + " particles, configuration " + s + ", " + f.seed();
                    assertEquals(v, e[s], 1e-5 * Math.abs(v), "V of " + what);
                    for (int c = 0; c < n; c++) assertEquals(ref[c], g[c * B + s], 1e-5 * scale, "dV/dq_" + c + " of " + what);
                }
            }
    }
}
