package org.flowkernels.physics;

/**
 * Float64 one-step maps of the three integrators, written from their textbook definitions
 * (unmerged kicks, stage by stage) with {@link PotentialReference}'s analytic gradients: the
 * oracle the kernels are compared with, and the maps whose symplecticity is checked.
 */
public final class HamiltonianReference {
    private HamiltonianReference() {}

    public static double energy(Hamiltonian h, double[] q, double[] p) {
        float[] inv = h.inverseMasses(q.length);
        double t = 0;
        for (int c = 0; c < q.length; c++) t += 0.5 * p[c] * p[c] * inv[c];
        return t + PotentialReference.value(h.potential(), q);
    }

    /** One step of `method` from (q, p), in place. */
    public static void step(Hamiltonian h, Integrator method, double[] q, double[] p, double dt) {
        switch (method) {
            case LEAPFROG -> leapfrog(h, q, p, dt);
            case YOSHIDA4 -> {
                leapfrog(h, q, p, Integrator.YOSHIDA_W1 * dt);
                leapfrog(h, q, p, Integrator.YOSHIDA_W0 * dt);
                leapfrog(h, q, p, Integrator.YOSHIDA_W1 * dt);
            }
            case RK4 -> rk4(h, q, p, dt);
        }
    }

    public static void run(Hamiltonian h, Integrator method, double[] q, double[] p, double dt, int steps) {
        for (int s = 0; s < steps; s++) step(h, method, q, p, dt);
    }

    /** Kick dt/2, drift dt, kick dt/2. */
    static void leapfrog(Hamiltonian h, double[] q, double[] p, double dt) {
        double[] inv = inverseMasses(h, q.length);
        double[] g = PotentialReference.gradient(h.potential(), q);
        for (int c = 0; c < q.length; c++) {
            p[c] -= 0.5 * dt * g[c];
            q[c] += dt * inv[c] * p[c];
        }
        g = PotentialReference.gradient(h.potential(), q);
        for (int c = 0; c < q.length; c++) p[c] -= 0.5 * dt * g[c];
    }

    static void rk4(Hamiltonian h, double[] q, double[] p, double dt) {
        int n = q.length;
        double[] inv = inverseMasses(h, n);
        double[][] kq = new double[4][], kp = new double[4][];
        double[] a = {0, 0.5, 0.5, 1};
        for (int s = 0; s < 4; s++) {
            double[] qs = new double[n], ps = new double[n];
            for (int c = 0; c < n; c++) {
                qs[c] = q[c] + (s == 0 ? 0 : a[s] * dt * kq[s - 1][c]);
                ps[c] = p[c] + (s == 0 ? 0 : a[s] * dt * kp[s - 1][c]);
            }
            double[] g = PotentialReference.gradient(h.potential(), qs);
            kq[s] = new double[n];
            kp[s] = new double[n];
            for (int c = 0; c < n; c++) {
                kq[s][c] = inv[c] * ps[c];
                kp[s][c] = -g[c];
            }
        }
        for (int c = 0; c < n; c++) {
            q[c] += dt / 6 * (kq[0][c] + 2 * kq[1][c] + 2 * kq[2][c] + kq[3][c]);
            p[c] += dt / 6 * (kp[0][c] + 2 * kp[1][c] + 2 * kp[2][c] + kp[3][c]);
        }
    }

    private static double[] inverseMasses(Hamiltonian h, int n) {
        float[] m = h.masses();
        double[] inv = new double[n];
        for (int c = 0; c < n; c++) inv[c] = 1.0 / m[m.length == 1 ? 0 : c];
        return inv;
    }

    /** max |(M^T J M - J)_ij| for the Jacobian M of `steps` steps at (q, p), by central differences of step h. */
    public static double symplecticDefect(Hamiltonian hm, Integrator method, double[] q, double[] p, double dt, int steps,
                                          double h) {
        int n = q.length, d = 2 * n;
        double[][] m = new double[d][d]; // m[i][j] = d z'_i / d z_j, z = (q, p)
        for (int j = 0; j < d; j++) {
            double[] up = perturbedRun(hm, method, q, p, dt, steps, j, h), down = perturbedRun(hm, method, q, p, dt, steps, j, -h);
            for (int i = 0; i < d; i++) m[i][j] = (up[i] - down[i]) / (2 * h);
        }
        return defect(m);
    }

    /** max |(M^T J M - J)_ij| with J = [[0, I], [-I, 0]]. */
    public static double defect(double[][] m) {
        int d = m.length, n = d / 2;
        double worst = 0;
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++) {
                double s = 0; // (M^T J M)_ij = sum_k M_ki (J M)_kj, (J M)_kj = M_{k+n, j} (k < n), -M_{k-n, j} (k >= n)
                for (int k = 0; k < d; k++) s += m[k][i] * (k < n ? m[k + n][j] : -m[k - n][j]);
                double jij = j == i + n ? 1 : i == j + n ? -1 : 0;
                worst = Math.max(worst, Math.abs(s - jij));
            }
        return worst;
    }

    private static double[] perturbedRun(Hamiltonian hm, Integrator method, double[] q, double[] p, double dt, int steps, int j,
                                         double h) {
        int n = q.length;
        double[] qq = q.clone(), pp = p.clone();
        if (j < n) qq[j] += h;
        else pp[j - n] += h;
        run(hm, method, qq, pp, dt, steps);
        double[] z = new double[2 * n];
        System.arraycopy(qq, 0, z, 0, n);
        System.arraycopy(pp, 0, z, n, n);
        return z;
    }
}
