package org.flowkernels.physics;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.flowkernels.Backend;
import org.flowkernels.Backends;
import org.flowkernels.Tensor;
import org.flowkernels.physics.Potential.Ends;
import org.flowkernels.testing.BackendTest;
import org.flowkernels.testing.Compare;
import org.flowkernels.testing.Fresh;
import org.junit.jupiter.api.Test;

class HamiltonianTest {

    /** Runs (q, p) [rows, n] on the backend and returns the trajectory (host copies via toArray). */
    static Trajectory run(Backend backend, Hamiltonian h, Integrator method, float[] q, float[] p, int rows, double dt, int steps,
                          Recording rec) {
        int n = q.length / rows;
        try (Tensor qt = backend.tensor(q, rows, n); Tensor pt = backend.tensor(p, rows, n)) {
            return h.integrate(method, qt, pt, dt, steps, rec);
        }
    }

    static double[] row(float[] x, int r, int n) {
        double[] out = new double[n];
        for (int c = 0; c < n; c++) out[c] = x[r * n + c];
        return out;
    }

    /** The float64 reference run of every row: final (q, p) concatenated per row as [q | p]. */
    static double[][] reference(Hamiltonian h, Integrator method, float[] q, float[] p, int rows, double dt, int steps) {
        int n = q.length / rows;
        double[] qf = new double[rows * n], pf = new double[rows * n];
        for (int r = 0; r < rows; r++) {
            double[] qr = row(q, r, n), pr = row(p, r, n);
            HamiltonianReference.run(h, method, qr, pr, dt, steps);
            System.arraycopy(qr, 0, qf, r * n, n);
            System.arraycopy(pr, 0, pf, r * n, n);
        }
        return new double[][] {qf, pf};
    }

    // ------------------------------------------------------------------ harmonic oscillator

    /** Exact solution of m q'' = -k q per coordinate. */
    static double[][] exactOscillator(double[] k, double[] m, float[] q, float[] p, int rows, double t) {
        int n = k.length;
        double[] qe = new double[q.length], pe = new double[q.length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < n; c++) {
                double w = Math.sqrt(k[c] / m[c]), q0 = q[r * n + c], p0 = p[r * n + c];
                qe[r * n + c] = q0 * Math.cos(w * t) + p0 / (m[c] * w) * Math.sin(w * t);
                pe[r * n + c] = p0 * Math.cos(w * t) - q0 * m[c] * w * Math.sin(w * t);
            }
        return new double[][] {qe, pe};
    }

    static double stateError(Trajectory t, double[][] ref) {
        float[] q = t.q().toArray(), p = t.p().toArray();
        float[] z = new float[q.length + p.length];
        System.arraycopy(q, 0, z, 0, q.length);
        System.arraycopy(p, 0, z, q.length, p.length);
        double[] zr = new double[z.length];
        System.arraycopy(ref[0], 0, zr, 0, q.length);
        System.arraycopy(ref[1], 0, zr, q.length, p.length);
        return Compare.relativeError(z, zr);
    }

    @BackendTest
    void leapfrogFollowsTheExactHarmonicOscillator(Backend backend) {
        Fresh f = new Fresh("ham-oscillator" + backend.name());
        double[] k = {0.5, 1, 2, 4}, m = {1, 2, 0.5, 1}; // per-coordinate masses: omega = 0.71, 0.71, 2, 2
        Hamiltonian h = Hamiltonian.of(Potential.diagonalHarmonic(k), m);
        for (int rows : new int[] {1, 3, 1000}) {
            float[] q = f.gaussian(rows * 4, 1), p = f.gaussian(rows * 4, 1);
            double dt = 0.01, T = 10;
            int steps = 1000;
            try (Trajectory t = run(backend, h, Integrator.LEAPFROG, q, p, rows, dt, steps, Recording.every(100))) {
                // Leapfrog's only error on an oscillator is a phase lag of omega^3 dt^2 T / 24 per coordinate
                // (its discrete frequency is arccos(1 - (omega dt)^2 / 2) / dt); 2x that bound for the state.
                double bound = Math.pow(2, 3) * dt * dt * T / 24;
                double err = stateError(t, exactOscillator(k, m, q, p, rows, T));
                assertTrue(err < 2 * bound && err > 0.1 * bound, "leapfrog vs exact: " + err + ", predicted ~" + bound + " on "
                        + backend.name() + " rows=" + rows + ", " + f.seed());
                // Against the same map in float64: only float32 rounding, ~sqrt(steps) ulps per step.
                double ref = stateError(t, reference(h, Integrator.LEAPFROG, q, p, rows, dt, steps));
                assertTrue(ref < 2e-5, "leapfrog vs its float64 map: " + ref + ", " + f.seed());
                // The energy error of leapfrog on an oscillator is bounded by ~(omega dt)^2 / 4.
                assertTrue(t.worstRelativeEnergyError() < 4e-4, "energy error " + t.worstRelativeEnergyError());
            }
        }
    }

