package org.flowkernels.train;

import java.util.List;
import org.flowkernels.spi.Contract;
import org.flowkernels.spi.Network;
import org.flowkernels.spi.TrainKernels.Coupling;
import org.flowkernels.spi.TrainKernels.Model;
import org.flowkernels.spi.TrainKernels.Rule;

/**
 * The train kernels in float64 on Java arrays, one thread: the reference the backends' float32
 * kernels are held to (TrainKernelsContractTest), itself held to central differences of
 * FlowReference (TrainGradientTest). It was the CPU backend's implementation before that moved
 * to float32. The batch is cut into blocks of {@link #ROWS} rows and the blocks into
 * {@link #GROUPS} groups: a group's gradient is summed over its blocks' rows in order, and the
 * groups' gradients are added in group order.
 *
 * <p>Every matrix product is written as axpy updates (y += a·w over a contiguous w),
 * the loop form HotSpot vectorizes; dot-product loops over doubles it does not. θ, its gradient
 * and the optimizer's moments are float64 Java arrays.
 */
final class TrainReference {
    /** Rows per block: the unit of the fixed summation order. */
    static final int ROWS = 32;

    /** The backward pass sums the blocks' gradients into at most this many partial gradients (group q: blocks q·B/G ..), then adds those in order. */
    static final int GROUPS = 16;

    /** θ, its gradient and the moments, float64. */
    static final class ReferenceParameters {
        final double[] theta, gradient, first, second;
        final Rule rule;
        int steps;

        ReferenceParameters(double[] theta, Rule rule) {
            this.theta = theta.clone();
            this.rule = rule;
            gradient = new double[theta.length];
            first = new double[theta.length];
            second = rule.adam() ? new double[theta.length] : null;
        }

        double[] values() { return theta.clone(); }

        double[] gradient() { return gradient.clone(); }
    }

    ReferenceParameters parameters(double[] theta, Rule rule) {
        return new ReferenceParameters(theta, rule);
    }

    /** A run's state: the activations of every conditioner layer and every coupling's input columns. */
    static final class ReferenceTape {
        final Model model;
        final ReferenceParameters parameters;
        final int rows;
        final double[] state, output, logDet;
        /** act[k][l]: coupling k's conditioner layer l, [rows, widths[l]]; l = 0 the input, the last the raw output. */
        final double[][][] act;
        /** before[k]: coupling k's transformed columns as they entered it, [rows, transformedCount]. */
        final double[][] before;

        ReferenceTape(Model model, ReferenceParameters parameters, int rows) {
            this.model = model;
            this.parameters = parameters;
            this.rows = rows;
            int d = model.dim();
            state = new double[rows * d];
            output = model.output() == null ? state : new double[rows * d];
            logDet = new double[rows];
            List<Coupling> steps = model.steps();
            act = new double[steps.size()][][];
            before = new double[steps.size()][];
            for (int k = 0; k < steps.size(); k++) {
                int[] w = steps.get(k).widths();
                act[k] = new double[w.length][];
                for (int l = 0; l < w.length; l++) act[k][l] = new double[rows * w[l]];
                before[k] = new double[rows * steps.get(k).transformed().length];
            }
        }

        int rows() { return rows; }

        double[] output() { return output; }

        double[] logDet() { return logDet; }
    }

    ReferenceTape run(Model model, ReferenceParameters theta, double[] input, int rows) {
        ReferenceTape tape = new ReferenceTape(model, theta, rows);
        System.arraycopy(input, 0, tape.state, 0, rows * model.dim());
        double[][][] transposed = transposedWeights(model, tape.parameters.theta);
        int blocks = (rows + ROWS - 1) / ROWS;
        for (int b = 0; b < blocks; b++) forward(tape, transposed, b * ROWS, Math.min(rows, (b + 1) * ROWS));
        return tape;
    }

