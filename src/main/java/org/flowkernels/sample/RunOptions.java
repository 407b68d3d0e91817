package org.flowkernels.sample;

import org.flowkernels.Check;

/**
 * How a Langevin run is carried out, whatever the method: the seed of its noise, how often
 * the on-device statistics take a sample, how often a snapshot of every chain is kept, and
 * how many steps one kernel launch runs at most.
 *
 * @param seed            the Philox key of every draw of the run (noise and MH uniforms)
 * @param statisticsEvery the running statistics take the state after every k-th sampling step
 * @param snapshotEvery   a copy of every chain (and its energy) is kept after every k-th
 *                        sampling step; 0: none
 * @param stepsPerLaunch  the most steps one kernel launch runs (a GPU watchdog and progress
 *                        reporting want launches of bounded length); results do not depend on it
 */
public record RunOptions(long seed, int statisticsEvery, int snapshotEvery, int stepsPerLaunch) {
    /** Launches of this many steps keep a W4-sized batch (65,536 chains of 64 coordinates) well
     *  under a display GPU's watchdog and cost one launch per 256 steps. */
    public static final int DEFAULT_STEPS_PER_LAUNCH = 256;

    public RunOptions {
        Check.positive(statisticsEvery, "statisticsEvery");
        Check.nonNegative(snapshotEvery, "snapshotEvery");
        Check.positive(stepsPerLaunch, "stepsPerLaunch");
    }

    /** Statistics after every step, no snapshots, {@value #DEFAULT_STEPS_PER_LAUNCH} steps per launch. */
    public static RunOptions of(long seed) {
        return new RunOptions(seed, 1, 0, DEFAULT_STEPS_PER_LAUNCH);
    }

    public RunOptions withSeed(long seed) {
        return new RunOptions(seed, statisticsEvery, snapshotEvery, stepsPerLaunch);
    }

    public RunOptions withStatisticsEvery(int k) {
        return new RunOptions(seed, k, snapshotEvery, stepsPerLaunch);
    }

    public RunOptions withSnapshotEvery(int k) {
        return new RunOptions(seed, statisticsEvery, k, stepsPerLaunch);
    }

    public RunOptions withStepsPerLaunch(int steps) {
        return new RunOptions(seed, statisticsEvery, snapshotEvery, steps);
    }
}
