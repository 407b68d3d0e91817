package org.flowkernels.backend.cpu;

import static org.flowkernels.backend.cpu.MlpBlock.B;

import java.util.Arrays;
import java.util.List;
import org.flowkernels.spi.Contract;
import org.flowkernels.spi.Matrix;
import org.flowkernels.spi.Network;
import org.flowkernels.spi.TrainKernels;

/**
 * Coupling flows' forward and backward passes in float32 on Java arrays, through the inference
 * path's blocked layers ({@link BlockOps}). The batch is cut into blocks of B = 32 rows,
 * feature-major as the inference path keeps them, and the blocks into {@link #GROUPS} groups,
 * the same cuts for any number of threads. The forward pass runs block by block, the layers
 * writing their activations into the tape. The backward pass runs group by group and, within a
 * group, layer by layer over all its blocks: the weight gradient dyᵀ a is one product whose sum
 * runs over the group's rows in order ({@link BlockOps#weightGradient}), the input gradient
 * dy W is the inference layer with Wᵀ; the groups' gradients are added in group order. So the
 * bits do not depend on the thread count or on scheduling.
 *
 * <p>θ, its gradient and the optimizer's moments are float32 Java arrays, as on the devices;
 * the SPI's float64 host arrays are converted at its edges.
 */
final class CpuTrainKernels implements TrainKernels {
    /**
     * The backward pass sums the gradient into at most this many partial gradients, a fixed split
     * of the blocks (group q: blocks q·n/G ..), then adds those in order: the bits do not depend
     * on the thread count, and each weight product runs over a group's rows in one pass (W1 at
     * 16,384 rows: 1,024 rows), its accumulators leaving registers once per group.
     */
    static final int GROUPS = 16;

    private final CpuBackend backend;

    CpuTrainKernels(CpuBackend backend) {
        this.backend = backend;
    }

    /** θ, its gradient and the moments, float32; the groups' partial gradients, kept for the next backward pass. */
    private static final class CpuParameters implements Parameters {
        final float[] theta, gradient, first, second;
        final float[][] partial = new float[GROUPS][];
        final Rule rule;
        int steps;
        /**
         * The last closed tape, whose arrays the next run of the same model over as many blocks
         * fills again: a W1 tape at 16,384 rows is 330 MB in 20,000 arrays, and allocating it
         * (with the collections that copied it while it lived) cost several forward passes.
         */
        CpuTape spare;

        CpuParameters(double[] theta, Rule rule) {
            this.theta = new float[theta.length];
            for (int i = 0; i < theta.length; i++) this.theta[i] = (float) theta[i];
            this.rule = rule;
            gradient = new float[theta.length];
            first = new float[theta.length];
            second = rule.adam() ? new float[theta.length] : null;
        }

        @Override public int count() { return theta.length; }

        @Override public double[] values() { return doubles(theta); }

        @Override public double[] gradient() { return doubles(gradient); }

        /** Lets the spare tape and the partial gradients go (θ's own arrays go with this object). */
        @Override public void close() {
            spare = null;
            Arrays.fill(partial, null);
        }
    }

    private static double[] doubles(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return d;
    }

    @Override
    public Parameters parameters(double[] theta, Rule rule) {
        return new CpuParameters(theta, rule);
    }

    /** Per block, the activations of every conditioner layer and every coupling's input columns. */
    private static final class CpuTape implements Tape {
        final Model model;
        final CpuParameters parameters;
        final int rows;
        /**
         * act[b][k][l]: block b's coupling k conditioner layer l, feature-major [widths[l]][B]; l = 0
         * the input, the last the output, its first rows s = bound(raw) for an affine coupling.
         */
        final float[][][][] act;
        /** before[b][k]: block b's transformed columns as they entered coupling k, [transformedCount][B]. */
        final float[][][] before;

        /** A tape with the spare's arrays when the spare ran this model over as many blocks, else with the blocks' arrays to allocate. */
        CpuTape(Model model, CpuParameters parameters, int rows) {
            this.model = model;
            this.parameters = parameters;
            this.rows = rows;
            int blocks = (rows + B - 1) / B;
            CpuTape spare = parameters.spare;
            parameters.spare = null;
            boolean reuse = spare != null && spare.model == model && spare.act.length == blocks;
            act = reuse ? spare.act : new float[blocks][][][];
            before = reuse ? spare.before : new float[blocks][][];
        }

