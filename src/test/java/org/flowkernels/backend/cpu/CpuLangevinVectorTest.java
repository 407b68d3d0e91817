package org.flowkernels.backend.cpu;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import org.flowkernels.rng.Distribution;
import org.flowkernels.spi.Philox4x32;
import org.flowkernels.testing.Fresh;
import org.junit.jupiter.api.Test;

/**
 * The Vector API noise of the CPU Langevin kernels against the Java reference, on shapes
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
                    double ref = Philox4x32.coordinate(seed, chain0 + s, step, stream, c, Distribution.NORMAL.code);
                    // float log/cos/sin against the reference's double: a few ulps of |r| <= 5.6
                    assertEquals(ref, out[c * B + s], 2e-6 * Math.max(1, Math.abs(ref)),
                            "n=" + n + ", coordinate " + c + ", chain " + (chain0 + s) + ", " + f.seed());
                }
        }
    }
}
