package org.flowkernels.backend.cpu;

import static org.flowkernels.backend.cpu.MlpBlock.B;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.flowkernels.spi.Contract;
import org.flowkernels.spi.CouplingKernels;
import org.flowkernels.spi.Matrix;

/**
 * Coupling flows on the CPU: each block of {@link MlpBlock#B} samples goes through all K
 * layers while it is in cache, feature-major (a coordinate's 32 samples contiguous), the
 * conditioners through {@link MlpBlock}. Blocks run in parallel.
 */
final class CpuCouplingKernels implements CouplingKernels {
    private final CpuBackend cpu;

    CpuCouplingKernels(CpuBackend cpu) { this.cpu = cpu; }

    @Override
    public void transform(Plan plan, Matrix in, Matrix out, Matrix result, boolean density) {
        float[] xs = CpuBackend.floats(in), ys = CpuBackend.floats(out), ld = CpuBackend.floats(result);
        int n = in.rows(), dim = in.cols();
        List<Step> steps = plan.steps();
        int[] idx = plan.indices(), output = plan.outputOffset() < 0 ? null : Arrays.copyOfRange(idx, plan.outputOffset(),
                plan.outputOffset() + dim);
        float sign = plan.scaleSign(density);
        BlockOps ops = cpu.blocks();
        int[][] trans = new int[steps.size()][];
        for (int i = 0; i < trans.length; i++)
            trans[i] = Arrays.copyOfRange(idx, steps.get(i).transformedOffset(),
                    steps.get(i).transformedOffset() + steps.get(i).transformedCount());
        cpu.parallelFor((n + B - 1) / B, 1, (b0, b1) -> {
            MlpBlock[] nets = new MlpBlock[steps.size()];
            for (int i = 0; i < nets.length; i++) nets[i] = new MlpBlock(steps.get(i).conditioner(), ops);
            float[] state = new float[dim * B], ordered = output == null ? state : new float[dim * B], acc = new float[B];
            for (int b = b0; b < b1; b++) {
                int s0 = b * B, nb = Math.min(B, n - s0);
                MlpBlock.load(xs, s0, nb, dim, state);
                Arrays.fill(acc, 0f);
                if (density && !plan.inverse()) addLogNormal(state, dim, acc);
                for (int i = 0; i < nets.length; i++) couple(ops, steps.get(i), idx, trans[i], nets[i], state, acc, plan.inverse(), sign);
                if (density && plan.inverse()) addLogNormal(state, dim, acc);
                if (output != null)
                    for (int k = 0; k < dim; k++) System.arraycopy(state, output[k] * B, ordered, k * B, B);
                MlpBlock.store(ordered, s0, nb, dim, ys);
                System.arraycopy(acc, 0, ld, s0, nb);
            }
        });
    }

    /** One coupling on a feature-major block, in place; acc[s] += sign · Σ s. */
    private static void couple(BlockOps ops, Step step, int[] idx, int[] trans, MlpBlock net, float[] state, float[] acc,
                               boolean inverse, float sign) {
        float[] input = net.input();
        for (int j = 0; j < step.conditioningCount(); j++)
            System.arraycopy(state, idx[step.conditioningOffset() + j] * B, input, j * B, B);
        update(ops, state, net.forward(), acc, trans, step.affine(), step.scaleBound(), step.clamp(), inverse, sign);
    }

    /**
     * A coupling's update of the transformed columns of a feature-major block from its
     * conditioner's output o, in place (the training pass shares it): additive x ± t; affine
     * with s = bound(o) written into o's first rows, x e^s + t (inverse (x − t) e^−s), acc[s] += sign · Σ s.
     */
    static void update(BlockOps ops, float[] state, float[] o, float[] acc, int[] trans, boolean affine, int scaleBound, float clamp,
                       boolean inverse, float sign) {
        int dt = trans.length;
        if (!affine) {
            float dir = inverse ? -1f : 1f;
            for (int j = 0; j < dt; j++) {
                int x = trans[j] * B, t = j * B;
                for (int s = 0; s < B; s++) state[x + s] += dir * o[t + s];
            }
            return;
        }
        bound(ops, o, dt * B, scaleBound, clamp);
        ops.affine(state, o, acc, trans, inverse, sign);
    }

    /** s = bound(o) (a SCALE_* code) on the first len entries of o, in place. */
    private static void bound(BlockOps ops, float[] o, int len, int bound, float c) {
        switch (bound) {
            case Contract.SCALE_TANH -> ops.activate(o, len, Contract.ACT_TANH);
            case Contract.SCALE_SOFT_CLAMP -> {
                float inv = 1f / c;
                for (int i = 0; i < len; i++) o[i] *= inv;
                ops.activate(o, len, Contract.ACT_TANH);
                for (int i = 0; i < len; i++) o[i] *= c;
            }
            default -> { }
        }
    }

    /** acc[s] += log N(state[., s]; 0, I). */
    private static void addLogNormal(float[] state, int dim, float[] acc) {
        for (int s = 0; s < B; s++) {
            float ss = 0;
            for (int k = 0; k < dim; k++) ss += state[k * B + s] * state[k * B + s];
            acc[s] += (float) Gaussian.logDensity(ss, dim);
        }
    }

    @Override
    public int firstNonFiniteRow(Matrix x) {
        float[] xs = CpuBackend.floats(x);
        int cols = x.cols();
        AtomicInteger first = new AtomicInteger(Integer.MAX_VALUE);
        cpu.parallelFor(x.rows(), Math.max(1, 16384 / Math.max(1, cols)), (from, to) -> {
            for (int r = from; r < to && r < first.get(); r++)
                for (int k = 0; k < cols; k++)
                    if (!Float.isFinite(xs[r * cols + k])) {
                        first.accumulateAndGet(r, Math::min);
                        return;
                    }
        });
        return first.get() == Integer.MAX_VALUE ? -1 : first.get();
    }
}
