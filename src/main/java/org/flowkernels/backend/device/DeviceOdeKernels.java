package org.flowkernels.backend.device;

import java.util.ArrayList;
import java.util.List;
import org.flowkernels.spi.Buffer;
import org.flowkernels.spi.Contract;
import org.flowkernels.spi.Matrix;
import org.flowkernels.spi.Memory;
import org.flowkernels.spi.Network;
import org.flowkernels.spi.OdeKernels;
import org.flowkernels.spi.Tableau;

/**
 * Continuous flows on OpenCL and CUDA (native-kernels/cnf.cl). FUSED: the whole solve in one
 * launch of {@code ode_solve_fused}, a tile of samples per work-group with the weights, the
 * layer's values and tangents and the samples' state in local memory ({@link MlpTile}), for
 * nets within {@link #fusedLimit}. PER_STEP: per stage, one {@link DeviceNnKernels#linear}
 * launch per layer for the values and one per hidden-to-hidden layer for the T tangents
 * stacked as T n rows (the zero bias at the problem's zeroBias offset), with small kernels for
 * the slopes, the stage input and the update, which takes the last layer's tangent as
 * (W_Lᵀ ε) · t.
 */
final class DeviceOdeKernels implements OdeKernels {
    /**
     * The widest layer of the fused kernel. Not a limit of the kernel itself (it has no
     * per-work-item arrays) but of its use: one layer of values and tangents for a tile lives
     * in local memory, and beyond 64 units the tile shrinks until the per-step GEMMs win.
     */
    static final int MAX_WIDTH = 64;

    private final DeviceBackend dev;
    private final DeviceNnKernels nn;

    DeviceOdeKernels(DeviceBackend dev, DeviceNnKernels nn) {
        this.dev = dev;
        this.nn = nn;
    }

    /** Per-sample REALs of the fused kernel besides the layer: x, k, the stage sum, the T D probes, dlogp and its stage sum. */
    private static int perSample(int dim, int tangents) {
        return 3 * dim + tangents * dim + 2;
    }

    @Override
    public String fusedLimit(Network mlp, int dim, int tangents) {
        List<String> why = new ArrayList<>();
        if (mlp.maxWidth() > MAX_WIDTH) why.add("its widest layer has " + mlp.maxWidth() + " units (fused maximum " + MAX_WIDTH + ")");
        String misfit = MlpTile.misfit(mlp.widths(), 1 + tangents, perSample(dim, tangents), dev.localMemoryBytes(),
                MlpTile.group(dev));
        if (misfit != null) why.add(misfit);
        return why.isEmpty() ? null : "the field does not fit the fused kernel: " + String.join("; ", why);
    }

    @Override
    public void solve(Problem how, Matrix x, Matrix deltaLogp, Matrix snapshotX, Matrix snapshotDeltaLogp, boolean fused) {
        if (fused) solveFused(how, x, deltaLogp, snapshotX, snapshotDeltaLogp);
        else solvePerStep(how, x, deltaLogp, snapshotX, snapshotDeltaLogp);
    }

    private void solveFused(Problem how, Matrix x, Matrix dl, Matrix sx, Matrix sl) {
        Network mlp = how.field();
        int n = x.rows(), T = how.tangents();
        if (n == 0) return;
        MlpTile tile = MlpTile.choose(mlp.widths(), 1 + T, perSample(how.dim(), T), n, dev.localMemoryBytes(), MlpTile.group(dev));
        if (tile == null) throw new IllegalArgumentException("field: " + fusedLimit(mlp, how.dim(), T));
        try (Scratch s = dev.scratch()) {
            Buffer widths = s.upload(mlp.widths()), tableau = s.upload(how.tableau().packed());
            long tiles = (n + tile.tile() - 1) / tile.tile();
            dev.launch(new Kernels.OdeSolveFused(x, dl, mlp.parameters(), widths, mlp.depth(), mlp.activation(),
                    how.timeInput() ? 1 : 0, tableau, how.tableau().stages(), how.steps(), how.t0(), how.h(), T,
                    how.probe(), how.traceWeight(), (int) how.seed(), (int) (how.seed() >>> 32), how.probeStream(),
                    how.saveEvery(), sx == null ? x : sx, sl == null ? dl : sl, n, tile.tile(),
                    new Kernels.LocalBytes(tile.localBytes())), "", tiles * tile.group(), tile.group());
        }
    }

