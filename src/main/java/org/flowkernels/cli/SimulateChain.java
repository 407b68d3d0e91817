package org.flowkernels.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.flowkernels.Backend;
import org.flowkernels.Check;
import org.flowkernels.Tensor;
import org.flowkernels.physics.Hamiltonian;
import org.flowkernels.physics.Integrator;
import org.flowkernels.physics.Potential;
import org.flowkernels.physics.Recording;
import org.flowkernels.physics.Trajectory;
import org.flowkernels.rng.Rng;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import static org.flowkernels.cli.Words.count;
import static org.flowkernels.cli.Words.lower;
import static org.flowkernels.cli.Words.num;

/**
 * {@code simulate chain}: a batch of trajectories of a 1-D chain (harmonic, FPUT-alpha or
 * FPUT-beta) integrated in chunks of records, so that a Ctrl-C keeps what was computed and
 * the progress bar moves; the chunks' records join into one series (a record-aligned split
 * does not change the result: the integrators synchronise p at every record).
 */
@Command(name = "chain", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Integrate H = sum_i p_i^2/2 + sum_bonds (r^2/2 + alpha r^3/3 + beta r^4/4), r = q_{i+1} - q_i, for a chain of N unit "
                    + "masses (harmonic: alpha = beta = 0; fput-alpha: beta = 0; fput-beta: alpha = 0), fixed ends (walls "
                    + "q_{-1} = q_N = 0) or periodic (q_N = q_0), for T independent trajectories.",
            "Start (--init random): q = 0, p_i ~ N(0, temperature) from Philox (--seed, stream 0), the mean of p removed per "
                    + "trajectory for periodic ends (zero total momentum: no centre-of-mass drift). Start (--init mode): "
                    + "p = 0 and q in normal mode K of the harmonic chain with amplitude A, q_i = A sin(pi K (i+1)/(N+1)) "
                    + "(fixed) or A cos(2 pi K i/N) (periodic): the Fermi-Pasta-Ulam-Tsingou experiment (all trajectories alike).",
            "Prints the largest relative energy error max |H(t) - H(0)|/|H(0)| over trajectories and records (and over each "
                    + "half of the run: symplectic integrators stay bounded, rk4 drifts), the backend and the throughput. "
                    + "Times are in units of sqrt(m/k) = 1. Ctrl-C stops after the current chunk and writes what was computed."},
        footerHeading = "%nWrites (into --out), with R = S/M + 1 records at t = 0, M dt, 2 M dt, ...:%n",
        footer = {
            "  q.npy, p.npy      float32 [T, R, N]: positions and momenta of every",
            "                    trajectory at every record",
            "  energy.npy        float32 [T, R]: H at every record",
            "  time.npy          float32 [R]: the time of each record",
            "  energy-error.png  max over trajectories of |H(t) - H(0)|/|H(0)| against t",
            "  modes.png         (fixed ends) trajectory 0's harmonic normal-mode",
            "                    energies E_k = (P_k^2 + w_k^2 Q_k^2)/2, k = 1..4, against",
            "                    t, with w_k = 2 sin(pi k/(2(N+1))) and Q_k, P_k the",
            "                    projections of q, p on sqrt(2/(N+1)) sin(pi k (i+1)/(N+1))"})
final class SimulateChain implements Callable<Integer> {
    enum Init { RANDOM, MODE }

    @Mixin
    GlobalOptions global;

    @Mixin
    OutputFolder output;

    @Option(names = "--particles", paramLabel = "N", defaultValue = "32", description = "masses in the chain (default: ${DEFAULT-VALUE})")
    int particles;

    @Option(names = "--model", paramLabel = "MODEL", defaultValue = "fput-beta",
            description = "harmonic, fput-alpha or fput-beta (default: ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--alpha", paramLabel = "A3", defaultValue = "0.25",
            description = "cubic coupling alpha of fput-alpha (default: ${DEFAULT-VALUE})")
    double alpha;

    @Option(names = "--beta", paramLabel = "B4", defaultValue = "1",
            description = "quartic coupling beta of fput-beta (default: ${DEFAULT-VALUE})")
    double beta;

    @Option(names = "--ends", paramLabel = "fixed|periodic", defaultValue = "fixed",
            description = "fixed (walls at both ends) or periodic (default: ${DEFAULT-VALUE})")
    Potential.Ends ends;