        @Override public int rows() { return rows; }

        @Override public void close() { parameters.spare = this; }
    }

    @Override
    public Tape run(Model model, Parameters theta, Matrix input, Matrix output, Matrix logDet) {
        CpuTape tape = new CpuTape(model, (CpuParameters) theta, input.rows());
        BlockOps ops = backend.blocks();
        float[] in = CpuBackend.floats(input), out = CpuBackend.floats(output), ld = CpuBackend.floats(logDet);
        backend.parallelFor(tape.act.length, 1, (from, to) -> {
            float[] state = new float[model.dim() * B], acc = new float[B];
            for (int b = from; b < to; b++) forward(ops, tape, in, out, ld, b, state, acc);
        });
        return tape;
    }

    /** Block b through every coupling, as the inference path runs it, its layers' outputs kept in the tape. */
    private static void forward(BlockOps ops, CpuTape tape, float[] input, float[] output, float[] logDet, int b, float[] state,
                                float[] acc) {
        Model model = tape.model;
        List<Coupling> steps = model.steps();
        int d = model.dim(), s0 = b * B, nb = Math.min(B, tape.rows - s0);
        float[] p = tape.parameters.theta;
        if (tape.act[b] == null) allocate(tape, b);
        float[][][] act = tape.act[b];
        float[][] before = tape.before[b];
        load(input, s0, nb, d, null, state);
        Arrays.fill(acc, 0f);
        for (int k = 0; k < steps.size(); k++) {
            Coupling c = steps.get(k);
            int[] w = c.widths(), cond = c.conditioning(), trans = c.transformed();
            int depth = w.length - 1;
            float[][] a = act[k];
            for (int j = 0; j < cond.length; j++) System.arraycopy(state, cond[j] * B, a[0], j * B, B);
            for (int l = 0; l < depth; l++)
                ops.layer(p, c.parameterOffset() + Network.weightOffset(w, l), c.parameterOffset() + Network.biasOffset(w, l), w[l],
                        w[l + 1], a[l], a[l + 1], l + 1 < depth ? c.activation() : Contract.ACT_IDENTITY);
            for (int j = 0; j < trans.length; j++) System.arraycopy(state, trans[j] * B, before[k], j * B, B);
            CpuCouplingKernels.update(ops, state, a[depth], acc, trans, c.affine(), c.scaleBound(), (float) c.clamp(), model.inverse(),
                    model.inverse() ? -1f : 1f);
        }
        int[] map = model.output();
        for (int s = 0; s < nb; s++) {
            for (int i = 0; i < d; i++) output[(s0 + s) * d + i] = state[(map == null ? i : map[i]) * B + s];
            logDet[s0 + s] = acc[s];
        }
    }

    /** Block b's arrays of the tape: every layer's activations and every coupling's transformed columns. */
    private static void allocate(CpuTape tape, int b) {
        List<Coupling> steps = tape.model.steps();
        tape.act[b] = new float[steps.size()][][];
        tape.before[b] = new float[steps.size()][];
        for (int k = 0; k < steps.size(); k++) {
            int[] w = steps.get(k).widths();
            tape.act[b][k] = new float[w.length][];
            for (int l = 0; l < w.length; l++) tape.act[b][k][l] = new float[w[l] * B];
            tape.before[b][k] = new float[steps.get(k).transformed().length * B];
        }
    }

    /** Rows [s0, s0 + nb) of x [n, cols] into a feature-major block, column k to block row map[k] (k without a map), zero tail. */
    private static void load(float[] x, int s0, int nb, int cols, int[] map, float[] block) {
        for (int s = 0; s < nb; s++)
            for (int k = 0; k < cols; k++) block[(map == null ? k : map[k]) * B + s] = x[(s0 + s) * cols + k];
        if (nb < B) for (int k = 0; k < cols; k++) Arrays.fill(block, k * B + nb, k * B + B, 0f);
    }

