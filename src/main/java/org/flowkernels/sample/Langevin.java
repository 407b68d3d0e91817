package org.flowkernels.sample;

import java.util.ArrayList;
import java.util.List;
import org.flowkernels.Check;
import org.flowkernels.Tensor;
import org.flowkernels.nn.MlpModule;

/**
 * Langevin sampling of a batch of chains, one chain per row of x0 [chains, n].
 *
 * <p>The overdamped Langevin equation dx = ∇ ln π(x) dt + √2 dW has π as its stationary
 * density. Discretized with step ε it is the unadjusted Langevin algorithm (ULA),
 * x ← x + (ε/2) ∇ ln π(x) + √ε ξ, ξ ~ N(0, I), whose stationary density is π up to an O(ε)
 * bias. MALA uses the same move as a proposal y and accepts it with the Metropolis-Hastings
 * probability min(1, π(y) q(x|y) / (π(x) q(y|x))), which removes the bias. Annealed Langevin
 * runs ULA with a score network through decreasing noise levels (score-based generative models).
 *
 * <p>Every step of every chain runs inside fused kernels (many steps per launch, the state in
 * registers or private memory), and the noise comes from Philox keyed by (seed, chain, step)
 * ({@link LangevinKernels} documents the streams), so a run is reproducible, bit for bit on one
 * backend and to float rounding across backends. Bad input throws IllegalArgumentException
 * (naming the argument) before any kernel runs; a chain that proposes a non-finite state
 * stops the run with a {@link NonFiniteStateException} naming the chain and the step.
 */
public final class Langevin {
    private Langevin() {}

    /** The sampler of a run; {@link Hmc} runs go through the same machinery as {@code HMC}. */
    public enum Method { ULA, MALA, ANNEALED, HMC }

    /** ULA: warm-up and sampling steps with the drift's ∇ ln π; returns the result. */
    public static LangevinResult ula(Drift drift, Tensor x0, LangevinSettings settings) {
        return complete(startUla(drift, x0, settings));
    }

    /** MALA (a drift with a log-density only): warm-up (adapting ε if asked) and sampling steps. */
    public static LangevinResult mala(Drift drift, Tensor x0, LangevinSettings settings) {
        return complete(startMala(drift, x0, settings));
    }

    /** Annealed Langevin with the score network s(x, σ) = net(concat(x, σ)) through the schedule's levels. */
    public static LangevinResult annealed(MlpModule score, Tensor x0, Annealing schedule, RunOptions options) {
        return complete(startAnnealed(score, x0, schedule, options));
    }

    /** A ULA run to advance in chunks ({@link LangevinRun#advance(int)}). */
    public static LangevinRun startUla(Drift drift, Tensor x0, LangevinSettings settings) {
        Check.notNull(settings, "settings");
        if (settings.adapts())
            throw new IllegalArgumentException("settings: step-size adaptation tunes MALA's acceptance rate, and ULA accepts every "
                    + "step; got targetAcceptance " + settings.targetAcceptance() + " for ULA");
        return start(Method.ULA, drift, x0, settings);
    }

    /** A MALA run to advance in chunks. */
    public static LangevinRun startMala(Drift drift, Tensor x0, LangevinSettings settings) {
        Check.notNull(drift, "drift");
        if (!drift.hasLogDensity())
            throw new IllegalArgumentException("drift: MALA's accept/reject needs ln π(x), and a score network gives only its "
                    + "gradient; use Langevin.ula or Langevin.annealed for a score drift, or a potential for MALA");
        Check.notNull(settings, "settings");
        return start(Method.MALA, drift, x0, settings);
    }

    /** An annealed run to advance in chunks. */
    public static LangevinRun startAnnealed(MlpModule score, Tensor x0, Annealing schedule, RunOptions options) {
        Check.notNull(score, "score");
        Check.notNull(schedule, "schedule");
        Check.notNull(options, "options");
        List<Annealing.Level> levels = schedule.levels();
        Drift drift = Drift.score(score, levels.get(levels.size() - 1).sigma());
        checkStates(drift, x0);
        List<LangevinRun.Leg> legs = new ArrayList<>();
        for (Annealing.Level l : levels) legs.add(new LangevinRun.Leg(l.steps(), (float) l.sigma(), (float) l.stepSize()));
        int statsStart = schedule.totalSteps() - levels.get(levels.size() - 1).steps();
        Chains chains = new Chains(x0.backend(), drift, false, x0, options.seed(), false);
        return new LangevinRun(Method.ANNEALED, chains, legs, statsStart, 0, 0f, 0f, schedule, options, 0);
    }

    private static LangevinRun start(Method method, Drift drift, Tensor x0, LangevinSettings s) {
        return start(method, drift, x0, s.stepSize(), s.steps(), s.warmup(), s.targetAcceptance(), s, s.options(), 0);
    }

    /**
     * A ULA, MALA or HMC run (leapfrog > 0: HMC iterations of that many leapfrog steps): warm-up
     * steps (adapting ε toward the target when it is not NaN), then sampling steps.
     */
    static LangevinRun start(Method method, Drift drift, Tensor x0, double stepSize, int steps, int warmup, double target,
                             Object settings, RunOptions options, int leapfrog) {
        checkStates(drift, x0);
        float sigma = drift instanceof Drift.ScoreDrift sd ? (float) sd.sigma() : 0f;
        float eps = (float) stepSize;
        List<LangevinRun.Leg> legs = new ArrayList<>();
        if (warmup > 0) legs.add(new LangevinRun.Leg(warmup, sigma, eps));
        legs.add(new LangevinRun.Leg(steps, sigma, warmup > 0 ? Float.NaN : eps));
        boolean adapts = !Double.isNaN(target);
        int adaptEnd = adapts ? warmup : 0;
        Chains chains = new Chains(x0.backend(), drift, method == Method.MALA || method == Method.HMC, x0, options.seed(),
                drift.hasLogDensity());
        return new LangevinRun(method, chains, legs, warmup, adaptEnd, (float) (adapts ? target : 0),
                (float) Math.log(10 * stepSize), settings, options, leapfrog);
    }

    /** x0 holds at least one finite chain of at least one coordinate that the drift accepts. */
    static void checkStates(Drift drift, Tensor x0) {
        Check.notNull(drift, "drift");
        Check.notNull(x0, "x0");
        if (x0.isClosed()) throw new IllegalStateException("x0: tensor is closed");
        Check.positive(x0.rows(), "x0 rows (chains)");
        Check.positive(x0.cols(), "x0 columns (coordinates)");
        drift.checkStates(x0.backend(), x0.cols(), "x0");
        Check.allFinite(x0.toArray(), x0.cols(), "x0");
    }

    private static LangevinResult complete(LangevinRun run) {
        try (run) {
            run.advance(run.totalSteps());
            return run.result();
        }
    }
}
