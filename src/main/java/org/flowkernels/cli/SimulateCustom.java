package org.flowkernels.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.flowkernels.Backend;
import org.flowkernels.Check;
import org.flowkernels.SnippetException;
import org.flowkernels.Tensor;
import org.flowkernels.physics.Hamiltonian;
import org.flowkernels.physics.Integrator;
import org.flowkernels.physics.Recording;
import org.flowkernels.physics.Trajectory;
import org.flowkernels.physics.UserPotential;
import org.flowkernels.rng.Distribution;
import org.flowkernels.rng.Rng;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import static org.flowkernels.cli.Words.count;
import static org.flowkernels.cli.Words.lower;
import static org.flowkernels.cli.Words.num;

/**
 * {@code simulate custom}: trajectories of H = |p|²/2 + V(q) for the user's own potential V, a
 * kernel snippet file (with its Java twin for the CPU backend), integrated in chunks of records.
 */
@Command(name = "custom", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Integrate H = sum_i p_i^2/2 + V(q) for your own potential V, given as a kernel snippet file (--potential; its "
                    + "parameters set with -P NAME=VALUE), for T independent trajectories of unit masses. The CPU backend runs "
                    + "the snippet's Java twin (--java).",
            "Start: q ~ N(0, s^2 I) (--start-scale) and p ~ N(0, temperature I), from Philox (--seed; stream 0, steps 0 and 1). "
                    + "Prints the largest relative energy error max |H(t) - H(0)|/|H(0)|, the backend and the throughput. "
                    + "Ctrl-C stops after the current chunk and writes what was computed.",
            "A snippet that does not compile, reads out of its row (--bounds-check), disagrees with its Java twin or gives a "
                    + "non-finite energy stops with one line naming the file (and the line) and exit code 4."},
        footerHeading = "%nWrites (into --out), with R = S/M + 1 records at t = 0, M dt, 2 M dt, ...:%n",
        footer = {
            "  q.npy, p.npy      float32 [T, R, N*D]: positions and momenta at every record",
            "  energy.npy        float32 [T, R]: H at every record",
            "  time.npy          float32 [R]: the time of each record",
            "  energy-error.png  max over trajectories of |H(t) - H(0)|/|H(0)| against t"})
final class SimulateCustom implements Callable<Integer> {
    @Mixin
    GlobalOptions global;

    @Mixin
    OutputFolder output;

    @Mixin
    CustomPotentialOptions potential;

    @Option(names = "--integrator", paramLabel = "NAME", defaultValue = "leapfrog",
            description = "leapfrog, yoshida4 or rk4 (default: ${DEFAULT-VALUE})")
    Integrator integrator;

    @Option(names = "--dt", paramLabel = "H", defaultValue = "0.01", description = "time step (default: ${DEFAULT-VALUE})")
    double dt;

    @Option(names = "--steps", paramLabel = "S", defaultValue = "10000", description = "time steps (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--trajectories", paramLabel = "T", defaultValue = "16", description = "independent trajectories (default: ${DEFAULT-VALUE})")
    int trajectories;

    @Option(names = "--record-every", paramLabel = "M", defaultValue = "100",
            description = "record H, q and p every M steps; S must be a multiple of M (default: ${DEFAULT-VALUE})")
    int recordEvery;

    @Option(names = "--temperature", paramLabel = "KT", defaultValue = "1", description = "the variance of each momentum (default: ${DEFAULT-VALUE})")
    double temperature;

    @Option(names = "--start-scale", paramLabel = "S", defaultValue = "1", description = "the spread of the start, q ~ N(0, S^2 I) (default: ${DEFAULT-VALUE})")
    double startScale;

    @Option(names = "--seed", paramLabel = "K", defaultValue = "1", description = "Philox seed of the start (default: ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() throws IOException {
        Check.positive(trajectories, "--trajectories");
        Check.positive(steps, "--steps");
        Check.positive(recordEvery, "--record-every");
        Check.positiveFinite(dt, "--dt");
        Check.positiveFinite(temperature, "--temperature");
        Check.positiveFinite(startScale, "--start-scale");
        if (steps % recordEvery != 0)
            throw new IllegalArgumentException("--steps: expected a multiple of --record-every (" + recordEvery + "), got " + steps);
        CustomPotentialOptions.Rows rows = potential.loadRows();
        UserPotential v = rows.potential();
        int d = rows.particleDim(), n = rows.coordinates();
        int records = steps / recordEvery + 1;
        if ((long) trajectories * records * n > Integer.MAX_VALUE - 8)
            throw new IllegalArgumentException("--record-every: " + records + " records of " + trajectories + " x " + n
                    + " coordinates are more than one array holds; record less often");
        Backend backend = global.backend();
        potential.requireRunnable(v, backend);
        Outputs files = output.open();
        PrintWriter out = global.out();
        out.printf(Locale.ROOT, "simulate custom: %s; %d particles x %d-D; %s, dt %s, %d steps (t = %s); %s; start: q ~ N(0, %s^2), "
                        + "p ~ N(0, %s), seed %d%n", CustomPotentialOptions.describe(v), potential.particles, d, lower(integrator), num(dt), steps,
                num(steps * dt), count(trajectories, "trajectory", "trajectories"), num(startScale), num(temperature), seed);
        out.println("backend: " + backend.name() + " (" + backend.device() + ")");
        out.flush();
        Hamiltonian h = Hamiltonian.of(v);
        float[] qAll = new float[trajectories * records * n], pAll = new float[trajectories * records * n],
                energy = new float[trajectories * records];
        int filled = 0, chunk = recordEvery * Math.max(1, (records - 1 + 99) / 100);
        long t0 = System.nanoTime();
        Interrupt ctrlC = Interrupt.arm();
        Trajectory last = null;
        try (Tensor q = start(backend, n, 0, startScale); Tensor p = start(backend, n, 1, Math.sqrt(temperature))) {
            potential.checkTwin(v, q);
            try (Progress bar = new Progress(global.err(), "custom", steps, "steps", (double) trajectories * n, "coordinate-steps")) {
                int done = 0;
                while (done < steps && !ctrlC.requested()) {
                    int len = Math.min(chunk, steps - done);
                    Trajectory t = h.integrate(integrator, last == null ? q : last.q(), last == null ? p : last.p(), dt, len,
                            Recording.every(recordEvery).withSnapshots());
                    if (last != null) last.close();
                    last = t;
                    filled = append(t, filled, qAll, pAll, energy, records, n);
                    done += len;
                    bar.stepBy(len);
                    checkFinite(energy, records, filled);
                }
                double seconds = (System.nanoTime() - t0) * 1e-9;
                if (done < steps) out.printf("interrupted after step %d of %d: the results cover the steps done%n", done, steps);
                double worst = maxError(energy, records, 0, filled);
                out.printf(Locale.ROOT, "max |H(t) - H(0)|/|H(0)| over %s and %d records: %.3e (first half %.3e, second half %.3e)%n",
                        count(trajectories, "trajectory", "trajectories"), filled, worst, maxError(energy, records, 0, filled / 2 + 1),
                        maxError(energy, records, filled / 2, filled));
                out.printf(Locale.ROOT, "%d steps x %s x %d coordinates in %.2f s (JIT and kernel builds included): %.3g coordinate-steps/s%n",
                        done, count(trajectories, "trajectory", "trajectories"), n, seconds, (double) done * trajectories * n / seconds);
                write(files, v, qAll, pAll, energy, records, filled, n);
                files.report(out);
            }
        } finally {
            if (last != null) last.close();
        }
        return 0;
    }

