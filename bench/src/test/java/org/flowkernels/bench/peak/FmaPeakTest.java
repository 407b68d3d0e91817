package org.flowkernels.bench.peak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.flowkernels.Backend;
import org.flowkernels.Backends;
import org.flowkernels.Tensor;
import org.flowkernels.backend.device.DeviceBackend;
import org.flowkernels.backend.opencl.OpenClBackend;
import org.flowkernels.testing.BackendTest;
import org.flowkernels.testing.Compare;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The FMA peak kernels compute what they claim, so the peak the report divides by is real work. */
class FmaPeakTest {
    /** Fixed point b / (1 - a) = 1; after 200 steps a^t ≈ 0.134, so one step more or less moves
     *  the result by about 7e-4 relative (checked below), far above the tolerance. */
    static final float A = 0.99f, B = 0.01f;

    /** Each step rounds once (fma) or twice (mul + add) at 2^-24 relative; the error of earlier
     *  steps shrinks by a per step, so the accumulated relative error stays below
     *  2^-23 · min(t, 1 / (1 − a)) ≤ 1.2e-5; the sum of the 8 chains adds three roundings. */
    static final double TOL = 2e-5;

    static final int[] SIZES = {1, 3, 1000, 65537};
    static final int[] STEPS = {0, 1, 7, 200};

    /** Item i after t steps, in float64 from the closed form x_t = a^t x_0 + b (1 − a^t) / (1 − a). */
    static double[] reference(int n, int t) {
        double a = A, b = B, at = Math.pow(a, t);
        double[] out = new double[n];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < FmaPeak.CHAINS; k++) out[i] += at * FmaPeak.start(i, k) + b * (1 - at) / (1 - a);
        return out;
    }

    @BackendTest
    void chainsMatchTheClosedForm(Backend backend) {
        long live = backend.liveAllocations();
        for (int n : SIZES)
            for (int t : STEPS)
                try (Tensor out = backend.empty(n, 1)) {
                    FmaPeak.compute(out, t, A, B);
                    Compare.close(out.toArray(), reference(n, t), TOL,
                            "peak FMA chains, n = " + n + ", " + t + " steps on " + backend.name() + " ("
                                    + FmaPeak.on(backend).path() + ")");
                }
        assertEquals(live, backend.liveAllocations(), "device buffers leaked on " + backend.name());
    }

    @BackendTest
    void bothDeviceKernelsMatchTheClosedForm(Backend backend) {
        // The family picks one kernel per device; on OpenCL run each, so PoCL covers the scalar
        // kernel that CUDA and OpenCL GPUs use as well as the float16 one.
        Assumptions.assumeTrue(backend instanceof DeviceBackend, "the Java CPU backend has no device kernel");
        DeviceBackend dev = (DeviceBackend) backend;
        for (boolean lanes : backend instanceof OpenClBackend ? new boolean[] {false, true} : new boolean[] {false}) {
            FmaPeak kernels = new DeviceFmaPeak(dev, lanes);
            for (int n : SIZES)
                try (Tensor out = backend.empty(n, 1)) {
                    kernels.run(out, 200, A, B);
                    Compare.close(out.toArray(), reference(n, 200), TOL, kernels.path() + ", n = " + n + " on " + backend.name());
                }
        }
    }

    @Test
    void plainLoopsMatchTheClosedForm() {
        // The CPU backend takes the Vector API path when the module is present; check the other one too.
        for (int n : SIZES)
            for (int t : STEPS) {
                float[] out = new float[n];
                CpuFmaPeak.plain(out, 0, n, t, A, B);
                Compare.close(out, reference(n, t), TOL, "plain-loop FMA chains, n = " + n + ", " + t + " steps");
            }
    }

    @Test
    void theToleranceTellsOneStepFromTheNext() {
        double[] a = reference(1000, 200), b = reference(1000, 201);
        float[] af = new float[a.length];
        for (int i = 0; i < a.length; i++) af[i] = (float) a[i];
        assertTrue(Compare.relativeError(af, b) > 10 * TOL, "one step apart: " + Compare.relativeError(af, b));
    }

    @Test
    void badArgumentsAreRejectedBeforeAnyKernel() {
        Backend cpu = Backends.cpu();
        try (Tensor out = cpu.empty(4, 1); Tensor wide = cpu.empty(4, 2)) {
            var e = assertThrows(IllegalArgumentException.class, () -> FmaPeak.compute(out, -1, A, B));
            assertTrue(e.getMessage().contains("iters"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> FmaPeak.compute(wide, 1, A, B));
            assertTrue(e.getMessage().startsWith("out"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> FmaPeak.compute(out, 1, Float.NaN, B));
            assertTrue(e.getMessage().startsWith("a"), e.getMessage());
        }
    }

    @Test
    void flopsCountOneMultiplyAndOneAddPerChainAndStep() {
        assertEquals(2L * 8 * 4096, FmaPeak.flopsPerItem(4096));
    }
}
