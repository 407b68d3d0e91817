package org.flowkernels.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.flowkernels.Backend;
import org.flowkernels.Check;
import org.flowkernels.FlowKernelsException;
import org.flowkernels.Tensor;
import org.flowkernels.physics.Potential;
import org.flowkernels.rng.Rng;
import org.flowkernels.sample.Diagnostics;
import org.flowkernels.sample.Drift;
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
 * {@code sample coulomb}: ULA or MALA chains on the Coulomb gas in a harmonic trap, recorded
 * every M steps. The error bar comes from the spread of the chains' own means: the chains are
 * independent, the samples within one are not. R-hat, the ESS and the errors are
 * {@link Diagnostics}' over the sampling records.
 */
@Command(name = "coulomb", mixinStandardHelpOptions = true, sortOptions = false, showDefaultValues = false,
        description = {
            "Sample N unit charges in a harmonic trap, V(r) = sum_{i<j} 1/|r_i - r_j| + sum_i |r_i|^2, at inverse temperature "
                    + "beta (density exp(-beta V)) with C independent Langevin chains: ULA, x <- x - (eps/2) beta grad V + "
                    + "sqrt(eps) xi, or MALA (the same move as a Metropolis-Hastings proposal: no step-size bias).",
            "Each chain starts from x ~ N(0, I) (Philox, --seed), runs the warm-up and then the sampling steps; V of every "
                    + "chain is recorded every M steps. Prints <V> +- its standard error from the C independent chains (the "
                    + "spread of the per-chain means over the sampling records), the split-R-hat of V over the chains, its "
                    + "effective sample size (and the standard error that gives), the virial <r . grad V> = <3 U_trap - V> "
                    + "with its exact equilibrium value dN/beta, the equipartition term (dN - z)/(2 beta) that <V> exceeds the "
                    + "ground-state energy by at large beta (z zero modes: 1 rotation in 2-D), the acceptance rate (MALA), "
                    + "the backend and the kernel path that ran, and the throughput.",
            "Progress goes to stderr. Ctrl-C stops after the current chunk of M steps and still writes the results so far."},
        footerHeading = "%nWrites (into --out):%n",
        footer = {
            "  samples.npy  float32 [C, N*D]: the final state of every chain (particle i",
            "               in columns i*D .. i*D+D-1)",
            "  energy.npy   float32 [C, R]: V of every chain at each of the R records",
            "  steps.npy    float32 [R]: the step of each record (0: the start; warm-up",
            "               steps count)",
            "  energy.png   the chain mean of V against the step: the whole run, then",
            "               the sampling records alone with <V>, and the virial",
            "               against its exact value dN/beta",
            "  density.png  the particle density of all chains' final states, per unit",
            "               area and chain (1-D: per unit length; 3-D: the x-y",
            "               projection)"})
final class SampleCoulomb implements Callable<Integer> {
    enum Method { ULA, MALA }

    @Mixin
    GlobalOptions global;

    @Mixin
    OutputFolder output;

    @Option(names = "--particles", paramLabel = "N", defaultValue = "6", description = "number of charges (default: ${DEFAULT-VALUE})")
    int particles;

    @Option(names = "--dim", paramLabel = "D", defaultValue = "2", description = "space dimension: 1, 2 or 3 (default: ${DEFAULT-VALUE})")
    int dim;

    @Option(names = "--beta", paramLabel = "B", defaultValue = "100",
            description = "inverse temperature 1/kT, in inverse units of V (default: ${DEFAULT-VALUE})")
    double beta;

    @Option(names = "--chains", paramLabel = "C", defaultValue = "1024", description = "independent chains (default: ${DEFAULT-VALUE})")
    int chains;

    @Option(names = "--steps", paramLabel = "S", defaultValue = "10000",
            description = "sampling steps per chain, after the warm-up (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--warmup", paramLabel = "W", defaultValue = "2000",
            description = "warm-up steps per chain, not sampled; MALA adapts its step size during them (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--method", paramLabel = "ula|mala", defaultValue = "mala",
            description = "ula (unadjusted Langevin) or mala (Metropolis-adjusted) (default: ${DEFAULT-VALUE})")
    Method method;

