package org.flowkernels.spi;

/**
 * Hamiltonian Monte Carlo on batches of chains, over the chains' state of {@link LangevinKernels}
 * (whose merge gives the statistics). Iteration t of chain i draws momenta p ~ N(0, I), runs
 * {@code leapfrogSteps} leapfrog steps of the chain's ε on H(x, p) = −ln π(x) + |p|²/2 (unit
 * masses), and accepts the end point when ln u < H(start) − H(end); the chains' {@code mala}
 * flag is set (every iteration is a Metropolis decision).
 *
 * <p>Random numbers (Philox4x32-10, key = the run's seed): momentum c of chain i at iteration t
 * is the normal {@code (i, t, c / 4, HMC_MOMENTUM_STREAM)}, word c % 4; the uniform is word 0 of
 * {@code (i, t, 0, ACCEPT_STREAM)}. A {@link LangevinKernels.Launch} means the same here, with
 * iterations for steps (adaptation, statistics, snapshots); a trajectory whose end point is not
 * finite, or whose energy is NaN, stops the chain and is reported in firstNonFinite.
 */
public interface HmcKernels {
    /** Runs one launch of iterations on every chain (a potential drift: ln π = −βV). */
    void run(LangevinKernels.Chains chains, LangevinKernels.Launch launch, int leapfrogSteps);

    /** Which implementation runs these chains, in words; rejects what it cannot run. */
    String path(LangevinKernels.Chains chains, int leapfrogSteps);
}
