package org.flowkernels.backend.device;

import java.util.List;
import org.flowkernels.spi.Buffer;
import org.flowkernels.spi.Contract;
import org.flowkernels.spi.Matrix;
import org.flowkernels.spi.Memory;
import org.flowkernels.spi.Network;
import org.flowkernels.spi.TrainKernels;

/**
 * Training of coupling flows on OpenCL and CUDA, in float32. The forward pass is the inference
 * path's kernels (coupling.cl's begin and update, linear.cl's layers through
 * {@link DeviceNnKernels#linear}) with every conditioner layer's output and the state before
 * each coupling kept in the tape; the backward pass and the optimizer are train.cl. θ, its
 * gradient, the moments, the batch, its outputs and cotangents all stay in device memory; the
 * gradient's norm is the one number a backward pass reads back.
 */
final class DeviceTrainKernels implements TrainKernels {
    /** Rows one split of a weight gradient sums: at a large batch the splits keep many work-groups busy (the dW tiles alone are few). */
    static final int SPLIT_ROWS = 512;
    static final int MAX_SPLITS = 64;
    /** Work-groups of the first pass of the gradient's sum of squares. */
    static final int NORM_PARTS = 256;
    /** The most tiles the second grid dimension takes (CUDA's gridDim.y). */
    private static final long MAX_Y_TILES = 65_535;

    private final DeviceBackend dev;
    private final DeviceNnKernels nn;

    DeviceTrainKernels(DeviceBackend dev, DeviceNnKernels nn) {
        this.dev = dev;
        this.nn = nn;
    }

    private final class DeviceParameters implements Parameters {
        final int count;
        final Rule rule;
        Buffer theta, gradient, first, second, partial;
        int steps;

