package org.flowkernels.backend.device;

import java.util.ArrayList;
import java.util.List;
import org.flowkernels.Tensor;
import org.flowkernels.backend.Buffer;
import org.flowkernels.backend.Memory;
import org.flowkernels.flow.CouplingFlowModule;
import org.flowkernels.flow.CouplingKernels;
import org.flowkernels.flow.FlowPlan;
import org.flowkernels.nn.Activation;
import org.flowkernels.nn.Mlp;
import org.flowkernels.nn.MlpModule;
import org.flowkernels.nn.NnKernels;

/**
 * Coupling flows on OpenCL and CUDA (native-kernels/coupling.cl): per layer, the conditioner's
 * GEMMs through {@link DeviceNnKernels#linear} (cuBLAS where it loads) and one fused
 * update + log-det kernel, which also gathers the next layer's conditioner input. The state
 * stays on the device for the whole stack; scratch is allocated once per call.
 */
public final class DeviceCouplingKernels implements CouplingKernels {
    private final DeviceBackend dev;

    public DeviceCouplingKernels(DeviceBackend dev) { this.dev = dev; }

    @Override
    public void transform(CouplingFlowModule flow, FlowPlan plan, Tensor in, Tensor out, Tensor result, boolean density) {
        int n = in.rows(), dim = in.cols(), wg = dev.workGroup();
        List<FlowPlan.Step> steps = plan.steps();
        DeviceNnKernels nn = (DeviceNnKernels) dev.kernels(NnKernels.FAMILY);
        Memory mem = dev.memory();
        List<Buffer> scratch = new ArrayList<>();
        try {
            Buffer state = plan.output() == null ? out.buffer() : allocate(scratch, (long) n * dim);
            Buffer cond = allocate(scratch, (long) n * plan.maxConditioning());
            Buffer o = allocate(scratch, (long) n * plan.maxConditionerOutput());
            Buffer[] hidden = new Buffer[Math.min(2, Math.max(0, plan.maxDepth() - 1))];
            for (int i = 0; i < hidden.length; i++) hidden[i] = allocate(scratch, (long) n * plan.maxHidden());
            Buffer idx = flow.indices(plan.inverse());
            float sign = plan.scaleSign(density);

            FlowPlan.Step first = steps.isEmpty() ? null : steps.get(0);
            boolean baseFirst = density && (!plan.inverse() || first == null);
            dev.launch("coupling_begin", n, wg, in, state, result, idx, first == null ? 0 : first.conditioningOffset(),
                    first == null ? 0 : first.conditioning().length, cond, n, dim, baseFirst ? 1 : 0);
            for (int i = 0; i < steps.size(); i++) {
                FlowPlan.Step step = steps.get(i), next = i + 1 < steps.size() ? steps.get(i + 1) : null;
                conditioner(nn, flow.conditioner(step.coupling()), cond, o, hidden, n);
                boolean baseLast = density && plan.inverse() && next == null;
                dev.launch("coupling_update", n, wg, state, o, result, idx, step.transformedOffset(),
                        step.transformed().length, step.layer().affine() ? 1 : 0, step.layer().scaleBound().kind().code,
                        (float) step.layer().scaleBound().clamp(), plan.inverse() ? 1 : 0, sign,
                        next == null ? 0 : next.conditioningOffset(), next == null ? 0 : next.conditioning().length, cond,
                        n, dim, baseLast ? 1 : 0);
            }
            if (plan.output() != null) dev.launch("coupling_output", n, wg, state, out, idx, plan.outputOffset(), n, dim);
        } finally {
            for (Buffer b : scratch) mem.free(b);
        }
    }

    /** o = MLP(cond), one GEMM launch per layer, hidden activations ping-ponging in two buffers. */
    private static void conditioner(DeviceNnKernels nn, MlpModule m, Buffer cond, Buffer o, Buffer[] hidden, int n) {
        Mlp mlp = m.mlp();
        int depth = mlp.depth();
        for (int l = 0; l < depth; l++)
            nn.linear(l == 0 ? cond : hidden[(l - 1) % 2], m.parameters().buffer(), mlp.weightOffset(l), mlp.biasOffset(l),
                    l == depth - 1 ? o : hidden[l % 2], n, mlp.width(l), mlp.width(l + 1),
                    l + 1 < depth ? mlp.activation() : Activation.IDENTITY);
    }

    private Buffer allocate(List<Buffer> scratch, long length) {
        Buffer b = dev.memory().allocate(Buffer.Type.FLOAT32, length);
        scratch.add(b);
        return b;
    }

    @Override
    public int firstNonFiniteRow(Tensor x) {
        Memory mem = dev.memory();
        Buffer first = mem.allocate(Buffer.Type.INT32, 1);
        try {
            mem.write(first, 0, new int[] {Integer.MAX_VALUE}, 0, 1);
            dev.launch("coupling_first_nonfinite", x.rows(), dev.workGroup(), x, x.rows(), x.cols(), first);
            int[] r = new int[1];
            mem.read(first, 0, r, 0, 1);
            return r[0] == Integer.MAX_VALUE ? -1 : r[0];
        } finally {
            mem.free(first);
        }
    }
}