    /**
     * Observed order from two step sizes on oscillators (omega = 1, 1.7, 0.63), to T = 4: the
     * error ratio is 2^order. The sizes are large enough that the smaller step's error (about
     * 1e-4) is a hundred times float32 rounding (~1e-6), and small enough to be in the
     * asymptotic regime (the float64 rates are 2.006, 4.02, 4.10). Tolerance 0.25 on the rate.
     */
    @BackendTest
    void observedOrderOfEachIntegrator(Backend backend) {
        Fresh f = new Fresh("ham-order" + backend.name());
        double[] k = {1, 2.9, 0.4}, m = {1, 1, 1};
        Hamiltonian h = Hamiltonian.of(Potential.diagonalHarmonic(k));
        int rows = 3;
        float[] q = f.gaussian(rows * 3, 1), p = f.gaussian(rows * 3, 1);
        double T = 4;
        Object[][] cases = {{Integrator.LEAPFROG, 0.1}, {Integrator.YOSHIDA4, 0.2}, {Integrator.RK4, 0.2}};
        for (Object[] c : cases) {
            Integrator method = (Integrator) c[0];
            double dt = (Double) c[1];
            double[] err = new double[2];
            for (int i = 0; i < 2; i++) {
                double step = dt / (1 << i);
                try (Trajectory t = run(backend, h, method, q, p, rows, step, (int) Math.round(T / step), Recording.every(1))) {
                    err[i] = stateError(t, exactOscillator(k, m, q, p, rows, T));
                }
            }
            double rate = Math.log(err[0] / err[1]) / Math.log(2);
            assertEquals(method.order(), rate, 0.25, method + " errors " + Arrays.toString(err) + " on " + backend.name() + ", "
                    + f.seed());
        }
    }

    // ------------------------------------------------------------------ geometry

    /**
     * Integrate, flip p, integrate, flip p: leapfrog and Yoshida return to the start. In float64
     * (the reference maps) to rounding, 1e-12; in float32 on the backend within 5e-5 relative
     * (rounding of ~1e-7 per step over 2 x 500 steps, hardly amplified on this short, mildly
     * nonlinear run: we measure 1e-6 to 5e-6). RK4, not time-symmetric, misses by 1e-2 in
     * float64 at dt = 0.2: the test can tell.
     */
    @BackendTest
    void splittingMethodsAreTimeReversible(Backend backend) {
        Fresh f = new Fresh("ham-reverse" + backend.name());
        Hamiltonian h = Hamiltonian.of(Potential.fputBeta(1, Ends.FIXED), 1.3);
        int rows = 3, n = 8, steps = 500;
        double dt = 0.02;
        float[] q = f.gaussian(rows * n, 0.5), p = f.gaussian(rows * n, 0.8);
        for (Integrator method : new Integrator[] {Integrator.LEAPFROG, Integrator.YOSHIDA4}) {
            float[] back, backP;
            try (Trajectory there = run(backend, h, method, q, p, rows, dt, steps, Recording.every(steps))) {
                float[] qt = there.q().toArray(), pt = there.p().toArray();
                for (int i = 0; i < pt.length; i++) pt[i] = -pt[i];
                try (Trajectory home = run(backend, h, method, qt, pt, rows, dt, steps, Recording.every(steps))) {
                    back = home.q().toArray();
                    backP = home.p().toArray();
                }
            }
            for (int i = 0; i < backP.length; i++) backP[i] = -backP[i];
            Compare.close(back, PotentialReference.widen(q), 5e-5, method + " q after a round trip on " + backend.name() + ", " + f.seed());
            Compare.close(backP, PotentialReference.widen(p), 5e-5, method + " p after a round trip, " + f.seed());
            assertTrue(reversalError64(h, method, q, p, n, dt, steps) < 1e-12, method + " float64 round trip");
        }
        assertTrue(reversalError64(h, Integrator.RK4, q, p, n, 0.2, 50) > 1e-6, "RK4 is not reversible");
    }

    /** Relative error of the float64 reference's round trip for row 0. */
    private static double reversalError64(Hamiltonian h, Integrator method, float[] q0, float[] p0, int n, double dt, int steps) {
        double[] q = row(q0, 0, n), p = row(p0, 0, n);
        HamiltonianReference.run(h, method, q, p, dt, steps);
        for (int c = 0; c < n; c++) p[c] = -p[c];
        HamiltonianReference.run(h, method, q, p, dt, steps);
        double num = 0, den = 0;
        for (int c = 0; c < n; c++) {
            num += Math.pow(q[c] - q0[c], 2) + Math.pow(-p[c] - p0[c], 2);
            den += (double) q0[c] * q0[c] + (double) p0[c] * p0[c];
        }
        return Math.sqrt(num / den);
    }

