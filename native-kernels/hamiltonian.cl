/* hamiltonian.cl: fused multi-step integrators for H(q, p) = sum_c p_c^2 inv_mass_c / 2 + V(q),
 * V one of include/potentials.h, over a batch of independent trajectories.
 *
 * One work-item per trajectory holds its row of q, p and dV/dq in private arrays for all the
 * steps of a launch; global memory is touched only to load the row, to write records and to
 * store the row back. Records (the conventions of org.flowkernels.physics.Trajectory):
 * record k is the state after step k * every; energies[row, k] = H; with snapshots != 0 also
 * snap_q/snap_p[row, k * n .. k * n + n - 1]; max_err[row] = max_k |H_k - H_0| / |H_0|
 * (absolute where H_0 = 0; a NaN energy stays NaN).
 *
 * A launch runs steps start + 1 .. start + steps. When start = 0 it writes record 0 (the
 * initial state); otherwise it reads H_0 from energies[row, 0] and the running maximum from
 * max_err[row] (the host splits long runs into several launches, each many steps long).
 *
 * Kernels (CAP = 64 and 1024: the private arrays' size, n <= CAP; the host picks the
 * smallest that fits). Launch: 1-D, `batch` work-items rounded up to the work-group; the
 * tail is guarded.
 *   hamiltonian_splitting_CAP: INTEGRATOR_LEAPFROG = kick-drift-kick leapfrog; INTEGRATOR_YOSHIDA4 = Yoshida's
 *     composition of leapfrog steps of w1 dt, w0 dt, w1 dt. The half kicks of neighbouring
 *     drifts are merged, so a step costs one (three) gradients; p is synchronised at each
 *     record and at the end of the launch.
 *   hamiltonian_rk4_CAP: classic RK4 on (q' = inv_mass p, p' = -dV/dq), four gradients.
 */

/* Every integrator kernel takes HAMILTONIAN_ARGS (contract.h, from Kernels.HamRun); helpers get them
 * as HAMILTONIAN_ARGS and hand them on as HAMILTONIAN_PASS. */

/* Writes record k of trajectory `row` (g is scratch) and updates the running error. */
FN void ham_record(HAMILTONIAN_ARGS, int row, int k, const REAL* q, const REAL* p, REAL* g, REAL* h0, REAL* err) {
    REAL h = potential_value_grad(kind, prm, q, g, n);
    for (int c = 0; c < n; c++) h += RC(0.5) * inv_mass[c] * p[c] * p[c];
    energies[(long)row * records + k] = h;
    if (k == 0) {
        *h0 = h;
        *err = RC(0.0);
    } else {
        REAL d = fabs(h - *h0);
        if (*h0 != RC(0.0)) d /= fabs(*h0);
        if (!(d <= *err)) *err = d;
    }
    if (snapshots) {
        long at = ((long)row * records + k) * n;
        for (int c = 0; c < n; c++) {
            snap_q[at + c] = q[c];
            snap_p[at + c] = p[c];
        }
    }
}

/* Loads the row, and record 0 or the running error of earlier launches. */
FN void ham_begin(HAMILTONIAN_ARGS, int row, REAL* q, REAL* p, REAL* g, REAL* h0, REAL* err) {
    for (int c = 0; c < n; c++) {
        q[c] = q_io[(long)row * n + c];
        p[c] = p_io[(long)row * n + c];
    }
    if (start == 0) {
        ham_record(HAMILTONIAN_PASS, row, 0, q, p, g, h0, err);
    } else {
        *h0 = energies[(long)row * records];
        *err = max_err[row];
    }
}

FN void ham_end(HAMILTONIAN_ARGS, int row, const REAL* q, const REAL* p, REAL err) {
    for (int c = 0; c < n; c++) {
        q_io[(long)row * n + c] = q[c];
        p_io[(long)row * n + c] = p[c];
    }
    max_err[row] = err;
}

/* p -= kick g, then q += drift inv_mass p. */
FN void ham_kick_drift(REAL* q, REAL* p, const REAL* g, GLOBAL const REAL* inv_mass, int n, REAL kick, REAL drift) {
    for (int c = 0; c < n; c++) {
        REAL pc = p[c] - kick * g[c];
        p[c] = pc;
        q[c] += drift * inv_mass[c] * pc;
    }
}

