package org.flowkernels.bench.peak;

import org.flowkernels.Tensor;
import org.flowkernels.backend.cpu.CpuBackend;

/**
 * The FMA chains on the Java CPU backend, parallel over items: with the Vector API one lane
 * per item ({@link VectorFmaPeak}), otherwise plain loops that C2 may auto-vectorise. The
 * figure is therefore the peak of the code path the CPU kernels actually take.
 */
final class CpuFmaPeak implements FmaPeak {
    /** Items per plain-loop block: 16 items x 8 chains = 128 floats, a few cache lines. */
    private static final int W = 16;

    private final CpuBackend cpu;

    CpuFmaPeak(CpuBackend cpu) { this.cpu = cpu; }

    @Override
    public void run(Tensor out, int iters, float a, float b) {
        float[] o = CpuBackend.floats(out);
        cpu.parallelFor(out.rows(), 64, (from, to) -> {
            if (cpu.vectorized()) VectorFmaPeak.run(o, from, to, iters, a, b);
            else plain(o, from, to, iters, a, b);
        });
    }

    @Override
    public String path() {
        return cpu.vectorized() ? "Java Vector API, " + VectorFmaPeak.lanes() + " float lanes, " + cpu.threads() + " threads"
                : "plain Java loops (" + cpu.vectorization() + "), " + cpu.threads() + " threads";
    }

    /** Items [from, to) with scalar Math.fma over a small block, the inner loop over lanes. */
    static void plain(float[] out, int from, int to, int iters, float a, float b) {
        float[] x = new float[CHAINS * W];
        for (int i0 = from; i0 < to; i0 += W) {
            for (int k = 0; k < CHAINS; k++)
                for (int j = 0; j < W; j++) x[k * W + j] = FmaPeak.start(i0 + j, k);
            for (int t = 0; t < iters; t++)
                for (int j = 0; j < x.length; j++) x[j] = Math.fma(x[j], a, b);
            for (int j = 0; j < Math.min(W, to - i0); j++)
                out[i0 + j] = ((x[j] + x[W + j]) + (x[2 * W + j] + x[3 * W + j]))
                        + ((x[4 * W + j] + x[5 * W + j]) + (x[6 * W + j] + x[7 * W + j]));
        }
    }
}