    /**
     * M^T J M = J for the Jacobian M of three steps of the float64 maps (central differences,
     * h = 2e-6: truncation h²/6 |∂³map| below 1e-10 even where the Coulomb pair's third
     * derivatives reach ~1e3 (with h = 1e-5 one seed in some thousands gave 1.3e-8), rounding
     * ~1e-16/h ~ 1e-10), on anharmonic chains and a 2-D Coulomb
     * pair: leapfrog and Yoshida at dt = 0.1 to 1e-8, while RK4 at dt = 0.3 is off by more than
     * 1e-5. (dt = 0.3 is too long for Yoshida's negative middle step on these amplitudes.)
     */
    @Test
    void float64MapsAreSymplectic() {
        Fresh f = new Fresh("ham-symplectic64");
        List<Hamiltonian> systems = List.of(Hamiltonian.of(Potential.fputBeta(1, Ends.FIXED)),
                Hamiltonian.of(new Potential.Chain(1, 0.4, 0.8, Ends.PERIODIC), new double[] {1, 2, 0.7}),
                Hamiltonian.of(Potential.coulombGas(2), 0.8));
        for (Hamiltonian h : systems) {
            int n = h.potential() instanceof Potential.CoulombGas ? 4 : 3;
            double[] q = n == 4 ? new double[] {0.7, 0.1, -0.6, 0.2} : PotentialReference.gaussian(f, n, 0.6);
            double[] p = PotentialReference.gaussian(f, n, 0.8);
            for (Integrator method : Integrator.values()) {
                double defect = HamiltonianReference.symplecticDefect(h, method, q, p, method.symplectic() ? 0.1 : 0.3, 3, 2e-6);
                if (method.symplectic()) assertTrue(defect < 1e-8, h + " " + method + ": " + defect + ", " + f.seed());
                else assertTrue(defect > 1e-5, h + " " + method + " should not be symplectic: " + defect);
            }
        }
    }

    /**
     * The kernels implement those maps: one step on the backend equals the float64 map to
     * float32 rounding, for every integrator and a few systems (with per-coordinate masses).
     */
    @BackendTest
    void oneStepMatchesTheFloat64Map(Backend backend) {
        Fresh f = new Fresh("ham-onestep" + backend.name());
        int rows = 3;
        List<Hamiltonian> systems = List.of(Hamiltonian.of(Potential.fputBeta(1, Ends.PERIODIC), new double[] {1, 2, 0.5, 1, 3}),
                Hamiltonian.of(Potential.coulombGas(2), 0.8), Hamiltonian.of(Potential.lennardJones(3)),
                Hamiltonian.of(Potential.doubleWell(1, 1)));
        int[] widths = {5, 8, 12, 6};
        for (int s = 0; s < systems.size(); s++) {
            Hamiltonian h = systems.get(s);
            int n = widths[s];
            float[] q = new float[rows * n];
            for (int r = 0; r < rows; r++) {
                double[] x = h.potential() instanceof Potential.CoulombGas ? PotentialReference.separated(f, n, 2)
                        : h.potential() instanceof Potential.LennardJones ? PotentialReference.cluster(f, n / 3, 3)
                        : PotentialReference.gaussian(f, n, 0.7);
                for (int c = 0; c < n; c++) q[r * n + c] = (float) x[c];
            }
            float[] p = f.gaussian(rows * n, 0.5);
            for (Integrator method : Integrator.values())
                try (Trajectory t = run(backend, h, method, q, p, rows, 0.01, 1, Recording.every(1))) {
                    // ~10 ulps of float32 rounding through a step; 1e-6 relative on the whole state
                    double err = stateError(t, reference(h, method, q, p, rows, 0.01, 1));
                    assertTrue(err < 1e-6, h + " " + method + ": " + err + " on " + backend.name() + ", " + f.seed());
                }
        }
    }

