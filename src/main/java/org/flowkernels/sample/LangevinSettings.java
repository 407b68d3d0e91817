package org.flowkernels.sample;

import org.flowkernels.Check;

/**
 * The settings of an unadjusted (ULA) or Metropolis-adjusted (MALA) Langevin run: step size
 * ε, number of sampling steps, a warm-up before them, and optional step-size adaptation.
 *
 * <p>The warm-up steps come first and are not part of the statistics, the acceptance rate or
 * the snapshots. With adaptation on (MALA only), each chain tunes its own ε during the warm-up
 * by dual averaging (Hoffman and Gelman 2014, Algorithm 5: μ = ln 10ε, γ = 0.05, t0 = 10,
 * κ = 0.75) toward {@code targetAcceptance}, and keeps the averaged ε, frozen, for the sampling
 * steps; the result reports each chain's ε. A frozen ε keeps MALA exact: the adaptation only
 * chooses the kernel, it never runs while samples are taken.
 *
 * @param stepSize          ε, the initial one when adapting
 * @param steps             sampling steps after the warm-up (>= 1)
 * @param warmup            warm-up (burn-in) steps (>= 0)
 * @param targetAcceptance  the acceptance rate the adaptation aims at, or NaN for no adaptation
 * @param options           seed, statistics, snapshots and launch length
 */
public record LangevinSettings(double stepSize, int steps, int warmup, double targetAcceptance, RunOptions options) {
    /** The acceptance rate that is optimal for MALA in high dimension (Roberts and Rosenthal 1998). */
    public static final double MALA_OPTIMAL_ACCEPTANCE = 0.574;

    public LangevinSettings {
        Check.positiveFinite(stepSize, "stepSize");
        checkRun(steps, warmup, targetAcceptance, options, "step");
    }

    /** The checks a chain run's settings share (Langevin, HMC); {@code unit} names what a step is. */
    static void checkRun(int steps, int warmup, double targetAcceptance, RunOptions options, String unit) {
        Check.positive(steps, "steps");
        Check.nonNegative(warmup, "warmup");
        if (!Double.isNaN(targetAcceptance) && !(targetAcceptance > 0 && targetAcceptance < 1))
            throw new IllegalArgumentException("targetAcceptance: expected a rate in (0, 1) (or NaN: no adaptation), got "
                    + targetAcceptance);
        Check.notNull(options, "options");
        if ((long) steps + warmup > Integer.MAX_VALUE)
            throw new IllegalArgumentException("steps + warmup: expected at most " + Integer.MAX_VALUE
                    + " (the " + unit + " is a 32-bit Philox counter word), got " + ((long) steps + warmup));
    }

    /** ε and the number of sampling steps; no warm-up, no adaptation, {@link RunOptions#of(long)}. */
    public static LangevinSettings of(double stepSize, int steps, long seed) {
        return new LangevinSettings(stepSize, steps, 0, Double.NaN, RunOptions.of(seed));
    }

    public boolean adapts() {
        return !Double.isNaN(targetAcceptance);
    }

    public LangevinSettings withWarmup(int warmupSteps) {
        return new LangevinSettings(stepSize, steps, warmupSteps, targetAcceptance, options);
    }

    /** Adapt ε during the warm-up toward MALA's optimal acceptance, 0.574. */
    public LangevinSettings withAdaptation() {
        return withAdaptation(MALA_OPTIMAL_ACCEPTANCE);
    }

    public LangevinSettings withAdaptation(double target) {
        return new LangevinSettings(stepSize, steps, warmup, target, options);
    }

    public LangevinSettings withOptions(RunOptions runOptions) {
        return new LangevinSettings(stepSize, steps, warmup, targetAcceptance, runOptions);
    }

    public LangevinSettings withSeed(long seed) {
        return withOptions(options.withSeed(seed));
    }
}
