package org.flowkernels.train;

import org.flowkernels.Backend;
import org.flowkernels.Check;

/**
 * How a {@link Trainer} steps: the backend it runs on, the batch M of every step, the Philox
 * seed of its draws, the optimizer, the learning-rate schedule, and the bound on the gradient's
 * global norm (the gradient is scaled down to it when longer; infinity: no clipping).
 */
public record TrainOptions(Backend backend, int batch, long seed, Optimizer optimizer, LearningRate rate, double clipNorm) {
    public TrainOptions {
        Check.notNull(backend, "backend");
        if (batch < 2) throw new IllegalArgumentException("batch: expected at least 2 (the loss's standard error needs two samples), got " + batch);
        Check.notNull(optimizer, "optimizer");
        Check.notNull(rate, "rate");
        if (!(clipNorm > 0)) throw new IllegalArgumentException("clipNorm: expected > 0 (infinity: no clipping), got " + clipNorm);
    }

    /** Batch 256, seed 1, Adam with PyTorch's defaults at a constant 1e-3, no clipping. */
    public static TrainOptions of(Backend backend) {
        return new TrainOptions(backend, 256, 1, Optimizer.adam(), LearningRate.constant(1e-3), Double.POSITIVE_INFINITY);
    }

    public TrainOptions withBatch(int m) { return new TrainOptions(backend, m, seed, optimizer, rate, clipNorm); }

    public TrainOptions withSeed(long s) { return new TrainOptions(backend, batch, s, optimizer, rate, clipNorm); }

    public TrainOptions withOptimizer(Optimizer o) { return new TrainOptions(backend, batch, seed, o, rate, clipNorm); }

    public TrainOptions withRate(LearningRate r) { return new TrainOptions(backend, batch, seed, optimizer, r, clipNorm); }

    public TrainOptions withClipNorm(double c) { return new TrainOptions(backend, batch, seed, optimizer, rate, c); }
}