    /** [trajectories, n] normals of Philox step {@code step}, times scale. */
    private Tensor start(Backend backend, int n, int step, double scale) {
        float[] x;
        try (Tensor z = Rng.draw(backend, Distribution.NORMAL, trajectories, n, seed, 0, step)) {
            x = z.toArray();
        }
        for (int i = 0; i < x.length; i++) x[i] *= (float) scale;
        return backend.tensor(x, trajectories, n);
    }

    /** Appends a chunk's records (its record 0 is the previous chunk's last, kept once); returns the records filled. */
    private int append(Trajectory t, int filled, float[] q, float[] p, float[] energy, int records, int n) {
        int skip = filled == 0 ? 0 : 1, count = t.records() - skip;
        float[] e = t.energies().toArray(), sq = t.snapshotsQ().toArray(), sp = t.snapshotsP().toArray();
        for (int b = 0; b < trajectories; b++) {
            System.arraycopy(e, b * t.records() + skip, energy, b * records + filled, count);
            int from = (b * t.records() + skip) * n, to = (b * records + filled) * n;
            System.arraycopy(sq, from, q, to, count * n);
            System.arraycopy(sp, from, p, to, count * n);
        }
        return filled + count;
    }

    /** A non-finite H is the potential's fault or a too large dt: one line naming the file, the trajectory and the step. */
    private void checkFinite(float[] energy, int records, int filled) {
        for (int k = 0; k < filled; k++)
            for (int b = 0; b < trajectories; b++)
                if (!Float.isFinite(energy[b * records + k]))
                    throw new SnippetException(potential.file.getFileName().toString(), 0, "trajectory " + b + " became non-finite by "
                            + "step " + (long) k * recordEvery + " (H = " + energy[b * records + k] + "): the potential returned NaN or an "
                            + "infinity there, or --dt is too large for it", "");
    }

    private double maxError(float[] energy, int records, int from, int to) {
        double worst = 0;
        for (int b = 0; b < trajectories; b++) {
            double h0 = energy[b * records], scale = h0 == 0 ? 1 : Math.abs(h0);
            for (int k = from; k < to; k++) {
                double e = Math.abs(energy[b * records + k] - h0) / scale;
                if (!(e <= worst)) worst = e;
            }
        }
        return worst;
    }

    private void write(Outputs files, UserPotential v, float[] q, float[] p, float[] energy, int records, int filled, int n)
            throws IOException {
        float[] time = new float[filled];
        double[] t = new double[filled], err = new double[filled];
        for (int k = 0; k < filled; k++) {
            t[k] = (double) k * recordEvery * dt;
            time[k] = (float) t[k];
            err[k] = maxError(energy, records, k, k + 1);
        }
        files.npy("q.npy", trimmed(q, records, filled, n), trajectories, filled, n);
        files.npy("p.npy", trimmed(p, records, filled, n), trajectories, filled, n);
        files.npy("energy.npy", trimmed(energy, records, filled, 1), trajectories, filled);
        files.npy("time.npy", time, filled);
        String what = String.format(Locale.ROOT, "%s, %s, dt = %s", v.name(), lower(integrator), num(dt));
        files.png("energy-error.png", f -> Plots.save(f, 500, new Plots.Panel(what + ": max over " + count(trajectories, "trajectory",
                "trajectories"), "t", "|H(t) - H(0)| / |H(0)|", t).line("max |dH/H|", err)));
    }

    /** [trajectories, filled, width] of an array laid out [trajectories, records, width]. */
    private float[] trimmed(float[] a, int records, int filled, int width) {
        if (filled == records) return a;
        float[] out = new float[trajectories * filled * width];
        for (int b = 0; b < trajectories; b++) System.arraycopy(a, b * records * width, out, b * filled * width, filled * width);
        return out;
    }
}
