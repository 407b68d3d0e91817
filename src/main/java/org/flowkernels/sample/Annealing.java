package org.flowkernels.sample;

import java.util.ArrayList;
import java.util.List;
import org.flowkernels.Check;

/**
 * A schedule for annealed Langevin dynamics (Song and Ermon 2019, "Generative modeling by
 * estimating gradients of the data distribution", Algorithm 1): levels of decreasing noise
 * σ_1 > ... > σ_L, each run for a number of ULA steps with its own ε, driven by a score
 * network s(x, σ) ≈ ∇ ln p_σ(x). The statistics and snapshots of an annealed run cover the
 * last level only, the one that targets the data distribution.
 */
public record Annealing(List<Level> levels) {
    /** One noise level: ULA steps x ← x + (ε/2) s(x, σ) + √ε ξ. */
    public record Level(double sigma, double stepSize, int steps) {
        public Level {
            Check.positiveFinite(sigma, "sigma");
            Check.positiveFinite(stepSize, "stepSize");
            Check.positive(steps, "steps");
        }
    }

    public Annealing {
        Check.notNull(levels, "levels");
        if (levels.isEmpty()) throw new IllegalArgumentException("levels: expected at least one level, got none");
        levels = List.copyOf(levels);
        long total = 0;
        for (Level l : levels) total += Check.notNull(l, "levels[i]").steps();
        if (total > Integer.MAX_VALUE)
            throw new IllegalArgumentException("levels: expected at most " + Integer.MAX_VALUE + " steps in all, got " + total);
    }

    public static Annealing of(Level... levels) {
        return new Annealing(List.of(Check.notNull(levels, "levels")));
    }

    /**
     * Song and Ermon's schedule: {@code count} noise levels in geometric progression from
     * sigmaMax down to sigmaMin, level i run for stepsPerLevel steps with
     * ε_i = ε σ_i² / σ_min² (so that the signal-to-noise ratio of a step is the same at every
     * level).
     */
    public static Annealing geometric(double sigmaMax, double sigmaMin, int count, double stepSize, int stepsPerLevel) {
        Check.positiveFinite(sigmaMax, "sigmaMax");
        Check.positiveFinite(sigmaMin, "sigmaMin");
        Check.positive(count, "count");
        if (sigmaMin > sigmaMax)
            throw new IllegalArgumentException("sigmaMin: expected <= sigmaMax = " + sigmaMax + ", got " + sigmaMin);
        List<Level> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            double sigma = count == 1 ? sigmaMin : sigmaMax * Math.pow(sigmaMin / sigmaMax, i / (double) (count - 1));
            out.add(new Level(sigma, stepSize * (sigma / sigmaMin) * (sigma / sigmaMin), stepsPerLevel));
        }
        return new Annealing(out);
    }

    public int totalSteps() {
        int t = 0;
        for (Level l : levels) t += l.steps();
        return t;
    }
}