    @Option(names = "--integrator", paramLabel = "NAME", defaultValue = "leapfrog",
            description = "leapfrog (order 2, symplectic), yoshida4 (order 4, symplectic) or rk4 (order 4, not symplectic) "
                    + "(default: ${DEFAULT-VALUE})")
    Integrator integrator;

    @Option(names = "--dt", paramLabel = "H", defaultValue = "0.02", description = "time step (default: ${DEFAULT-VALUE})")
    double dt;

    @Option(names = "--steps", paramLabel = "S", defaultValue = "50000", description = "time steps (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--trajectories", paramLabel = "T", defaultValue = "16", description = "independent trajectories (default: ${DEFAULT-VALUE})")
    int trajectories;

    @Option(names = "--record-every", paramLabel = "M", defaultValue = "50",
            description = "record H, q and p every M steps; S must be a multiple of M (default: ${DEFAULT-VALUE})")
    int recordEvery;

    @Option(names = "--init", paramLabel = "random|mode", defaultValue = "random",
            description = "the start, see above (default: ${DEFAULT-VALUE})")
    Init init;

    @Option(names = "--temperature", paramLabel = "KT", defaultValue = "1",
            description = "--init random: the variance of each momentum (default: ${DEFAULT-VALUE})")
    double temperature;

    @Option(names = "--mode", paramLabel = "K", defaultValue = "1", description = "--init mode: the mode excited (default: ${DEFAULT-VALUE})")
    int mode;

    @Option(names = "--amplitude", paramLabel = "A", defaultValue = "1", description = "--init mode: its amplitude (default: ${DEFAULT-VALUE})")
    double amplitude;

    @Option(names = "--seed", paramLabel = "K", defaultValue = "1", description = "Philox seed of the random start (default: ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() throws IOException {
        Potential.Chain chain = chain();
        Check.positive(particles, "--particles");
        Check.positive(trajectories, "--trajectories");
        Check.positive(steps, "--steps");
        Check.positive(recordEvery, "--record-every");
        Check.positiveFinite(dt, "--dt");
        Check.positiveFinite(temperature, "--temperature");
        Check.finite(amplitude, "--amplitude");
        if (steps % recordEvery != 0)
            throw new IllegalArgumentException("--steps: expected a multiple of --record-every (" + recordEvery + "), got " + steps);
        if (mode < 1 || mode > particles)
            throw new IllegalArgumentException("--mode: expected 1 .. --particles (" + particles + "), got " + mode);
        chain.checkCoordinates(particles, "--particles");
        int records = steps / recordEvery + 1;
        int chunk = recordEvery * Math.max(1, (records - 1 + 99) / 100); // about 100 chunks: Ctrl-C and the bar react in 1% of the run
        Backend backend = global.backend();
        checkMemory(backend, records, chunk / recordEvery + 1);
        try (Outputs files = output.open()) {
            return run(backend, files, chain, records, chunk);
        }
    }

    private int run(Backend backend, Outputs files, Potential.Chain chain, int records, int chunk) throws IOException {
        PrintWriter out = global.out();
        out.printf(Locale.ROOT, "simulate chain: %d particles, %s, %s ends; %s, dt %s, %d steps (t = %s); %s; start: %s%n",
                particles, model, lower(ends), lower(integrator), num(dt), steps, num(steps * dt),
                count(trajectories, "trajectory", "trajectories"), init == Init.RANDOM
                        ? "q = 0, p ~ N(0, " + num(temperature) + "), seed " + seed : "mode " + mode + ", amplitude " + num(amplitude));
        out.println("backend: " + backend.name() + " (" + backend.device() + ")");
        out.flush();

        Hamiltonian h = Hamiltonian.of(chain);
        Series s = new Series(trajectories, records, particles);
        long t0 = System.nanoTime();
        Tensor[] qp = start(backend);
        Trajectory last = null;
        Interrupt ctrlC = Interrupt.arm();
        try (Tensor q = qp[0]; Tensor p = qp[1]) {
            int done = 0;
            try (Progress bar = new Progress(global.err(), "chain", steps, "steps", (double) trajectories * particles, "particle-steps")) {
                while (done < steps && !ctrlC.requested()) {
                    int count = Math.min(chunk, steps - done);
                    Trajectory t = h.integrate(integrator, last == null ? q : last.q(), last == null ? p : last.p(), dt, count,
                            Recording.every(recordEvery).withSnapshots());
                    if (last != null) last.close();
                    last = t;
                    s.append(t);
                    done += count;
                    bar.stepBy(count);
                }
            }
            double seconds = (System.nanoTime() - t0) * 1e-9;
            if (done < steps) out.printf("interrupted after step %d of %d: the results cover the steps done%n", done, steps);
            report(out, s, done, seconds);
            write(files, s);
            files.report(out);
        } finally {
            if (last != null) last.close();
        }
        return 0;
    }