    @Override
    public double backward(Tape t, Matrix dOutput, Matrix rowWeight, double outputScale, double logDetScale) {
        CpuTape tape = (CpuTape) t;
        Cotangents ct = new Cotangents(CpuBackend.floats(dOutput), rowWeight == null ? null : CpuBackend.floats(rowWeight),
                outputScale, logDetScale);
        CpuParameters p = tape.parameters;
        BlockOps ops = backend.blocks();
        int blocks = tape.act.length, groups = Math.min(blocks, GROUPS), count = p.theta.length;
        float[][][] transposed = transposedWeights(tape.model, p.theta);
        backend.parallelFor(groups, 1, (from, to) -> {
            for (int q = from; q < to; q++) {
                if (p.partial[q] == null) p.partial[q] = new float[count];
                backward(ops, tape, transposed, ct, p.partial[q], q * blocks / groups, (q + 1) * blocks / groups);
            }
        });
        float[] gradient = p.gradient;
        backend.parallelFor(count, 1 << 14, (from, to) -> {
            System.arraycopy(p.partial[0], from, gradient, from, to - from);
            for (int q = 1; q < groups; q++) {
                float[] g = p.partial[q];
                for (int i = from; i < to; i++) gradient[i] += g[i];
            }
        });
        double squares = 0;
        for (float g : gradient) squares += (double) g * g;
        return Math.sqrt(squares);
    }

    /** Wᵀ [in, out] of every layer of every conditioner, then in zeros: the inference layer with it (zero bias) is dx = dy W. */
    private static float[][][] transposedWeights(Model model, float[] p) {
        float[][][] t = new float[model.steps().size()][][];
        for (int k = 0; k < t.length; k++) {
            Coupling c = model.steps().get(k);
            int[] w = c.widths();
            t[k] = new float[w.length - 1][];
            for (int l = 0; l + 1 < w.length; l++) {
                int in = w[l], out = w[l + 1], at = c.parameterOffset() + Network.weightOffset(w, l);
                float[] wt = new float[in * out + in];
                for (int o = 0; o < out; o++)
                    for (int i = 0; i < in; i++) wt[i * out + o] = p[at + o * in + i];
                t[k][l] = wt;
            }
        }
        return t;
    }

    /**
     * Blocks b0 .. b1 (a group) of the backward pass, coupling by coupling from the last and layer
     * by layer from the top over all the group's blocks; their gradient overwrites grad (every
     * parameter belongs to one layer, written once).
     */
    /** The caller's cotangents: row r's output gets a w_r dOutput_r, its log-det b w_r (w_r = 1 without weights). */
    private record Cotangents(float[] dOutput, float[] weight, double a, double b) {
        double w(int r) { return weight == null ? 1 : weight[r]; }
    }

    private static void backward(BlockOps ops, CpuTape tape, float[][][] transposed, Cotangents ct, float[] grad, int b0, int b1) {
        Model model = tape.model;
        int d = model.dim(), n = b1 - b0, widest = 0;
        for (Coupling c : model.steps())
            for (int width : c.widths()) widest = Math.max(widest, width);
        // g: the cotangent of the state (state column order), block by block; dy: the current layer's output's
        float[][] g = new float[n][d * B], ld = new float[n][B], dy = new float[n][widest * B], dx = new float[n][widest * B];
        float[] aT = new float[n * B * widest], lanes = new float[B];
        for (int b = 0; b < n; b++) {
            int s0 = (b0 + b) * B, nb = Math.min(B, tape.rows - s0);
            load(ct.dOutput(), s0, nb, d, model.output(), g[b]);
            for (int s = 0; s < nb; s++) {
                double w = ct.w(s0 + s);
                float scale = (float) (ct.a() * w);
                for (int k = 0; k < d; k++) g[b][k * B + s] *= scale;
                ld[b][s] = (float) (ct.b() * w);
            }
        }
        for (int k = model.steps().size() - 1; k >= 0; k--) {
            Coupling c = model.steps().get(k);
            int[] w = c.widths(), cond = c.conditioning(), trans = c.transformed();
            int depth = w.length - 1, dt = trans.length;
            for (int b = 0; b < n; b++) {
                float[] o = tape.act[b0 + b][k][depth], gb = g[b], y = dy[b];
                if (c.affine()) {
                    ops.affineBackward(gb, o, tape.before[b0 + b][k], ld[b], trans, model.inverse(), y);
                    boundSlope(c, o, y, dt * B);
                } else {
                    float dir = model.inverse() ? -1f : 1f;
                    for (int j = 0; j < dt; j++)
                        for (int s = 0; s < B; s++) y[j * B + s] = dir * gb[trans[j] * B + s];
                }
            }
            for (int l = depth - 1; l >= 0; l--) {
                int in = w[l], out = w[l + 1];
                for (int b = 0; b < n; b++) transpose(tape.act[b0 + b][k][l], in, aT, b * B * in);
                ops.weightGradient(dy, aT, n, in, out, grad, c.parameterOffset() + Network.weightOffset(w, l));
                biasGradient(dy, n, out, grad, c.parameterOffset() + Network.biasOffset(w, l), lanes);
                if (k == 0 && l == 0) break; // nothing needs the input's cotangent
                for (int b = 0; b < n; b++) ops.layer(transposed[k][l], 0, in * out, out, in, dy[b], dx[b], Contract.ACT_IDENTITY);
                for (int b = 0; b < n; b++) {
                    float[] x = dx[b], a = tape.act[b0 + b][k][l];
                    if (l > 0) activationSlope(c.activation(), a, x, in * B);
                    else
                        for (int j = 0; j < cond.length; j++)
                            for (int s = 0; s < B; s++) g[b][cond[j] * B + s] += x[j * B + s];
                }
                float[][] swap = dy;
                dy = dx;
                dx = swap;
            }
        }
    }

