package org.flowkernels.nn;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.flowkernels.Backend;
import org.flowkernels.Backends;
import org.flowkernels.Tensor;
import org.flowkernels.testing.BackendTest;
import org.flowkernels.testing.Compare;
import org.flowkernels.testing.Fresh;
import org.flowkernels.testing.Reference;
import org.junit.jupiter.api.Test;

class MlpTest {
    /** float32 accumulation over at most 256 terms plus a few-ulp tanh: errors ~1e-6 relative. */
    static final double TOL = 2e-5;
    /**
     * The outputs' scale below which TOL is taken absolutely: a layer's terms are O(0.1) here, so
     * a sum of 257 of them carries ~2e-7 of float32 rounding even when it cancels to ~0.004 (a
     * fresh draw did, 5e-5 "relative"); 0.05 lets that through and nothing a wrong term would give.
     */
    static final double RMS_FLOOR = 0.05;

    @BackendTest
    void forwardMatchesTheFloat64Reference(Backend backend) {
        Fresh f = new Fresh("mlp" + backend.name());
        int[][] nets = {{5, 17, 3}, {3, 64, 64, 2}, {1, 1}, {7, 33, 65, 9, 4}};
        for (int[] widths : nets)
            for (Activation act : Activation.values())
                for (int n : new int[] {1, 3, 1000, 65537}) check(backend, f, Mlp.random(f.nextLong(), act, widths), n);
        // the W1 conditioner's shape, on a moderate batch
        check(backend, f, Mlp.random(f.nextLong(), Activation.TANH, 32, 256, 256, 64), 1000);
    }

    private static void check(Backend backend, Fresh f, Mlp mlp, int n) {
        float[] x = f.gaussian(n * mlp.inputs(), 1.5);
        try (MlpModule m = mlp.on(backend); Tensor xt = backend.tensor(x, n, mlp.inputs()); Tensor y = m.forward(xt)) {
            assertEquals(n, y.rows());
            assertEquals(mlp.outputs(), y.cols());
            Compare.close(y.toArray(), Reference.mlp(mlp, x, n), TOL, RMS_FLOOR, mlp + " n=" + n + " on " + backend.name() + ", " + f.seed());
        }
    }

    /**
     * The tiled GEMM's edges: rows, inputs and outputs that are not multiples of any tile (the
     * device tile is 128 rows x 64 outputs x 16 inputs per slice), alone (the identity layer)
     * and with the activation epilogue (a hidden layer of that shape), against float64.
     */
    @BackendTest
    void gemmShapesThatAreNotMultiplesOfTheTile(Backend backend) {
        Fresh f = new Fresh("mlp-gemm-edges" + backend.name());
        int[] sizes = {1, 3, 63, 64, 65, 257};
        for (int n : new int[] {1, 3, 65, 1000})
            for (int in : sizes)
                for (int out : sizes) {
                    check(backend, f, Mlp.random(f.nextLong(), Activation.TANH, in, out), n);
                    if (n == 65) check(backend, f, Mlp.random(f.nextLong(), Activation.TANH, in, out, 3), n);
                }
    }

    /**
     * More rows than 65,535 work-groups of the device tile (128 rows) cover: a grid that put
     * the rows on its second dimension (CUDA's gridDim.y <= 65,535) could not launch this.
     * A 2 -> 1 layer keeps it cheap; every row is compared (the output is poisoned).
     */
    @BackendTest
    void rowsBeyond65535TilesOfTheGrid(Backend backend) {
        Fresh f = new Fresh("mlp-many-rows" + backend.name());
        int n = 65_535 * 128 + 1_001;
        Mlp mlp = Mlp.random(f.nextLong(), Activation.TANH, 2, 1);
        float[] x = f.gaussian(2 * n, 1.0);
        try (MlpModule m = mlp.on(backend); Tensor xt = backend.tensor(x, n, 2); Tensor y = m.forward(xt)) {
            float[] got = y.toArray();
            Mlp.Layer l = mlp.layers().get(0);
            double[] ref = new double[n];
            for (int s = 0; s < n; s++)
                ref[s] = l.bias()[0] + (double) l.weight()[0] * x[2 * s] + (double) l.weight()[1] * x[2 * s + 1];
            Compare.close(got, ref, TOL, n + " rows on " + backend.name() + ", " + f.seed());
        }
    }

    @BackendTest
    void forwardIntoAPoisonedOutput(Backend backend) {
        Fresh f = new Fresh("mlp-into" + backend.name());
        Mlp mlp = Mlp.random(f.nextLong(), Activation.TANH, 4, 9, 6);
        int n = 129;
        float[] x = f.gaussian(n * 4, 1.0);
        float[] nan = new float[n * 6];
        java.util.Arrays.fill(nan, Float.NaN);
        try (MlpModule m = mlp.on(backend); Tensor xt = backend.tensor(x, n, 4); Tensor y = backend.tensor(nan, n, 6)) {
            m.forward(xt, y);
            Compare.close(y.toArray(), Reference.mlp(mlp, x, n), TOL, "forward(x, y), " + f.seed());
        }
    }

