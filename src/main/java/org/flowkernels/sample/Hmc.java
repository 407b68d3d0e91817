package org.flowkernels.sample;

import org.flowkernels.Check;
import org.flowkernels.Tensor;

/**
 * Hamiltonian Monte Carlo (Duane, Kennedy, Pendleton and Roweth 1987; Neal 2011) over the
 * Boltzmann density of any potential, one chain per row of x0 [chains, n]. An iteration draws
 * momenta p ~ N(0, I), follows H(x, p) = βV(x) + |p|²/2 for L leapfrog steps of ε (unit masses)
 * and accepts the end point with probability min(1, exp(H_start − H_end)); leapfrog is
 * volume-preserving and reversible, so the chain's stationary density is exactly exp(−βV).
 *
 * <p>Each iteration, its L gradients included, runs inside one fused kernel per chain (the
 * CPU backend: a block of 32 chains per thread), many iterations per launch; runs advance in
 * chunks ({@link LangevinRun}), keep the same on-device statistics, acceptance counts and
 * snapshots as MALA, and adapt ε by dual averaging during the warm-up when asked. Momenta come
 * from Philox stream {@code Contract.HMC_MOMENTUM_STREAM} keyed by (seed, chain, iteration), so
 * a run is reproducible. NUTS is not offered: its tree doubling keeps a varying number of
 * states per chain and lets the chains' trajectory lengths diverge, which the one-chain-per-
 * work-item fused kernels cannot serve without losing what makes them fast.
 */
public final class Hmc {
    private Hmc() {}

    /** Warm-up (adapting ε if asked) and sampling iterations; the drift must have a log-density (a potential). */
    public static LangevinResult sample(Drift drift, Tensor x0, HmcSettings settings) {
        try (LangevinRun run = start(drift, x0, settings)) {
            run.advance(run.totalSteps());
            return run.result();
        }
    }

    /** A run to advance in chunks ({@link LangevinRun#advance(int)}, counted in iterations). */
    public static LangevinRun start(Drift drift, Tensor x0, HmcSettings settings) {
        Check.notNull(drift, "drift");
        if (!drift.hasLogDensity())
            throw new IllegalArgumentException("drift: HMC's Hamiltonian needs ln π(x), and a score network gives only its gradient; "
                    + "use a potential (Drift.potential)");
        Check.notNull(settings, "settings");
        return Langevin.start(Langevin.Method.HMC, drift, x0, settings.stepSize(), settings.steps(), settings.warmup(),
                settings.targetAcceptance(), settings, settings.options(), settings.leapfrogSteps());
    }
}