    /**
     * What the run holds: on the backend the start (q, p and the normals p is drawn from) and
     * two chunks' trajectories at once (the last one and the one it starts), each its end
     * state, H at its records and the q, p snapshots; on the host the whole series of records,
     * one chunk's copy on its way into it, and the start.
     */
    private void checkMemory(Backend backend, int records, int chunkRecords) {
        double t = trajectories, n = particles, r = records, cr = chunkRecords;
        new Footprint().device(12 * t * n + 2 * (8 * t * n + 4 * t * cr * (2 * n + 1) + 4 * t))
                .array(t * r * n).array(t * r * n).array(t * r).host(4 * t * cr * (2 * n + 1)).host(8 * t * n)
                .check(backend, t >= r ? "--trajectories" : "--record-every", count(trajectories, "trajectory", "trajectories")
                        + " of " + particles + " masses with " + records + " records each", "use fewer --trajectories or record less "
                        + "often (--record-every)");
    }

    private Potential.Chain chain() {
        return switch (model.trim().toLowerCase(Locale.ROOT)) {
            case "harmonic" -> Potential.harmonicChain(1, ends);
            case "fput-alpha" -> Potential.fputAlpha(alpha, ends);
            case "fput-beta" -> Potential.fputBeta(beta, ends);
            default -> throw new IllegalArgumentException("--model: expected harmonic, fput-alpha or fput-beta, got '" + model + "'");
        };
    }

    /** The initial state: rows of q and p, one per trajectory. */
    private Tensor[] start(Backend backend) {
        float[] q = new float[trajectories * particles], p;
        if (init == Init.RANDOM) {
            try (Tensor z = Rng.normal(backend, trajectories, particles, seed)) {
                p = z.toArray();
            }
            double sd = Math.sqrt(temperature);
            for (int t = 0; t < trajectories; t++) {
                double mean = 0;
                if (ends == Potential.Ends.PERIODIC)
                    for (int i = 0; i < particles; i++) mean += p[t * particles + i] / (double) particles;
                for (int i = 0; i < particles; i++) p[t * particles + i] = (float) ((p[t * particles + i] - mean) * sd);
            }
        } else {
            p = new float[trajectories * particles];
            for (int t = 0; t < trajectories; t++)
                for (int i = 0; i < particles; i++)
                    q[t * particles + i] = (float) (amplitude * (ends == Potential.Ends.FIXED
                            ? Math.sin(Math.PI * mode * (i + 1) / (particles + 1)) : Math.cos(2 * Math.PI * mode * i / particles)));
        }
        Tensor qt = backend.tensor(q, trajectories, particles);
        try {
            return new Tensor[] {qt, backend.tensor(p, trajectories, particles)};
        } catch (RuntimeException e) {
            qt.close();
            throw e;
        }
    }

    private void report(PrintWriter out, Series s, int done, double seconds) {
        int half = s.filled / 2;
        double worst = s.maxRelativeError(0, s.filled);
        out.printf(Locale.ROOT, "max |H(t) - H(0)|/|H(0)| over %s and %d records: %.3e (first half of the run %.3e, "
                        + "second half %.3e)%s%n", count(trajectories, "trajectory", "trajectories"), s.filled, worst, s.maxRelativeError(0, half + 1),
                s.maxRelativeError(half, s.filled), integrator.symplectic() ? "" : "; rk4 is not symplectic: its error drifts");
        out.printf(Locale.ROOT, "%d steps x %s x %d particles in %.2f s: %.3g particle-steps/s (%s)%n", done,
                count(trajectories, "trajectory", "trajectories"), particles, seconds, (double) done * trajectories * particles / seconds,
                Progress.WARM_UP);
        if (!Double.isFinite(worst)) out.println("the energy became non-finite: the run blew up (try a smaller --dt)");
    }

