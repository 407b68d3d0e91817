package org.flowkernels.backend.cpu;

import static org.flowkernels.backend.cpu.MlpBlock.B;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.flowkernels.Tensor;
import org.flowkernels.flow.CouplingFlowModule;
import org.flowkernels.flow.CouplingKernels;
import org.flowkernels.flow.FlowPlan;
import org.flowkernels.flow.ScaleBound;
import org.flowkernels.nn.Activation;

/**
 * Coupling flows on the CPU: each block of {@link MlpBlock#B} samples goes through all K
 * layers while it is in cache, feature-major (a coordinate's 32 samples contiguous), the
 * conditioners through {@link MlpBlock}. Blocks run in parallel.
 */
public final class CpuCouplingKernels implements CouplingKernels {
    private static final double LOG_2PI = Math.log(2 * Math.PI);

    private final CpuBackend cpu;

    public CpuCouplingKernels(CpuBackend cpu) { this.cpu = cpu; }

    @Override
    public void transform(CouplingFlowModule flow, FlowPlan plan, Tensor in, Tensor out, Tensor result, boolean density) {
        float[] xs = CpuBackend.floats(in), ys = CpuBackend.floats(out), ld = CpuBackend.floats(result);
        int n = in.rows(), dim = in.cols();
        List<FlowPlan.Step> steps = plan.steps();
        float[][] params = new float[steps.size()][];
        for (int i = 0; i < params.length; i++) params[i] = CpuBackend.floats(flow.conditioner(steps.get(i).coupling()).parameters());
        int[] output = plan.output();
        float sign = plan.scaleSign(density);
        cpu.parallelFor((n + B - 1) / B, 1, (b0, b1) -> {
            MlpBlock[] nets = new MlpBlock[steps.size()];
            for (int i = 0; i < nets.length; i++) nets[i] = new MlpBlock(steps.get(i).layer().conditioner(), params[i]);
            float[] state = new float[dim * B], ordered = output == null ? state : new float[dim * B], acc = new float[B];
            for (int b = b0; b < b1; b++) {
                int s0 = b * B, nb = Math.min(B, n - s0);
                MlpBlock.load(xs, s0, nb, dim, state);
                Arrays.fill(acc, 0f);
                if (density && !plan.inverse()) addLogNormal(state, dim, acc);
                for (int i = 0; i < nets.length; i++) couple(steps.get(i), nets[i], state, acc, plan.inverse(), sign);
                if (density && plan.inverse()) addLogNormal(state, dim, acc);
                if (output != null)
                    for (int k = 0; k < dim; k++) System.arraycopy(state, output[k] * B, ordered, k * B, B);
                MlpBlock.store(ordered, s0, nb, dim, ys);
                System.arraycopy(acc, 0, ld, s0, nb);
            }
        });
    }

    /** One coupling on a feature-major block, in place; acc[s] += sign · Σ s. */
    private static void couple(FlowPlan.Step step, MlpBlock net, float[] state, float[] acc, boolean inverse, float sign) {
        int[] cond = step.conditioning(), trans = step.transformed();
        float[] input = net.input();
        for (int j = 0; j < cond.length; j++) System.arraycopy(state, cond[j] * B, input, j * B, B);
        float[] o = net.forward();
        int dt = trans.length;
        if (!step.layer().affine()) {
            float dir = inverse ? -1f : 1f;
            for (int j = 0; j < dt; j++) {
                int x = trans[j] * B, t = j * B;
                for (int s = 0; s < B; s++) state[x + s] += dir * o[t + s];
            }
            return;
        }
        bound(o, dt * B, step.layer().scaleBound());
        if (MlpBlock.VECTORIZED) {
            CpuCouplingKernelsSimd.affine(state, o, acc, trans, inverse, sign);
            return;
        }
        for (int j = 0; j < dt; j++) {
            int x = trans[j] * B, ls = j * B, t = (dt + j) * B;
            if (inverse)
                for (int s = 0; s < B; s++) state[x + s] = (state[x + s] - o[t + s]) * (float) Math.exp(-o[ls + s]);
            else
                for (int s = 0; s < B; s++) state[x + s] = state[x + s] * (float) Math.exp(o[ls + s]) + o[t + s];
            for (int s = 0; s < B; s++) acc[s] += sign * o[ls + s];
        }
    }

    /** s = bound(o) on the first len entries of o, in place. */
    private static void bound(float[] o, int len, ScaleBound bound) {
        switch (bound.kind()) {
            case NONE -> { }
            case TANH -> MlpBlock.activate(o, len, Activation.TANH);
            case SOFT_CLAMP -> {
                float c = (float) bound.clamp(), inv = 1f / c;
                for (int i = 0; i < len; i++) o[i] *= inv;
                MlpBlock.activate(o, len, Activation.TANH);
                for (int i = 0; i < len; i++) o[i] *= c;
            }
        }
    }

    /** acc[s] += log N(state[., s]; 0, I). */
    private static void addLogNormal(float[] state, int dim, float[] acc) {
        for (int s = 0; s < B; s++) {
            float ss = 0;
            for (int k = 0; k < dim; k++) ss += state[k * B + s] * state[k * B + s];
            acc[s] += (float) (-0.5 * (ss + dim * LOG_2PI));
        }
    }

    @Override
    public int firstNonFiniteRow(Tensor x) {
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