    @Option(names = "--step-size", paramLabel = "EPS", defaultValue = "1e-3",
            description = "Langevin step eps, in units of x^2 (the initial one when MALA adapts) (default: ${DEFAULT-VALUE})")
    double stepSize;

    @Option(names = "--adapt", negatable = true,
            description = "MALA: tune each chain's step size during the warm-up toward acceptance 0.574 (dual averaging), then "
                    + "freeze it (default: on for MALA; ULA accepts every step and cannot adapt)")
    Boolean adapt;

    @Option(names = "--record-every", paramLabel = "M", defaultValue = "50",
            description = "record V of every chain every M steps; also the chunk a Ctrl-C waits for (default: ${DEFAULT-VALUE})")
    int recordEvery;

    @Option(names = "--seed", paramLabel = "K", defaultValue = "1",
            description = "Philox seed of the start (stream 0) and of the Langevin noise (streams 16, 17) (default: ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() throws IOException {
        Check.positive(particles, "--particles");
        Check.positive(chains, "--chains");
        Check.positive(steps, "--steps");
        Check.nonNegative(warmup, "--warmup");
        Check.positive(recordEvery, "--record-every");
        Check.positiveFinite(beta, "--beta");
        Check.positiveFinite(stepSize, "--step-size");
        if (dim < 1 || dim > 3) throw new IllegalArgumentException("--dim: expected 1, 2 or 3, got " + dim);
        if (method == Method.ULA && Boolean.TRUE.equals(adapt))
            throw new IllegalArgumentException("--adapt: adaptation tunes MALA's acceptance rate and ULA accepts every step; "
                    + "use --method mala, or drop --adapt");
        Backend backend = global.backend();
        checkMemory(backend);
        try (Outputs files = output.open()) {
            return run(backend, files);
        }
    }

    private int run(Backend backend, Outputs files) throws IOException {
        int n = n();
        PrintWriter out = global.out();

        Potential.CoulombGas gas = Potential.coulombGas(dim);
        LangevinSettings settings = new LangevinSettings(stepSize, steps, warmup,
                adapts() ? LangevinSettings.MALA_OPTIMAL_ACCEPTANCE : Double.NaN, RunOptions.of(seed));
        Drift drift = Drift.potential(gas, beta);
        out.printf(Locale.ROOT, "sample coulomb: %d charges in %d-D, V = sum 1/r_ij + sum |r_i|^2, beta = %s; %s%s, eps %s; %d chains x "
                        + "(%d warm-up + %d sampling steps), record every %d, seed %d%n",
                particles, dim, num(beta), method, adapts() ? " (step size adapted in the warm-up)" : "", num(stepSize), chains,
                warmup, steps, recordEvery, seed);
        Interrupt ctrlC = Interrupt.arm();
        try (Tensor x0 = Rng.normal(backend, chains, n, seed);
             LangevinRun run = method == Method.MALA ? Langevin.startMala(drift, x0, settings) : Langevin.startUla(drift, x0, settings)) {
            out.println("backend: " + backend.name() + " (" + backend.device() + "); path: " + run.path());
            out.flush();
            Records records = new Records(gas, chains, n, warmup);
            records.take(run);
            long t0 = System.nanoTime();
            try (Progress bar = new Progress(global.err(), "coulomb", run.totalSteps(), "steps", chains, "chain-steps")) {
                while (!run.isDone() && !ctrlC.requested()) {
                    bar.stepBy(run.advance(recordEvery));
                    records.take(run);
                }
            } catch (NonFiniteStateException e) {
                throw new FlowKernelsException("chain " + e.chain() + " became non-finite at step " + e.step()
                        + (e.chainsAffected() > 1 ? " (" + e.chainsAffected() + " chains in all)" : "")
                        + ": the step size is too large for this beta; try a smaller --step-size" + (method == Method.ULA
                        ? " or --method mala" : ""), e);
            }
            double seconds = (System.nanoTime() - t0) * 1e-9;
            if (!run.isDone())
                out.printf(Locale.ROOT, "interrupted after step %d of %d: the results cover the steps done%n", run.stepsDone(), run.totalSteps());
            report(out, run, records, seconds);
            write(files, records);
            files.report(out);
        }
        return 0;
    }

