package org.flowkernels.train;

import org.flowkernels.Check;

/**
 * The learning rate at each optimizer step t = 0, 1, ...: constant, or cosine decay from
 * {@code initial} at t = 0 to 0 at t = {@code steps} (lr_t = initial (1 + cos(π t / steps)) / 2,
 * then 0), the schedule the lecture's RealNVP run used.
 */
public record LearningRate(Kind kind, double initial, int steps) {
    public enum Kind { CONSTANT, COSINE }

    public LearningRate {
        Check.notNull(kind, "kind");
        Check.positiveFinite(initial, "learning rate");
        if (kind == Kind.COSINE) Check.positive(steps, "steps");
    }

    public static LearningRate constant(double lr) {
        return new LearningRate(Kind.CONSTANT, lr, 0);
    }

    public static LearningRate cosine(double lr, int steps) {
        return new LearningRate(Kind.COSINE, lr, steps);
    }

    public double at(int step) {
        return switch (kind) {
            case CONSTANT -> initial;
            case COSINE -> step >= steps ? 0 : initial * 0.5 * (1 + Math.cos(Math.PI * step / steps));
        };
    }
}
