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
 * launch of {@code ode_solve_fused}, weights in local memory, for nets within the kernel's
 * fixed maxima. PER_STEP: per stage, one {@link DeviceNnKernels#linear} launch per layer for
 * the values and one per hidden-to-hidden layer for the T tangents stacked as T n rows (the
 * zero bias at the problem's zeroBias offset), with small kernels for the slopes, the stage input
 * and the update, which takes the last layer's tangent as (W_Lᵀ ε) · t.
 */
final class DeviceOdeKernels implements OdeKernels {
    /** ODE_FUSED_* in cnf.cl. */
    static final int MAX_WIDTH = 64, MAX_DIM = 16, MAX_TANGENTS = 8, MAX_DEPTH = 8;
    /** Weights in local memory: OpenCL 1.2 guarantees 32 KiB, CUDA gives 48 KiB without opting in. */
    static final long MAX_LOCAL_BYTES = 32 * 1024;

    private final DeviceBackend dev;
    private final DeviceNnKernels nn;

    DeviceOdeKernels(DeviceBackend dev, DeviceNnKernels nn) {
        this.dev = dev;
        this.nn = nn;
    }

    @Override
    public String fusedLimit(Network mlp, int dim, int tangents) {
        List<String> why = new ArrayList<>();
        if (mlp.maxWidth() > MAX_WIDTH) why.add("its widest layer has " + mlp.maxWidth() + " units (fused maximum " + MAX_WIDTH + ")");
        if (dim > MAX_DIM) why.add("D = " + dim + " (fused maximum " + MAX_DIM + ")");
        if (tangents > MAX_TANGENTS) why.add(tangents + " tangents per sample (fused maximum " + MAX_TANGENTS + ")");
        if (mlp.depth() > MAX_DEPTH) why.add(mlp.depth() + " layers (fused maximum " + MAX_DEPTH + ")");
        long bytes = 4L * mlp.parameterCount();
        if (bytes > MAX_LOCAL_BYTES) why.add(bytes + " bytes of weights (fused maximum " + MAX_LOCAL_BYTES + " in local memory)");
        return why.isEmpty() ? null : "the field does not fit the fused kernel: " + String.join("; ", why);
    }

    @Override
    public void solve(Problem how, Matrix x, Matrix deltaLogp, Matrix snapshotX, Matrix snapshotDeltaLogp, boolean fused) {
        if (fused) solveFused(how, x, deltaLogp, snapshotX, snapshotDeltaLogp);
        else solvePerStep(how, x, deltaLogp, snapshotX, snapshotDeltaLogp);
    }

    private void solveFused(Problem how, Matrix x, Matrix dl, Matrix sx, Matrix sl) {
        Network mlp = how.field();
        int n = x.rows();
        Memory mem = dev.memory();
        Buffer widths = mem.upload(mlp.widths()), tableau = null;
        try {
            tableau = mem.upload(how.tableau().packed());
            dev.launch(new Kernels.OdeSolveFused(x, dl, mlp.parameters(), widths, mlp.depth(), mlp.activation(),
                    how.timeInput() ? 1 : 0, tableau, how.tableau().stages(), how.steps(), how.t0(), how.h(), how.tangents(),
                    how.probe(), how.traceWeight(), (int) how.seed(), (int) (how.seed() >>> 32), how.probeStream(),
                    how.saveEvery(), sx == null ? x : sx, sl == null ? dl : sl, n,
                    new Kernels.LocalBytes(4L * mlp.parameterCount())), n);
        } finally {
            mem.free(widths);
            if (tableau != null) mem.free(tableau);
        }
    }

    private void solvePerStep(Problem how, Matrix x, Matrix dl, Matrix sx, Matrix sl) {
        Network mlp = how.field();
        int n = x.rows(), L = mlp.depth(), D = how.dim(), cols = mlp.inputs(), w1 = mlp.width(1);
        int T = how.tangents(), tn = Math.multiplyExact(T, n);
        int hidden = mlp.maxHidden();
        if ((long) tn * mlp.maxWidth() > Integer.MAX_VALUE)
            throw new IllegalArgumentException("x0: " + n + " rows with " + T + " tangents of up to " + mlp.maxWidth()
                    + " units exceed one per-step launch (2^31 elements); split the batch");
        Buffer P = mlp.parameters();
        int zeroBias = how.zeroBias(), act = mlp.activation();
        Tableau solver = how.tableau();
        float t0 = how.t0(), h = how.h(), weight = how.traceWeight();
        Memory mem = dev.memory();
        List<Buffer> scratch = new ArrayList<>();
        try {
            Buffer xin = alloc(scratch, (long) n * cols), v = alloc(scratch, (long) n * D);
            Buffer e = alloc(scratch, (long) tn * cols), u = alloc(scratch, (long) tn * w1);
            Buffer acc = alloc(scratch, (long) n * D), accl = alloc(scratch, n);
            Buffer[] a = new Buffer[L];
            for (int l = 1; l < L; l++) a[l] = alloc(scratch, (long) n * mlp.width(l));
            Buffer[] tg = L > 1 ? new Buffer[] {alloc(scratch, (long) tn * hidden), alloc(scratch, (long) tn * hidden)} : null;
            int wl = mlp.width(L - 1);
            Buffer back = L > 1 ? alloc(scratch, (long) tn * wl) : e;

            mem.fill(dl.buffer(), 0);
            dev.launch(new Kernels.OdeProbes(e, n, D, cols, T, how.probe(), (int) how.seed(), (int) (how.seed() >>> 32),
                    how.probeStream()), tn);
            // the probes are fixed through the solve, so are W_1 eps and W_L^T eps
            nn.linear(e, P, mlp.weightOffset(0), zeroBias, u, tn, cols, w1, Contract.ACT_IDENTITY);
            if (L > 1) dev.launch(new Kernels.OdeProbeBack(e, cols, P, mlp.weightOffset(L - 1), back, tn, D, wl), (long) tn * wl);
            for (int step = 0; step < how.steps(); step++) {
                float t = t0 + step * h;
                for (int stage = 0; stage < solver.stages(); stage++) {
                    float ah = (float) solver.a(stage) * h;
                    dev.launch(new Kernels.OdeStageInput(x, v, ah, t + ah, xin, n, D, cols), n);
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
                    dev.launch(new Kernels.OdeStageUpdate(v, last, L > 1 ? wl : D, back, L > 1 ? wl : cols, L > 1 ? wl : D,
                            acc, accl, x, dl, n, D, T, weight, (float) solver.b(stage), stage == 0 ? 1 : 0,
                            stage == solver.stages() - 1 ? 1 : 0, h), n);
                }
                if (how.saveEvery() > 0 && (step + 1) % how.saveEvery() == 0) {
                    long j = (step + 1) / how.saveEvery() - 1;
                    mem.copy(x.buffer(), 0, sx.buffer(), j * n * D, (long) n * D);
                    mem.copy(dl.buffer(), 0, sl.buffer(), j * n, n);
                }
            }
        } finally {
            for (Buffer b : scratch) mem.free(b);
        }
    }

    private Buffer alloc(List<Buffer> scratch, long length) {
        Buffer b = dev.memory().allocate(Buffer.Type.FLOAT32, length);
        scratch.add(b);
        return b;
    }

    @Override
    public void gaussianLogDensity(Matrix z, Matrix delta, float sign, Matrix out) {
        dev.launch(new Kernels.OdeGaussianLogp(z, delta, sign, out, z.rows(), z.cols()), z.rows());
    }
}