    /** W^T [in, out] of every layer of every conditioner, so the forward products are axpy rows. */
    private static double[][][] transposedWeights(Model model, double[] p) {
        double[][][] t = new double[model.steps().size()][][];
        for (int k = 0; k < t.length; k++) {
            Coupling c = model.steps().get(k);
            int[] w = c.widths();
            t[k] = new double[w.length - 1][];
            for (int l = 0; l + 1 < w.length; l++) {
                int in = w[l], out = w[l + 1], at = c.parameterOffset() + Network.weightOffset(w, l);
                double[] wt = new double[in * out];
                for (int o = 0; o < out; o++)
                    for (int i = 0; i < in; i++) wt[i * out + o] = p[at + o * in + i];
                t[k][l] = wt;
            }
        }
        return t;
    }

    private static void forward(ReferenceTape tape, double[][][] transposed, int r0, int r1) {
        Model model = tape.model;
        int d = model.dim();
        double[] x = tape.state, p = tape.parameters.theta;
        for (int k = 0; k < model.steps().size(); k++) {
            Coupling c = model.steps().get(k);
            int[] w = c.widths(), cond = c.conditioning(), trans = c.transformed();
            double[][] a = tape.act[k];
            int dc = cond.length, dt = trans.length, depth = w.length - 1;
            for (int r = r0; r < r1; r++)
                for (int j = 0; j < dc; j++) a[0][r * dc + j] = x[r * d + cond[j]];
            for (int l = 0; l < depth; l++) {
                int in = w[l], out = w[l + 1], bias = c.parameterOffset() + Network.biasOffset(w, l);
                double[] src = a[l], dst = a[l + 1], wt = transposed[k][l];
                int phi = l + 1 < depth ? c.activation() : Contract.ACT_IDENTITY;
                for (int r = r0; r < r1; r++) System.arraycopy(p, bias, dst, r * out, out);
                blockProduct(src, r0 * in, in, wt, 0, dst, r0 * out, out, r1 - r0);
                activate(phi, dst, r0 * out, (r1 - r0) * out);
            }
            double[] o = a[depth], before = tape.before[k];
            int width = w[depth];
            for (int r = r0; r < r1; r++) {
                double sumS = 0;
                for (int j = 0; j < dt; j++) {
                    int at = r * d + trans[j];
                    double v = x[at];
                    before[r * dt + j] = v;
                    if (c.affine()) {
                        double s = bound(c, o[r * width + j]), shift = o[r * width + dt + j];
                        x[at] = model.inverse() ? (v - shift) * StrictMath.exp(-s) : v * StrictMath.exp(s) + shift;
                        sumS += s;
                    } else {
                        double shift = o[r * width + j];
                        x[at] = model.inverse() ? v - shift : v + shift;
                    }
                }
                tape.logDet[r] += model.inverse() ? -sumS : sumS;
            }
        }
        int[] map = model.output();
        if (map != null)
            for (int r = r0; r < r1; r++)
                for (int i = 0; i < d; i++) tape.output[r * d + i] = x[r * d + map[i]];
    }

    double backward(ReferenceTape tape, double[] dOutput, double[] dLogDet) {
        double[] gradient = tape.parameters.gradient;
        int blocks = (tape.rows + ROWS - 1) / ROWS, count = tape.model.parameterCount();
        int groups = Math.min(blocks, GROUPS);
        double[][] partial = new double[groups][];
        for (int q = 0; q < groups; q++) {
            partial[q] = new double[count];
            for (int b = q * blocks / groups; b < (q + 1) * blocks / groups; b++)
                backward(tape, dOutput, dLogDet, partial[q], b * ROWS, Math.min(tape.rows, (b + 1) * ROWS));
        }
        System.arraycopy(partial[0], 0, gradient, 0, count);
        for (int q = 1; q < groups; q++) {
            double[] g = partial[q];
            for (int i = 0; i < count; i++) gradient[i] += g[i];
        }
        double squares = 0;
        for (double g : gradient) squares += g * g;
        return Math.sqrt(squares);
    }

