package org.flowkernels.flow;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.flowkernels.Backend;
import org.flowkernels.Backends;
import org.flowkernels.Tensor;
import org.flowkernels.rng.Distribution;
import org.flowkernels.spi.Philox4x32;
import org.flowkernels.testing.BackendTest;
import org.flowkernels.testing.Compare;
import org.flowkernels.testing.Fresh;
import org.flowkernels.testing.TestBackends;
import org.junit.jupiter.api.Test;

class CouplingFlowTest {
    /**
     * Outputs against the float64 reference: each layer adds a few float32 roundings (~1e-7
     * relative) to the conditioner (MlpTest: ~1e-6 over 256-term sums plus a few-ulp tanh), and
     * exp(s) carries them to the next layer. Measured: at most 5e-7 over these tests.
     */
    static final double TOL = 1e-5;
    /**
     * Log-dets are sums of up to 8 x 64 terms s of either sign, so their float32 error grows with
     * the number of terms while cancellation can make the value itself small: they are checked
     * by absolute error, allowed 1e-5 + 5e-7 per term. Measured: at most 1.4e-5 for 512 terms.
     */
    static void logDetClose(float[] out, double[] ref, CouplingFlow flow, String what) {
        int terms = 0;
        for (Coupling c : flow.couplings()) if (c.affine()) terms += c.mask().transformedCount();
        double tol = 1e-5 + 5e-7 * terms;
        for (int r = 0; r < ref.length; r++)
            if (!(Math.abs(out[r] - ref[r]) <= tol))
                fail(what + ": row " + r + ": got " + out[r] + ", expected " + ref[r] + " within " + tol);
    }
    /** A round trip compounds the forward and the inverse errors. Measured: at most 3e-6. */
    static final double ROUND_TRIP_TOL = 1e-4;

    /** The named masks of dimension d, and a random split. */
    static List<Mask> masks(int d, Fresh f) {
        List<Mask> m = new ArrayList<>(List.of(Mask.firstHalf(d), Mask.secondHalf(d), Mask.even(d), Mask.odd(d)));
        int rows = (int) Math.sqrt(d);
        while (d % rows != 0) rows--;
        m.add(Mask.checkerboard(rows, d / rows, f.nextInt(2)));
        m.add(Mask.of(Permutation.random(d, f.nextLong()).indices(), 1 + f.nextInt(d - 1)));
        return m;
    }

