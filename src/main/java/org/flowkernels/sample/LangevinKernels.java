package org.flowkernels.sample;

import org.flowkernels.backend.Buffer;
import org.flowkernels.backend.KernelFamily;
import org.flowkernels.backend.cpu.CpuLangevinKernels;
import org.flowkernels.backend.device.DeviceLangevinKernels;

/**
 * The Langevin kernels of one backend. {@link Langevin} has validated everything and
 * allocated the chains' buffers; the kernels only run.
 *
 * <p>Random numbers (Philox4x32-10, native-kernels/include/philox.h layout, key = the run's
 * seed): the proposal noise ξ of coordinate c of chain i at global step t is the normal
 * {@code (index i, step t, block c/4, stream }{@value #NOISE_STREAM}{@code )}, word c % 4; the
 * Metropolis-Hastings uniform of chain i at step t is word 0 of
 * {@code (i, t, block 0, stream }{@value #ACCEPT_STREAM}{@code )}. Steps count from 0 at the
 * start of the run, warm-up included, so a run split into launches or into
 * {@link LangevinRun#advance} calls draws exactly the numbers of an unsplit one.
 */
public interface LangevinKernels {
    KernelFamily<LangevinKernels> FAMILY = KernelFamily.of("langevin", CpuLangevinKernels::new, DeviceLangevinKernels::new);

    /** Philox stream of the proposal noise ξ. */
    int NOISE_STREAM = 16;
    /** Philox stream of MALA's accept/reject uniforms. */
    int ACCEPT_STREAM = 17;

    /** Dual-averaging constants (Hoffman and Gelman 2014): γ, t0, κ. μ = ln(10 ε0) comes with the launch. */
    float ADAPT_GAMMA = 0.05f, ADAPT_T0 = 10f, ADAPT_KAPPA = 0.75f;

    /**
     * One launch: global steps [first, first + steps) of every chain, with noise level sigma
     * (score drifts). Steps t < adaptEnd adapt ε (MALA); the step t = adaptEnd - 1 freezes it at
     * the dual average. Steps t >= statsStart are sampling steps: they count acceptances, feed
     * the running statistics when (t - statsStart + 1) is a multiple of statsEvery (sample number
     * (t - statsStart + 1) / statsEvery, from 1) and, when snapEvery > 0 and (t - statsStart + 1)
     * is a multiple of it, write snapshot number j = (t - statsStart + 1) / snapEvery - 1 into
     * slot j - snapBase of {@code snapshots} ([snapCount, chains, cols] row-major).
     */
    record Launch(int first, int steps, float sigma, int adaptEnd, float target, float adaptMu, int statsStart,
                  int statsEvery, int snapEvery, int snapBase, int snapCount, Buffer snapshots) {}

    /** Runs one launch on every chain. */
    void run(Chains chains, Launch launch);

    /**
     * Chan's merge of the per-chain Welford accumulators, every chain holding {@code samples}
     * samples: for each column c (coordinates, then the energy when there is one), out[c] is the
     * mean over all chains and samples and out[cols + c] the sum of squared deviations from it.
     */
    double[] merge(Chains chains, long samples);

    /** Which implementation runs these chains, in words (for results and logs). */
    String path(Chains chains);
}
