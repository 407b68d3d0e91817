package org.flowkernels.ode;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.flowkernels.Backend;
import org.flowkernels.Backends;
import org.flowkernels.Tensor;
import org.flowkernels.nn.Activation;
import org.flowkernels.nn.Mlp;
import org.flowkernels.rng.Distribution;
import org.flowkernels.testing.BackendTest;
import org.flowkernels.testing.Compare;
import org.flowkernels.testing.Fresh;
import org.flowkernels.testing.TestBackends;
import org.flowkernels.testing.Threads;
import org.junit.jupiter.api.Test;

/** The solve as an operation: paths, backends, snapshots, sizes, bad input, memory. */
class OdeContractTest {
    /**
     * The fused and per-step paths compute the same sums in different orders (a tiled GEMM
     * against a per-sample loop), so they agree to float32 rounding grown over the solve:
     * ~1e-6 per step, 1e-4 after 20 RK4 steps with a wide margin.
     */
    @BackendTest
    void fusedAndPerStepAgree(Backend backend) {
        Fresh f = new Fresh("ode-paths" + backend.name());
        Object[][] cases = {
            {VectorField.mlp(Mlp.random(f.nextLong(), Activation.TANH, 3, 64, 64, 2), true), Trace.exact()},
            {VectorField.mlp(Mlp.random(f.nextLong(), Activation.TANH, 4, 32, 32, 3), true), Trace.gaussian(2)},
            {VectorField.mlp(Mlp.random(f.nextLong(), Activation.RELU, 6, 40, 6), false), Trace.rademacher(3)},
            {VectorField.mlp(Mlp.random(f.nextLong(), Activation.TANH, 5, 12, 12, 12, 4), true), Trace.exact()},
        };
        for (Object[] c : cases)
            for (int n : new int[] {3, 1000}) {
                VectorField field = (VectorField) c[0];
                Solve how = Solve.rk4(0.5, -0.5, 20).trace((Trace) c[1]).seed(f.nextLong()).saveEvery(5);
                float[] x0 = f.gaussian(n * field.dim(), 1.0);
                try (FieldModule m = field.on(backend); Tensor x = backend.tensor(x0, n, field.dim());
                     Solution fused = Ode.solve(m, x, how.execution(Execution.FUSED));
                     Solution perStep = Ode.solve(m, x, how.execution(Execution.PER_STEP))) {
                    String what = field.network() + " " + c[1] + " n=" + n + " on " + backend.name() + ", " + f.seed();
                    assertEquals(Execution.FUSED, fused.execution());
                    assertEquals(Execution.PER_STEP, perStep.execution());
                    Compare.close(fused.x().toArray(), OdeReference.doubles(perStep.x().toArray()), 1e-4, "x, " + what);
                    Compare.close(fused.deltaLogp().toArray(), OdeReference.doubles(perStep.deltaLogp().toArray()), 1e-4, "dlogp, " + what);
                    assertEquals(4, fused.snapshots());
                    Compare.close(fused.snapshotX().toArray(), OdeReference.doubles(perStep.snapshotX().toArray()), 1e-4, "snapshots, " + what);
                    Compare.close(fused.snapshotDeltaLogp().toArray(), OdeReference.doubles(perStep.snapshotDeltaLogp().toArray()), 1e-4,
                            "snapshot dlogp, " + what);
                }
            }
    }

    /** Every backend of the machine against every other, both traces, AUTO paths. */
    @Test
    void backendsAgree() {
        List<Backend> backends = TestBackends.started();
        Fresh f = new Fresh("ode-backends");
        int n = 1000;
        VectorField field = VectorField.mlp(Mlp.random(f.nextLong(), Activation.TANH, 3, 64, 64, 2), true);
        float[] x0 = f.gaussian(n * 2, 1.0);
        for (Trace trace : new Trace[] {Trace.exact(), Trace.rademacher(1)}) {
            Solve how = Solve.rk4(0, 1, 25).trace(trace).seed(f.nextLong());
            float[] refX = null, refL = null;
            String ref = null;
            for (Backend b : backends)
                try (FieldModule m = field.on(b); Tensor x = b.tensor(x0, n, 2); Solution s = Ode.solve(m, x, how)) {
                    if (refX == null) {
                        refX = s.x().toArray();
                        refL = s.deltaLogp().toArray();
                        ref = b.name();
                        continue;
                    }
                    String what = trace + ": " + b.name() + " vs " + ref + ", " + f.seed();
                    Compare.close(s.x().toArray(), OdeReference.doubles(refX), 1e-4, "x, " + what);
                    Compare.close(s.deltaLogp().toArray(), OdeReference.doubles(refL), 1e-4, "dlogp, " + what);
                }
        }
    }

