package org.flowkernels.train;

import java.io.IOException;
import java.lang.ref.Cleaner;
import java.nio.file.Path;
import java.util.Arrays;
import org.flowkernels.Backend;
import org.flowkernels.Check;
import org.flowkernels.FlowKernelsException;
import org.flowkernels.Tensor;
import org.flowkernels.flow.CouplingFlow;
import org.flowkernels.physics.Potential;
import org.flowkernels.rng.Distribution;
import org.flowkernels.rng.Rng;
import org.flowkernels.spi.Philox4x32;
import org.flowkernels.spi.TrainKernels;

/**
 * Trains a {@link CouplingFlow} by stochastic gradient steps on one of two losses:
 * <ul>
 *   <li>{@link #variationalFreeEnergy}: F[q] = E_{z~N(0,I)} [H(x) + ln q(x) / β], x = f(z), the
 *       reverse KL to exp(−βH) up to −ln Z / β, with the pathwise (reparameterization) gradient:
 *       ∇_θ H(f(z)) − ∇_θ ln|det ∂f/∂z| / β, the potential's gradient from the backend. F[q] is
 *       an upper bound of the exact free energy −ln Z / β, reached when q is the target.</li>
 *   <li>{@link #maximumLikelihood}: −E_data[ln q(x)], the forward KL up to the data's entropy,
 *       on rows drawn uniformly (with replacement) from the data.</li>
 * </ul>
 * The passes, the gradient and the optimizer's step run on the options' backend (its
 * {@link TrainKernels}, in float32, where θ and the moments stay in the backend's memory and
 * only the batch, its outputs and cotangents cross per step); {@link #flow()} and
 * {@link #save} give the float32 model. Every draw is Philox from the
 * seed and the step, and the batch sums run in a fixed order, so the same seed gives the same
 * losses, bit for bit, on a backend. A trainer is stepped from one thread at a time (the
 * kernels inside use the backend's threads); close it to free its device memory.
 */
public final class Trainer implements AutoCloseable {
    /** Philox streams: the base draws z of the training steps, the data rows of maximum likelihood, {@link #estimate}'s draws. */
    public static final int BASE_STREAM = 0x54524E01, DATA_STREAM = 0x54524E02, ESTIMATE_STREAM = 0x54524E03;

    /** Rows per pass of {@link #estimate} (its tape's memory is bounded by this). */
    private static final int ESTIMATE_CHUNK = 1024;

    private static final double LN_2PI = Math.log(2 * Math.PI);

    private static final Cleaner CLEANER = Cleaner.create();

    private final FlowParameters parameters;
    private final TrainKernels kernels;
    /** The direction the loss runs (forward for the free energy, inverse for maximum likelihood); the score function's inverse. */
    private final TrainKernels.Model model, scoreModel;
    private final TrainOptions options;
    private final Potential potential;
    private final double beta;
    private final float[] data;
    /** θ with its gradient and the optimizer's moments, in the backend's memory. */
    private final TrainKernels.Parameters theta;
    /** Frees θ's memory on close, or (a safety net, as for tensors) once the trainer is unreachable. */
    private final Cleaner.Cleanable release;
    private volatile boolean closed;
    private int step;
    /** The score function's baseline: the exponential running mean of the batch losses so far (NaN before the first step). */
    private double baseline = Double.NaN;

    private Trainer(CouplingFlow flow, TrainOptions options, Potential potential, double beta, float[] data) {
        this.parameters = new FlowParameters(flow);
        this.kernels = options.backend().kernels(TrainKernels.class);
        this.options = options;
        this.potential = potential;
        this.beta = beta;
        this.data = data;
        this.model = parameters.model(data != null);
        this.scoreModel = options.estimator() == TrainOptions.Estimator.SCORE_FUNCTION ? parameters.model(true) : null;
        this.theta = kernels.parameters(parameters.flatten(), rule(options.optimizer()));
        this.release = CLEANER.register(this, theta::close);
    }

    private static TrainKernels.Rule rule(Optimizer o) {
        return o instanceof Optimizer.Adam a ? new TrainKernels.Rule(true, a.beta1(), a.beta2(), a.epsilon(), 0)
                : new TrainKernels.Rule(false, 0, 0, 0, ((Optimizer.Sgd) o).momentum());
    }

