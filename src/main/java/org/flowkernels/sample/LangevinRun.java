package org.flowkernels.sample;

import java.util.ArrayList;
import java.util.List;
import org.flowkernels.Check;
import org.flowkernels.Tensor;
import org.flowkernels.spi.Buffer;
import org.flowkernels.spi.HmcKernels;
import org.flowkernels.spi.LangevinKernels;
import org.flowkernels.spi.Memory;

/**
 * A Langevin or HMC run that advances in chunks: {@link #advance(int)} runs some more steps (as a
 * bounded number of fused kernel launches), and between chunks the statistics so far, the
 * acceptance and the states can be read, so a long run can show progress, stop early (Ctrl-C)
 * and still report. A run split into chunks draws exactly the numbers of an unsplit one, so
 * its states are bit-identical. Created by {@link Langevin}; close it to free its device
 * buffers. Not thread-safe.
 */
public final class LangevinRun implements AutoCloseable {
    /** A stretch of steps with one noise level σ; resetEpsilon (when not NaN) is every chain's ε at its start. */
    record Leg(int steps, float sigma, float resetEpsilon) {}

    private final Langevin.Method method;
    private final Chains chains;
    private final LangevinKernels kernels;
    /** HMC's kernels and leapfrog steps per iteration; null and 0 for a Langevin run. */
    private final HmcKernels hmc;
    private final int leapfrog;
    private final List<Leg> legs;
    private final Object settings;
    private final RunOptions options;
    private final int total, statsStart, adaptEnd;
    private final float target, adaptMu;
    private final String path;
    private final List<Snapshot> snapshots = new ArrayList<>();
    private int done;
    private NonFiniteStateException failure;
    private boolean closed;

    LangevinRun(Langevin.Method method, Chains chains, List<Leg> legs, int statsStart, int adaptEnd, float target,
                float adaptMu, Object settings, RunOptions options, int leapfrog) {
        this.method = method;
        this.chains = chains;
        this.leapfrog = leapfrog;
        this.kernels = chains.backend().kernels(LangevinKernels.class);
        this.hmc = leapfrog > 0 ? chains.backend().kernels(HmcKernels.class) : null;
        this.legs = List.copyOf(legs);
        this.statsStart = statsStart;
        this.adaptEnd = adaptEnd;
        this.target = target;
        this.adaptMu = adaptMu;
        this.settings = settings;
        this.options = options;
        int t = 0;
        for (Leg l : legs) t += l.steps();
        this.total = t;
        try {
            // also rejects what the backend cannot run, before any launch
            this.path = hmc != null ? hmc.path(chains.spec(), leapfrog) : kernels.path(chains.spec());
        } catch (RuntimeException e) {
            chains.close();
            throw e;
        }
    }

    public Langevin.Method method() { return method; }

    /** Warm-up and sampling steps (all levels of an annealed run). */
    public int totalSteps() { return total; }

    public int stepsDone() { return done; }

    public boolean isDone() { return done == total; }

    /** Which implementation runs the chains, in words. */
    public String path() { return path; }

    /**
     * Runs up to {@code steps} more steps (fewer when the run has fewer left); returns how
     * many ran. Throws {@link NonFiniteStateException} when a chain proposed a non-finite
     * state during this call: the run then stops for good, and its states and statistics up to
     * the launch in which that happened remain readable.
     */
    public int advance(int steps) {
        Check.positive(steps, "steps");
        ensureOpen();
        if (failure != null)
            throw new IllegalStateException("the run stopped at step " + failure.step() + ": " + failure.getMessage());
        int end = (int) Math.min(total, (long) done + steps), start = done;
        Memory mem = chains.backend().memory();
        while (done < end) {
            int legStart = 0, legIndex = 0;
            while (legStart + legs.get(legIndex).steps() <= done) legStart += legs.get(legIndex++).steps();
            Leg leg = legs.get(legIndex);
            if (done == legStart && !Float.isNaN(leg.resetEpsilon()))
                mem.fill(chains.epsilon(), Float.floatToRawIntBits(leg.resetEpsilon()));
            int count = Math.min(Math.min(end, legStart + leg.steps()), done + options.stepsPerLaunch()) - done;
            launch(done, count, leg.sigma());
            done += count;
            checkFinite();
        }
        return end - start;
    }