    /** Snapshot j of a solve equals the solve stopped there (same h, same steps taken). */
    @BackendTest
    void snapshotsAreTheStatesAlongTheWay(Backend backend) {
        Fresh f = new Fresh("ode-snapshots" + backend.name());
        int n = 129;
        VectorField field = VectorField.mlp(Mlp.random(f.nextLong(), Activation.TANH, 3, 16, 2), true);
        float[] x0 = f.gaussian(n * 2, 1.0);
        for (Execution path : new Execution[] {Execution.FUSED, Execution.PER_STEP})
            try (FieldModule m = field.on(backend); Tensor x = backend.tensor(x0, n, 2);
                 Solution all = Ode.solve(m, x, Solve.of(Solver.MIDPOINT, 0, 1, 12).saveEvery(5).execution(path))) {
                assertEquals(2, all.snapshots());
                assertEquals(5.0 / 12, all.solve().snapshotTime(0), 1e-15);
                float[] sx = all.snapshotX().toArray(), sl = all.snapshotDeltaLogp().toArray();
                for (int j = 0; j < 2; j++) {
                    int steps = 5 * (j + 1);
                    try (Solution part = Ode.solve(m, x, Solve.of(Solver.MIDPOINT, 0, steps / 12.0, steps).execution(path))) {
                        float[] px = part.x().toArray(), pl = part.deltaLogp().toArray();
                        String what = path + " snapshot " + j + " on " + backend.name() + ", " + f.seed();
                        // the same operations up to the rounding of h = t / steps: a few ulps
                        for (int i = 0; i < n * 2; i++) assertEquals(px[i], sx[j * n * 2 + i], 1e-5, what);
                        for (int i = 0; i < n; i++) assertEquals(pl[i], sl[j * n + i], 1e-5, what);
                    }
                }
            }
    }

    /** Batch sizes around the work-group, poisoned outputs, against the float64 reference. */
    @BackendTest
    void oddSizesWriteEveryOutput(Backend backend) {
        Fresh f = new Fresh("ode-sizes" + backend.name());
        VectorField field = VectorField.mlp(Mlp.random(f.nextLong(), Activation.TANH, 3, 8, 2), true);
        for (int n : new int[] {1, 3, 127, 1000, 65537}) {
            float[] x0 = f.gaussian(n * 2, 1.0);
            double[] wantX = new double[n * 2], wantL = new double[n];
            for (int s = 0; s < n; s++) {
                double[] r = OdeReference.solve(field, OdeReference.row(x0, s, 2), Solver.EULER, 0, 0.5, 2, null, 0, 0, s);
                wantX[2 * s] = r[0];
                wantX[2 * s + 1] = r[1];
                wantL[s] = r[2];
            }
            for (Execution path : new Execution[] {Execution.FUSED, Execution.PER_STEP})
                try (FieldModule m = field.on(backend); Tensor x = backend.tensor(x0, n, 2);
                     Solution s = Ode.solve(m, x, Solve.of(Solver.EULER, 0, 0.5, 2).saveEvery(1).execution(path))) {
                    String what = path + " n=" + n + " on " + backend.name() + ", " + f.seed();
                    Compare.close(s.x().toArray(), wantX, 1e-5, "x, " + what);
                    Compare.close(s.deltaLogp().toArray(), wantL, 1e-5, "dlogp, " + what);
                    float[] snaps = s.snapshotX().toArray(), last = s.x().toArray();
                    for (int i = 0; i < n * 2; i++) assertEquals(last[i], snaps[n * 2 + i], 0f, what);
                    for (float v : snaps) assertTrue(Float.isFinite(v), "unwritten snapshot, " + what);
                }
        }
    }

