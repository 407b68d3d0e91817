package org.flowkernels.backend.cpu;

import org.flowkernels.spi.Matrix;
import org.flowkernels.spi.PotentialKernels;
import org.flowkernels.spi.PotentialSpec;

/** Potentials on the CPU: blocks of {@link CpuPotential#B} rows, transposed, in parallel. */
final class CpuPotentialKernels implements PotentialKernels {
    private final CpuBackend cpu;

    CpuPotentialKernels(CpuBackend cpu) { this.cpu = cpu; }

    @Override
    public void evaluate(PotentialSpec v, Matrix q, Matrix energy, Matrix gradient) {
        int rows = q.rows(), n = q.cols(), B = CpuPotential.B;
        float[] qs = CpuBackend.floats(q), es = CpuBackend.floats(energy);
        float[] gs = gradient == null ? null : CpuBackend.floats(gradient);
        cpu.parallelFor((rows + B - 1) / B, 1, (b0, b1) -> {
            CpuPotential pot = CpuPotential.of(v, n, cpu.blocks());
            float[] qb = new float[n * B], gb = gs == null ? null : new float[n * B], eb = new float[B];
            for (int b = b0; b < b1; b++) {
                int s0 = b * B, nb = Math.min(B, rows - s0);
                MlpBlock.load(qs, s0, nb, n, qb);
                pot.evaluate(qb, gb, eb);
                System.arraycopy(eb, 0, es, s0, nb);
                if (gb != null) MlpBlock.store(gb, s0, nb, n, gs);
            }
        });
    }
}