    @BackendTest
    void badInputIsRejectedBeforeAnyKernelRuns(Backend backend) {
        Mlp mlp = Mlp.random(1, Activation.TANH, 4, 8, 2);
        try (MlpModule m = mlp.on(backend); Tensor wrongWidth = backend.zeros(3, 5); Tensor ok = backend.zeros(3, 4);
             Tensor wrongOut = backend.zeros(3, 3)) {
            var e = assertThrows(IllegalArgumentException.class, () -> m.forward(wrongWidth));
            assertTrue(e.getMessage().contains("expected 4 columns") && e.getMessage().contains("[3, 5]"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> m.forward(null));
            assertThrows(IllegalArgumentException.class, () -> m.forward(ok, wrongOut));
            Tensor closed = backend.zeros(3, 4);
            closed.close();
            assertThrows(IllegalStateException.class, () -> m.forward(closed));
            if (backend != Backends.cpu())
                try (Tensor elsewhere = Backends.cpu().zeros(3, 4)) {
                    var e2 = assertThrows(IllegalArgumentException.class, () -> m.forward(elsewhere));
                    assertTrue(e2.getMessage().contains("on " + backend.name()), e2.getMessage());
                }
        }
    }

    /** Several threads sharing one backend and one module must not corrupt each other's
     *  kernel arguments (OpenCL kernel objects hold them between set and enqueue). */
    @BackendTest
    void concurrentCallersGetTheirOwnResults(Backend backend) throws Exception {
        Fresh f = new Fresh("mlp-threads" + backend.name());
        Mlp mlp = Mlp.random(f.nextLong(), Activation.TANH, 6, 40, 3);
        int threads = 4, rounds = 200;
        float[][] xs = new float[threads][];
        int[] ns = new int[threads];
        for (int t = 0; t < threads; t++) {
            ns[t] = 50 + 37 * t;
            xs[t] = f.gaussian(ns[t] * 6, 1.0);
        }
        try (MlpModule m = mlp.on(backend)) {
            var tasks = new java.util.ArrayList<java.util.concurrent.Callable<Void>>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                tasks.add(() -> {
                    double[] ref = Reference.mlp(mlp, xs[id], ns[id]);
                    for (int r = 0; r < rounds; r++)
                        try (Tensor x = backend.tensor(xs[id], ns[id], 6); Tensor y = m.forward(x)) {
                            Compare.close(y.toArray(), ref, TOL, "thread " + id + " round " + r + ", " + f.seed());
                        }
                    return null;
                });
            }
            org.flowkernels.testing.Threads.runConcurrently(tasks);
        }
    }

    @BackendTest
    void forwardLeavesNoAllocationsBehind(Backend backend) {
        long before = backend.liveAllocations();
        try (MlpModule m = Mlp.random(2, Activation.TANH, 3, 16, 16, 2).on(backend); Tensor x = backend.zeros(100, 3)) {
            m.forward(x).close();
        }
        assertEquals(before, backend.liveAllocations(), "live allocations on " + backend.name());
    }

    @BackendTest
    void emptyBatch(Backend backend) {
        try (MlpModule m = Mlp.random(2, Activation.TANH, 3, 4, 2).on(backend); Tensor x = backend.zeros(0, 3);
             Tensor y = m.forward(x)) {
            assertEquals(0, y.rows());
            assertEquals(2, y.cols());
        }
    }

    @Test
    void randomInitialisationFollowsNnLinear() {
        Mlp mlp = Mlp.random(7, Activation.TANH, 16, 64, 3);
        assertArrayEquals(new int[] {16, 64, 3}, mlp.widths());
        for (Mlp.Layer l : mlp.layers()) {
            double bound = 1 / Math.sqrt(l.in());
            for (float w : l.weight()) assertTrue(Math.abs(w) <= bound);
            for (float b : l.bias()) assertTrue(Math.abs(b) <= bound);
        }
        assertEquals(16 * 64 + 64 + 64 * 3 + 3, mlp.parameterCount());
        assertEquals(Mlp.random(7, Activation.TANH, 16, 64, 3).packedParameters()[100], mlp.packedParameters()[100]);
    }

    @Test
    void layersMustChain() {
        var l1 = new Mlp.Layer(2, 3, new float[6], new float[3]);
        var l2 = new Mlp.Layer(4, 1, new float[4], new float[1]);
        var e = assertThrows(IllegalArgumentException.class, () -> new Mlp(List.of(l1, l2), Activation.TANH));
        assertTrue(e.getMessage().contains("expected 3 inputs"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Mlp.Layer(2, 3, new float[5], new float[3]));
    }
}
