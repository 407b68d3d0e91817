package org.flowkernels.sample;

import org.flowkernels.Check;

/**
 * The settings of a Hamiltonian Monte Carlo run ({@link Hmc}): the leapfrog step ε, the leapfrog
 * steps per iteration L (a trajectory of length εL), the sampling iterations, a warm-up before
 * them, and optional adaptation of ε by dual averaging during the warm-up (each chain its own,
 * as MALA's: Hoffman and Gelman 2014, Algorithm 5, μ = ln 10ε), frozen for the sampling
 * iterations so that the kernel stays exact.
 *
 * @param stepSize          ε, the initial one when adapting
 * @param leapfrogSteps     L leapfrog steps per iteration (>= 1; L = 1 is MALA with ε_MALA = ε²)
 * @param steps             sampling iterations after the warm-up (>= 1)
 * @param warmup            warm-up iterations (>= 0)
 * @param targetAcceptance  the acceptance rate the adaptation aims at, or NaN for no adaptation
 * @param options           seed, statistics, snapshots and launch length (in iterations)
 */
public record HmcSettings(double stepSize, int leapfrogSteps, int steps, int warmup, double targetAcceptance, RunOptions options) {
    /** The acceptance rate that is optimal for HMC in high dimension (Beskos, Pillai, Roberts, Sanz-Serna and Stuart 2013). */
    public static final double OPTIMAL_ACCEPTANCE = 0.651;

    public HmcSettings {
        Check.positiveFinite(stepSize, "stepSize");
        if ((float) stepSize == 0) throw new IllegalArgumentException("stepSize: expected a step that float32 can hold, got " + stepSize);
        Check.positive(leapfrogSteps, "leapfrogSteps");
        LangevinSettings.checkRun(steps, warmup, targetAcceptance, options, "iteration");
    }

    /** ε, L and the sampling iterations; no warm-up, no adaptation, {@link RunOptions#of(long)}. */
    public static HmcSettings of(double stepSize, int leapfrogSteps, int steps, long seed) {
        return new HmcSettings(stepSize, leapfrogSteps, steps, 0, Double.NaN, RunOptions.of(seed));
    }

    public boolean adapts() {
        return !Double.isNaN(targetAcceptance);
    }

    public HmcSettings withWarmup(int warmupIterations) {
        return new HmcSettings(stepSize, leapfrogSteps, steps, warmupIterations, targetAcceptance, options);
    }

    /** Adapt ε during the warm-up toward {@link #OPTIMAL_ACCEPTANCE}. */
    public HmcSettings withAdaptation() {
        return withAdaptation(OPTIMAL_ACCEPTANCE);
    }

    public HmcSettings withAdaptation(double target) {
        return new HmcSettings(stepSize, leapfrogSteps, steps, warmup, target, options);
    }

    public HmcSettings withOptions(RunOptions runOptions) {
        return new HmcSettings(stepSize, leapfrogSteps, steps, warmup, targetAcceptance, runOptions);
    }

    public HmcSettings withSeed(long seed) {
        return withOptions(options.withSeed(seed));
    }
}
