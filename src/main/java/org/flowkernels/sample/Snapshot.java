package org.flowkernels.sample;

/**
 * Every chain's state after one sampling step, copied to the host (the thinned samples of a
 * run with {@link RunOptions#snapshotEvery()} > 0).
 *
 * @param step     the global step (from 0, warm-up included) after which it was taken
 * @param states   [chains, n] row-major
 * @param energies V(x) of each chain [chains], or null for a score drift
 */
public record Snapshot(int step, float[] states, float[] energies) {}