    /**
     * The fused kernel at batch sizes around its tiles (a work-group owns a tile of samples:
     * 12 for this net in 32 KiB of local memory, and multiples of 4 up to 64 elsewhere), with
     * the W2-exact field and a Hutchinson trace, against the float64 reference. Tolerance: float32
     * sums over 64 units (~1e-6 relative per evaluation) through 8 RK4 evaluations, 1e-4 with a
     * wide margin; a sample computed in the wrong tile slot or left unwritten is off by O(1).
     */
    @BackendTest
    void fusedSolveAtTileBoundaries(Backend backend) {
        Fresh f = new Fresh("ode-tiles" + backend.name());
        VectorField field = VectorField.mlp(Mlp.random(f.nextLong(), Activation.TANH, 3, 64, 64, 2), true);
        for (Trace trace : new Trace[] {Trace.exact(), Trace.gaussian(2)})
            for (int n : new int[] {1, 11, 12, 13, 63, 64, 65, 1000}) {
                long seed = f.nextLong();
                Solve how = Solve.rk4(0, 0.5, 2).trace(trace).seed(seed).execution(Execution.FUSED);
                float[] x0 = f.gaussian(n * 2, 1.0);
                double[] wantX = new double[n * 2], wantL = new double[n];
                Distribution d = trace.equals(Trace.exact()) ? null : Distribution.NORMAL;
                for (int s = 0; s < n; s++) {
                    double[] r = OdeReference.solve(field, OdeReference.row(x0, s, 2), Solver.RK4, 0, 0.5, 2, d, 2, seed, s);
                    wantX[2 * s] = r[0];
                    wantX[2 * s + 1] = r[1];
                    wantL[s] = r[2];
                }
                try (FieldModule m = field.on(backend); Tensor x = backend.tensor(x0, n, 2); Solution sol = Ode.solve(m, x, how)) {
                    String what = trace + " n=" + n + " on " + backend.name() + ", " + f.seed();
                    assertEquals(Execution.FUSED, sol.execution());
                    Compare.close(sol.x().toArray(), wantX, 1e-4, "x, " + what);
                    Compare.close(sol.deltaLogp().toArray(), wantL, 1e-4, "dlogp, " + what);
                }
            }
    }

    @BackendTest
    void autoPicksTheFusedPathWhenTheNetFits(Backend backend) {
        VectorField exact = VectorField.mlp(Mlp.random(1, Activation.TANH, 3, 64, 64, 2), true);
        VectorField hutch = VectorField.mlp(Mlp.random(2, Activation.TANH, 65, 256, 256, 64), true);
        try (FieldModule e = exact.on(backend); FieldModule h = hutch.on(backend)) {
            assertEquals(Execution.FUSED, Ode.execution(e, Solve.rk4(0, 1, 100)), "W2-exact on " + backend.name());
            Solve w2hutch = Solve.rk4(0, 1, 20).trace(Trace.rademacher(1));
            if (backend == Backends.cpu()) {
                // on the CPU every net runs block by block through the whole solve
                assertEquals(Execution.FUSED, Ode.execution(h, w2hutch));
            } else {
                assertEquals(Execution.PER_STEP, Ode.execution(h, w2hutch), "W2-hutch on " + backend.name());
                var ex = assertThrows(IllegalArgumentException.class, () -> Ode.execution(h, w2hutch.execution(Execution.FUSED)));
                assertTrue(ex.getMessage().contains("256 units"), ex.getMessage());
            }
        }
    }

