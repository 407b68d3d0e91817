package org.flowkernels.backend.cpu;

import java.util.Arrays;
import org.flowkernels.spi.Contract;
import org.flowkernels.spi.Matrix;
import org.flowkernels.spi.Network;
import org.flowkernels.spi.OdeKernels;
import org.flowkernels.spi.Philox4x32;
import org.flowkernels.spi.Tableau;

/**
 * Continuous flows on the CPU: blocks of {@link MlpBlock#B} samples, feature-major, through
 * the MLP primitives of {@link MlpBlock} (values, and the tangent products W t with the
 * module's zero bias). FUSED takes each block through every step while it is in cache;
 * PER_STEP takes the whole batch one step at a time (the same step code, the loops swapped).
 */
final class CpuOdeKernels implements OdeKernels {
    private static final int B = MlpBlock.B;
    private final CpuBackend cpu;

    CpuOdeKernels(CpuBackend cpu) { this.cpu = cpu; }

    /** Every field fits: a block's activations and tangents are a few hundred kB at most for the nets we run. */
    @Override
    public String fusedLimit(Network field, int dim, int tangents) { return null; }

    @Override
    public void solve(Problem how, Matrix x, Matrix deltaLogp, Matrix snapshotX, Matrix snapshotDeltaLogp, boolean fused) {
        float[] xs = CpuBackend.floats(x), dl = CpuBackend.floats(deltaLogp);
        float[] sx = snapshotX == null ? null : CpuBackend.floats(snapshotX);
        float[] sl = snapshotDeltaLogp == null ? null : CpuBackend.floats(snapshotDeltaLogp);
        int n = x.rows(), blocks = (n + B - 1) / B;
        if (fused) {
            cpu.parallelFor(blocks, 1, (b0, b1) -> {
                Integrator it = new Integrator(how, n, cpu.blocks());
                for (int b = b0; b < b1; b++) {
                    it.load(b, xs, null);
                    it.steps(0, how.steps(), sx, sl);
                    it.store(xs, dl);
                }
            });
        } else {
            Arrays.fill(dl, 0, n, 0f);
            for (int step = 0; step < how.steps(); step++) {
                int from = step;
                cpu.parallelFor(blocks, 1, (b0, b1) -> {
                    Integrator it = new Integrator(how, n, cpu.blocks());
                    for (int b = b0; b < b1; b++) {
                        it.load(b, xs, dl);
                        it.steps(from, from + 1, sx, sl);
                        it.store(xs, dl);
                    }
                });
            }
        }
    }

    @Override
    public void gaussianLogDensity(Matrix z, Matrix delta, float sign, Matrix out) {
        float[] zs = CpuBackend.floats(z), ds = CpuBackend.floats(delta), os = CpuBackend.floats(out);
        int D = z.cols();
        cpu.parallelFor(z.rows(), 1024, (from, to) -> {
            for (int s = from; s < to; s++) {
                double q = 0;
                for (int d = 0; d < D; d++) q += (double) zs[s * D + d] * zs[s * D + d];
                os[s] = (float) (Gaussian.logDensity(q, D) + sign * ds[s]);
            }
        });
    }

    /** One block's state and scratch, feature-major [feature][B]; one per thread. */
    private static final class Integrator {
        private final Network mlp;
        private final float[] params;
        private final MlpBlock net;
        private final BlockOps ops;
        private final int act, probe, probeStream;
        private final Tableau solver;
        private final long seed;
        private final int n, L, D, cols, T, zeroBias, saveEvery;
        private final float t0, h, traceWeight;
        private final float[] x, k, acc, dl, accl, tr, ta, tb;
        /** Per probe j: ε_j [cols][B], W_1 ε_j [width(1)][B], and W_Lᵀ ε_j [width(L−1)][B] (when L > 1). */
        private final float[][] probes, firstTangents, lastLayerProbes;
        private int s0, nb;

        Integrator(Problem how, int n, BlockOps ops) {
            this.mlp = how.field();
            this.params = CpuBackend.floats(mlp.parameters());
            this.ops = ops;
            this.net = new MlpBlock(mlp, ops);
            this.act = mlp.activation();
            this.solver = how.tableau();
            this.probe = how.probe();
            this.probeStream = how.probeStream();
            this.seed = how.seed();
            this.n = n;
            this.L = mlp.depth();
            this.D = how.dim();
            this.cols = mlp.inputs();
            this.T = how.tangents();
            this.zeroBias = how.zeroBias();
            this.saveEvery = how.saveEvery();
            this.t0 = how.t0();
            this.h = how.h();
            this.traceWeight = how.traceWeight();
            x = new float[D * B];
            k = new float[D * B];
            acc = new float[D * B];
            dl = new float[B];
            accl = new float[B];
            tr = new float[B];
            ta = new float[mlp.maxWidth() * B];
            tb = new float[mlp.maxWidth() * B];
            probes = new float[T][cols * B];
            firstTangents = new float[T][mlp.width(1) * B];
            lastLayerProbes = new float[L > 1 ? T : 0][mlp.width(L - 1) * B];
        }