    void update(ReferenceParameters p, double rate, double scale) {
        double[] theta = p.theta, g = p.gradient, first = p.first, second = p.second;
        Rule r = p.rule;
        p.steps++;
        if (r.adam()) {
            double c1 = 1 - Math.pow(r.beta1(), p.steps), c2 = 1 - Math.pow(r.beta2(), p.steps);
            for (int i = 0; i < theta.length; i++) {
                double gi = g[i] * scale;
                first[i] = r.beta1() * first[i] + (1 - r.beta1()) * gi;
                second[i] = r.beta2() * second[i] + (1 - r.beta2()) * gi * gi;
                theta[i] -= rate * (first[i] / c1) / (Math.sqrt(second[i] / c2) + r.epsilon());
            }
        } else {
            for (int i = 0; i < theta.length; i++) {
                first[i] = r.momentum() * first[i] + g[i] * scale;
                theta[i] -= rate * first[i];
            }
        }
    }

    /** Rows r0 .. r1 of the backward pass, their gradient summed row by row into grad. */
    private static void backward(ReferenceTape tape, double[] dOutput, double[] dLogDet, double[] grad, int r0, int r1) {
        Model model = tape.model;
        int d = model.dim(), n = r1 - r0;
        double[] p = tape.parameters.theta;
        // g: the cotangent of the state (state column order), from the last layer back to the first
        double[] g = new double[n * d];
        int[] map = model.output();
        for (int r = 0; r < n; r++)
            for (int i = 0; i < d; i++) g[r * d + (map == null ? i : map[i])] = dOutput[(r0 + r) * d + i];
        for (int k = model.steps().size() - 1; k >= 0; k--) {
            Coupling c = model.steps().get(k);
            int[] w = c.widths(), cond = c.conditioning(), trans = c.transformed();
            int depth = w.length - 1, dt = trans.length, width = w[depth];
            double[][] a = tape.act[k];
            double[] o = a[depth], before = tape.before[k];
            // dy: the cotangent of the current conditioner layer's pre-activation, starting at its raw output
            double[] dy = new double[n * width];
            for (int r = 0; r < n; r++) {
                int row = r0 + r;
                for (int j = 0; j < dt; j++) {
                    int at = r * d + trans[j];
                    double gx = g[at];
                    if (c.affine()) {
                        double s = bound(c, o[row * width + j]), shift = o[row * width + dt + j], ds, dShift;
                        if (model.inverse()) {
                            double e = StrictMath.exp(-s);
                            g[at] = gx * e;
                            dShift = -gx * e;
                            ds = -gx * (before[row * dt + j] - shift) * e - dLogDet[row];
                        } else {
                            double e = StrictMath.exp(s);
                            g[at] = gx * e;
                            dShift = gx;
                            ds = gx * before[row * dt + j] * e + dLogDet[row];
                        }
                        dy[r * width + j] = ds * boundSlope(c, s);
                        dy[r * width + dt + j] = dShift;
                    } else {
                        dy[r * width + j] = model.inverse() ? -gx : gx;
                    }
                }
            }
            for (int l = depth - 1; l >= 0; l--) {
                int in = w[l], out = w[l + 1];
                int wAt = c.parameterOffset() + Network.weightOffset(w, l), bAt = c.parameterOffset() + Network.biasOffset(w, l);
                double[] src = a[l], dx = new double[n * in];
                // dW += dyᵀ a and db += Σ_r dy: row q of W gathers the block's rows, four at a time
                for (int q = 0; q < out; q++) {
                    int wRow = wAt + q * in, r = 0;
                    for (; r + 3 < n; r += 4) {
                        double v0 = dy[r * out + q], v1 = dy[(r + 1) * out + q], v2 = dy[(r + 2) * out + q], v3 = dy[(r + 3) * out + q];
                        grad[bAt + q] += v0 + v1 + v2 + v3;
                        int s0 = (r0 + r) * in, s1 = s0 + in, s2 = s1 + in, s3 = s2 + in;
                        for (int i = 0; i < in; i++)
                            grad[wRow + i] += v0 * src[s0 + i] + v1 * src[s1 + i] + v2 * src[s2 + i] + v3 * src[s3 + i];
                    }
                    for (; r < n; r++) {
                        double v = dy[r * out + q];
                        grad[bAt + q] += v;
                        int s0 = (r0 + r) * in;
                        for (int i = 0; i < in; i++) grad[wRow + i] += v * src[s0 + i];
                    }
                }
                // dx = dy W, then through φ' of the layer below
                blockProduct(dy, 0, out, p, wAt, dx, 0, in, n);
                if (l > 0)
                    for (int r = 0; r < n; r++) {
                        int phi = c.activation(), row = r0 + r;
                        for (int i = 0; i < in; i++) dx[r * in + i] *= slope(phi, src[row * in + i]);
                    }
                dy = dx;
            }
            for (int r = 0; r < n; r++)
                for (int j = 0; j < cond.length; j++) g[r * d + cond[j]] += dy[r * cond.length + j];
        }
    }