    /**
     * Symplecticity of the backend's own 10-step map, its Jacobian from central differences of
     * float32 runs (step 2e-3: rounding ~6e-8 / 2e-3 = 3e-5 per entry, truncation ~1e-6), on an
     * FPUT-beta chain: leapfrog and Yoshida (dt = 0.1) within 2e-3, where we measure ~1e-4; RK4 at
     * dt = 0.5 misses by more than 1e-2.
     */
    @BackendTest
    void backendMapsAreSymplectic(Backend backend) {
        Fresh f = new Fresh("ham-symplectic" + backend.name());
        Hamiltonian h = Hamiltonian.of(Potential.fputBeta(1, Ends.FIXED));
        int n = 3, d = 2 * n;
        double[] q0 = PotentialReference.gaussian(f, n, 0.5), p0 = PotentialReference.gaussian(f, n, 0.5);
        float step = 2e-3f;
        for (Integrator method : Integrator.values()) {
            double dt = method.symplectic() ? 0.1 : 0.5;
            float[] q = new float[2 * d * n], p = new float[2 * d * n];
            for (int j = 0; j < d; j++)
                for (int sign = 0; sign < 2; sign++) {
                    int r = 2 * j + sign;
                    for (int c = 0; c < n; c++) {
                        q[r * n + c] = (float) q0[c];
                        p[r * n + c] = (float) p0[c];
                    }
                    float delta = sign == 0 ? step : -step;
                    if (j < n) q[r * n + j] += delta;
                    else p[r * n + j - n] += delta;
                }
            double[][] m = new double[d][d];
            try (Trajectory t = run(backend, h, method, q, p, 2 * d, dt, 10, Recording.every(10))) {
                float[] qf = t.q().toArray(), pf = t.p().toArray();
                for (int j = 0; j < d; j++)
                    for (int i = 0; i < d; i++) {
                        float[] z = i < n ? qf : pf;
                        int c = i < n ? i : i - n;
                        // the actual float32 perturbation, not the intended one
                        double width = j < n ? q[(2 * j) * n + j] - q[(2 * j + 1) * n + j]
                                : p[(2 * j) * n + j - n] - p[(2 * j + 1) * n + j - n];
                        m[i][j] = (z[(2 * j) * n + c] - z[(2 * j + 1) * n + c]) / width;
                    }
            }
            double defect = HamiltonianReference.defect(m);
            if (method.symplectic()) assertTrue(defect < 2e-3, method + " on " + backend.name() + ": " + defect + ", " + f.seed());
            else assertTrue(defect > 1e-2, method + " on " + backend.name() + " should not be symplectic: " + defect);
        }
    }

    // ------------------------------------------------------------------ long runs

    /**
     * 10^5 steps of an FPUT-beta chain (n = 16, periodic, dt = 0.1, q = 0, p ~ N(0, I) with the
     * total momentum removed: a drifting centre of mass would grow q and eat float32 precision
     * in the bond stretches). Ensemble means of |dH/H| over tenths of the run: leapfrog's stay
     * flat (within 10% in float64 experiments; we allow a factor 1.5), RK4's grow about tenfold
     * (we require 4x), and RK4 loses energy on every trajectory.
     */
    @BackendTest
    void longRunEnergyErrorBoundedForLeapfrogDriftingForRk4(Backend backend) {
        Fresh f = new Fresh("ham-long" + backend.name());
        Hamiltonian h = Hamiltonian.of(Potential.fputBeta(1, Ends.PERIODIC));
        int rows = 61, n = 16, steps = 100_000, every = 1000;
        float[] q = new float[rows * n], p = f.gaussian(rows * n, 1);
        for (int r = 0; r < rows; r++) {
            double mean = 0;
            for (int c = 0; c < n; c++) mean += p[r * n + c] / (double) n;
            for (int c = 0; c < n; c++) p[r * n + c] -= (float) mean;
        }
        for (Integrator method : new Integrator[] {Integrator.LEAPFROG, Integrator.RK4}) {
            float[] e;
            double worst;
            try (Trajectory t = run(backend, h, method, q, p, rows, 0.1, steps, Recording.every(every))) {
                e = t.energies().toArray();
                worst = t.worstRelativeEnergyError();
            }
            int records = steps / every + 1;
            double[] tenth = new double[10];
            for (int r = 0; r < rows; r++)
                for (int k = 1; k < records; k++) {
                    double h0 = e[r * records];
                    tenth[(k - 1) / 10] += Math.abs(e[r * records + k] - h0) / h0 / (rows * 10);
                }
            double lo = Arrays.stream(tenth).min().orElseThrow(), hi = Arrays.stream(tenth).max().orElseThrow();
            String what = method + " on " + backend.name() + " tenths " + Arrays.toString(tenth) + ", " + f.seed();
            if (method == Integrator.LEAPFROG) {
                assertTrue(hi < 1.5 * lo, "bounded: " + what);
                assertTrue(worst < 0.05, "leapfrog worst " + worst);
            } else {
                assertTrue(tenth[9] > 4 * tenth[0], "drifting: " + what);
                for (int r = 0; r < rows; r++)
                    assertTrue(e[r * records + records - 1] < e[r * records], "RK4 dissipates, row " + r + ": " + what);
            }
        }
    }