    /** One record per M steps from step 0 to the end (the last chunk may be shorter). */
    private long records() {
        return ((long) warmup + steps + recordEvery - 1) / recordEvery + 1;
    }

    /**
     * What the run holds: on the backend the start, the chains' states, their running means and
     * second moments (n + 1 columns each), step sizes, dual-averaging state and counters, and a
     * copy of the states with their V at each record; on the host V of every chain at every
     * record (and the virial at the sampling ones), the last states, and at the end the
     * [chains, records] energy array and the particles' coordinates for the density plot.
     */
    private void checkMemory(Backend backend) {
        double c = chains, r = records(), n = (double) particles * dim; // before n(), which could overflow
        new Footprint().device(4 * c * (5 * n + 8))
                .host(4 * c * r).host(4 * c * r).array(c * r).array(c * n).host(4 * c * n).host(16 * c * particles + 16 * c)
                .check(backend, c >= r ? "--chains" : "--record-every", chains + " chains of " + (long) n + " coordinates with " + records()
                        + " records each", "use fewer --chains or record less often (--record-every)");
    }

    private void report(PrintWriter out, LangevinRun run, Records r, double seconds) {
        int k = r.sampled();
        if (k == 0) {
            out.println("<V>: no sampling records yet (the run stopped in the warm-up)");
        } else {
            double[] v = r.draws(r.sampledEnergies), vir = r.draws(r.virials);
            double mean = Diagnostics.mean(v, chains, k), virial = Diagnostics.mean(vir, chains, k);
            double se = standardError(v, k), virialSe = standardError(vir, k);
            out.printf(Locale.ROOT, "<V> = %.5f +- %s   (the mean of %s, steps %d..%d; +- its standard error %s)%n", mean, error(se),
                    chains > 1 ? chains + " chain means over " + k + " records each" : count(k, "record", "records"), r.firstSampled,
                    r.steps.get(r.steps.size() - 1), chains > 1 ? "from the spread of the chain means" : "from the ESS of the one chain");
            if (k < 4) {
                out.printf(Locale.ROOT, "R-hat and ESS of V: n/a (they need 4 sampling records, the run has %d)%n", k);
            } else {
                double rHat = Diagnostics.splitRHat(v, chains, k);
                out.printf(Locale.ROOT, "R-hat of V = %.4f (split-R-hat over the %d chain halves%s)%n", rHat, 2 * chains, rHat > 1.01
                        ? "; above 1.01: the chains have NOT mixed, some sit in other configurations; try a longer --warmup or a "
                                + "smaller --beta" : ": the chains agree");
                printEss(out, v, k);
            }
            int zero = particles == 1 || dim == 1 ? 0 : dim == 2 ? 1 : particles == 2 ? 2 : 3;
            double exact = n() / beta, off = Math.abs(virial - exact) / virialSe;
            out.printf(Locale.ROOT, "virial <r . grad V> = <3 U_trap - V> = %.5f +- %s; in equilibrium exactly dN/beta = %.5f%s%n", virial,
                    error(virialSe), exact, Double.isNaN(off) ? "" : String.format(Locale.ROOT, " (%.1f standard errors off%s)", off,
                            off > 4 ? ": too far; " + (method == Method.ULA ? "ULA's step-size bias is O(eps), try a smaller "
                                    + "--step-size or --method mala, " : "") + "or the chains have not equilibrated (a longer --warmup)"
                                    : ""));
            out.printf(Locale.ROOT, "at large beta, <V> = V* + (dN - %d)/(2 beta) = V* + %.5f + O(1/beta^2), V* the ground-state energy "
                    + "(equipartition over the %d non-zero modes)%n", zero, (n() - zero) / (2 * beta), n() - zero);
        }
        if (method == Method.MALA && run.samplingStepsDone() > 0) {
            float[] eps = run.stepSizes();
            double lo = Double.MAX_VALUE, hi = 0, mean = 0;
            for (float e : eps) {
                lo = Math.min(lo, e);
                hi = Math.max(hi, e);
                mean += e / (double) eps.length;
            }
            out.printf(Locale.ROOT, "acceptance %.3f%s; step size eps: mean %.3g (%.3g .. %.3g over the chains)%n", run.statistics().acceptanceRate(),
                    adapts() ? " (target 0.574)" : "", mean, lo, hi);
        }
        out.printf(Locale.ROOT, "%d steps x %d chains in %.2f s: %.3g chain-steps/s (%s)%n", run.stepsDone(), chains, seconds,
                run.stepsDone() * (double) chains / seconds, Progress.WARM_UP);
    }

