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
import org.flowkernels.spi.OdeKernels;
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
 * {@link TrainKernels}, in float32), and so do the draws, the potential and the log-densities:
 * θ, the moments and every [batch, dim] array stay in the backend's memory, and per step only
 * the batch's losses and energies and the gradient's norm come to the host (and, for maximum
 * likelihood, the batch's data rows go up); {@link #flow()} and {@link #save} give the float32 model. Every draw is Philox from the
 * seed and the step, and the batch sums run in a fixed order, so the same seed gives the same
 * losses, bit for bit, on a backend. A trainer is stepped from one thread at a time (the
 * kernels inside use the backend's threads); close it to free its device memory.
 */
public final class Trainer implements AutoCloseable {
    /** Philox streams: the base draws z of the training steps, the data rows of maximum likelihood, {@link #estimate}'s draws. */
    public static final int BASE_STREAM = 0x54524E01, DATA_STREAM = 0x54524E02, ESTIMATE_STREAM = 0x54524E03;

    /** Rows per pass of {@link #estimate} (its tape's memory is bounded by this). */
    private static final int ESTIMATE_CHUNK = 1024;

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
        Evaluation e;
        try (Tensor input = batch(options.batch(), step, data == null ? BASE_STREAM : DATA_STREAM)) {
            e = evaluate(input, true);
        }
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
        double[] loss = new double[samples], energy = new double[samples];
        for (int from = 0; from < samples; from += ESTIMATE_CHUNK)
            try (Tensor input = batch(Math.min(ESTIMATE_CHUNK, samples - from), from / ESTIMATE_CHUNK, ESTIMATE_STREAM)) {
                losses(input, loss, energy, from, false);
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
    Evaluation evaluate(float[] input, int m, double[] grad) {
        Evaluation e;
        try (Tensor t = options.backend().tensor(input, m, model.dim())) {
            e = evaluate(t, true);
        }
        System.arraycopy(theta.gradient(), 0, grad, 0, grad.length);
        return e;
    }

    /** The loss over {@code input} [m, dim] and, if {@code gradient}, its gradient in the parameters' gradient. */
    private Evaluation evaluate(Tensor input, boolean gradient) {
        double[] loss = new double[input.rows()], energy = new double[input.rows()];
        double norm = losses(input, loss, energy, 0, gradient);
        return statistics(loss, data == null ? energy : null, norm);
    }

    /**
     * The per-sample losses of {@code input} [m, dim] into loss[at ..] (and H into energy[at ..]);
     * if {@code gradient}, the gradient of their mean into the parameters' gradient, returning its
     * norm (else NaN). Everything [m, dim] stays on the backend; the losses' [m] parts come to the host.
     */
    private double losses(Tensor input, double[] loss, double[] energy, int at, boolean gradient) {
        Backend b = options.backend();
        int m = input.rows(), d = model.dim();
        try (Tensor out = b.empty(m, d); Tensor logDet = b.empty(m, 1); Tensor logQ = b.empty(m, 1);
             TrainKernels.Tape tape = kernels.run(model, theta, input, out, logDet)) {
            if (data == null) {
                // x = f(z): ln q(x) = ln N(z) − ln|det ∂x/∂z|
                logDensity(input, logDet, -1, logQ);
                try (Tensor h = b.empty(m, 1); Tensor g = gradient && scoreModel == null ? b.empty(m, d) : null) {
                    potential.evaluate(out, h, g);
                    float[] hv = h.toArray(), lq = logQ.toArray();
                    for (int r = 0; r < m; r++) {
                        energy[at + r] = hv[r];
                        loss[at + r] = hv[r] + lq[r] / beta;
                    }
                    if (!gradient) return Double.NaN;
                    if (scoreModel != null) return scoreGradient(out, Arrays.copyOfRange(loss, at, at + m));
                    return kernels.backward(tape, g, null, 1.0 / m, -1 / (beta * m));
                }
            }
            // out is z = f⁻¹(x): ln q(x) = ln N(z) + ln|det ∂z/∂x|; −ln q's gradient in z is z
            logDensity(out, logDet, 1, logQ);
            float[] lq = logQ.toArray();
            for (int r = 0; r < m; r++) loss[at + r] = -lq[r];
            if (!gradient) return Double.NaN;
            return kernels.backward(tape, out, null, 1.0 / m, -1.0 / m);
        }
    }

    /** out [m, 1] = ln N(v; 0, I) + sign · delta, on the backend. */
    private void logDensity(Tensor v, Tensor delta, float sign, Tensor out) {
        options.backend().kernels(OdeKernels.class).gaussianLogDensity(v, delta, sign, out);
    }

    /**
     * REINFORCE: Σ_r c_r ∇_θ ln q(x_r) with c_r = (ℓ_r − b_r) / M, x held fixed. ln q(x) = ln N(z) +
     * ln|det ∂z/∂x| with z = f⁻¹(x), so the inverse pass's backward takes dz = −c_r z_r and dLogDet = c_r.
     * b_r is the running baseline, or before the first step the mean of the batch without sample r.
     */
    private double scoreGradient(Tensor x, double[] loss) {
        Backend b = options.backend();
        int m = x.rows();
        double sum = 0;
        for (double l : loss) sum += l;
        float[] c = new float[m];
        for (int r = 0; r < m; r++) c[r] = (float) ((loss[r] - (Double.isNaN(baseline) ? (sum - loss[r]) / (m - 1) : baseline)) / m);
        try (Tensor w = b.tensor(c, m, 1); Tensor z = b.empty(m, model.dim()); Tensor logDet = b.empty(m, 1);
             TrainKernels.Tape inverse = kernels.run(scoreModel, theta, x, z, logDet)) {
            return kernels.backward(inverse, z, w, -1, 1);
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

    /**
     * A batch of m rows for Philox counters (step, stream): base draws z ~ N(0, I) by the backend's
     * generator (the same counters on every backend), or data rows drawn with replacement.
     */
    private Tensor batch(int m, int step, int stream) {
        return data == null ? Rng.draw(options.backend(), Distribution.NORMAL, m, model.dim(), options.seed(), stream, step)
                : options.backend().tensor(dataRows(m, model.dim(), step, stream), m, model.dim());
    }

    /** m data rows drawn uniformly with replacement: Philox (seed, row, step, stream). */
    private float[] dataRows(int m, int d, int step, int stream) {
        int rows = data.length / d;
        float[] x = new float[m * d];
        int[] block = new int[4];
        for (int r = 0; r < m; r++) {
            Philox4x32.block(options.seed(), r, step, 0, stream, block);
            // 64 random bits modulo the row count: uniform to 2^-64 relative, for any number of rows
            int row = (int) Long.remainderUnsigned((long) block[0] << 32 | (block[1] & 0xFFFFFFFFL), rows);
            System.arraycopy(data, row * d, x, r * d, d);
        }
        return x;
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
