package org.flowkernels.backend.cpu;

import org.flowkernels.spi.Matrix;
import org.flowkernels.spi.Network;
import org.flowkernels.spi.NnKernels;

/** MLP forward on the CPU: blocks of {@link MlpBlock#B} samples through every layer in cache. */
final class CpuNnKernels implements NnKernels {
    private final CpuBackend cpu;

    CpuNnKernels(CpuBackend cpu) { this.cpu = cpu; }

    @Override
    public void forward(Network net, Matrix x, Matrix y) {
        float[] xs = CpuBackend.floats(x), ys = CpuBackend.floats(y);
        int n = x.rows(), in = net.inputs(), out = net.outputs();
        int blocks = (n + MlpBlock.B - 1) / MlpBlock.B;
        cpu.parallelFor(blocks, 1, (b0, b1) -> {
            MlpBlock block = new MlpBlock(net, cpu.blocks());
            for (int b = b0; b < b1; b++) {
                int s0 = b * MlpBlock.B, nb = Math.min(MlpBlock.B, n - s0);
                MlpBlock.load(xs, s0, nb, in, block.input());
                MlpBlock.store(block.forward(), s0, nb, out, ys);
            }
        });
    }
}