    /** Minimises F[q] = E_z[H(f(z)) + ln q(f(z)) / β] for the Boltzmann density exp(−β H) of {@code potential}. */
    public static Trainer variationalFreeEnergy(CouplingFlow flow, Potential potential, double beta, TrainOptions options) {
        Check.notNull(flow, "flow");
        Check.notNull(potential, "potential");
        Check.positiveFinite(beta, "beta");
        Check.notNull(options, "options");
        potential.checkCoordinates(flow.dim(), "flow (its dim)");
        return new Trainer(flow, options, potential, beta, null);
    }

    /** Minimises −E_data[ln q(x)] over the rows of {@code data} [rows, flow.dim()] row-major. */
    public static Trainer maximumLikelihood(CouplingFlow flow, float[] data, TrainOptions options) {
        Check.notNull(flow, "flow");
        Check.notNull(data, "data");
        Check.notNull(options, "options");
        if (data.length == 0 || data.length % flow.dim() != 0)
            throw new IllegalArgumentException("data: expected rows of " + flow.dim() + " values (the flow's dim), got "
                    + data.length + " values");
        Check.allFinite(data, flow.dim(), "data");
        if (options.estimator() != TrainOptions.Estimator.PATHWISE)
            throw new IllegalArgumentException("estimator: maximum likelihood has only the pathwise gradient, got " + options.estimator());
        return new Trainer(flow, options, null, Double.NaN, data.clone());
    }

    /** One optimizer step on a fresh batch; returns what it measured before the update. */
    public TrainStep step() {
        ensureOpen();
        int m = options.batch(), d = model.dim();
        double[] input = data == null ? baseDraws(m, d, step, BASE_STREAM) : dataRows(m, d, step, DATA_STREAM);
        Evaluation e = evaluate(input, m, true);
        double norm = e.gradientNorm;
        if (!Double.isFinite(norm) || !Double.isFinite(e.loss))
            throw new FlowKernelsException("step " + step + ": the " + (Double.isFinite(e.loss) ? "gradient" : "loss")
                    + " is not finite (loss " + e.loss + ", gradient norm " + norm + "); try a smaller learning rate or clipping");
        double lr = options.rate().at(step);
        kernels.update(theta, lr, norm > options.clipNorm() ? options.clipNorm() / norm : 1);
        // an exponential running mean (weight 0.1 on the newest batch): it follows the falling loss within ~10 steps
        if (scoreModel != null) baseline = Double.isNaN(baseline) ? e.loss : 0.9 * baseline + 0.1 * e.loss;
        return new TrainStep(step++, e.loss, e.lossError, norm, lr, e.meanEnergy, e.essFraction);
    }

    /**
     * The loss statistics of the current parameters over {@code samples} fresh draws (Philox
     * stream {@link #ESTIMATE_STREAM}, independent of the training batches), without a step:
     * for the free energy, F ± its standard error, ⟨H⟩_q and ESS/M over all the samples; for
     * maximum likelihood, the mean −ln q over that many data rows drawn with replacement.
     */
    public Estimate estimate(int samples) {
        ensureOpen();
        if (samples < 2) throw new IllegalArgumentException("samples: expected at least 2, got " + samples);
        int d = model.dim();
        double[] loss = new double[samples], energy = new double[samples];
        for (int from = 0; from < samples; from += ESTIMATE_CHUNK) {
            int m = Math.min(ESTIMATE_CHUNK, samples - from);
            int chunk = from / ESTIMATE_CHUNK;
            double[] input = data == null ? baseDraws(m, d, chunk, ESTIMATE_STREAM) : dataRows(m, d, chunk, ESTIMATE_STREAM);
            losses(input, m, loss, energy, from, false);
        }
        Evaluation e = statistics(loss, data == null ? energy : null, Double.NaN);
        return new Estimate(e.loss, e.lossError, e.meanEnergy, e.essFraction, samples);
    }

