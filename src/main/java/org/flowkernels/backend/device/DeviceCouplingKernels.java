package org.flowkernels.backend.device;

import java.util.List;
import org.flowkernels.spi.Buffer;
import org.flowkernels.spi.CouplingKernels;
import org.flowkernels.spi.Matrix;
import org.flowkernels.spi.Memory;

/**
 * Coupling flows on OpenCL and CUDA (native-kernels/coupling.cl): per layer, the conditioner's
 * GEMMs through {@link DeviceNnKernels#linear} (cuBLAS where it loads) and one fused
 * update + log-det kernel, which also gathers the next layer's conditioner input. The state
 * stays on the device for the whole stack; scratch comes from the backend's cache.
 */
final class DeviceCouplingKernels implements CouplingKernels {
    private final DeviceBackend dev;
    private final DeviceNnKernels nn;

    DeviceCouplingKernels(DeviceBackend dev, DeviceNnKernels nn) {
        this.dev = dev;
        this.nn = nn;
    }

    @Override
    public void transform(Plan plan, Matrix in, Matrix out, Matrix result, boolean density) {
        int n = in.rows(), dim = in.cols();
        List<Step> steps = plan.steps();
        try (Scratch s = dev.scratch()) {
            boolean reorder = plan.outputOffset() >= 0;
            Buffer state = reorder ? s.floats((long) n * dim) : out.buffer();
            Buffer cond = s.floats((long) n * Math.max(1, plan.maxConditioning()));
            Buffer o = s.floats((long) n * Math.max(1, plan.maxConditionerOutput()));
            Buffer[] hidden = new Buffer[Math.min(2, Math.max(0, plan.maxDepth() - 1))];
            for (int i = 0; i < hidden.length; i++) hidden[i] = s.floats((long) n * plan.maxHidden());
            Buffer idx = plan.indexBuffer();
            float sign = plan.scaleSign(density);
            RowTeams teams = RowTeams.of(dev, dim);

            Step first = steps.isEmpty() ? null : steps.get(0);
            boolean baseFirst = density && (!plan.inverse() || first == null);
            teams.launch(dev, new Kernels.CouplingBegin(in, state, result, idx, first == null ? 0 : first.conditioningOffset(),
                    first == null ? 0 : first.conditioningCount(), cond, n, dim, baseFirst ? 1 : 0, teams.lanes(), teams.red()), n);
            for (int i = 0; i < steps.size(); i++) {
                Step step = steps.get(i), next = i + 1 < steps.size() ? steps.get(i + 1) : null;
                nn.forward(step.conditioner(), cond, o, hidden, n);
                boolean baseLast = density && plan.inverse() && next == null;
                teams.launch(dev, new Kernels.CouplingUpdate(state, o, result, idx, step.transformedOffset(),
                        step.transformedCount(), step.affine() ? 1 : 0, step.scaleBound(), step.clamp(), plan.inverse() ? 1 : 0,
                        sign, next == null ? 0 : next.conditioningOffset(), next == null ? 0 : next.conditioningCount(), cond, n,
                        dim, baseLast ? 1 : 0, teams.lanes(), teams.red()), n);
            }
            if (reorder) dev.launch(new Kernels.CouplingOutput(state, out, idx, plan.outputOffset(), n, dim), (long) n * dim);
        }
    }

    @Override
    public int firstNonFiniteRow(Matrix x) {
        Memory mem = dev.memory();
        try (Scratch s = dev.scratch()) {
            Buffer first = s.upload(new int[] {Integer.MAX_VALUE});
            dev.launch(new Kernels.CouplingFirstNonfinite(x, x.rows(), x.cols(), first), (long) x.rows() * x.cols());
            int[] r = new int[1];
            mem.read(first, 0, r, 0, 1);
            return r[0] == Integer.MAX_VALUE ? -1 : r[0];
        }
    }
}