    // ------------------------------------------------------------------ normal modes

    /**
     * Harmonic chains (k = 1.5, m = 0.7, n = 8) started in one normal mode each, p = 0. The mode
     * shapes and frequencies come from the dispersion relation: fixed ends
     * u_k(i) = sin(pi k (i+1) / (n+1)), omega_k = 2 sqrt(k/m) sin(pi k / (2 (n+1))); periodic
     * cos / sin(2 pi k i / n), omega_k = 2 sqrt(k/m) |sin(pi k / n)|. Leapfrog propagates a mode
     * exactly as A cos(theta s) at step s with cos(theta) = 1 - (omega dt)^2 / 2, so the recorded
     * projections must follow that curve to float32 rounding (1e-5 of the amplitude), and the
     * other modes stay empty.
     */
    @BackendTest
    void harmonicChainNormalModesFollowTheDispersionRelation(Backend backend) {
        double k = 1.5, mass = 0.7, dt = 0.05;
        int n = 8, steps = 400, every = 4;
        for (Ends ends : Ends.values()) {
            double[][] modes = new double[n][n];
            double[] omega = new double[n];
            for (int m = 0; m < n; m++) {
                for (int i = 0; i < n; i++) {
                    if (ends == Ends.FIXED) modes[m][i] = Math.sin(Math.PI * (m + 1) * (i + 1) / (n + 1));
                    else {
                        int wave = (m + 1) / 2; // 0, 1, 1, 2, 2, 3, 3, 4: cos for even m and for n/2, sin for odd m
                        boolean cos = m % 2 == 0 || 2 * wave == n;
                        modes[m][i] = cos ? Math.cos(2 * Math.PI * wave * i / n) : Math.sin(2 * Math.PI * wave * i / n);
                    }
                }
                omega[m] = ends == Ends.FIXED ? 2 * Math.sqrt(k / mass) * Math.sin(Math.PI * (m + 1) / (2.0 * (n + 1)))
                        : 2 * Math.sqrt(k / mass) * Math.abs(Math.sin(Math.PI * ((m + 1) / 2) / n));
                double norm = Math.sqrt(Arrays.stream(modes[m]).map(x -> x * x).sum());
                for (int i = 0; i < n; i++) modes[m][i] /= norm;
            }
            float[] q = new float[n * n], p = new float[n * n];
            for (int m = 0; m < n; m++)
                for (int i = 0; i < n; i++) q[m * n + i] = (float) (0.3 * modes[m][i]);
            Hamiltonian h = Hamiltonian.of(Potential.harmonicChain(k, ends), mass);
            try (Trajectory t = run(backend, h, Integrator.LEAPFROG, q, p, n, dt, steps, Recording.every(every).withSnapshots())) {
                float[] snap = t.snapshotsQ().toArray();
                double worst = 0;
                for (int m = 0; m < n; m++) {
                    double theta = Math.acos(1 - Math.pow(omega[m] * dt, 2) / 2);
                    for (int rec = 0; rec < t.records(); rec++)
                        for (int other = 0; other < n; other++) {
                            double a = 0, a0 = 0;
                            for (int i = 0; i < n; i++) {
                                a += modes[other][i] * snap[(m * t.records() + rec) * n + i];
                                a0 += modes[other][i] * q[m * n + i];
                            }
                            double expected = a0 * Math.cos(theta * rec * every);
                            worst = Math.max(worst, Math.abs(a - expected) / 0.3);
                        }
                }
                assertTrue(worst < 1e-5, ends + " chain on " + backend.name() + ": worst mode deviation " + worst);
            }
        }
    }

    // ------------------------------------------------------------------ backends, records, launches

