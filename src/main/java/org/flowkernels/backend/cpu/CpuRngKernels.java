package org.flowkernels.backend.cpu;

import org.flowkernels.spi.Buffer;
import org.flowkernels.spi.Contract;
import org.flowkernels.spi.Matrix;
import org.flowkernels.spi.Philox4x32;
import org.flowkernels.spi.RngKernels;

/** Philox on the CPU: the Java reference itself, in parallel over rows. */
final class CpuRngKernels implements RngKernels {
    private final CpuBackend cpu;

    CpuRngKernels(CpuBackend cpu) { this.cpu = cpu; }

    @Override
    public void fill(Matrix out, int dist, long seed, int stream, int step) {
        float[] o = CpuBackend.floats(out);
        int cols = out.cols();
        cpu.parallelFor(out.rows(), Math.max(1, 4096 / Math.max(1, cols)), (from, to) -> {
            int[] b = new int[4];
            float[] normals = new float[4];
            for (int r = from; r < to; r++)
                for (int blk = 0; blk * 4 < cols; blk++) {
                    Philox4x32.block(seed, r, step, blk, stream, b);
                    if (dist == Contract.DIST_NORMAL) Philox4x32.normals(b, normals);
                    for (int w = 0; w < 4 && blk * 4 + w < cols; w++)
                        o[r * cols + blk * 4 + w] = dist == Contract.DIST_NORMAL ? normals[w] : Philox4x32.draw(dist, b, w);
                }
        });
    }

    @Override
    public void raw(Buffer in, Buffer out, int n) {
        int[] i = CpuBackend.ints(in), o = CpuBackend.ints(out);
        int[] b = new int[4];
        for (int c = 0; c < n; c++) {
            Philox4x32.block(i[6 * c], i[6 * c + 1], i[6 * c + 2], i[6 * c + 3], i[6 * c + 4], i[6 * c + 5], b);
            System.arraycopy(b, 0, o, 4 * c, 4);
        }
    }
}
