package org.flowkernels.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.flowkernels.Backend;
import org.flowkernels.Check;
import org.flowkernels.Tensor;
import org.flowkernels.physics.UserPotential;
import org.flowkernels.rng.Rng;
import org.flowkernels.sample.Diagnostics;
import org.flowkernels.sample.Drift;
import org.flowkernels.sample.Hmc;
import org.flowkernels.sample.HmcSettings;
import org.flowkernels.sample.Langevin;
import org.flowkernels.sample.LangevinRun;
import org.flowkernels.sample.LangevinSettings;
import org.flowkernels.sample.NonFiniteStateException;
import org.flowkernels.sample.RunOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import static org.flowkernels.cli.Words.count;
import static org.flowkernels.cli.Words.num;

/**
 * {@code sample custom}: HMC, MALA or ULA chains on the Boltzmann density of the user's own
 * potential, a kernel snippet file (with its Java twin for the CPU backend), recorded every M
 * steps; the error bars and R-hat are {@link Diagnostics}' over the records.
 */
@Command(name = "custom", mixinStandardHelpOptions = true, sortOptions = false, showDefaultValues = false,
        description = {
            "Sample exp(-beta V) for your own potential V, given as a kernel snippet file (--potential; its parameters set with "
                    + "-P NAME=VALUE) that the OpenCL and CUDA backends compile into their kernels, with C independent chains of "
                    + "HMC (L leapfrog steps per iteration), MALA or ULA. The CPU backend runs the snippet's Java twin (--java).",
            "Each chain starts from x ~ N(0, s^2 I) (Philox, --seed, --start-scale), runs the warm-up (HMC and MALA adapt their "
                    + "step size there) and then the sampling steps; V of every chain is recorded every M steps. Prints <V> +- "
                    + "its standard error, the split-R-hat and effective sample size of V, each coordinate's mean and variance "
                    + "(up to 8 coordinates), the acceptance rate, the backend and kernel path, and the throughput.",
            "A snippet that does not compile, reads out of its row (--bounds-check), disagrees with its Java twin or returns "
                    + "NaN stops with one line naming the file and the line, and exit code 4."},
        footerHeading = "%nWrites (into --out):%n",
        footer = {
            "  samples.npy  float32 [C, N*D]: the final state of every chain",
            "  energy.npy   float32 [C, R]: V of every chain at each of the R records",
            "  steps.npy    float32 [R]: the step of each record (0: the start)",
            "  energy.png   the chain mean of V against the step"})
final class SampleCustom implements Callable<Integer> {
    enum Method { HMC, MALA, ULA }

    @Mixin
    GlobalOptions global;

    @Mixin
    OutputFolder output;

    @Mixin
    CustomPotentialOptions potential;

    @Option(names = "--beta", paramLabel = "B", defaultValue = "1", description = "inverse temperature (default: ${DEFAULT-VALUE})")
    double beta;

    @Option(names = "--chains", paramLabel = "C", defaultValue = "256", description = "independent chains (default: ${DEFAULT-VALUE})")
    int chains;

    @Option(names = "--steps", paramLabel = "S", defaultValue = "2000",
            description = "sampling steps (HMC: iterations) per chain, after the warm-up (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--warmup", paramLabel = "W", defaultValue = "500", description = "warm-up steps (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--method", paramLabel = "hmc|mala|ula", defaultValue = "hmc", description = "the sampler (default: ${DEFAULT-VALUE})")
    Method method;

    @Option(names = "--step-size", paramLabel = "EPS", defaultValue = "0.1",
            description = "HMC's leapfrog step, or the Langevin step eps (the initial one when adapting) (default: ${DEFAULT-VALUE})")
    double stepSize;

    @Option(names = "--leapfrog", paramLabel = "L", defaultValue = "10", description = "HMC: leapfrog steps per iteration (default: ${DEFAULT-VALUE})")
    int leapfrog;

    @Option(names = "--adapt", negatable = true,
            description = "HMC and MALA: tune each chain's step size in the warm-up toward acceptance 0.651 (HMC) or 0.574 (MALA) "
                    + "by dual averaging, then freeze it (default: on when there is a warm-up)")
    Boolean adapt;

    @Option(names = "--record-every", paramLabel = "M", defaultValue = "10",
            description = "record V of every chain every M steps; also the chunk a Ctrl-C waits for (default: ${DEFAULT-VALUE})")
    int recordEvery;

    @Option(names = "--start-scale", paramLabel = "S", defaultValue = "1",
            description = "the spread of the start, x ~ N(0, S^2 I) (default: ${DEFAULT-VALUE})")
    double startScale;

