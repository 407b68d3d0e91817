package org.flowkernels.backend.cpu;

import java.util.Arrays;
import org.flowkernels.spi.Contract;
import org.flowkernels.spi.Matrix;
import org.flowkernels.spi.Philox4x32;
import org.flowkernels.spi.Tableau;
import org.flowkernels.spi.UserFieldKernels;

/**
 * A user's vector field on the CPU: its Java velocity (and Jacobian-vector product) called on
 * blocks of {@link MlpBlock#B} states, coordinate-major, each block taken through every step in
 * cache; the blocks in parallel. The same stage and trace formulas as the device kernel
 * (native-kernels/user_field.cl).
 */
final class CpuUserFieldKernels implements UserFieldKernels {
    private static final int B = MlpBlock.B;
    private final CpuBackend cpu;

    CpuUserFieldKernels(CpuBackend cpu) { this.cpu = cpu; }

    @Override
    public boolean hasJvp(Field field) {
        return field.jvp() != null;
    }

    @Override
    public String path(Field field) {
        if (field.velocity() == null)
            throw new IllegalArgumentException("user field '" + field.name() + "': the CPU backend runs a user field through its Java "
                    + "velocity, and this one has none (its snippet " + field.snippet().file() + " is for OpenCL and CUDA); give one "
                    + "with UserField.withJava");
        return "cpu: the Java velocity per block of " + B + " states, " + cpu.threads() + " threads";
    }

    @Override
    public void solve(Problem how, Matrix x, Matrix deltaLogp, Matrix snapshotX, Matrix snapshotDeltaLogp) {
        path(how.field());
        float[] xs = CpuBackend.floats(x), dl = CpuBackend.floats(deltaLogp);
        float[] sx = snapshotX == null ? null : CpuBackend.floats(snapshotX);
        float[] sl = snapshotDeltaLogp == null ? null : CpuBackend.floats(snapshotDeltaLogp);
        int n = x.rows();
        cpu.parallelFor((n + B - 1) / B, 1, (b0, b1) -> {
            Block block = new Block(how, n);
            for (int b = b0; b < b1; b++) block.run(b * B, xs, dl, sx, sl);
        });
    }

    /** One thread's block of states and scratch, [D][B]. */
    private static final class Block {
        private final Problem how;
        private final Field f;
        private final float[] p;
        private final int n, D, T;
        private final Tableau tableau;
        private final float[] x, xs, k, acc, v, e, jv, y, w, dl = new float[B], accl = new float[B], tr = new float[B],
                delta = new float[B];
        private final int[] word = new int[4];

        Block(Problem how, int n) {
            this.how = how;
            this.f = how.field();
            this.p = f.parameters();
            this.n = n;
            this.D = f.dim();
            this.T = how.tangents();
            this.tableau = how.tableau();
            x = new float[D * B];
            xs = new float[D * B];
            k = new float[D * B];
            acc = new float[D * B];
            v = new float[D * B];
            e = new float[D * B];
            jv = new float[D * B];
            y = new float[D * B];
            w = new float[D * B];
        }

        void run(int s0, float[] xAll, float[] dlAll, float[] sx, float[] sl) {
            int nb = Math.min(B, n - s0);
            MlpBlock.load(xAll, s0, nb, D, x);
            for (int c = 0; c < D; c++) Arrays.fill(x, c * B + nb, c * B + B, x[c * B]); // padding: a copy of the first state
            Arrays.fill(k, 0f);
            Arrays.fill(dl, 0f);
            float h = how.h();
            for (int step = 0; step < how.steps(); step++) {
                float t = how.t0() + step * h;
                for (int stage = 0; stage < tableau.stages(); stage++) {
                    float ah = (float) tableau.a(stage) * h, b = (float) tableau.b(stage), ts = t + ah;
                    for (int i = 0; i < D * B; i++) xs[i] = x[i] + ah * k[i];
                    velocity(xs, ts, v);
                    trace(s0, nb, ts);
                    boolean first = stage == 0;
                    for (int i = 0; i < D * B; i++) {
                        k[i] = v[i];
                        acc[i] = (first ? 0f : acc[i]) + b * v[i];
                    }
                    for (int s = 0; s < B; s++) accl[s] = (first ? 0f : accl[s]) - b * how.traceWeight() * tr[s];
                }
                for (int i = 0; i < D * B; i++) x[i] += h * acc[i];
                for (int s = 0; s < B; s++) dl[s] += h * accl[s];
                if (how.saveEvery() > 0 && (step + 1) % how.saveEvery() == 0) {
                    int row = ((step + 1) / how.saveEvery() - 1) * n + s0;
                    MlpBlock.store(x, row, nb, D, sx);
                    System.arraycopy(dl, 0, sl, row, nb);
                }
            }
            MlpBlock.store(x, s0, nb, D, xAll);
            System.arraycopy(dl, 0, dlAll, s0, nb);
        }

        private void velocity(float[] at, float t, float[] out) {
            try {
                f.velocity().velocity(D, B, at, t, p, out);
            } catch (RuntimeException ex) {
                throw UserCode.failure(f.name(), f.velocity(), ex);
            }
        }

        /** tr[s] = Σ_j ε_j · J ε_j at (xs, t): the JVP, or central differences of the velocity. */
        private void trace(int s0, int nb, float t) {
            Arrays.fill(tr, 0f);
            boolean fd = how.traceMode() == Contract.USER_TRACE_FINITE_DIFFERENCE;
            if (fd)
                for (int s = 0; s < B; s++) {
                    float m = 0f;
                    for (int c = 0; c < D; c++) m = Math.max(m, Math.abs(xs[c * B + s]));
                    delta[s] = how.fdStep() * (1f + m);
                }
            for (int j = 0; j < T; j++) {
                probe(s0, nb, j);
                if (fd) {
                    for (int c = 0; c < D; c++)
                        for (int s = 0; s < B; s++) y[c * B + s] = xs[c * B + s] + delta[s] * e[c * B + s];
                    velocity(y, t, jv);
                    for (int c = 0; c < D; c++)
                        for (int s = 0; s < B; s++) y[c * B + s] = xs[c * B + s] - delta[s] * e[c * B + s];
                    velocity(y, t, w);
                    for (int c = 0; c < D; c++)
                        for (int s = 0; s < B; s++) jv[c * B + s] = (jv[c * B + s] - w[c * B + s]) / (2f * delta[s]);
                } else {
                    try {
                        f.jvp().jvp(D, B, xs, t, p, e, jv);
                    } catch (RuntimeException ex) {
                        throw UserCode.failure(f.name(), f.jvp(), ex);
                    }
                }
                for (int c = 0; c < D; c++)
                    for (int s = 0; s < B; s++) tr[s] += e[c * B + s] * jv[c * B + s];
            }
        }

        /** Probe j of every state of the block: e_j (exact trace) or Philox (s0 + s, j, c / 4, stream). */
        private void probe(int s0, int nb, int j) {
            if (how.probe() == Contract.PROBE_EXACT) {
                Arrays.fill(e, 0f);
                Arrays.fill(e, j * B, j * B + B, 1f);
                return;
            }
            for (int s = 0; s < B; s++)
                for (int c = 0; c < D; c++) {
                    if ((c & 3) == 0) Philox4x32.block(how.seed(), s0 + (s < nb ? s : 0), j, c >> 2, how.probeStream(), word);
                    e[c * B + s] = Philox4x32.draw(how.probe(), word, c & 3);
                }
        }
    }
}