    /**
     * A loss estimate.
     *
     * @param value       the mean loss: F for the free energy, −⟨ln q⟩_data for maximum likelihood
     * @param error       its standard error, sd / √samples
     * @param meanEnergy  ⟨H⟩_q (free energy; NaN otherwise)
     * @param essFraction ESS/M of the importance weights exp(−βH − ln q) (free energy; NaN otherwise)
     */
    public record Estimate(double value, double error, double meanEnergy, double essFraction, int samples) {}

    /** The loss statistics of one batch; the gradient's norm (NaN without a gradient). */
    record Evaluation(double loss, double lossError, double meanEnergy, double essFraction, double gradientNorm) {}

    /**
     * The loss over {@code input} [m, dim] (base draws z for the free energy, data rows for
     * maximum likelihood) at the current parameters, and its gradient into {@code grad}.
     */
    Evaluation evaluate(double[] input, int m, double[] grad) {
        Evaluation e = evaluate(input, m, true);
        System.arraycopy(theta.gradient(), 0, grad, 0, grad.length);
        return e;
    }

    /** The loss over {@code input} [m, dim] and, if {@code gradient}, its gradient in the parameters' gradient. */
    private Evaluation evaluate(double[] input, int m, boolean gradient) {
        double[] loss = new double[m], energy = new double[m];
        double norm = losses(input, m, loss, energy, 0, gradient);
        return statistics(loss, data == null ? energy : null, norm);
    }

    /**
     * The per-sample losses of {@code input} [m, dim] into loss[at ..] (and H into energy[at ..]);
     * if {@code gradient}, the gradient of their mean into the parameters' gradient, returning its
     * norm (else NaN).
     */
    private double losses(double[] input, int m, double[] loss, double[] energy, int at, boolean gradient) {
        int d = model.dim();
        double[] dOut = gradient ? new double[m * d] : null, dLogDet = gradient ? new double[m] : null;
        try (TrainKernels.Tape tape = kernels.run(model, theta, input, m)) {
            double[] out = tape.output(), logDet = tape.logDet();
            if (data == null) {
                double[] h = new double[m];
                potentialAt(out, m, d, h, gradient && scoreModel == null ? dOut : null);
                for (int r = 0; r < m; r++) {
                    energy[at + r] = h[r];
                    loss[at + r] = h[r] + (logNormal(input, r, d) - logDet[r]) / beta;
                }
                if (!gradient) return Double.NaN;
                if (scoreModel != null) return scoreGradient(out, m, Arrays.copyOfRange(loss, at, at + m), dOut, dLogDet);
                for (int i = 0; i < dOut.length; i++) dOut[i] /= m;
                Arrays.fill(dLogDet, -1 / (beta * m));
            } else {
                // out is z = f⁻¹(x): −ln q(x) = −ln N(z) − ln|det ∂z/∂x|
                for (int r = 0; r < m; r++) loss[at + r] = -logNormal(out, r, d) - logDet[r];
                if (!gradient) return Double.NaN;
                for (int i = 0; i < dOut.length; i++) dOut[i] = out[i] / m;
                Arrays.fill(dLogDet, -1.0 / m);
            }
            return kernels.backward(tape, dOut, dLogDet);
        }
    }

    /**
     * REINFORCE: Σ_r c_r ∇_θ ln q(x_r) with c_r = (ℓ_r − b_r) / M, x held fixed. ln q(x) = ln N(z) +
     * ln|det ∂z/∂x| with z = f⁻¹(x), so the inverse pass's backward takes dz = −c_r z_r and dLogDet = c_r.
     * b_r is the running baseline, or before the first step the mean of the batch without sample r.
     */
    private double scoreGradient(double[] x, int m, double[] loss, double[] dz, double[] dLogDet) {
        int d = model.dim();
        try (TrainKernels.Tape inverse = kernels.run(scoreModel, theta, x, m)) {
            double[] z = inverse.output();
            double sum = 0;
            for (double l : loss) sum += l;
            for (int r = 0; r < m; r++) {
                double b = Double.isNaN(baseline) ? (sum - loss[r]) / (m - 1) : baseline, c = (loss[r] - b) / m;
                dLogDet[r] = c;
                for (int k = 0; k < d; k++) dz[r * d + k] = -c * z[r * d + k];
            }
            return kernels.backward(inverse, dz, dLogDet);
        }
    }