    @Option(names = "--seed", paramLabel = "K", defaultValue = "1", description = "Philox seed of the start and the run (default: ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() throws IOException {
        Check.positive(chains, "--chains");
        Check.positive(steps, "--steps");
        Check.nonNegative(warmup, "--warmup");
        Check.positive(recordEvery, "--record-every");
        Check.positive(leapfrog, "--leapfrog");
        Check.positiveFinite(beta, "--beta");
        Check.positiveFinite(stepSize, "--step-size");
        Check.positiveFinite(startScale, "--start-scale");
        if (method == Method.ULA && Boolean.TRUE.equals(adapt))
            throw new IllegalArgumentException("--adapt: ULA accepts every step and has no acceptance rate to tune; use --method mala or hmc");
        CustomPotentialOptions.Rows rows = potential.loadRows();
        UserPotential v = rows.potential();
        int d = rows.particleDim(), n = rows.coordinates();
        Backend backend = global.backend();
        potential.requireRunnable(v, backend);
        Outputs files = output.open();
        PrintWriter out = global.out();
        boolean adapts = method != Method.ULA && !Boolean.FALSE.equals(adapt) && warmup > 0;
        out.printf(Locale.ROOT, "sample custom: %s; %d particles x %d-D, beta = %s; %s%s, step %s%s; %d chains x (%d warm-up + %d sampling "
                        + "steps), record every %d, seed %d%n", CustomPotentialOptions.describe(v), potential.particles, d, num(beta), method,
                method == Method.HMC ? " (" + leapfrog + " leapfrog steps)" : "", num(stepSize), adapts ? " adapted in the warm-up" : "",
                chains, warmup, steps, recordEvery, seed);
        Interrupt ctrlC = Interrupt.arm();
        try (Tensor x0 = start(backend, n); LangevinRun run = start(v, x0, adapts)) {
            out.println("backend: " + backend.name() + " (" + backend.device() + "); path: " + run.path());
            out.flush();
            Records records = new Records(v, n);
            records.take(run);
            long t0 = System.nanoTime();
            try (Progress bar = new Progress(global.err(), "custom", run.totalSteps(), "steps", chains, "chain-steps")) {
                while (!run.isDone() && !ctrlC.requested()) {
                    bar.stepBy(run.advance(recordEvery));
                    records.take(run);
                }
            } catch (NonFiniteStateException e) {
                throw potential.nonFinite(e, "the step size is too large for it (try a smaller --step-size)");
            }
            double seconds = (System.nanoTime() - t0) * 1e-9;
            if (!run.isDone())
                out.printf(Locale.ROOT, "interrupted after step %d of %d: the results cover the steps done%n", run.stepsDone(), run.totalSteps());
            report(out, run, records, seconds, adapts);
            write(files, records, v);
            files.report(out);
        }
        return 0;
    }

    private Tensor start(Backend backend, int n) {
        float[] x;
        try (Tensor z = Rng.normal(backend, chains, n, seed)) {
            x = z.toArray();
        }
        for (int i = 0; i < x.length; i++) x[i] *= (float) startScale;
        return backend.tensor(x, chains, n);
    }

    private LangevinRun start(UserPotential v, Tensor x0, boolean adapts) {
        potential.checkTwin(v, x0);
        Drift drift = Drift.potential(v, beta);
        RunOptions options = RunOptions.of(seed);
        return switch (method) {
            case HMC -> {
                HmcSettings s = new HmcSettings(stepSize, leapfrog, steps, warmup, adapts ? HmcSettings.OPTIMAL_ACCEPTANCE : Double.NaN, options);
                yield Hmc.start(drift, x0, s);
            }
            case MALA -> Langevin.startMala(drift, x0, new LangevinSettings(stepSize, steps, warmup,
                    adapts ? LangevinSettings.MALA_OPTIMAL_ACCEPTANCE : Double.NaN, options));
            case ULA -> Langevin.startUla(drift, x0, new LangevinSettings(stepSize, steps, warmup, Double.NaN, options));
        };
    }