    /**
     * Every backend against the float64 reference (and so against each other), on a 2-D Coulomb
     * gas of 8 particles in a trap, 1000 trajectories (not a multiple of the work-group), 100 steps:
     * float32 rounding over the run stays below 1e-5 of the state; the recorded energies match
     * the float64 H of the float64 states, and every output (poisoned when allocated) is written.
     */
    @BackendTest
    void everyBackendAgreesWithTheFloat64Reference(Backend backend) {
        Fresh f = new Fresh("ham-agree" + backend.name());
        Hamiltonian h = Hamiltonian.of(Potential.coulombGas(2), 1.5);
        int rows = 1000, n = 16, steps = 100, every = 25;
        double dt = 0.005;
        float[] q = new float[rows * n];
        for (int r = 0; r < rows; r++) {
            double[] x = PotentialReference.separated(f, n, 2);
            for (int c = 0; c < n; c++) q[r * n + c] = (float) x[c];
        }
        float[] p = f.gaussian(rows * n, 1);
        for (Integrator method : Integrator.values())
            try (Trajectory t = run(backend, h, method, q, p, rows, dt, steps, Recording.every(every).withSnapshots())) {
                int records = t.records();
                double[] energyRef = new double[rows * records], snapRef = new double[rows * records * n];
                double[] errRef = new double[rows];
                for (int r = 0; r < rows; r++) {
                    double[] qr = row(q, r, n), pr = row(p, r, n);
                    for (int rec = 0; rec < records; rec++) {
                        if (rec > 0) HamiltonianReference.run(h, method, qr, pr, dt, every);
                        energyRef[r * records + rec] = HamiltonianReference.energy(h, qr, pr);
                        System.arraycopy(qr, 0, snapRef, (r * records + rec) * n, n);
                        double h0 = energyRef[r * records];
                        errRef[r] = Math.max(errRef[r], Math.abs(energyRef[r * records + rec] - h0) / h0);
                    }
                }
                String what = method + " on " + backend.name() + ", " + f.seed();
                Compare.close(t.snapshotsQ().toArray(), snapRef, 1e-5, "snapshots of q, " + what);
                Compare.close(t.energies().toArray(), energyRef, 1e-5, "energies, " + what);
                assertTrue(allFinite(t.snapshotsP().toArray()) && allFinite(t.p().toArray()), "p written, " + what);
                // the energy errors themselves are small differences: compare them to ~1e-6 absolute
                float[] err = t.maxRelativeEnergyError().toArray();
                for (int r = 0; r < rows; r++)
                    assertEquals(errRef[r], err[r], 2e-6 + 0.05 * errRef[r], "max |dH/H| of row " + r + ", " + what);
            }
    }

    /**
     * The shapes the device kernels lay out differently (DevicePotentialKernels.Layout: a trajectory per power of two
     * of work-items, a site, a particle or 4 coordinates, per work-item up to 256 sites, up to 3 past that), each
     * against the float64 maps: 5 and 65 coordinates (a last site of one, most lanes idle), 64 (W3's chain), 33
     * particles of a 2-D gas, 3-D particles, 300 coordinates, 1101 and 3072 (the strided build, its limit) and 260
     * particles (strided), on 1, 3 and 1000 trajectories (tails of a work-group). Ten steps recorded
     * every 4 (a record mid-launch, the end off a record), snapshots on: float32 rounding of ten steps stays below
     * 1e-5 of the state, where a site left out, a neighbour misread or a lane's share missing from H is O(1).
     */
    @BackendTest
    void everyDeviceLayoutAgreesWithTheFloat64Maps(Backend backend) {
        Fresh f = new Fresh("ham-layouts" + backend.name());
        record Case(Hamiltonian h, int n, int rows) {}
        List<Case> cases = List.of(
                new Case(Hamiltonian.of(Potential.fputBeta(1, Ends.PERIODIC), new double[] {1, 2, 0.5, 1, 3}), 5, 3),
                new Case(Hamiltonian.of(Potential.fputBeta(1, Ends.PERIODIC)), 64, 1),
                new Case(Hamiltonian.of(Potential.fputAlpha(0.3, Ends.FIXED), 0.7), 65, 3),
                new Case(Hamiltonian.of(Potential.coulombGas(2)), 2 * 33, 3),
                new Case(Hamiltonian.of(Potential.coulombGas(3), 1.3), 3 * 5, 1000),
                new Case(Hamiltonian.of(Potential.lennardJones(3)), 3 * 7, 3),
                new Case(Hamiltonian.of(Potential.doubleWell(1, 1)), 300, 3),
                new Case(Hamiltonian.of(Potential.doubleWell(1, 1), 0.8), 1101, 1),
                new Case(Hamiltonian.of(Potential.fputBeta(1, Ends.PERIODIC)), 3072, 1),
                new Case(Hamiltonian.of(Potential.coulombGas(3)), 3 * 260, 1));
        int steps = 10, every = 4;
        double dt = 0.01;
        for (Case k : cases) {
            int n = k.n(), rows = k.rows();
            Potential v = k.h().potential();
            float[] q = new float[rows * n];
            for (int r = 0; r < rows; r++) {
                double[] x = v instanceof Potential.CoulombGas g ? PotentialReference.separated(f, n, g.dim())
                        : v instanceof Potential.LennardJones ? PotentialReference.cluster(f, n / 3, 3)
                        : PotentialReference.gaussian(f, n, 0.6);
                for (int c = 0; c < n; c++) q[r * n + c] = (float) x[c];
            }
            float[] p = f.gaussian(rows * n, 0.5);
            for (Integrator method : Integrator.values())
                try (Trajectory t = run(backend, k.h(), method, q, p, rows, dt, steps, Recording.every(every).withSnapshots())) {
                    int records = t.records();
                    double[] energyRef = new double[rows * records], snapRef = new double[rows * records * n];
                    double[] qRef = new double[rows * n], pRef = new double[rows * n];
                    for (int r = 0; r < rows; r++) {
                        double[] qr = row(q, r, n), pr = row(p, r, n);
                        for (int rec = 0; rec < records; rec++) {
                            if (rec > 0) HamiltonianReference.run(k.h(), method, qr, pr, dt, every);
                            energyRef[r * records + rec] = HamiltonianReference.energy(k.h(), qr, pr);
                            System.arraycopy(pr, 0, snapRef, (r * records + rec) * n, n);
                        }
                        HamiltonianReference.run(k.h(), method, qr, pr, dt, steps - (records - 1) * every);
                        System.arraycopy(qr, 0, qRef, r * n, n);
                        System.arraycopy(pr, 0, pRef, r * n, n);
                    }
                    String what = method + " " + v + " n=" + n + " rows=" + rows + " on " + backend.name() + ", " + f.seed();
                    Compare.close(t.q().toArray(), qRef, 1e-5, "q, " + what);
                    Compare.close(t.p().toArray(), pRef, 1e-5, "p, " + what);
                    Compare.close(t.snapshotsP().toArray(), snapRef, 1e-5, "snapshots of p, " + what);
                    Compare.close(t.energies().toArray(), energyRef, 1e-5, "energies, " + what);
                }
        }
    }