    @BackendTest
    void badInputIsRejectedBeforeAnyKernelRuns(Backend backend) {
        var field = VectorField.mlp(Mlp.random(1, Activation.TANH, 3, 8, 2), true);
        assertMessage(() -> Solve.rk4(0, 1, 0), "steps: expected > 0, got 0");
        assertMessage(() -> Solve.rk4(0, 1, -3), "steps: expected > 0, got -3");
        assertMessage(() -> Solve.rk4(0.5, 0.5, 10), "t1: expected a time different from t0");
        assertMessage(() -> Solve.rk4(Double.NaN, 1, 10), "t0: expected a finite number, got NaN");
        assertMessage(() -> Solve.rk4(0, Double.POSITIVE_INFINITY, 10), "t1: expected a finite number, got Infinity");
        assertMessage(() -> Solve.rk4(0, 1e300, 10), "t1: expected a float32-representable time");
        assertMessage(() -> Solve.rk4(0, 1e-46, 10), "is not a finite nonzero float32");
        assertMessage(() -> Solve.rk4(0, 1, 10).saveEvery(11), "saveEvery: expected at most steps = 10, got 11");
        assertMessage(() -> Solve.rk4(0, 1, 10).saveEvery(-1), "saveEvery: expected >= 0, got -1");
        assertMessage(() -> Trace.rademacher(0), "probes: expected >= 1 per sample, got 0");
        assertMessage(() -> Trace.hutchinson(Distribution.UNIFORM, 1), "probe: expected RADEMACHER or NORMAL, got UNIFORM");
        assertMessage(() -> VectorField.mlp(Mlp.random(1, Activation.TANH, 3, 8, 3), true), "expected 2 outputs");
        assertMessage(() -> VectorField.linear(2, new float[3], new float[2]), "a: expected [2, 2] = 4 elements, got 3");
        assertMessage(() -> VectorField.linear(2, new float[] {0, Float.NaN, 0, 0}, new float[2]), "a: non-finite value NaN");
        long before = backend.liveAllocations();
        try (FieldModule m = field.on(backend); Tensor wide = backend.zeros(4, 3)) {
            assertMessage(() -> Ode.solve(m, wide, Solve.rk4(0, 1, 4)), "x0: expected 2 columns, got [4, 3]");
            assertMessage(() -> Ode.solve(m, null, Solve.rk4(0, 1, 4)), "x0: expected a value, got null");
            assertMessage(() -> Ode.solve(m, wide, null), "how: expected a value, got null");
            if (backend != Backends.cpu())
                try (Tensor elsewhere = Backends.cpu().zeros(4, 2)) {
                    assertMessage(() -> Ode.solve(m, elsewhere, Solve.rk4(0, 1, 4)), "x0: expected a tensor on " + backend.name());
                }
            try (Tensor empty = backend.zeros(0, 2); Solution s = Ode.solve(m, empty, Solve.rk4(0, 1, 4).saveEvery(2))) {
                assertEquals(0, s.x().rows());
                assertEquals(0, s.snapshotX().rows());
            }
        }
        FieldModule closed = field.on(backend);
        closed.close();
        try (Tensor x = backend.zeros(4, 2)) {
            assertThrows(IllegalStateException.class, () -> Ode.solve(closed, x, Solve.rk4(0, 1, 4)));
        }
        assertEquals(before, backend.liveAllocations(), "live allocations on " + backend.name());
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String part) {
        var e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(part), "expected a message with '" + part + "', got: " + e.getMessage());
    }

    /** Threads sharing one field module, each with its own batch, path and seed, get their own results. */
    @BackendTest
    void concurrentCallersGetTheirOwnResults(Backend backend) throws Exception {
        Fresh f = new Fresh("ode-threads" + backend.name());
        VectorField field = VectorField.mlp(Mlp.random(f.nextLong(), Activation.TANH, 3, 24, 24, 2), true);
        int threads = 3, rounds = 8;
        try (FieldModule m = field.on(backend)) {
            List<Callable<Void>> tasks = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int n = 40 + 33 * t;
                float[] x0 = f.gaussian(n * 2, 1.0);
                Solve how = Solve.rk4(0, 1, 6).trace(t == 1 ? Trace.exact() : Trace.rademacher(2)).seed(f.nextLong())
                        .execution(t == 2 ? Execution.PER_STEP : Execution.FUSED);
                float[] want;
                try (Tensor x = backend.tensor(x0, n, 2); Solution s = Ode.solve(m, x, how)) {
                    want = s.deltaLogp().toArray();
                }
                int id = t;
                tasks.add(() -> {
                    for (int r = 0; r < rounds; r++)
                        try (Tensor x = backend.tensor(x0, n, 2); Solution s = Ode.solve(m, x, how)) {
                            // same inputs, same path: the same bits, whatever the other threads do
                            assertArrayEquals(want, s.deltaLogp().toArray(),
                                    "thread " + id + " round " + r + " on " + backend.name() + ", " + f.seed());
                        }
                    return null;
                });
            }
            Threads.runConcurrently(tasks);
        }
    }

    @BackendTest
    void solvesLeaveNoAllocationsBehind(Backend backend) {
        long before = backend.liveAllocations();
        var field = VectorField.mlp(Mlp.random(1, Activation.TANH, 3, 8, 8, 2), true);
        try (FieldModule m = field.on(backend); Tensor x = backend.zeros(10, 2)) {
            for (Execution path : new Execution[] {Execution.FUSED, Execution.PER_STEP})
                Ode.solve(m, x, Solve.rk4(0, 1, 3).trace(Trace.gaussian(2)).saveEvery(1).execution(path)).close();
        }
        assertEquals(before, backend.liveAllocations(), "live allocations on " + backend.name());
    }
}