    private void launch(int first, int count, float sigma) {
        int every = options.snapshotEvery(), snapBase = 0, snapCount = 0;
        if (every > 0 && first + count > statsStart) {
            int from = Math.max(first, statsStart) - statsStart, to = first + count - statsStart;
            snapBase = from / every;
            snapCount = to / every - snapBase;
        }
        Memory mem = chains.backend().memory();
        long snapSize = (long) snapCount * chains.count() * chains.columns();
        if (snapSize > Integer.MAX_VALUE - 8)
            throw new IllegalArgumentException("snapshotEvery: " + snapCount + " snapshots of " + chains.count() + " chains in one launch ("
                    + snapSize + " values) do not fit a Java array; snapshot less often or use fewer stepsPerLaunch");
        Buffer snaps = snapCount > 0 ? mem.allocate(Buffer.Type.FLOAT32, snapSize) : chains.mean();
        try {
            LangevinKernels.Launch l = new LangevinKernels.Launch(first, count, sigma, adaptEnd, target, adaptMu, statsStart,
                    options.statisticsEvery(), every, snapBase, snapCount, snaps);
            if (hmc != null) hmc.run(chains.spec(), l, leapfrog);
            else kernels.run(chains.spec(), l);
            if (snapCount > 0) keepSnapshots(snaps, snapBase, snapCount);
        } finally {
            if (snapCount > 0) mem.free(snaps);
        }
    }

    private void keepSnapshots(Buffer snaps, int base, int count) {
        int chainsN = chains.count(), n = chains.dim(), cols = chains.columns();
        float[] all = new float[count * chainsN * cols];
        chains.backend().memory().read(snaps, 0, all, 0, all.length);
        for (int j = 0; j < count; j++) {
            float[] x = new float[chainsN * n], e = chains.hasEnergy() ? new float[chainsN] : null;
            for (int i = 0; i < chainsN; i++) {
                int row = (j * chainsN + i) * cols;
                System.arraycopy(all, row, x, i * n, n);
                if (e != null) e[i] = all[row + n];
            }
            snapshots.add(new Snapshot(statsStart + (base + j + 1) * options.snapshotEvery() - 1, x, e));
        }
    }

    private void checkFinite() {
        int[] bad = new int[chains.count()];
        chains.backend().memory().read(chains.firstNonFinite(), 0, bad, 0, bad.length);
        int chain = -1, step = Integer.MAX_VALUE, affected = 0;
        for (int i = 0; i < bad.length; i++)
            if (bad[i] >= 0) {
                affected++;
                if (bad[i] < step) {
                    step = bad[i];
                    chain = i;
                }
            }
        if (affected > 0) {
            failure = new NonFiniteStateException(chain, step, affected);
            throw failure;
        }
    }

    /** Sampling steps done so far (those after the warm-up, or in the last annealing level). */
    public int samplingStepsDone() { return Math.max(0, done - statsStart); }

    /** The statistics of the sampling steps so far. */
    public ChainStatistics statistics() {
        ensureOpen();
        long samples = samplingStepsDone() / options.statisticsEvery();
        double[] merged = samples > 0 ? kernels.merge(chains.spec(), samples) : new double[2 * chains.columns()];
        double rate = Double.NaN;
        if (samplingStepsDone() > 0) {
            rate = 0;
            for (float a : acceptance()) rate += a;
            rate /= chains.count();
        }
        return new ChainStatistics(chains.count(), samples, chains.dim(), chains.hasEnergy(), merged, rate);
    }

    /** Each chain's acceptance rate over the sampling steps so far (1 for ULA; NaN before the first); for HMC
     *  over the iterations (one Metropolis decision per trajectory). */
    public float[] acceptance() {
        ensureOpen();
        float[] out = new float[chains.count()];
        int steps = samplingStepsDone();
        if (!chains.mala() || steps == 0) {
            java.util.Arrays.fill(out, steps == 0 ? Float.NaN : 1f);
            return out;
        }
        int[] acc = new int[chains.count()];
        chains.backend().memory().read(chains.accepted(), 0, acc, 0, acc.length);
        for (int i = 0; i < acc.length; i++) out[i] = (float) ((double) acc[i] / steps);
        return out;
    }

    /** Each chain's current ε (after the warm-up of an adapting MALA run: the frozen, adapted one). */
    public float[] stepSizes() {
        ensureOpen();
        float[] eps = new float[chains.count()];
        chains.backend().memory().read(chains.epsilon(), 0, eps, 0, eps.length);
        return eps;
    }

    /** A copy of the chains' current states [chains, n]; the caller closes it. */
    public Tensor states() {
        ensureOpen();
        Tensor copy = chains.backend().empty(chains.count(), chains.dim());
        chains.backend().memory().copy(chains.states().buffer(), 0, copy.buffer(), 0, copy.size());
        return copy;
    }

    /** The snapshots taken so far. */
    public List<Snapshot> snapshots() { return List.copyOf(snapshots); }

    /** The run's outcome so far (usually called once {@link #isDone()}): a copy of the states and
     *  everything else; the result's states are the caller's to close. */
    public LangevinResult result() {
        ChainStatistics stats = statistics();
        return new LangevinResult(method, chains.drift(), states(), stats, acceptance(), stepSizes(), snapshots(),
                chains.seed(), settings, options, done, path);
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("the Langevin run is closed");
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        chains.close();
    }
}