    /**
     * dst[r] += src[r] · M for the n rows of a block (src rows of k, dst rows of c, M [k, c]
     * row-major at mAt), as axpys: four rows of M at a time, each quad used for every row of the
     * block while it is in L1 (one row at a time re-read all of M per row). Each row sums its
     * quads in the same order whatever n is, so a row's bits do not depend on its block.
     */
    private static void blockProduct(double[] src, int srcAt, int k, double[] m, int mAt, double[] dst, int dstAt, int c, int n) {
        int j = 0;
        for (; j + 3 < k; j += 4) {
            int m0 = mAt + j * c, m1 = m0 + c, m2 = m1 + c, m3 = m2 + c;
            for (int r = 0; r < n; r++) {
                int v = srcAt + r * k + j, y = dstAt + r * c;
                double v0 = src[v], v1 = src[v + 1], v2 = src[v + 2], v3 = src[v + 3];
                for (int o = 0; o < c; o++) dst[y + o] += v0 * m[m0 + o] + v1 * m[m1 + o] + v2 * m[m2 + o] + v3 * m[m3 + o];
            }
        }
        for (; j < k; j++) {
            int m0 = mAt + j * c;
            for (int r = 0; r < n; r++) {
                double vj = src[srcAt + r * k + j];
                int y = dstAt + r * c;
                for (int o = 0; o < c; o++) dst[y + o] += vj * m[m0 + o];
            }
        }
    }

    private static void activate(int phi, double[] y, int from, int n) {
        switch (phi) {
            case Contract.ACT_TANH -> {
                for (int i = from; i < from + n; i++) y[i] = StrictMath.tanh(y[i]);
            }
            case Contract.ACT_RELU -> {
                for (int i = from; i < from + n; i++) y[i] = Math.max(y[i], 0.0);
            }
            case Contract.ACT_IDENTITY -> { }
            default -> throw new IllegalArgumentException("activation: expected an ACT_* code, got " + phi);
        }
    }

    /** dφ/dx from y = φ(x). */
    private static double slope(int phi, double y) {
        return switch (phi) {
            case Contract.ACT_TANH -> 1 - y * y;
            case Contract.ACT_RELU -> y > 0 ? 1 : 0;
            default -> 1;
        };
    }

    private static double bound(Coupling c, double o) {
        return switch (c.scaleBound()) {
            case Contract.SCALE_TANH -> StrictMath.tanh(o);
            case Contract.SCALE_SOFT_CLAMP -> c.clamp() * StrictMath.tanh(o / c.clamp());
            default -> o;
        };
    }

    /** ds/do from s. */
    private static double boundSlope(Coupling c, double s) {
        return switch (c.scaleBound()) {
            case Contract.SCALE_TANH -> 1 - s * s;
            case Contract.SCALE_SOFT_CLAMP -> 1 - (s / c.clamp()) * (s / c.clamp());
            default -> 1;
        };
    }
}