    /** A run split into many launches gives the same numbers as one launch (the split falls on
     *  records, where p is synchronised anyway), and reports its progress after each launch. */
    @BackendTest
    void splitRunsEqualOneLaunch(Backend backend) {
        Fresh f = new Fresh("ham-split" + backend.name());
        Hamiltonian h = Hamiltonian.of(Potential.fputAlpha(0.3, Ends.FIXED));
        int rows = 3, n = 10, steps = 60;
        float[] q = f.gaussian(rows * n, 0.5), p = f.gaussian(rows * n, 0.5);
        for (Integrator method : Integrator.values()) {
            List<Long> progress = new ArrayList<>();
            Recording rec = Recording.every(5).withSnapshots();
            try (Tensor qt = backend.tensor(q, rows, n); Tensor pt = backend.tensor(p, rows, n);
                 Trajectory one = h.integrate(method, qt, pt, 0.05, steps, rec);
                 Trajectory many = h.integrate(method, qt, pt, 0.05, steps, rec.withProgress(progress::add),
                         (long) rows * n * method.gradientsPerStep() * 12)) {
                assertEquals(List.of(10L, 20L, 30L, 40L, 50L, 60L), progress, method + ": launches of 12 steps, cut to 10");
                for (Tensor[] pair : new Tensor[][] {{one.q(), many.q()}, {one.p(), many.p()}, {one.energies(), many.energies()},
                        {one.snapshotsP(), many.snapshotsP()}, {one.maxRelativeEnergyError(), many.maxRelativeEnergyError()}})
                    assertArrayEquals(pair[0].toArray(), pair[1].toArray(), method + " on " + backend.name());
            }
        }
    }

    @BackendTest
    void largeBatchOfOscillators(Backend backend) {
        int rows = 65537;
        float[] q = new float[rows], p = new float[rows];
        for (int r = 0; r < rows; r++) q[r] = (r % 7) - 3;
        double dt = 0.01;
        try (Trajectory t = run(backend, Hamiltonian.of(Potential.harmonic(1)), Integrator.YOSHIDA4, q, p, rows, dt, 100,
                Recording.every(50))) {
            float[] qf = t.q().toArray(), e = t.energies().toArray();
            for (int r = 0; r < rows; r += 997) {
                assertEquals(q[r] * Math.cos(1.0), qf[r], 1e-5, "row " + r);
                assertEquals(0.5 * q[r] * q[r], e[r * 3 + 2], 1e-5, "H of row " + r);
            }
            assertEquals(q[rows - 1] * Math.cos(1.0), qf[rows - 1], 1e-5, "last row");
        }
    }

    // ------------------------------------------------------------------ API contract