    /** Mean, standard error, and with energies (the free energy) ⟨H⟩ and ESS/M. */
    private Evaluation statistics(double[] loss, double[] energy, double gradientNorm) {
        int m = loss.length;
        double mean = mean(loss), var = 0;
        for (double l : loss) var += (l - mean) * (l - mean);
        return new Evaluation(mean, Math.sqrt(var / (m - 1) / m), energy == null ? Double.NaN : mean(energy),
                energy == null ? Double.NaN : essFraction(loss), gradientNorm);
    }

    /** H and, when dx is not null, ∂H/∂x of the rows of x, through the potential's kernels on the backend (float32). */
    private void potentialAt(double[] x, int m, int d, double[] energy, double[] dx) {
        Backend backend = options.backend();
        float[] q = new float[m * d];
        for (int i = 0; i < q.length; i++) q[i] = (float) x[i];
        try (Tensor qt = backend.empty(m, d); Tensor e = backend.empty(m, 1); Tensor g = dx == null ? null : backend.empty(m, d)) {
            qt.copyFrom(q);
            potential.evaluate(qt, e, g);
            float[] ev = e.toArray();
            for (int r = 0; r < m; r++) energy[r] = ev[r];
            if (dx == null) return;
            float[] gv = g.toArray();
            for (int i = 0; i < gv.length; i++) dx[i] = gv[i];
        }
    }

    /** z [m, dim] ~ N(0, I): Philox (seed, row, step, stream), drawn by the backend's generator (the same counters on every backend). */
    private double[] baseDraws(int m, int d, int step, int stream) {
        float[] f;
        try (Tensor z = Rng.draw(options.backend(), Distribution.NORMAL, m, d, options.seed(), stream, step)) {
            f = z.toArray();
        }
        double[] v = new double[f.length];
        for (int i = 0; i < f.length; i++) v[i] = f[i];
        return v;
    }

    /** m data rows drawn uniformly with replacement: Philox (seed, row, step, stream). */
    private double[] dataRows(int m, int d, int step, int stream) {
        int rows = data.length / d;
        double[] x = new double[m * d];
        int[] block = new int[4];
        for (int r = 0; r < m; r++) {
            Philox4x32.block(options.seed(), r, step, 0, stream, block);
            // 64 random bits modulo the row count: uniform to 2^-64 relative, for any number of rows
            int row = (int) Long.remainderUnsigned((long) block[0] << 32 | (block[1] & 0xFFFFFFFFL), rows);
            for (int c = 0; c < d; c++) x[r * d + c] = data[row * d + c];
        }
        return x;
    }

    /** ln N(v_r; 0, I) of row r. */
    private static double logNormal(double[] v, int r, int d) {
        double s = 0;
        for (int c = 0; c < d; c++) s += v[r * d + c] * v[r * d + c];
        return -0.5 * s - 0.5 * d * LN_2PI;
    }

    /** ESS/M of w_r = exp(−β ℓ_r) = exp(−βH − ln q), computed with the largest weight factored out. */
    private double essFraction(double[] loss) {
        double top = Double.NEGATIVE_INFINITY;
        for (double l : loss) top = Math.max(top, -beta * l);
        double sum = 0, squares = 0;
        for (double l : loss) {
            double w = Math.exp(-beta * l - top);
            sum += w;
            squares += w * w;
        }
        return sum * sum / (squares * loss.length);
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return s / v.length;
    }

    /** The steps taken so far. */
    public int steps() { return step; }

    /** The flow at the current parameters (float32). */
    public CouplingFlow flow() { return parameters.with(parameters()); }

    /** θ, the current parameters as one vector (a copy): conditioners in coupling order, each packed as Mlp packs it. */
    public double[] parameters() {
        ensureOpen();
        return theta.values();
    }

    /** Writes the current flow as a model directory (flow.json and model.safetensors) that CouplingFlow.load and `flow sample` read. */
    public void save(Path dir) throws IOException {
        flow().save(dir);
    }

    /** Frees θ and the optimizer's state in the backend's memory (nothing to free on the CPU). */
    @Override
    public void close() {
        closed = true;
        release.clean();
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("trainer: closed (its parameters were released)");
    }
}