    private void write(Outputs files, Series s) throws IOException {
        int r = s.filled;
        float[] time = new float[r];
        double[] t = new double[r], err = new double[r];
        for (int k = 0; k < r; k++) {
            t[k] = (double) k * recordEvery * dt;
            time[k] = (float) t[k];
            err[k] = s.maxRelativeError(k, k + 1);
        }
        files.npy("q.npy", s.trimmed(s.q, particles), trajectories, r, particles);
        files.npy("p.npy", s.trimmed(s.p, particles), trajectories, r, particles);
        files.npy("energy.npy", s.trimmed(s.energy, 1), trajectories, r);
        files.npy("time.npy", time, r);
        String what = String.format(Locale.ROOT, "%s, N = %d, %s ends, %s, dt = %s", model, particles, lower(ends), lower(integrator),
                num(dt));
        // unit masses and unit harmonic bond stiffness: time is in units of sqrt(m/k), the inverse of a bond's frequency
        String tAxis = "t, in units of sqrt(m/k) = 1/omega_0";
        files.png("energy-error.png", f -> Plots.save(f, 500, new Plots.Panel(what + ": max over " + count(trajectories, "trajectory",
                "trajectories"), tAxis, "|H(t) - H(0)| / |H(0)|", t).line("max |dH/H|", err)));
        if (ends == Potential.Ends.FIXED) {
            Plots.Panel modes = new Plots.Panel(what + ": trajectory 0", String.format(Locale.ROOT, "%s (mode 1's period 2 pi/omega_1 = %.1f)",
                    tAxis, Math.PI / Math.sin(Math.PI / (2 * (particles + 1)))), "harmonic mode energy E_k", t);
            s.modeEnergies(Math.min(4, particles)).forEach(modes::line);
            files.png("modes.png", f -> Plots.save(f, 500, modes));
        }
    }

    /** The records of all chunks joined: chunk j's record 0 is chunk j - 1's last record, kept once. */
    private static final class Series {
        final int trajectories, records, n;
        final float[] energy, q, p;
        int filled;

        Series(int trajectories, int records, int n) {
            this.trajectories = trajectories;
            this.records = records;
            this.n = n;
            energy = new float[trajectories * records];
            q = new float[trajectories * records * n];
            p = new float[trajectories * records * n];
        }

        void append(Trajectory t) {
            int skip = filled == 0 ? 0 : 1, count = t.records() - skip;
            float[] e = t.energies().toArray(), sq = t.snapshotsQ().toArray(), sp = t.snapshotsP().toArray();
            for (int b = 0; b < trajectories; b++) {
                System.arraycopy(e, b * t.records() + skip, energy, b * records + filled, count);
                int from = (b * t.records() + skip) * n, to = (b * records + filled) * n;
                System.arraycopy(sq, from, q, to, count * n);
                System.arraycopy(sp, from, p, to, count * n);
            }
            filled += count;
        }

        /** max over trajectories and records k in [from, to) of |H_k - H_0| / |H_0| (absolute where H_0 = 0). */
        double maxRelativeError(int from, int to) {
            double worst = 0;
            for (int b = 0; b < trajectories; b++) {
                double h0 = energy[b * records], scale = h0 == 0 ? 1 : Math.abs(h0);
                for (int k = from; k < to; k++) {
                    double e = Math.abs(energy[b * records + k] - h0) / scale;
                    if (!(e <= worst)) worst = e; // NaN wins
                }
            }
            return worst;
        }

        /** [trajectories, filled, width] of an array laid out [trajectories, records, width] (after a Ctrl-C). */
        float[] trimmed(float[] a, int width) {
            if (filled == records) return a;
            float[] out = new float[trajectories * filled * width];
            for (int b = 0; b < trajectories; b++) System.arraycopy(a, b * records * width, out, b * filled * width, filled * width);
            return out;
        }

        /** Trajectory 0's harmonic normal-mode energies of the fixed-end chain, modes 1..modes, at every record. */
        Map<String, double[]> modeEnergies(int modes) {
            Map<String, double[]> out = new LinkedHashMap<>();
            double norm = Math.sqrt(2.0 / (n + 1));
            for (int k = 1; k <= modes; k++) {
                double w = 2 * Math.sin(Math.PI * k / (2 * (n + 1)));
                double[] e = new double[filled];
                for (int r = 0; r < filled; r++) {
                    double qk = 0, pk = 0;
                    for (int i = 0; i < n; i++) {
                        double s = norm * Math.sin(Math.PI * k * (i + 1) / (n + 1));
                        qk += s * q[r * n + i];
                        pk += s * p[r * n + i];
                    }
                    e[r] = (pk * pk + w * w * qk * qk) / 2;
                }
                out.put("E_" + k, e);
            }
            return out;
        }
    }
}