    /**
     * K couplings alternating the mask and its complement, cycling affine (tanh, soft clamp,
     * unbounded) and additive layers; a random permutation between layers if asked.
     */
    static CouplingFlow stack(Fresh f, Mask mask, int k, boolean permutations, int... hidden) {
        List<FlowLayer> layers = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            Mask m = i % 2 == 0 ? mask : mask.swapped();
            long seed = f.nextLong();
            Coupling c = switch (i % 4) {
                case 0 -> AffineCoupling.random(m, seed, hidden);
                case 1 -> withBound(AffineCoupling.random(m, seed, hidden), ScaleBound.softClamp(1.5));
                case 2 -> withBound(AffineCoupling.random(m, seed, hidden), ScaleBound.NONE);
                default -> AdditiveCoupling.random(m, seed, hidden);
            };
            layers.add(c);
            if (permutations && i + 1 < k) layers.add(Permutation.random(mask.dim(), f.nextLong()));
        }
        return new CouplingFlow(layers);
    }

    static AffineCoupling withBound(AffineCoupling c, ScaleBound b) {
        return new AffineCoupling(c.mask(), c.conditioner(), b);
    }

    static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return d;
    }

    @BackendTest
    void forwardAndInverseMatchTheReferenceAndRoundTrip(Backend backend) {
        Fresh f = new Fresh("coupling-roundtrip" + backend.name());
        int[] sizes = {1, 3, 1000};
        int config = 0;
        for (int d : new int[] {2, 3, 17, 64, 128})
            for (Mask mask : masks(d, f))
                for (int k : new int[] {1, 8}) {
                    int n = sizes[config++ % sizes.length];
                    CouplingFlow flow = stack(f, mask, k, k > 1 && config % 2 == 0, 16);
                    String what = flow + " " + mask + " n=" + n + " on " + backend.name() + ", " + f.seed();
                    float[] z = f.gaussian(n * d, 1.0), x = f.gaussian(n * d, 1.5);
                    check(backend, flow, z, x, n, what);
                }
    }

    /** forward(z) and inverse(x) against the reference, and both round trips. */
    static void check(Backend backend, CouplingFlow flow, float[] z, float[] x, int n, String what) {
        int d = flow.dim();
        double[][] fwd = FlowReference.batch(flow, z, n, false), inv = FlowReference.batch(flow, x, n, true);
        try (CouplingFlowModule m = flow.on(backend); Tensor zt = backend.tensor(z, n, d); Tensor xt = backend.tensor(x, n, d);
             FlowResult fz = m.forward(zt); FlowResult ix = m.inverse(xt);
             FlowResult back = m.inverse(fz.output()); FlowResult again = m.forward(ix.output())) {
            Compare.close(fz.output().toArray(), fwd[0], TOL, "forward x, " + what);
            logDetClose(fz.logDet().toArray(), fwd[1], flow, "forward log-det, " + what);
            Compare.close(ix.output().toArray(), inv[0], TOL, "inverse z, " + what);
            logDetClose(ix.logDet().toArray(), inv[1], flow, "inverse log-det, " + what);
            Compare.close(back.output().toArray(), toDouble(z), ROUND_TRIP_TOL, "inverse(forward(z)) = z, " + what);
            Compare.close(again.output().toArray(), toDouble(x), ROUND_TRIP_TOL, "forward(inverse(x)) = x, " + what);
            float[] l1 = fz.logDet().toArray(), l2 = back.logDet().toArray();
            double[] minus = new double[n];
            for (int r = 0; r < n; r++) minus[r] = -l1[r];
            logDetClose(l2, minus, flow, "log-det of the inverse = -log-det of the forward, " + what);
        }
    }

    @BackendTest
    void logDetIsLogAbsDetOfTheJacobian(Backend backend) {
        Fresh f = new Fresh("coupling-jacobian" + backend.name());
        for (int d : new int[] {2, 3, 4, 6})
            for (Mask mask : masks(d, f)) {
                CouplingFlow flow = stack(f, mask, 4, true, 8, 8);
                int n = 5;
                float[] z = f.gaussian(n * d, 1.0);
                try (CouplingFlowModule m = flow.on(backend); Tensor zt = backend.tensor(z, n, d); FlowResult fz = m.forward(zt);
                     FlowResult iz = m.inverse(fz.output())) {
                    float[] ld = fz.logDet().toArray(), x = fz.output().toArray(), ildv = iz.logDet().toArray();
                    for (int r = 0; r < n; r++) {
                        double[] zr = new double[d], xr = new double[d];
                        for (int k = 0; k < d; k++) {
                            zr[k] = z[r * d + k];
                            xr[k] = x[r * d + k];
                        }
                        // central differences in float64: error ~h^2 |f'''| + 1e-16/h, both ~1e-10 here
                        double fd = logAbsDet(jacobian(v -> FlowReference.forward(flow, v, null), zr, 1e-5));
                        double fdInv = logAbsDet(jacobian(v -> FlowReference.inverse(flow, v, null), xr, 1e-5));
                        // float32 sums of at most 4 * 5 bounded terms, plus the conditioners' error: 1e-4 is 100x that
                        String what = mask + " row " + r + " on " + backend.name() + ", " + f.seed();
                        assertEquals(fd, ld[r], 1e-4 * Math.max(1, Math.abs(fd)), "forward log-det vs Jacobian, " + what);
                        assertEquals(fdInv, ildv[r], 1e-4 * Math.max(1, Math.abs(fd)), "inverse log-det vs Jacobian, " + what);
                    }
                }
            }
    }

    static double[][] jacobian(java.util.function.UnaryOperator<double[]> fn, double[] x, double h) {
        int d = x.length;
        double[][] j = new double[d][d];
        for (int c = 0; c < d; c++) {
            double[] p = x.clone(), q = x.clone();
            p[c] += h;
            q[c] -= h;
            double[] fp = fn.apply(p), fq = fn.apply(q);
            for (int r = 0; r < d; r++) j[r][c] = (fp[r] - fq[r]) / (2 * h);
        }
        return j;
    }

    /** log|det a| by LU with partial pivoting. */
    static double logAbsDet(double[][] a) {
        int d = a.length;
        double s = 0;
        for (int c = 0; c < d; c++) {
            int p = c;
            for (int r = c + 1; r < d; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
            double[] t = a[c];
            a[c] = a[p];
            a[p] = t;
            s += Math.log(Math.abs(a[c][c]));
            for (int r = c + 1; r < d; r++) {
                double m = a[r][c] / a[c][c];
                for (int k = c; k < d; k++) a[r][k] -= m * a[c][k];
            }
        }
        return s;
    }

    @BackendTest
    void twoDimensionalDensityIntegratesToOne(Backend backend) {
        Fresh f = new Fresh("coupling-integral" + backend.name());
        List<FlowLayer> layers = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            Mask m = k % 2 == 0 ? Mask.firstHalf(2) : Mask.secondHalf(2);
            layers.add(withBound(AffineCoupling.random(m, f.nextLong(), 16, 16), ScaleBound.softClamp(0.7)));
        }
        CouplingFlow flow = new CouplingFlow(layers);
        // |s| < 0.7 per layer and |t| < ~2: the mass lies well inside |x| < 14 (checked by sampling)
        double lo = -14, hi = 14;
        int g = 280;
        double h = (hi - lo) / g;
        float[] grid = new float[g * g * 2];
        for (int i = 0; i < g; i++)
            for (int j = 0; j < g; j++) {
                grid[2 * (i * g + j)] = (float) (lo + (i + 0.5) * h);
                grid[2 * (i * g + j) + 1] = (float) (lo + (j + 0.5) * h);
            }
        try (CouplingFlowModule m = flow.on(backend); Tensor x = backend.tensor(grid, g * g, 2); Tensor lp = m.logProb(x);
             FlowSample s = m.sample(20_000, f.nextLong())) {
            double integral = 0;
            for (float v : lp.toArray()) integral += Math.exp(v) * h * h;
            int outside = 0;
            float[] xs = s.x().toArray();
            for (int i = 0; i < xs.length; i += 2)
                if (xs[i] <= lo || xs[i] >= hi || xs[i + 1] <= lo || xs[i + 1] >= hi) outside++;
            String what = "on " + backend.name() + ", " + f.seed();
            assertEquals(0, outside, "samples outside the grid, " + what);
            // the midpoint rule converges faster than any power of h for a smooth density that
            // vanishes at the edges; float32 log p is good to ~1e-6 relative. Measured: |∫ - 1| < 1e-7.
            assertEquals(1.0, integral, 1e-4, "∫ p(x) dx over the grid, " + what);
        }
    }

    @BackendTest
    void sampleDrawsThePhiloxBaseAndItsLogQEqualsLogProb(Backend backend) {
        Fresh f = new Fresh("coupling-sample" + backend.name());
        int d = 16, n = 1000;
        CouplingFlow flow = stack(f, Mask.firstHalf(d), 4, true, 32);
        long seed = f.nextLong();
        float[] z = new float[n * d];
        for (int r = 0; r < n; r++)
            for (int c = 0; c < d; c++)
                z[r * d + c] = Philox4x32.coordinate(seed, r, 0, CouplingFlowModule.SAMPLE_STREAM, c, Distribution.NORMAL.code);
        double[][] ref = FlowReference.batch(flow, z, n, false);
        double[] logQ = new double[n];
        for (int r = 0; r < n; r++) {
            double[] zr = new double[d];
            for (int c = 0; c < d; c++) zr[c] = z[r * d + c];
            logQ[r] = FlowReference.logNormal(zr) - ref[1][r];
        }
        String what = "on " + backend.name() + ", " + f.seed();
        try (CouplingFlowModule m = flow.on(backend); FlowSample s = m.sample(n, seed); Tensor lp = m.logProb(s.x())) {
            Compare.close(s.x().toArray(), ref[0], TOL, "samples = f(Philox normals), " + what);
            Compare.close(s.logQ().toArray(), logQ, TOL, "log q from sample, " + what);
            Compare.close(lp.toArray(), toDouble(s.logQ().toArray()), TOL, "logProb(x) = log q(x) of sample, " + what);
        }
    }

    @Test
    void everyBackendDrawsTheSameSamples() {
        Fresh f = new Fresh("coupling-cross");
        CouplingFlow flow = stack(f, Mask.even(10), 6, true, 24);
        long seed = f.nextLong();
        float[] x0 = null, q0 = null;
        String first = null;
        for (Backend b : TestBackends.started()) {
            try (CouplingFlowModule m = flow.on(b); FlowSample s = m.sample(777, seed)) {
                float[] x = s.x().toArray(), q = s.logQ().toArray();
                if (x0 == null) {
                    x0 = x;
                    q0 = q;
                    first = b.name();
                    continue;
                }
                // both backends are within TOL of the float64 reference (test above), so within 2 TOL of each other
                Compare.close(x, toDouble(x0), 2 * TOL, "samples on " + b.name() + " vs " + first + ", " + f.seed());
                Compare.close(q, toDouble(q0), 2 * TOL, "log q on " + b.name() + " vs " + first + ", " + f.seed());
            }
        }
        assertNotNull(x0, "no backend started");
    }

    @BackendTest
    void w1ShapesMatchTheReference(Backend backend) {
        Fresh f = new Fresh("coupling-w1" + backend.name());
        CouplingFlow flow = CouplingFlow.realNvp(64, 8, f.nextLong(), 256, 256);
        int n = 67;
        check(backend, flow, f.gaussian(n * 64, 1.0), f.gaussian(n * 64, 1.0), n, "W1 on " + backend.name() + ", " + f.seed());
    }

    @BackendTest
    void batchSizesThatAreNotMultiplesOfTheWorkGroup(Backend backend) {
        Fresh f = new Fresh("coupling-sizes" + backend.name());
        CouplingFlow flow = stack(f, Mask.checkerboard(2, 0), 3, true, 8);
        for (int n : new int[] {1, 3, 1000, 65537}) {
            float[] z = f.gaussian(n * 4, 1.0), x = f.gaussian(n * 4, 1.0);
            check(backend, flow, z, x, n, "n=" + n + " on " + backend.name() + ", " + f.seed());
        }
    }

    @BackendTest
    void aSingleLayerRunsOnItsOwn(Backend backend) {
        Fresh f = new Fresh("coupling-single" + backend.name());
        AffineCoupling layer = AffineCoupling.random(Mask.odd(5), f.nextLong(), 7);
        float[] z = f.gaussian(3 * 5, 1.0);
        double[][] ref = FlowReference.batch(CouplingFlow.of(layer), z, 3, false);
        try (CouplingFlowModule m = layer.on(backend); Tensor zt = backend.tensor(z, 3, 5); FlowResult r = m.forward(zt)) {
            Compare.close(r.output().toArray(), ref[0], TOL, "x, " + f.seed());
            logDetClose(r.logDet().toArray(), ref[1], CouplingFlow.of(layer), "log-det, " + f.seed());
            float[] zs = z, xs = r.output().toArray();
            for (int row = 0; row < 3; row++)
                for (int c : layer.mask().conditioning())
                    assertEquals(zs[row * 5 + c], xs[row * 5 + c], "conditioning coordinates pass through unchanged");
        }
    }

    @BackendTest
    void aFlowOfPermutationsAloneMovesColumnsAndKeepsTheDensity(Backend backend) {
        Fresh f = new Fresh("coupling-permutations" + backend.name());
        CouplingFlow flow = CouplingFlow.of(Permutation.random(5, f.nextLong()), Permutation.reverse(5));
        int n = 37;
        float[] z = f.gaussian(n * 5, 1.0);
        check(backend, flow, z, f.gaussian(n * 5, 1.0), n, "permutations on " + backend.name() + ", " + f.seed());
        double[] logP = new double[n];
        for (int r = 0; r < n; r++) logP[r] = FlowReference.logNormal(toDouble(java.util.Arrays.copyOfRange(z, r * 5, r * 5 + 5)));
        try (CouplingFlowModule m = flow.on(backend); Tensor zt = backend.tensor(z, n, 5); Tensor lp = m.logProb(zt)) {
            Compare.close(lp.toArray(), logP, TOL, "log p of a volume-preserving permutation, " + f.seed());
        }
    }

    @BackendTest
    void emptyBatch(Backend backend) {
        CouplingFlow flow = CouplingFlow.realNvp(4, 2, 1, 8);
        try (CouplingFlowModule m = flow.on(backend); Tensor z = backend.zeros(0, 4); FlowResult r = m.forward(z);
             FlowResult i = m.inverse(z); FlowSample s = m.sample(0, 3); Tensor lp = m.logProb(z)) {
            for (Tensor t : new Tensor[] {r.output(), i.output(), s.x()}) assertArrayEquals(new int[] {0, 4}, new int[] {t.rows(), t.cols()});
            for (Tensor t : new Tensor[] {r.logDet(), i.logDet(), s.logQ(), lp}) assertArrayEquals(new int[] {0, 1}, new int[] {t.rows(), t.cols()});
        }
    }

    @BackendTest
    void badInputIsRejected(Backend backend) {
        CouplingFlow flow = CouplingFlow.realNvp(4, 2, 1, 8);
        try (CouplingFlowModule m = flow.on(backend); Tensor wide = backend.zeros(3, 5)) {
            var e = assertThrows(IllegalArgumentException.class, () -> m.forward(wide));
            assertTrue(e.getMessage().contains("expected 4 columns") && e.getMessage().contains("[3, 5]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> m.logProb(wide));
            assertTrue(e.getMessage().startsWith("x: expected 4 columns"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> m.inverse(null));
            assertThrows(IllegalArgumentException.class, () -> m.sample(-1, 0));
            if (backend != Backends.cpu())
                try (Tensor elsewhere = Backends.cpu().zeros(3, 4)) {
                    e = assertThrows(IllegalArgumentException.class, () -> m.forward(elsewhere));
                    assertTrue(e.getMessage().contains("on " + backend.name()), e.getMessage());
                }
        }
        CouplingFlowModule closed = flow.on(backend);
        closed.close();
        try (Tensor z = backend.zeros(2, 4)) {
            assertThrows(IllegalStateException.class, () -> closed.forward(z));
        }
    }

    @BackendTest
    void logProbRejectsNonFiniteInputUnlessAskedNotTo(Backend backend) {
        CouplingFlow flow = CouplingFlow.realNvp(4, 2, 1, 8);
        int n = 1000;
        float[] x = new float[n * 4];
        x[517 * 4 + 2] = Float.NaN;
        x[900 * 4 + 1] = Float.NEGATIVE_INFINITY;
        try (CouplingFlowModule m = flow.on(backend); Tensor xt = backend.tensor(x, n, 4)) {
            var e = assertThrows(IllegalArgumentException.class, () -> m.logProb(xt));
            assertTrue(e.getMessage().contains("NaN at row 517, column 2"), e.getMessage());
            x[517 * 4 + 2] = 0;
            xt.copyFrom(x);
            e = assertThrows(IllegalArgumentException.class, () -> m.logProb(xt));
            assertTrue(e.getMessage().contains("-Infinity at row 900, column 1"), e.getMessage());
            try (Tensor lp = m.logProb(xt, false)) {
                float[] v = lp.toArray();
                assertFalse(Float.isFinite(v[900]), "the unchecked non-finite row gives a non-finite log p, not a number");
                assertTrue(Float.isFinite(v[899]) && Float.isFinite(v[901]), "other rows are unaffected");
            }
        }
    }

    /** Threads sharing one module: each call has its own scratch, and the launches interleave safely. */
    @BackendTest
    void concurrentCallersGetTheirOwnResults(Backend backend) throws Exception {
        Fresh f = new Fresh("coupling-threads" + backend.name());
        CouplingFlow flow = stack(f, Mask.odd(7), 4, true, 12);
        int threads = 4, rounds = 40;
        try (CouplingFlowModule m = flow.on(backend)) {
            var tasks = new ArrayList<java.util.concurrent.Callable<Void>>();
            for (int t = 0; t < threads; t++) {
                int n = 30 + 41 * t;
                float[] x = f.gaussian(n * 7, 1.0);
                double[][] ref = FlowReference.batch(flow, x, n, true);
                double[] logP = new double[n];
                for (int r = 0; r < n; r++) logP[r] = FlowReference.logNormal(java.util.Arrays.copyOfRange(ref[0], r * 7, r * 7 + 7)) + ref[1][r];
                String what = "thread " + t + " on " + backend.name() + ", " + f.seed();
                tasks.add(() -> {
                    for (int r = 0; r < rounds; r++)
                        try (Tensor xt = backend.tensor(x, n, 7); Tensor lp = m.logProb(xt); FlowResult z = m.inverse(xt)) {
                            Compare.close(lp.toArray(), logP, TOL, "log p, round " + r + ", " + what);
                            Compare.close(z.output().toArray(), ref[0], TOL, "z, round " + r + ", " + what);
                        }
                    return null;
                });
            }
            org.flowkernels.testing.Threads.runConcurrently(tasks);
        }
    }

    @BackendTest
    void leavesNoAllocationsBehind(Backend backend) {
        long before = backend.liveAllocations();
        Fresh f = new Fresh("coupling-leak" + backend.name());
        CouplingFlow flow = stack(f, Mask.firstHalf(6), 3, true, 8, 8);
        try (CouplingFlowModule m = flow.on(backend); Tensor z = backend.zeros(100, 6)) {
            m.forward(z).close();
            m.inverse(z).close();
            m.sample(50, 1).close();
            m.logProb(z).close();
        }
        assertEquals(before, backend.liveAllocations(), "live allocations on " + backend.name());
    }
}