    /** A feature-major block a [in][B] into rows [B][in] of aT from aT[at]. */
    private static void transpose(float[] a, int in, float[] aT, int at) {
        for (int i = 0; i < in; i++)
            for (int s = 0; s < B; s++) aT[at + s * in + i] = a[i * B + s];
    }

    /** db[o] = Σ_r dy[o, r] over the group's rows: per lane over the blocks in order (a loop C2 vectorises), then the lanes in order. */
    private static void biasGradient(float[][] dy, int n, int out, float[] grad, int bOff, float[] lanes) {
        for (int o = 0; o < out; o++) {
            Arrays.fill(lanes, 0f);
            for (int b = 0; b < n; b++)
                for (int s = 0; s < B; s++) lanes[s] += dy[b][o * B + s];
            float sum = 0;
            for (float v : lanes) sum += v;
            grad[bOff + o] = sum;
        }
    }

    /** x[0..n) *= dφ/dx from y = φ(x), the layer's output. */
    private static void activationSlope(int phi, float[] y, float[] x, int n) {
        switch (phi) {
            case Contract.ACT_TANH -> { for (int i = 0; i < n; i++) x[i] *= 1 - y[i] * y[i]; }
            case Contract.ACT_RELU -> { for (int i = 0; i < n; i++) x[i] = y[i] > 0 ? x[i] : 0f; }
            case Contract.ACT_IDENTITY -> { }
            default -> throw new IllegalArgumentException("activation: expected an ACT_* code, got " + phi);
        }
    }

    /** dy[0..n) *= ds/do from s = bound(o), the first rows of the conditioner's output. */
    private static void boundSlope(Coupling c, float[] s, float[] dy, int n) {
        switch (c.scaleBound()) {
            case Contract.SCALE_TANH -> { for (int i = 0; i < n; i++) dy[i] *= 1 - s[i] * s[i]; }
            case Contract.SCALE_SOFT_CLAMP -> {
                float inv = (float) (1 / c.clamp());
                for (int i = 0; i < n; i++) dy[i] *= 1 - (s[i] * inv) * (s[i] * inv);
            }
            default -> { }
        }
    }

    @Override
    public void update(Parameters parameters, double rate, double scale) {
        CpuParameters p = (CpuParameters) parameters;
        float[] theta = p.theta, g = p.gradient, m = p.first, v = p.second;
        Rule r = p.rule;
        p.steps++;
        float eta = (float) rate, sc = (float) scale;
        // the bias corrections in float64, rounded once, as the devices get them from the host
        float c1 = (float) (1 - Math.pow(r.beta1(), p.steps)), c2 = (float) (1 - Math.pow(r.beta2(), p.steps));
        float b1 = (float) r.beta1(), b2 = (float) r.beta2(), eps = (float) r.epsilon(), mu = (float) r.momentum();
        backend.parallelFor(theta.length, 1 << 14, (from, to) -> {
            for (int i = from; i < to; i++) {
                float gi = g[i] * sc;
                if (r.adam()) {
                    float mi = b1 * m[i] + (1 - b1) * gi, vi = b2 * v[i] + (1 - b2) * gi * gi;
                    m[i] = mi;
                    v[i] = vi;
                    theta[i] -= eta * (mi / c1) / ((float) Math.sqrt(vi / c2) + eps);
                } else {
                    m[i] = mu * m[i] + gi;
                    theta[i] -= eta * m[i];
                }
            }
        });
    }
}