        /** Loads block b: x, Δlogp (zero when {@code dlogp} is null), the probes and W_1 ε. */
        void load(int b, float[] xs, float[] dlogp) {
            s0 = b * B;
            nb = Math.min(B, n - s0);
            MlpBlock.load(xs, s0, nb, D, x);
            Arrays.fill(k, 0f);
            Arrays.fill(dl, 0f);
            if (dlogp != null) System.arraycopy(dlogp, s0, dl, 0, nb);
            int[] word = new int[4];
            for (int j = 0; j < T; j++) {
                float[] e = probes[j];
                Arrays.fill(e, 0f); // the time row and the tail stay 0
                if (probe != Contract.PROBE_EXACT) {
                    for (int s = 0; s < nb; s++)
                        for (int d = 0; d < D; d++) {
                            if ((d & 3) == 0) Philox4x32.block(seed, s0 + s, j, d >> 2, probeStream, word);
                            e[d * B + s] = Philox4x32.draw(probe, word, d & 3);
                        }
                } else {
                    Arrays.fill(e, j * B, j * B + nb, 1f);
                }
                // the probes are fixed through the solve, so are their products with W_1 and W_L
                ops.layer(params, mlp.weightOffset(0), zeroBias, cols, mlp.width(1), e, firstTangents[j], Contract.ACT_IDENTITY);
                if (L > 1) transposedProduct(mlp.weightOffset(L - 1), mlp.width(L - 1), e, lastLayerProbes[j]);
            }
        }

        void store(float[] xs, float[] dlogp) {
            MlpBlock.store(x, s0, nb, D, xs);
            System.arraycopy(dl, 0, dlogp, s0, nb);
        }

        /** Steps [from, to) of the solve; snapshots into sx, sl. */
        void steps(int from, int to, float[] sx, float[] sl) {
            for (int step = from; step < to; step++) {
                float t = t0 + step * h;
                for (int stage = 0; stage < solver.stages(); stage++) {
                    float ah = (float) solver.a(stage) * h, b = (float) solver.b(stage);
                    float[] in = net.input();
                    for (int i = 0; i < D * B; i++) in[i] = x[i] + ah * k[i];
                    if (cols > D) Arrays.fill(in, D * B, cols * B, t + ah);
                    float[] v = net.forward();
                    traceOfJacobian();
                    boolean first = stage == 0;
                    for (int i = 0; i < D * B; i++) {
                        k[i] = v[i];
                        acc[i] = (first ? 0f : acc[i]) + b * v[i];
                    }
                    for (int s = 0; s < B; s++) accl[s] = (first ? 0f : accl[s]) - b * traceWeight * tr[s];
                }
                for (int i = 0; i < D * B; i++) x[i] += h * acc[i];
                for (int s = 0; s < B; s++) dl[s] += h * accl[s];
                if (saveEvery > 0 && (step + 1) % saveEvery == 0) {
                    int row = ((step + 1) / saveEvery - 1) * n + s0;
                    MlpBlock.store(x, row, nb, D, sx);
                    System.arraycopy(dl, 0, sl, row, nb);
                }
            }
        }

        /**
         * tr[s] = Σ_j ε_j · (J ε_j) at the input of the last net.forward(). The last layer is
         * linear, so ε_jᵀ W_L t = (W_Lᵀ ε_j) · t: the tangents stop at the last hidden layer.
         */
        private void traceOfJacobian() {
            Arrays.fill(tr, 0f);
            for (int j = 0; j < T; j++) {
                if (L == 1) {
                    addDot(probes[j], firstTangents[j], D);
                    continue;
                }
                slope(net.activation(1), firstTangents[j], ta, mlp.width(1) * B);
                float[] cur = ta, nxt = tb;
                for (int l = 1; l < L - 1; l++) {
                    ops.layer(params, mlp.weightOffset(l), zeroBias, mlp.width(l), mlp.width(l + 1), cur, nxt, Contract.ACT_IDENTITY);
                    slope(net.activation(l + 1), nxt, nxt, mlp.width(l + 1) * B);
                    float[] t = cur;
                    cur = nxt;
                    nxt = t;
                }
                addDot(lastLayerProbes[j], cur, mlp.width(L - 1));
            }
        }

        /** tr[s] += Σ_r a[r][s] b[r][s] over {@code rows} feature rows. */
        private void addDot(float[] a, float[] b, int rows) {
            for (int r = 0; r < rows; r++)
                for (int s = 0; s < B; s++) tr[s] += a[r * B + s] * b[r * B + s];
        }

        /** out [in][B] = Wᵀ e for W [D, in] at params[wOff] and e [D][B] (the first D rows of a probe block). */
        private void transposedProduct(int wOff, int in, float[] e, float[] out) {
            Arrays.fill(out, 0f);
            for (int d = 0; d < D; d++)
                for (int r = 0; r < in; r++) {
                    float w = params[wOff + d * in + r];
                    for (int s = 0; s < B; s++) out[r * B + s] += w * e[d * B + s];
                }
        }

        /** dst = φ'(·) ⊙ t, the slope written in terms of the activation's output y. */
        private void slope(float[] y, float[] t, float[] dst, int len) {
            switch (act) {
                case Contract.ACT_TANH -> { for (int i = 0; i < len; i++) dst[i] = (1f - y[i] * y[i]) * t[i]; }
                case Contract.ACT_RELU -> { for (int i = 0; i < len; i++) dst[i] = y[i] > 0f ? t[i] : 0f; }
                default -> System.arraycopy(t, 0, dst, 0, len);
            }
        }
    }
}