    private void solvePerStep(Problem how, Matrix x, Matrix dl, Matrix sx, Matrix sl) {
        Network mlp = how.field();
        int n = x.rows(), L = mlp.depth(), D = how.dim(), cols = mlp.inputs(), w1 = mlp.width(1);
        int T = how.tangents(), hidden = mlp.maxHidden();
        // the tangents are GEMM rows (an int); element indices are 64-bit everywhere
        if ((long) T * n > Integer.MAX_VALUE)
            throw new IllegalArgumentException("x0: " + n + " rows with " + T + " tangents each make " + (long) T * n
                    + " tangent rows, more than one per-step launch takes (2^31 - 1); split the batch");
        int tn = T * n;
        Buffer P = mlp.parameters();
        int zeroBias = how.zeroBias(), act = mlp.activation();
        Tableau solver = how.tableau();
        float t0 = how.t0(), h = how.h(), weight = how.traceWeight();
        Memory mem = dev.memory();
        try (Scratch s = dev.scratch()) {
            Buffer xin = s.floats((long) n * cols), v = s.floats((long) n * D);
            Buffer e = s.floats((long) tn * cols), u = s.floats((long) tn * w1);
            Buffer acc = s.floats((long) n * D), accl = s.floats(n);
            Buffer[] a = new Buffer[L];
            for (int l = 1; l < L; l++) a[l] = s.floats((long) n * mlp.width(l));
            Buffer[] tg = L > 1 ? new Buffer[] {s.floats((long) tn * hidden), s.floats((long) tn * hidden)} : null;
            int wl = mlp.width(L - 1);
            Buffer back = L > 1 ? s.floats((long) tn * wl) : e;
            RowTeams teams = RowTeams.of(dev, L > 1 ? wl : D);

            mem.fill(dl.buffer(), 0);
            dev.launch(new Kernels.OdeProbes(e, n, D, cols, T, how.probe(), (int) how.seed(), (int) (how.seed() >>> 32),
                    how.probeStream()), (long) tn * cols);
            // the probes are fixed through the solve, so are W_1 eps and W_L^T eps
            nn.linear(e, P, mlp.weightOffset(0), zeroBias, u, tn, cols, w1, Contract.ACT_IDENTITY);
            if (L > 1) dev.launch(new Kernels.OdeProbeBack(e, cols, P, mlp.weightOffset(L - 1), back, tn, D, wl), (long) tn * wl);
            for (int step = 0; step < how.steps(); step++) {
                float t = t0 + step * h;
                for (int stage = 0; stage < solver.stages(); stage++) {
                    float ah = (float) solver.a(stage) * h;
                    dev.launch(new Kernels.OdeStageInput(x, v, ah, t + ah, xin, n, D, cols), (long) n * cols);
                    Buffer src = xin;
                    for (int l = 0; l < L; l++) {
                        Buffer dst = l == L - 1 ? v : a[l + 1];
                        nn.linear(src, P, mlp.weightOffset(l), mlp.biasOffset(l), dst, n, mlp.width(l), mlp.width(l + 1),
                                mlp.activationOf(l));
                        src = dst;
                    }
                    // tangents up to the last hidden layer; the last layer's enters through W_L^T eps
                    Buffer last = u;
                    if (L > 1) {
                        dev.launch(new Kernels.OdeTangentSlope(u, a[1], tg[0], n, tn, w1, act), (long) tn * w1);
                        last = tg[0];
                        for (int l = 1; l < L - 1; l++) {
                            Buffer dst = last == tg[0] ? tg[1] : tg[0];
                            nn.linear(last, P, mlp.weightOffset(l), zeroBias, dst, tn, mlp.width(l), mlp.width(l + 1),
                                    Contract.ACT_IDENTITY);
                            dev.launch(new Kernels.OdeTangentSlope(dst, a[l + 1], dst, n, tn, mlp.width(l + 1), act),
                                    (long) tn * mlp.width(l + 1));
                            last = dst;
                        }
                    }
                    teams.launch(dev, new Kernels.OdeStageUpdate(v, last, L > 1 ? wl : D, back, L > 1 ? wl : cols,
                            L > 1 ? wl : D, acc, accl, x, dl, n, D, T, weight, (float) solver.b(stage), stage == 0 ? 1 : 0,
                            stage == solver.stages() - 1 ? 1 : 0, h, teams.lanes(), teams.red()), n);
                }
                if (how.saveEvery() > 0 && (step + 1) % how.saveEvery() == 0) {
                    long j = (step + 1) / how.saveEvery() - 1;
                    mem.copy(x.buffer(), 0, sx.buffer(), j * n * D, (long) n * D);
                    mem.copy(dl.buffer(), 0, sl.buffer(), j * n, n);
                }
            }
        }
    }

    @Override
    public void gaussianLogDensity(Matrix z, Matrix delta, float sign, Matrix out) {
        RowTeams teams = RowTeams.of(dev, z.cols());
        teams.launch(dev, new Kernels.OdeGaussianLogp(z, delta, sign, out, z.rows(), z.cols(), teams.lanes(), teams.red()),
                z.rows());
    }
}
