package org.flowkernels.physics;

import java.util.Arrays;
import org.flowkernels.Backend;
import org.flowkernels.Check;
import org.flowkernels.Tensor;
import org.flowkernels.spi.HamiltonianKernels;

/**
 * A separable Hamiltonian H(q, p) = sum_c p_c^2 / (2 m_c) + V(q), with one mass for every
 * coordinate or one per coordinate, integrated over a batch of trajectories by
 * {@link #integrate}: many steps per kernel launch, the state in registers / private memory.
 */
public final class Hamiltonian {
    /**
     * Upper bound on the work of one kernel launch, in coordinate-gradient evaluations (a pair
     * potential counts one per pair and coordinate): about a second on two CPU cores, tens of
     * milliseconds on a large GPU. Longer runs are split into several launches, so that no
     * launch trips a display watchdog and progress can be reported, never into one per step.
     */
    static final long WORK_PER_LAUNCH = 1L << 32;

    private final Potential potential;
    private final float[] masses;

    private Hamiltonian(Potential potential, double[] masses) {
        this.potential = Check.notNull(potential, "potential");
        Check.notNull(masses, "masses");
        if (masses.length == 0) throw new IllegalArgumentException("masses: expected one mass or one per coordinate, got none");
        this.masses = new float[masses.length];
        for (int c = 0; c < masses.length; c++) this.masses[c] = (float) Check.positiveFinite(masses[c], "masses[" + c + "]");
    }

    /** Unit masses. */
    public static Hamiltonian of(Potential potential) { return new Hamiltonian(potential, new double[] {1}); }

    /** One mass for every coordinate. */
    public static Hamiltonian of(Potential potential, double mass) { return new Hamiltonian(potential, new double[] {mass}); }

    /** One mass per coordinate: rows must then have masses.length columns. */
    public static Hamiltonian of(Potential potential, double[] masses) { return new Hamiltonian(potential, masses.clone()); }

    public Potential potential() { return potential; }

    /** The masses as given: one value, or one per coordinate. */
    public float[] masses() { return masses.clone(); }

    /** 1 / m_c for rows of n coordinates. */
    public float[] inverseMasses(int n) {
        float[] inv = new float[n];
        for (int c = 0; c < n; c++) inv[c] = 1 / masses[masses.length == 1 ? 0 : c];
        return inv;
    }

    /** {@link #integrate(Integrator, Tensor, Tensor, double, int, Recording)} recording H at the start and the end only. */
    public Trajectory integrate(Integrator method, Tensor q, Tensor p, double dt, int steps) {
        return integrate(method, q, p, dt, steps, Recording.every(Math.max(1, steps)));
    }

    /**
     * Integrates every row of (q, p) [batch, n] for {@code steps} steps of {@code dt}; q and p
     * are not modified. Throws IllegalArgumentException, before any kernel runs, for dt not
     * finite and positive, steps < 1, recording.every() > steps, q and p of different shapes
     * or backends, or a row width that does not fit the potential or the masses.
     */
    public Trajectory integrate(Integrator method, Tensor q, Tensor p, double dt, int steps, Recording recording) {
        return integrate(method, q, p, dt, steps, recording, WORK_PER_LAUNCH);
    }

    /** As the public overload, with the bound on one launch's work given (tests split runs with it). */
    Trajectory integrate(Integrator method, Tensor q, Tensor p, double dt, int steps, Recording recording, long workPerLaunch) {
        Check.notNull(method, "method");
        Check.notNull(recording, "recording");
        Check.notNull(q, "q");
        Backend backend = q.backend();
        Check.tensor(q, backend, q.cols(), "q");
        Check.notNull(p, "p");
        if (p.backend() != backend)
            throw new IllegalArgumentException("p: expected a tensor on " + backend.name() + " like q, got one on " + p.backend().name());
        Check.tensor(p, backend, q.rows(), q.cols(), "p");
        int n = q.cols();
        potential.checkCoordinates(n, "q");
        if (masses.length != 1 && masses.length != n)
            throw new IllegalArgumentException("q: expected " + masses.length + " columns (one per mass), got " + n);
        Check.positiveFinite(dt, "dt");
        if ((float) dt == 0) throw new IllegalArgumentException("dt: expected a step that float32 can hold, got " + dt);
        Check.positive(steps, "steps");
        if (recording.every() > steps)
            throw new IllegalArgumentException("recording.every: expected 1.." + steps + " (the number of steps), got " + recording.every());
        int records = steps / recording.every() + 1;
        if ((long) records * n > Integer.MAX_VALUE - 8)
            throw new IllegalArgumentException("recording: " + records + " snapshots of " + n + " coordinates do not fit one tensor row");

        Tensor[] out = new Tensor[6];
        try {
            int batch = q.rows();
            out[0] = copy(q);
            out[1] = copy(p);
            out[2] = backend.empty(batch, records);
            if (recording.snapshots()) {
                out[3] = backend.empty(batch, records * n);
                out[4] = backend.empty(batch, records * n);
            }
            out[5] = backend.empty(batch, 1);
            if (batch > 0) run(new HamiltonianKernels.Run(potential.spec(), inverseMasses(n), method.code, (float) dt,
                    recording.every(), out[0], out[1], out[2], out[3], out[4], out[5]), backend, method, steps, recording, workPerLaunch);
            return new Trajectory(method, dt, steps, recording.every(), out[0], out[1], out[2], out[3], out[4], out[5]);
        } catch (RuntimeException e) {
            for (Tensor t : out) if (t != null) t.close();
            throw e;
        }
    }

    private static Tensor copy(Tensor t) {
        Tensor c = t.backend().empty(t.rows(), t.cols());
        t.backend().memory().copy(t.buffer(), 0, c.buffer(), 0, t.size());
        return c;
    }

    /** Launches of at most workPerLaunch, each a whole number of record intervals where possible. */
    private static void run(HamiltonianKernels.Run run, Backend backend, Integrator method, int steps, Recording recording,
                            long workPerLaunch) {
        long perStep = (long) run.q().rows() * run.potential().cost(run.q().cols()) * method.gradientsPerStep();
        long chunk = Math.max(1, workPerLaunch / Math.max(1, perStep));
        if (chunk >= run.every()) chunk -= chunk % run.every();
        try (HamiltonianKernels.Prepared k = backend.kernels(HamiltonianKernels.class).prepare(run)) {
            for (int start = 0; start < steps; ) {
                int len = (int) Math.min(chunk, steps - start);
                k.advance(start, len);
                start += len;
                if (recording.progress() != null) {
                    backend.synchronize();
                    recording.progress().accept(start);
                }
            }
        }
    }

    @Override
    public String toString() {
        return "Hamiltonian[" + potential + ", masses=" + (masses.length == 1 ? String.valueOf(masses[0]) : Arrays.toString(masses)) + "]";
    }
}
