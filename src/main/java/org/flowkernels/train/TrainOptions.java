package org.flowkernels.train;

import org.flowkernels.Backend;
import org.flowkernels.Check;

/**
 * How a {@link Trainer} steps: the backend it runs on, the batch M of every step, the Philox
 * seed of its draws, the optimizer, the learning-rate schedule, the bound on the gradient's
 * global norm (the gradient is scaled down to it when longer; infinity: no clipping), and the
 * free energy's gradient estimator.
 */
public record TrainOptions(Backend backend, int batch, long seed, Optimizer optimizer, LearningRate rate, double clipNorm,
                           Estimator estimator) {
    /** How the free energy's gradient is estimated from a batch (maximum likelihood has one way only: pathwise). */
    public enum Estimator {
        /** Reparameterization: the gradient flows through x = f(z), using ∂H/∂x. Low variance; needs the potential's gradient. */
        PATHWISE,
        /**
         * REINFORCE: E_q[(ℓ(x) − b) ∇_θ ln q(x)] with x held fixed and ℓ = H + ln q / β, through the inverse
         * pass; b is the exponential running mean (0.9 / 0.1) of the previous steps' batch losses (the first step: each sample's
         * leave-one-out batch mean), so the estimate stays unbiased. Needs only H, at a much larger variance.
         */
        SCORE_FUNCTION
    }

    public TrainOptions {
        Check.notNull(backend, "backend");
        if (batch < 2) throw new IllegalArgumentException("batch: expected at least 2 (the loss's standard error needs two samples), got " + batch);
        Check.notNull(optimizer, "optimizer");
        Check.notNull(rate, "rate");
        if (!(clipNorm > 0)) throw new IllegalArgumentException("clipNorm: expected > 0 (infinity: no clipping), got " + clipNorm);
        Check.notNull(estimator, "estimator");
    }

    /**
     * Batch 256, seed 1, Adam with PyTorch's defaults at a constant 1e-3, no clipping, pathwise
     * gradients. (A potential with a heavy-tailed gradient, such as the Coulomb gas, wants clipping:
     * `train coulomb` clips at 10.)
     */
    public static TrainOptions of(Backend backend) {
        return new TrainOptions(backend, 256, 1, Optimizer.adam(), LearningRate.constant(1e-3), Double.POSITIVE_INFINITY,
                Estimator.PATHWISE);
    }

    public TrainOptions withBatch(int m) { return new TrainOptions(backend, m, seed, optimizer, rate, clipNorm, estimator); }

    public TrainOptions withSeed(long s) { return new TrainOptions(backend, batch, s, optimizer, rate, clipNorm, estimator); }

    public TrainOptions withOptimizer(Optimizer o) { return new TrainOptions(backend, batch, seed, o, rate, clipNorm, estimator); }

    public TrainOptions withRate(LearningRate r) { return new TrainOptions(backend, batch, seed, optimizer, r, clipNorm, estimator); }

    public TrainOptions withClipNorm(double c) { return new TrainOptions(backend, batch, seed, optimizer, rate, c, estimator); }

    public TrainOptions withEstimator(Estimator e) { return new TrainOptions(backend, batch, seed, optimizer, rate, clipNorm, e); }
}