    /** MALA adapts unless told not to; with no warm-up there is nothing to adapt in. */
    private boolean adapts() {
        return method == Method.MALA && !Boolean.FALSE.equals(adapt) && warmup > 0;
    }

    private void write(Outputs files, Records r) throws IOException {
        int count = r.steps.size(), k = r.sampled();
        float[] energy = new float[chains * count], stepsAt = new float[count];
        double[] step = new double[count];
        for (int j = 0; j < count; j++) {
            float[] v = r.energies.get(j);
            stepsAt[j] = r.steps.get(j);
            step[j] = r.steps.get(j);
            for (int c = 0; c < chains; c++) energy[c * count + j] = v[c];
        }
        files.npy("samples.npy", r.last, chains, n());
        files.npy("energy.npy", energy, chains, count);
        files.npy("steps.npy", stepsAt, count);
        String gas = String.format(Locale.ROOT, "Coulomb gas, N = %d, beta = %s, %s", particles, num(beta), method);
        Plots.Panel whole = new Plots.Panel(gas + ": whole run, " + count(chains, "chain", "chains"), "step", "mean V over the chains", step)
                .line("mean V", chainMeans(r.energies));
        if (k == 0) {
            files.png("energy.png", f -> Plots.save(f, 330, whole));
        } else {
            // the warm-up transient dwarfs the equilibrium fluctuations: two more panels show the sampling records alone
            double[] sampledSteps = Arrays.copyOfRange(step, count - k, count);
            double mean = Diagnostics.mean(r.draws(r.sampledEnergies), chains, k);
            if (warmup > 0) whole.mark("end of the warm-up", warmup);
            Plots.Panel equilibrium = new Plots.Panel("after the warm-up: the mean V of the chains at each record", "step",
                    "mean V over the chains", sampledSteps).line("mean V", chainMeans(r.sampledEnergies))
                    .level(String.format(Locale.ROOT, "<V> = %.5f (all records)", mean), mean);
            Plots.Panel virial = new Plots.Panel("after the warm-up: the virial r . grad V = 3 U_trap - V", "step",
                    "mean r . grad V over the chains", sampledSteps).line("mean r . grad V", chainMeans(r.virials))
                    .level("exact: dN/beta = " + num(n() / beta), n() / beta);
            files.png("energy.png", f -> Plots.save(f, 330, whole, equilibrium, virial));
        }
        int points = chains * particles;
        double[] xs = new double[points], ys = new double[points];
        for (int i = 0; i < points; i++) {
            xs[i] = r.last[i * dim];
            ys[i] = dim > 1 ? r.last[i * dim + 1] : 0;
        }
        String title = String.format(Locale.ROOT, "particle density, %d charges, beta = %s: %s x final state (step %d)", particles,
                num(beta), count(chains, "chain", "chains"), r.steps.get(count - 1));
        files.png("density.png", f -> {
            if (dim == 1) Plots.histogram(f, title, "x", "particles per unit length (mean over the chains)", xs, 1.0 / chains, 60);
            else Plots.density(f, title, "particles per unit area" + (dim == 3 ? " of the x-y plane" : "") + " (mean over the chains)", xs,
                    ys, 1.0 / chains, 40);
        });
    }