        DeviceParameters(double[] values, Rule rule) {
            this.count = values.length;
            this.rule = rule;
            Memory mem = dev.memory();
            try {
                theta = mem.upload(floats(values, values.length));
                gradient = zeros(count);
                first = zeros(count);
                second = rule.adam() ? zeros(count) : null;
                partial = mem.allocate(Buffer.Type.FLOAT32, NORM_PARTS);
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        private Buffer zeros(long n) {
            Buffer b = dev.memory().allocate(Buffer.Type.FLOAT32, Math.max(1, n));
            dev.memory().fill(b, 0);
            return b;
        }

        @Override public int count() { return count; }

        @Override public double[] values() { return read(theta, count); }

        @Override public double[] gradient() { return read(gradient, count); }

        @Override
        public void close() {
            for (Buffer b : new Buffer[] {theta, gradient, first, second, partial})
                if (b != null) dev.memory().free(b);
        }
    }

    @Override
    public Parameters parameters(double[] theta, Rule rule) {
        return new DeviceParameters(theta, rule);
    }

    /**
     * A run in device memory: the index list (per coupling its conditioning then its transformed
     * columns, then the output map), each conditioner layer's output act[k][l + 1] (act[k][0] the
     * gathered conditioner input) and the state before coupling k, all from one Scratch held
     * until close.
     */
    private final class DeviceTape implements Tape {
        final Model model;
        final DeviceParameters theta;
        final int rows;
        final Scratch scratch = dev.scratch();
        final int[] condOff, transOff;
        final int mapOff;
        final Buffer idx;
        final Buffer[][] act;
        final Buffer[] before;

        DeviceTape(Model model, DeviceParameters theta, int rows) {
            this.model = model;
            this.theta = theta;
            this.rows = rows;
            List<Coupling> steps = model.steps();
            int k = steps.size(), length = model.output() == null ? 0 : model.output().length;
            condOff = new int[k];
            transOff = new int[k];
            for (Coupling c : steps) length += c.conditioning().length + c.transformed().length;
            int[] list = new int[Math.max(1, length)];
            int at = 0;
            for (int i = 0; i < k; i++) {
                Coupling c = steps.get(i);
                condOff[i] = at;
                System.arraycopy(c.conditioning(), 0, list, at, c.conditioning().length);
                at += c.conditioning().length;
                transOff[i] = at;
                System.arraycopy(c.transformed(), 0, list, at, c.transformed().length);
                at += c.transformed().length;
            }
            mapOff = at;
            if (model.output() != null) System.arraycopy(model.output(), 0, list, at, model.output().length);
            act = new Buffer[k][];
            before = new Buffer[k];
            try {
                idx = scratch.upload(list);
                for (int i = 0; i < k; i++) {
                    int[] w = steps.get(i).widths();
                    act[i] = new Buffer[w.length];
                    for (int l = 0; l < w.length; l++) act[i][l] = scratch.floats((long) rows * w[l]);
                    before[i] = scratch.floats((long) rows * model.dim());
                }
            } catch (RuntimeException e) {
                scratch.close();
                throw e;
            }
        }

        @Override public int rows() { return rows; }

        @Override public void close() { scratch.close(); }
    }

    @Override
    public Tape run(Model model, Parameters parameters, Matrix input, Matrix output, Matrix logDet) {
        DeviceParameters theta = (DeviceParameters) parameters;
        int rows = input.rows(), d = model.dim();
        checkRows(rows);
        DeviceTape t = new DeviceTape(model, theta, rows);
        try {
            Scratch s = t.scratch;
            List<Coupling> steps = model.steps();
            Buffer state = model.output() == null ? output.buffer() : s.floats((long) rows * d), none = s.floats(1);
            RowTeams teams = RowTeams.of(dev, d);
            Coupling first = steps.isEmpty() ? null : steps.get(0);
            teams.launch(dev, new Kernels.CouplingBegin(input, state, logDet, t.idx, first == null ? 0 : t.condOff[0],
                    first == null ? 0 : first.conditioning().length, first == null ? none : t.act[0][0], rows, d, 0,
                    teams.lanes(), teams.red()), rows);
            for (int k = 0; k < steps.size(); k++) {
                Coupling c = steps.get(k);
                int[] w = c.widths();
                int depth = w.length - 1;
                for (int l = 0; l < depth; l++)
                    nn.linear(t.act[k][l], theta.theta, c.parameterOffset() + Network.weightOffset(w, l),
                            c.parameterOffset() + Network.biasOffset(w, l), t.act[k][l + 1], rows, w[l], w[l + 1],
                            l + 1 < depth ? c.activation() : Contract.ACT_IDENTITY);
                dev.memory().copy(state, 0, t.before[k], 0, (long) rows * d);
                boolean last = k + 1 == steps.size();
                teams.launch(dev, new Kernels.CouplingUpdate(state, t.act[k][depth], logDet, t.idx, t.transOff[k],
                        c.transformed().length, c.affine() ? 1 : 0, c.scaleBound(), (float) c.clamp(), model.inverse() ? 1 : 0,
                        model.inverse() ? -1f : 1f, last ? 0 : t.condOff[k + 1], last ? 0 : steps.get(k + 1).conditioning().length,
                        last ? none : t.act[k + 1][0], rows, d, 0, teams.lanes(), teams.red()), rows);
            }
            if (model.output() != null)
                dev.launch(new Kernels.CouplingOutput(state, output, t.idx, t.mapOff, rows, d), (long) rows * d);
            return t;
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    @Override
    public double backward(Tape tape, Matrix dOutput, Matrix rowWeight, double outputScale, double logDetScale) {
        DeviceTape t = (DeviceTape) tape;
        Model model = t.model;
        DeviceParameters theta = t.theta;
        int n = t.rows, d = model.dim();
        try (Scratch s = dev.scratch()) {
            Buffer g = s.floats((long) n * d), dld = s.floats(n);
            dev.launch(new Kernels.TrainCotangent(dOutput, rowWeight == null ? dOutput : rowWeight, rowWeight == null ? 0 : 1,
                    (float) outputScale, (float) logDetScale, t.idx, t.mapOff, model.output() == null ? 0 : 1, g, dld, n, d),
                    (long) n * d);
            int widest = 1, splits = splits(n);
            long partialSize = 1;
            for (Coupling c : model.steps())
                for (int l = 0; l + 1 < c.widths().length; l++) {
                    widest = Math.max(widest, Math.max(c.widths()[l], c.widths()[l + 1]));
                    partialSize = Math.max(partialSize, (long) splits * c.widths()[l + 1] * (c.widths()[l] + 1));
                }
            Buffer dy = s.floats((long) n * widest), dx = s.floats((long) n * widest), partial = s.floats(partialSize);
            int rowsPerSplit = (n + splits - 1) / splits;
            for (int k = model.steps().size() - 1; k >= 0; k--) {
                Coupling c = model.steps().get(k);
                int[] w = c.widths();
                int depth = w.length - 1, dt = c.transformed().length;
                dev.launch(new Kernels.TrainCouplingBackward(g, t.act[k][depth], t.before[k], dld, t.idx, t.transOff[k], dt,
                        c.affine() ? 1 : 0, c.scaleBound(), (float) c.clamp(), model.inverse() ? 1 : 0, dy, n, d), (long) n * dt);
                for (int l = depth - 1; l >= 0; l--) {
                    int in = w[l], out = w[l + 1];
                    int wAt = c.parameterOffset() + Network.weightOffset(w, l), bAt = c.parameterOffset() + Network.biasOffset(w, l);
                    long colTiles = tiles(in + 1), outTiles = tiles(out);
                    checkYTiles(outTiles, "out");
                    dev.launch2d(new Kernels.TrainWeightGradient(dy, t.act[k][l], partial, n, in, out, rowsPerSplit),
                            colTiles * splits * DeviceLimits.TRAIN_GROUP, outTiles, DeviceLimits.TRAIN_GROUP, 1);
                    dev.launch(new Kernels.TrainWeightSum(partial, splits, theta.gradient, wAt, bAt, in, out), (long) out * (in + 1));
                    dev.launch2d(new Kernels.TrainInputGradient(dy, theta.theta, wAt, t.act[k][l], dx, g, t.idx, t.condOff[k],
                            l == 0 ? 1 : 0, c.activation(), n, in, out, d), tiles(in) * DeviceLimits.TRAIN_GROUP, tiles(n),
                            DeviceLimits.TRAIN_GROUP, 1);
                    Buffer swap = dy;
                    dy = dx;
                    dx = swap;
                }
            }
            Buffer sum = s.floats(1);
            dev.launch2d(new Kernels.TrainSumSquares(theta.gradient, theta.count, NORM_PARTS, 1, theta.partial),
                    (long) NORM_PARTS * DeviceLimits.TRAIN_GROUP, 1, DeviceLimits.TRAIN_GROUP, 1);
            dev.launch2d(new Kernels.TrainSumSquares(theta.partial, NORM_PARTS, 1, 0, sum), DeviceLimits.TRAIN_GROUP, 1,
                    DeviceLimits.TRAIN_GROUP, 1);
            return Math.sqrt(read(sum, 1)[0]);
        }
    }

    @Override
    public void update(Parameters parameters, double rate, double scale) {
        DeviceParameters p = (DeviceParameters) parameters;
        Rule r = p.rule;
        p.steps++;
        double c1 = r.adam() ? 1 - Math.pow(r.beta1(), p.steps) : 1, c2 = r.adam() ? 1 - Math.pow(r.beta2(), p.steps) : 1;
        dev.launch(new Kernels.TrainUpdate(p.theta, p.gradient, p.first, r.adam() ? p.second : p.first, p.count, r.adam() ? 1 : 0,
                (float) rate, (float) scale, (float) r.beta1(), (float) r.beta2(), (float) r.epsilon(), (float) c1, (float) c2,
                (float) r.momentum()), p.count);
    }

    /** Row splits of a weight gradient at batch n: one per SPLIT_ROWS rows, at most MAX_SPLITS. */
    static int splits(int n) {
        return Math.max(1, Math.min(MAX_SPLITS, n / SPLIT_ROWS));
    }

    private static long tiles(long n) {
        return (n + DeviceLimits.TRAIN_TILE - 1) / DeviceLimits.TRAIN_TILE;
    }

    private static void checkRows(int rows) {
        checkYTiles(tiles(rows), "rows");
    }

    private static void checkYTiles(long tiles, String what) {
        if (tiles > MAX_Y_TILES)
            throw new IllegalArgumentException(what + ": at most " + MAX_Y_TILES * DeviceLimits.TRAIN_TILE
                    + " in one training pass on the device, got about " + tiles * DeviceLimits.TRAIN_TILE);
    }

    private static float[] floats(double[] v, int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = (float) v[i];
        return f;
    }

    private double[] read(Buffer b, int n) {
        float[] f = new float[n];
        dev.memory().read(b, 0, f, 0, n);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = f[i];
        return v;
    }
}
