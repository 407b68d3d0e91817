package org.flowkernels.backend.cpu;

import org.flowkernels.Tensor;
import org.flowkernels.nn.MlpModule;
import org.flowkernels.nn.NnKernels;

/** MLP forward on the CPU: blocks of {@link MlpBlock#B} samples through every layer in cache. */
public final class CpuNnKernels implements NnKernels {
    private final CpuBackend cpu;

    public CpuNnKernels(CpuBackend cpu) { this.cpu = cpu; }

    @Override
    public void forward(MlpModule m, Tensor x, Tensor y) {
        var mlp = m.mlp();
        float[] params = CpuBackend.floats(m.parameters()), xs = CpuBackend.floats(x), ys = CpuBackend.floats(y);
        int n = x.rows(), in = mlp.inputs(), out = mlp.outputs();
        int blocks = (n + MlpBlock.B - 1) / MlpBlock.B;
        cpu.parallelFor(blocks, 1, (b0, b1) -> {
            MlpBlock block = new MlpBlock(mlp, params);
            for (int b = b0; b < b1; b++) {
                int s0 = b * MlpBlock.B, nb = Math.min(MlpBlock.B, n - s0);
                MlpBlock.load(xs, s0, nb, in, block.input());
                MlpBlock.store(block.forward(), s0, nb, out, ys);
            }
        });
    }
}