    /** The mean over the chains at each record. */
    private double[] chainMeans(List<float[]> series) {
        double[] m = new double[series.size()];
        for (int j = 0; j < m.length; j++)
            for (float v : series.get(j)) m[j] += v / (double) chains;
        return m;
    }

    private int n() { return particles * dim; }

    /** The mean's standard error: from the chain means, which are independent, or from the ESS of a single chain. */
    private double standardError(double[] x, int records) {
        return chains > 1 ? Diagnostics.chainMeansStandardError(x, chains, records) : Diagnostics.standardError(x, chains, records);
    }

    /** The ESS of all chains, each chain's (a chain that never moved has none), and the standard error it gives. */
    private void printEss(PrintWriter out, double[] v, int records) {
        double lo = Double.MAX_VALUE, hi = 0, sum = 0;
        int moved = 0;
        for (double e : Diagnostics.effectiveSampleSizes(v, chains, records))
            if (!Double.isNaN(e)) {
                lo = Math.min(lo, e);
                hi = Math.max(hi, e);
                sum += e;
                moved++;
            }
        out.printf(Locale.ROOT, "ESS of V = %.0f of %d records (per chain %s)%s; standard error from the ESS %s%n",
                Diagnostics.effectiveSampleSize(v, chains, records), (long) chains * records, moved == 0 ? "n/a"
                        : String.format(Locale.ROOT, "%.1f on average, %.1f .. %.1f", sum / moved, lo, hi),
                moved < chains ? "; " + (chains - moved) + " chains never moved: try a smaller --step-size" : "",
                error(Diagnostics.standardError(v, chains, records)));
    }

    private static String error(double e) {
        return Double.isNaN(e) ? "n/a" : String.format(Locale.ROOT, "%.5f", e);
    }

    /**
     * V of every chain at each record and, at the sampling records (after the warm-up), the
     * virial r . grad V = 2 U_trap - U_coulomb = 3 U_trap - V (U_trap = trap sum |r_i|^2 is
     * homogeneous of degree 2, the Coulomb term of degree -1).
     */
    private static final class Records {
        final Potential.CoulombGas gas;
        final int chains, n, warmup;
        final List<Integer> steps = new ArrayList<>();
        final List<float[]> energies = new ArrayList<>(), sampledEnergies = new ArrayList<>(), virials = new ArrayList<>();
        int firstSampled = -1;
        float[] last;

        Records(Potential.CoulombGas gas, int chains, int n, int warmup) {
            this.gas = gas;
            this.chains = chains;
            this.n = n;
            this.warmup = warmup;
        }

        void take(LangevinRun run) {
            float[] v;
            try (Tensor x = run.states(); Tensor e = gas.energy(x)) {
                last = x.toArray();
                v = e.toArray();
            }
            int step = run.stepsDone();
            steps.add(step);
            energies.add(v);
            if (step <= warmup) return;
            if (firstSampled < 0) firstSampled = step;
            float[] virial = new float[chains];
            for (int c = 0; c < chains; c++) {
                double trap = 0;
                for (int j = c * n; j < (c + 1) * n; j++) trap += (double) last[j] * last[j];
                virial[c] = (float) (3 * gas.trap() * trap - v[c]);
            }
            sampledEnergies.add(v);
            virials.add(virial);
        }

        int sampled() { return sampledEnergies.size(); }

        /** A series of per-record values as [chains, records] row-major, the layout Diagnostics reads. */
        double[] draws(List<float[]> series) {
            int k = series.size();
            double[] x = new double[chains * k];
            for (int j = 0; j < k; j++)
                for (int c = 0; c < chains; c++) x[c * k + j] = series.get(j)[c];
            return x;
        }
    }
}
