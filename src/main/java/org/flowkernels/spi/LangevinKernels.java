package org.flowkernels.spi;

/**
 * Batches of Langevin chains (ULA, MALA, annealed ULA) on one backend. The caller has
 * validated everything and allocated the chains' buffers; the kernels only run.
 *
 * <p>Random numbers (Philox4x32-10, {@link Philox4x32} layout, key = the run's seed): the
 * proposal noise ξ of coordinate c of chain i at global step t is the normal
 * {@code (index i, step t, block c/4, stream NOISE_STREAM)}, word c % 4; the
 * Metropolis-Hastings uniform of chain i at step t is word 0 of
 * {@code (i, t, block 0, stream ACCEPT_STREAM)} ({@link Contract}). Steps count from 0 at the
 * start of the run, warm-up included, so a run split into launches draws exactly the numbers
 * of an unsplit one.
 */
public interface LangevinKernels {
    /** Where ∇ ln π comes from. */
    sealed interface Drift permits PotentialDrift, ScoreDrift {}

    /** π ∝ exp(−β V): drift −β ∇V, log-density −β V. */
    record PotentialDrift(PotentialSpec potential, float beta) implements Drift {}

    /** A score network s(x, σ) = net(concat(x, σ)), σ given per launch: gradient only (ULA). */
    record ScoreDrift(Network net) implements Drift {}

    /**
     * The chains' state in the backend's memory. Per-chain columns are coordinate-major
     * ({@code [column][chain]}), so neighbouring chains touch neighbouring addresses.
     *
     * @param columns        the statistics' columns: the coordinates, then the energy when the drift has one
     * @param states         [count, dim] row-major
     * @param epsilon        each chain's step size [count]
     * @param dual           dual-averaging state [2, count]: H̄, then ln ε̄
     * @param accepted       accepted proposals during the sampling steps [count], INT32
     * @param mean           Welford running means [columns, count]
     * @param m2             Welford sums of squared deviations [columns, count]
     * @param firstNonFinite the first step at which each chain's proposal was not finite, or −1 [count], INT32
     */
    record Chains(Drift drift, boolean mala, int count, int dim, int columns, long seed, Matrix states, Buffer epsilon,
                  Buffer dual, Buffer accepted, Buffer mean, Buffer m2, Buffer firstNonFinite) {
        public boolean hasEnergy() { return columns > dim; }
    }

    /**
     * One launch: global steps [first, first + steps) of every chain, with noise level sigma
     * (score drifts). Steps t < adaptEnd adapt ε (MALA); the step t = adaptEnd − 1 freezes it at
     * the dual average (μ = adaptMu = ln 10 ε0). Steps t >= statsStart are sampling steps: they
     * count acceptances, feed the running statistics when (t − statsStart + 1) is a multiple of
     * statsEvery (sample number (t − statsStart + 1) / statsEvery, from 1) and, when
     * snapEvery > 0 and (t − statsStart + 1) is a multiple of it, write snapshot number
     * j = (t − statsStart + 1) / snapEvery − 1 into slot j − snapBase of {@code snapshots}
     * ([snapCount, chains, columns] row-major).
     */
    record Launch(int first, int steps, float sigma, int adaptEnd, float target, float adaptMu, int statsStart,
                  int statsEvery, int snapEvery, int snapBase, int snapCount, Buffer snapshots) {}

    /** Runs one launch on every chain. */
    void run(Chains chains, Launch launch);

    /**
     * Chan's merge of the per-chain Welford accumulators, every chain holding {@code samples}
     * samples: for each column c, out[c] is the mean over all chains and samples and
     * out[columns + c] the sum of squared deviations from it.
     */
    double[] merge(Chains chains, long samples);

    /** Which implementation runs these chains, in words (for results and logs); rejects what it cannot run. */
    String path(Chains chains);
}