FN void ham_splitting(HAMILTONIAN_ARGS, int row, REAL* q, REAL* p, REAL* g) {
    REAL h0, err;
    ham_begin(HAMILTONIAN_PASS, row, q, p, g, &h0, &err);
    REAL w[3];
    int subs = integrator == INTEGRATOR_YOSHIDA4 ? 3 : 1;
    w[0] = integrator == INTEGRATOR_YOSHIDA4 ? YOSHIDA_W1 : RC(1.0);
    w[1] = YOSHIDA_W0;
    w[2] = YOSHIDA_W1;
    potential_value_grad(kind, prm, q, g, n);
    REAL pending = RC(0.0); /* the half kick owed by the last drift */
    for (int j = 0; j < steps; j++) {
        for (int s = 0; s < subs; s++) {
            ham_kick_drift(q, p, g, inv_mass, n, (pending + RC(0.5) * w[s]) * dt, w[s] * dt);
            potential_value_grad(kind, prm, q, g, n);
            pending = RC(0.5) * w[s];
        }
        int k = start + j + 1;
        int rec = k % every == 0;
        if (rec || j == steps - 1) {
            ham_kick_drift(q, p, g, inv_mass, n, pending * dt, RC(0.0));
            pending = RC(0.0);
            if (rec) ham_record(HAMILTONIAN_PASS, row, k / every, q, p, g, &h0, &err);
        }
    }
    ham_end(HAMILTONIAN_PASS, row, q, p, err);
}

/* With the slopes (ps inv_mass, -g) at a stage: accumulate them into (qa, pa) with weight 1
 * (first stage) or 2, and move the stage point to (qs, ps) = (q, p) + a (slopes). */
FN void ham_rk4_stage(const REAL* q, const REAL* p, REAL* qs, REAL* ps, REAL* qa, REAL* pa, const REAL* g,
                      GLOBAL const REAL* inv_mass, int n, REAL a, int first) {
    for (int c = 0; c < n; c++) {
        REAL kq = inv_mass[c] * ps[c], kp = -g[c];
        qa[c] = first ? kq : qa[c] + RC(2.0) * kq;
        pa[c] = first ? kp : pa[c] + RC(2.0) * kp;
        qs[c] = q[c] + a * kq;
        ps[c] = p[c] + a * kp;
    }
}

FN void ham_rk4(HAMILTONIAN_ARGS, int row, REAL* q, REAL* p, REAL* g, REAL* qs, REAL* ps, REAL* qa, REAL* pa) {
    REAL h0, err;
    ham_begin(HAMILTONIAN_PASS, row, q, p, g, &h0, &err);
    REAL half_dt = RC(0.5) * dt, dt6 = dt / RC(6.0);
    for (int j = 0; j < steps; j++) {
        for (int c = 0; c < n; c++) ps[c] = p[c];
        potential_value_grad(kind, prm, q, g, n);
        ham_rk4_stage(q, p, qs, ps, qa, pa, g, inv_mass, n, half_dt, 1);
        potential_value_grad(kind, prm, qs, g, n);
        ham_rk4_stage(q, p, qs, ps, qa, pa, g, inv_mass, n, half_dt, 0);
        potential_value_grad(kind, prm, qs, g, n);
        ham_rk4_stage(q, p, qs, ps, qa, pa, g, inv_mass, n, dt, 0);
        potential_value_grad(kind, prm, qs, g, n);
        for (int c = 0; c < n; c++) {
            q[c] += dt6 * (qa[c] + inv_mass[c] * ps[c]);
            p[c] += dt6 * (pa[c] - g[c]);
        }
        int k = start + j + 1;
        if (k % every == 0) ham_record(HAMILTONIAN_PASS, row, k / every, q, p, g, &h0, &err);
    }
    ham_end(HAMILTONIAN_PASS, row, q, p, err);
}

#define HAMILTONIAN_KERNELS(CAP)                                                                \
KERNEL void hamiltonian_splitting_##CAP(HAMILTONIAN_ARGS) {                                            \
    int row = GID(0);                                                                           \
    if (row >= batch) return;                                                                   \
    REAL q[CAP], p[CAP], g[CAP];                                                                \
    ham_splitting(HAMILTONIAN_PASS, row, q, p, g);                                                      \
}                                                                                               \
KERNEL void hamiltonian_rk4_##CAP(HAMILTONIAN_ARGS) {                                                  \
    int row = GID(0);                                                                           \
    if (row >= batch) return;                                                                   \
    REAL q[CAP], p[CAP], g[CAP], qs[CAP], ps[CAP], qa[CAP], pa[CAP];                            \
    ham_rk4(HAMILTONIAN_PASS, row, q, p, g, qs, ps, qa, pa);                                            \
}

#if FK_ALLOW_LMEM
HAMILTONIAN_KERNELS(64)
HAMILTONIAN_KERNELS(1024)
#endif