    @BackendTest
    void badInputIsRejectedBeforeAnyKernelRuns(Backend backend) {
        Hamiltonian h = Hamiltonian.of(Potential.coulombGas(2));
        try (Tensor q = backend.zeros(3, 8); Tensor p = backend.zeros(3, 8); Tensor p4 = backend.zeros(4, 8);
             Tensor p9 = backend.zeros(3, 9); Tensor q9 = backend.zeros(3, 9)) {
            Integrator lf = Integrator.LEAPFROG;
            for (double dt : new double[] {0, -0.1, Double.NaN, Double.POSITIVE_INFINITY}) {
                var e = assertThrows(IllegalArgumentException.class, () -> h.integrate(lf, q, p, dt, 10));
                assertTrue(e.getMessage().startsWith("dt: expected a finite number > 0, got"), e.getMessage());
            }
            assertTrue(assertThrows(IllegalArgumentException.class, () -> h.integrate(lf, q, p, 1e-60, 10)).getMessage()
                    .contains("float32"));
            var e = assertThrows(IllegalArgumentException.class, () -> h.integrate(lf, q, p, 0.1, 0));
            assertEquals("steps: expected > 0, got 0", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> h.integrate(lf, q, p4, 0.1, 10));
            assertTrue(e.getMessage().startsWith("p: expected [3, 8], got [4, 8]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> h.integrate(lf, q, p9, 0.1, 10));
            assertTrue(e.getMessage().startsWith("p: expected 8 columns"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> h.integrate(lf, q9, p9, 0.1, 10));
            assertTrue(e.getMessage().startsWith("q: expected a row of 2 x n coordinates") && e.getMessage().contains("got 9"),
                    e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> Hamiltonian.of(Potential.harmonic(1), new double[] {1, 2, 3}).integrate(lf, q, p, 0.1, 10));
            assertTrue(e.getMessage().contains("expected 3 columns (one per mass), got 8"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> h.integrate(lf, q, p, 0.1, 10, Recording.every(11)));
            assertTrue(e.getMessage().startsWith("recording.every: expected 1..10"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Recording.every(0));
            assertThrows(IllegalArgumentException.class, () -> h.integrate(null, q, p, 0.1, 10));
            assertThrows(IllegalArgumentException.class, () -> h.integrate(lf, q, null, 0.1, 10));
            assertThrows(IllegalArgumentException.class, () -> Hamiltonian.of(Potential.harmonic(1), 0));
            assertThrows(IllegalArgumentException.class, () -> Hamiltonian.of(Potential.harmonic(1), new double[] {1, Double.NaN}));
            if (backend != Backends.cpu())
                try (Tensor cpuP = Backends.cpu().zeros(3, 8)) {
                    e = assertThrows(IllegalArgumentException.class, () -> h.integrate(lf, q, cpuP, 0.1, 10));
                    assertTrue(e.getMessage().contains("like q"), e.getMessage());
                }
            Tensor closed = backend.zeros(3, 8);
            closed.close();
            assertThrows(IllegalStateException.class, () -> h.integrate(lf, q, closed, 0.1, 10));
        }
    }

    @BackendTest
    void runsLeaveNoAllocationsAndHandleAnEmptyBatch(Backend backend) {
        long before = backend.liveAllocations();
        Hamiltonian h = Hamiltonian.of(Potential.harmonicChain(1, Ends.PERIODIC));
        try (Tensor q = backend.zeros(0, 4); Tensor p = backend.zeros(0, 4); Trajectory t = h.integrate(Integrator.RK4, q, p, 0.1, 5)) {
            assertEquals(0, t.q().rows());
            assertEquals(2, t.energies().cols());
            assertFalse(t.hasSnapshots());
            assertThrows(IllegalStateException.class, t::snapshotsQ);
        }
        try (Tensor q = backend.zeros(2, 4); Tensor p = backend.zeros(2, 4)) {
            h.integrate(Integrator.LEAPFROG, q, p, 0.1, 5, Recording.every(1).withSnapshots()).close();
            assertArrayEquals(new float[8], q.toArray(), "inputs are not modified");
        }
        assertEquals(before, backend.liveAllocations(), "live allocations on " + backend.name());
    }

    /** The trajectory's bookkeeping; H = 0 at the start makes the error absolute. */
    @Test
    void recordsAndTimes() {
        Backend cpu = Backends.cpu();
        try (Tensor q = cpu.zeros(1, 1); Tensor p = cpu.tensor(new float[] {0}, 1, 1);
             Trajectory t = Hamiltonian.of(Potential.harmonic(1)).integrate(Integrator.LEAPFROG, q, p, 0.5, 10, Recording.every(3))) {
            assertEquals(4, t.records());
            assertEquals(4.5, t.time(3));
            assertEquals(0.0, t.worstRelativeEnergyError());
            assertEquals(Integrator.LEAPFROG, t.method());
        }
    }


    private static boolean allFinite(float[] x) {
        for (float v : x) if (!Float.isFinite(v)) return false;
        return true;
    }
}
