package org.flowkernels.sample;

import java.util.List;
import org.flowkernels.Tensor;

/**
 * The outcome of a Langevin run: the final states (on the run's backend; close them), the
 * statistics of the sampling steps, each chain's acceptance rate and step size, the
 * snapshots, and what produced them (method, drift, seed, settings, implementation path).
 */
public final class LangevinResult implements AutoCloseable {
    private final Langevin.Method method;
    private final Drift drift;
    private final Tensor states;
    private final ChainStatistics statistics;
    private final float[] acceptance, stepSizes;
    private final List<Snapshot> snapshots;
    private final long seed;
    private final Object settings;
    private final RunOptions options;
    private final int steps;
    private final String path;

    LangevinResult(Langevin.Method method, Drift drift, Tensor states, ChainStatistics statistics, float[] acceptance,
                   float[] stepSizes, List<Snapshot> snapshots, long seed, Object settings, RunOptions options, int steps,
                   String path) {
        this.method = method;
        this.drift = drift;
        this.states = states;
        this.statistics = statistics;
        this.acceptance = acceptance;
        this.stepSizes = stepSizes;
        this.snapshots = snapshots;
        this.seed = seed;
        this.settings = settings;
        this.options = options;
        this.steps = steps;
        this.path = path;
    }

    public Langevin.Method method() { return method; }

    public Drift drift() { return drift; }

    /** The final states [chains, n]. */
    public Tensor states() { return states; }

    public ChainStatistics statistics() { return statistics; }

    /** Each chain's acceptance rate over the sampling steps (1 for ULA, which accepts every step). */
    public float[] acceptance() { return acceptance.clone(); }

    /** The mean acceptance rate over the chains. */
    public double meanAcceptance() { return statistics.acceptanceRate(); }

    /** Each chain's ε during the sampling steps: the adapted, frozen one when MALA adapted it
     *  during the warm-up, else the ε asked for (the last level's for an annealed run). */
    public float[] stepSizes() { return stepSizes.clone(); }

    public List<Snapshot> snapshots() { return snapshots; }

    public long seed() { return seed; }

    /** The {@link LangevinSettings} of a ULA or MALA run, or the {@link Annealing} schedule. */
    public Object settings() { return settings; }

    public RunOptions options() { return options; }

    /** Steps run, warm-up included. */
    public int steps() { return steps; }

    /** Which implementation ran (e.g. the fused kernel, or the per-step MLP path for a large score network). */
    public String path() { return path; }

    @Override
    public void close() { states.close(); }

    @Override
    public String toString() {
        return "LangevinResult[" + method + ", " + states.rows() + " chains x " + states.cols() + ", " + steps + " steps, seed "
                + seed + ", " + statistics + ", path: " + path + "]";
    }
}
