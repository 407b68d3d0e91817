package org.flowkernels.rng;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.TreeSet;
import org.flowkernels.Backend;
import org.flowkernels.Tensor;
import org.flowkernels.spi.Philox4x32;
import org.flowkernels.testing.BackendTest;
import org.flowkernels.testing.Fresh;
import org.junit.jupiter.api.Test;

class PhiloxTest {
    /** Random123 tests/kat_vectors: counter[4], key[2] -> result[4]. */
    static final int[][] KAT = {
        {0, 0, 0, 0, 0, 0, 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
        {-1, -1, -1, -1, -1, -1, 0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
        {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, 0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1},
    };

    static final int[][] SHAPES = {{1, 1}, {3, 5}, {1000, 7}, {65537, 3}, {17, 64}};

    @Test
    void knownAnswersInJava() {
        for (int[] k : KAT) {
            int[] out = Philox4x32.block(k[0], k[1], k[2], k[3], k[4], k[5]);
            assertArrayEquals(new int[] {k[6], k[7], k[8], k[9]}, out, "Philox4x32-10 known answer");
        }
    }

    @BackendTest
    void knownAnswersOnBackend(Backend backend) {
        int[] in = new int[6 * KAT.length];
        for (int i = 0; i < KAT.length; i++) System.arraycopy(KAT[i], 0, in, 6 * i, 6);
        int[] out = Rng.rawBlocks(backend, in);
        for (int i = 0; i < KAT.length; i++)
            for (int w = 0; w < 4; w++)
                assertEquals(KAT[i][6 + w], out[4 * i + w], "case " + i + " word " + w + " on " + backend.name());
    }

    @BackendTest
    void rawBlocksMatchJavaOnFreshCounters(Backend backend) {
        Fresh f = new Fresh("raw" + backend.name());
        int n = 1001;
        int[] in = new int[6 * n];
        for (int i = 0; i < in.length; i++) in[i] = (int) f.nextLong();
        int[] out = Rng.rawBlocks(backend, in);
        for (int i = 0; i < n; i++) {
            int[] ref = Philox4x32.block(in[6 * i], in[6 * i + 1], in[6 * i + 2], in[6 * i + 3], in[6 * i + 4], in[6 * i + 5]);
            for (int w = 0; w < 4; w++) assertEquals(ref[w], out[4 * i + w], "case " + i + ", " + f.seed());
        }
    }

    @BackendTest
    void uniformAndRademacherBitsAreIdenticalToTheReference(Backend backend) {
        Fresh f = new Fresh("bits" + backend.name());
        for (Distribution d : new Distribution[] {Distribution.UNIFORM, Distribution.RADEMACHER}) {
            for (int[] s : SHAPES) {
                long seed = f.nextLong();
                int stream = f.nextInt(1000), step = f.nextInt(1 << 30);
                try (Tensor t = Rng.draw(backend, d, s[0], s[1], seed, stream, step)) {
                    float[] got = t.toArray();
                    for (int r = 0; r < s[0]; r++)
                        for (int c = 0; c < s[1]; c++) {
                            float ref = Philox4x32.coordinate(seed, r, step, stream, c, d.code);
                            int i = r * s[1] + c;
                            if (Float.floatToRawIntBits(got[i]) != Float.floatToRawIntBits(ref))
                                fail(d + " [" + s[0] + ", " + s[1] + "] element (" + r + ", " + c + "): got " + got[i]
                                        + ", reference " + ref + "; " + f.seed());
                        }
                }
            }
        }
    }

    @BackendTest
    void normalsMatchTheReferenceToFloatRounding(Backend backend) {
        Fresh f = new Fresh("normal" + backend.name());
        for (int[] s : SHAPES) {
            long seed = f.nextLong();
            try (Tensor t = Rng.draw(backend, Distribution.NORMAL, s[0], s[1], seed, 3, 7)) {
                float[] got = t.toArray();
                for (int i = 0; i < got.length; i++) {
                    float ref = Philox4x32.coordinate(seed, i / s[1], 7, 3, i % s[1], Distribution.NORMAL.code);
                    // |n| < 5.8 (u > 2^-24); float log/cos/sqrt on a device are within a few ulp of the
                    // correctly rounded value, so 4e-6 absolute is 8 ulp at the largest magnitudes.
                    assertEquals(ref, got[i], 4e-6, "element " + i + " of [" + s[0] + ", " + s[1] + "]; " + f.seed());
                }
            }
        }
    }

    /**
     * philox_fill's flat index over (row, group of four columns) is 64-bit. Crossing 2^31
     * groups takes 2^33 elements (32 GiB), which only a large GPU holds (ci/gpu-check runs it on
     * an H200): there, the rows on both sides of group 2^31 and the last row must carry their
     * own draws (an int index wraps negative: a fault, or rows left as the NaN poison).
     * Elsewhere the same checks run at the size the suite affords, 2^19 + 3 rows of 13 columns
     * (a one-column tail group): that proves the row and tail arithmetic, not the overflow.
     */
    @BackendTest
    void fillsPastTwoToThe31Groups(Backend backend) {
        int rows = (1 << 29) + 3, cols = 16; // 4 groups a row: 2^31 + 12 groups
        long bytes = 4L * rows * cols;
        boolean large = backend.isGpu() && backend.device().memoryBytes() >= bytes + bytes / 2;
        if (!large) { rows = (1 << 19) + 3; cols = 13; }
        System.out.println("[philox] " + backend.name() + ": fill of [" + rows + ", " + cols + "]"
                + (large ? ", past 2^31 groups" : " (the 2^31-group size needs 48 GiB of GPU memory)"));
        Fresh f = new Fresh("fill2^31" + backend.name());
        long seed = f.nextLong();
        int stream = f.nextInt(1000), step = f.nextInt(1 << 30), groups = (cols + 3) / 4;
        long across = Math.min((1L << 31) / groups, rows / 2); // the row holding group 2^31 (large) or a middle row
        TreeSet<Long> check = new TreeSet<>(List.of(0L, 1L, across - 1, across, across + 1,
                rows - 2L, rows - 1L));
        while (check.size() < 64) check.add((long) f.nextInt(rows));
        try (Tensor t = Rng.draw(backend, Distribution.UNIFORM, rows, cols, seed, stream, step)) {
            float[] row = new float[cols];
            for (long r : check) {
                backend.memory().read(t.buffer(), r * cols, row, 0, cols);
                for (int c = 0; c < cols; c++) {
                    float ref = Philox4x32.coordinate(seed, (int) r, step, stream, c, Distribution.UNIFORM.code);
                    if (Float.floatToRawIntBits(row[c]) != Float.floatToRawIntBits(ref))
                        fail("[" + rows + ", " + cols + "] element (" + r + ", " + c + "): got " + row[c] + ", reference "
                                + ref + "; " + f.seed());
                }
            }
        }
    }

    @BackendTest
    void momentsOfTheDistributions(Backend backend) {
        int n = 65537, cols = 8;
        long seed = new Fresh("moments" + backend.name()).nextLong();
        try (Tensor u = Rng.uniform(backend, n, cols, seed); Tensor z = Rng.normal(backend, n, cols, seed);
             Tensor r = Rng.rademacher(backend, n, cols, seed)) {
            double N = (double) n * cols;
            double[] mu = moments(u.toArray()), mz = moments(z.toArray()), mr = moments(r.toArray());
            // 6 standard errors: fails by chance with probability ~1e-9 per check.
            assertEquals(0.5, mu[0], 6 * Math.sqrt(1 / 12.0 / N), "uniform mean, seed " + seed);
            assertEquals(1 / 12.0, mu[1], 6 * Math.sqrt(1 / 180.0 / N), "uniform variance, seed " + seed);
            assertTrue(mu[2] > 0 && mu[3] < 1, "uniform range is open (0, 1)");
            assertEquals(0.0, mz[0], 6 / Math.sqrt(N), "normal mean, seed " + seed);
            assertEquals(1.0, mz[1], 6 * Math.sqrt(2 / N), "normal variance, seed " + seed);
            assertEquals(0.0, mr[0], 6 / Math.sqrt(N), "rademacher mean, seed " + seed);
            for (float v : r.toArray()) assertTrue(v == 1f || v == -1f, "rademacher value " + v);
        }
    }

    private static double[] moments(float[] x) {
        double m = 0, lo = Double.MAX_VALUE, hi = -Double.MAX_VALUE;
        for (float v : x) { m += v; lo = Math.min(lo, v); hi = Math.max(hi, v); }
        m /= x.length;
        double v2 = 0;
        for (float v : x) v2 += (v - m) * (v - m);
        return new double[] {m, v2 / x.length, lo, hi};
    }

    @Test
    void streamsStepsAndSeedsGiveDifferentDraws() {
        float a = Philox4x32.coordinate(1, 0, 0, 0, 0, Distribution.UNIFORM.code);
        assertNotEquals(a, Philox4x32.coordinate(2, 0, 0, 0, 0, Distribution.UNIFORM.code));
        assertNotEquals(a, Philox4x32.coordinate(1, 0, 1, 0, 0, Distribution.UNIFORM.code));
        assertNotEquals(a, Philox4x32.coordinate(1, 0, 0, 1, 0, Distribution.UNIFORM.code));
        assertNotEquals(a, Philox4x32.coordinate(1, 1, 0, 0, 0, Distribution.UNIFORM.code));
    }

    @Test
    void blockNormalsEqualTheOneAtATimeDraws() {
        int[] b = Philox4x32.block(1, 2, 3, 4, 5, 6);
        float[] four = new float[4];
        Philox4x32.normals(b, four);
        for (int w = 0; w < 4; w++) assertEquals(Philox4x32.normal(b, w), four[w], 0f);
    }

    @Test
    void uniformIsExactAndOpen() {
        assertEquals(0x1p-24f, Philox4x32.uniform(0));
        assertEquals(1f - 0x1p-24f, Philox4x32.uniform(-1));
    }
}