    private void report(PrintWriter out, LangevinRun run, Records r, double seconds, boolean adapts) {
        int k = r.sampled.size();
        if (k == 0) {
            out.println("<V>: no sampling records yet (the run stopped in the warm-up)");
        } else {
            double[] v = r.draws(r.sampled, 1, 0);
            out.printf(Locale.ROOT, "<V> = %.6g +- %s   (%d chains x %d records after the warm-up; +- the standard error from the ESS)%n",
                    Diagnostics.mean(v, chains, k), error(Diagnostics.standardError(v, chains, k)), chains, k);
            if (k < 4) {
                out.printf(Locale.ROOT, "R-hat and ESS of V: n/a (they need 4 sampling records, the run has %d)%n", k);
            } else {
                double rHat = Diagnostics.splitRHat(v, chains, k);
                out.printf(Locale.ROOT, "R-hat of V = %.4f (split-R-hat over %d chain halves%s); ESS of V = %.0f of %d records%n", rHat,
                        2 * chains, rHat > 1.01 ? "; above 1.01: the chains have NOT mixed, try a longer --warmup" : "",
                        Diagnostics.effectiveSampleSize(v, chains, k), (long) chains * k);
            }
            if (r.states != null)
                for (int c = 0; c < r.n; c++) {
                    double[] x = r.draws(r.states, r.n, c), dev = new double[x.length];
                    double m = Diagnostics.mean(x, chains, k);
                    for (int i = 0; i < x.length; i++) dev[i] = (x[i] - m) * (x[i] - m);
                    out.printf(Locale.ROOT, "x_%d: mean %.5f +- %s, variance %.5f +- %s%n", c, m, error(Diagnostics.standardError(x, chains, k)),
                            Diagnostics.mean(dev, chains, k), error(Diagnostics.standardError(dev, chains, k)));
                }
        }
        if (method != Method.ULA && run.samplingStepsDone() > 0) {
            double mean = 0;
            for (float e : run.stepSizes()) mean += e / (double) chains;
            out.printf(Locale.ROOT, "acceptance %.3f%s; step size: mean %.3g over the chains%n", run.statistics().acceptanceRate(),
                    adapts ? String.format(Locale.ROOT, " (target %.3f)", method == Method.HMC ? HmcSettings.OPTIMAL_ACCEPTANCE
                            : LangevinSettings.MALA_OPTIMAL_ACCEPTANCE) : "", mean);
        }
        out.printf(Locale.ROOT, "%d steps x %d chains in %.2f s (JIT and kernel builds included): %.3g chain-steps/s%n", run.stepsDone(),
                chains, seconds, run.stepsDone() * (double) chains / seconds);
    }

    private static String error(double e) {
        return Double.isNaN(e) ? "n/a" : String.format(Locale.ROOT, "%.2g", e);
    }

    private void write(Outputs files, Records r, UserPotential v) throws IOException {
        int count = r.steps.size();
        float[] energy = new float[chains * count], stepsAt = new float[count];
        double[] step = new double[count], mean = new double[count];
        for (int j = 0; j < count; j++) {
            float[] e = r.energies.get(j);
            stepsAt[j] = r.steps.get(j);
            step[j] = r.steps.get(j);
            for (int c = 0; c < chains; c++) {
                energy[c * count + j] = e[c];
                mean[j] += e[c] / (double) chains;
            }
        }
        files.npy("samples.npy", r.last, chains, r.n);
        files.npy("energy.npy", energy, chains, count);
        files.npy("steps.npy", stepsAt, count);
        Plots.Panel panel = new Plots.Panel(String.format(Locale.ROOT, "%s, beta = %s, %s: %s", v.name(), num(beta), method,
                count(chains, "chain", "chains")), "step", "mean V over the chains", step).line("mean V", mean);
        if (warmup > 0 && count > 1) panel.mark("end of the warm-up", warmup);
        files.png("energy.png", f -> Plots.save(f, 330, panel));
    }

    /** V of every chain at each record; after the warm-up also the states (for up to 8 coordinates). */
    private final class Records {
        final UserPotential v;
        final int n;
        final List<Integer> steps = new ArrayList<>();
        final List<float[]> energies = new ArrayList<>(), sampled = new ArrayList<>();
        final List<float[]> states;
        float[] last;

        Records(UserPotential v, int n) {
            this.v = v;
            this.n = n;
            this.states = n <= 8 ? new ArrayList<>() : null;
        }

        void take(LangevinRun run) {
            float[] e;
            try (Tensor x = run.states(); Tensor energy = v.energy(x)) {
                last = x.toArray();
                e = energy.toArray();
            }
            steps.add(run.stepsDone());
            energies.add(e);
            if (run.stepsDone() <= warmup) return;
            sampled.add(e);
            if (states != null) states.add(last);
        }

        /** Column c of a series of [chains, width] records as [chains, records] row-major (Diagnostics' layout). */
        double[] draws(List<float[]> series, int width, int c) {
            int k = series.size();
            double[] x = new double[chains * k];
            for (int j = 0; j < k; j++)
                for (int i = 0; i < chains; i++) x[i * k + j] = series.get(j)[i * width + c];
            return x;
        }
    }
}
