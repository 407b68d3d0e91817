/* user_potential.cl: a user's potential (org.flowkernels.physics.UserPotential) in the potential,
 * Hamiltonian and Langevin families, in programs built for its snippet (FK_USER_POTENTIAL;
 * include/user.h). The snippet computes V and its gradient over a whole configuration, so
 * these kernels keep a configuration per work-item in private arrays (include/potentials_whole.h;
 * builds for rows of CAP = 64 and 1024 coordinates, DevicePotentialKernels.variant picks one),
 * unlike the built-in kinds' particle-parallel kernels (potentials.cl, hamiltonian.cl,
 * langevin.cl). Their arrays are a stack frame on CUDA: include/lmem.h lists them. Same
 * arguments, records and random streams as the built-in kernels (the headers of
 * hamiltonian.cl and langevin.cl), so a user's potential and a built-in one that agree give the
 * same trajectories to rounding.
 */
#ifdef FK_USER_POTENTIAL
#if FK_ALLOW_LMEM

/* user_potential_evaluate_CAP: q [rows, n] row-major, n <= CAP; one work-item per row copies
 * the row into private memory, writes energy[row] = V(q_row) and, when want_grad != 0,
 * grad[row, :] = dV/dq. Launch: 1-D, `rows` work-items rounded up to the work-group. */
#define USER_POTENTIAL_EVALUATE(CAP)                                                                    \
KERNEL void user_potential_evaluate_##CAP(USER_POTENTIAL_EVALUATE_ARGS) {                               \
    int r = GID(0);                                                                                     \
    if (r >= rows) return;                                                                              \
    REAL x[CAP], g[CAP];                                                                                \
    for (int c = 0; c < n; c++) x[c] = q[(long)r * n + c];                                              \
    energy[r] = potential_value_grad(kind, prm, x, g, n);                                               \
    if (want_grad)                                                                                      \
        for (int c = 0; c < n; c++) grad[(long)r * n + c] = g[c];                                       \
}

USER_POTENTIAL_EVALUATE(64)
USER_POTENTIAL_EVALUATE(1024)

/* ------------------------------------------------------------------ Hamiltonian dynamics */

/* Writes record k of trajectory `row` (g is scratch) and updates the running error. */
FN void uham_record(HAM_RUN_ARGS, int row, int k, const REAL* q, const REAL* p, REAL* g, REAL* h0, REAL* err) {
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
FN void uham_begin(HAM_RUN_ARGS, int row, REAL* q, REAL* p, REAL* g, REAL* h0, REAL* err) {
    for (int c = 0; c < n; c++) {
        q[c] = q_io[(long)row * n + c];
        p[c] = p_io[(long)row * n + c];
    }
    if (start == 0) {
        uham_record(HAM_RUN_PASS, row, 0, q, p, g, h0, err);
    } else {
        *h0 = energies[(long)row * records];
        *err = max_err[row];
    }
}

FN void uham_end(HAM_RUN_ARGS, int row, const REAL* q, const REAL* p, REAL err) {
    for (int c = 0; c < n; c++) {
        q_io[(long)row * n + c] = q[c];
        p_io[(long)row * n + c] = p[c];
    }
    max_err[row] = err;
}

/* p -= kick g, then q += drift inv_mass p. */
FN void uham_kick_drift(REAL* q, REAL* p, const REAL* g, GLOBAL const REAL* inv_mass, int n, REAL kick, REAL drift) {
    for (int c = 0; c < n; c++) {
        REAL pc = p[c] - kick * g[c];
        p[c] = pc;
        q[c] += drift * inv_mass[c] * pc;
    }
}

FN void uham_splitting(HAM_RUN_ARGS, int row, REAL* q, REAL* p, REAL* g) {
    REAL h0, err;
    uham_begin(HAM_RUN_PASS, row, q, p, g, &h0, &err);
    REAL w[3];
    int subs = integrator == INTEGRATOR_YOSHIDA4 ? 3 : 1;
    w[0] = integrator == INTEGRATOR_YOSHIDA4 ? YOSHIDA_W1 : RC(1.0);
    w[1] = YOSHIDA_W0;
    w[2] = YOSHIDA_W1;
    potential_value_grad(kind, prm, q, g, n);
    REAL pending = RC(0.0); /* the half kick owed by the last drift */
    for (int j = 0; j < steps; j++) {
        for (int s = 0; s < subs; s++) {
            uham_kick_drift(q, p, g, inv_mass, n, (pending + RC(0.5) * w[s]) * dt, w[s] * dt);
            potential_value_grad(kind, prm, q, g, n);
            pending = RC(0.5) * w[s];
        }
        int k = start + j + 1;
        int rec = k % every == 0;
        if (rec || j == steps - 1) {
            uham_kick_drift(q, p, g, inv_mass, n, pending * dt, RC(0.0));
            pending = RC(0.0);
            if (rec) uham_record(HAM_RUN_PASS, row, k / every, q, p, g, &h0, &err);
        }
    }
    uham_end(HAM_RUN_PASS, row, q, p, err);
}

/* With the slopes (ps inv_mass, -g) at a stage: accumulate them into (qa, pa) with weight 1
 * (first stage) or 2, and move the stage point to (qs, ps) = (q, p) + a (slopes). */
FN void uham_rk4_stage(const REAL* q, const REAL* p, REAL* qs, REAL* ps, REAL* qa, REAL* pa, const REAL* g,
                      GLOBAL const REAL* inv_mass, int n, REAL a, int first) {
    for (int c = 0; c < n; c++) {
        REAL kq = inv_mass[c] * ps[c], kp = -g[c];
        qa[c] = first ? kq : qa[c] + RC(2.0) * kq;
        pa[c] = first ? kp : pa[c] + RC(2.0) * kp;
        qs[c] = q[c] + a * kq;
        ps[c] = p[c] + a * kp;
    }
}

FN void uham_rk4(HAM_RUN_ARGS, int row, REAL* q, REAL* p, REAL* g, REAL* qs, REAL* ps, REAL* qa, REAL* pa) {
    REAL h0, err;
    uham_begin(HAM_RUN_PASS, row, q, p, g, &h0, &err);
    REAL half_dt = RC(0.5) * dt, dt6 = dt / RC(6.0);
    for (int j = 0; j < steps; j++) {
        for (int c = 0; c < n; c++) ps[c] = p[c];
        potential_value_grad(kind, prm, q, g, n);
        uham_rk4_stage(q, p, qs, ps, qa, pa, g, inv_mass, n, half_dt, 1);
        potential_value_grad(kind, prm, qs, g, n);
        uham_rk4_stage(q, p, qs, ps, qa, pa, g, inv_mass, n, half_dt, 0);
        potential_value_grad(kind, prm, qs, g, n);
        uham_rk4_stage(q, p, qs, ps, qa, pa, g, inv_mass, n, dt, 0);
        potential_value_grad(kind, prm, qs, g, n);
        for (int c = 0; c < n; c++) {
            q[c] += dt6 * (qa[c] + inv_mass[c] * ps[c]);
            p[c] += dt6 * (pa[c] - g[c]);
        }
        int k = start + j + 1;
        if (k % every == 0) uham_record(HAM_RUN_PASS, row, k / every, q, p, g, &h0, &err);
    }
    uham_end(HAM_RUN_PASS, row, q, p, err);
}

#define USER_HAMILTONIAN_KERNELS(CAP)                                                                   \
KERNEL void user_hamiltonian_splitting_##CAP(USER_HAMILTONIAN_ARGS) {                                   \
    int row = GID(0);                                                                                   \
    if (row >= batch) return;                                                                           \
    REAL q[CAP], p[CAP], g[CAP];                                                                        \
    uham_splitting(HAM_RUN_PASS, row, q, p, g);                                                         \
}                                                                                                       \
KERNEL void user_hamiltonian_rk4_##CAP(USER_HAMILTONIAN_ARGS) {                                         \
    int row = GID(0);                                                                                   \
    if (row >= batch) return;                                                                           \
    REAL q[CAP], p[CAP], g[CAP], qs[CAP], ps[CAP], qa[CAP], pa[CAP];                                    \
    uham_rk4(HAM_RUN_PASS, row, q, p, g, qs, ps, qa, pa);                                               \
}

USER_HAMILTONIAN_KERNELS(64)
USER_HAMILTONIAN_KERNELS(1024)

/* ------------------------------------------------------------------ Langevin chains */

/* user_langevin_potential_ula_CAP / _mala_CAP: steps [first, first + steps) of ULA
 * or MALA on pi = exp(-beta V), V the potential (kind, prm) of include/potentials_whole.h, for rows of
 * n <= CAP coordinates (builds for CAP = 64 and 1024: DevicePotentialKernels.variant).
 * The energy V of the state is carried along (MALA's ratio, the statistics' last column). A ULA
 * chain whose new state or its energy is not finite is stopped and reported; MALA reports a
 * non-finite proposal and rejects one of infinite energy (zero density). 
 * Launch: 1-D, one work-item per chain, rounded up to the work-group. */
#define USER_LANGEVIN_POTENTIAL(CAP)                                                                    \
KERNEL void user_langevin_potential_ula_##CAP(USER_LANGEVIN_POTENTIAL_ARGS) {                           \
    int i = GID(0);                                                                                     \
    if (i >= chains || bad[i] >= 0) return;                                                             \
    REAL q[CAP], d[CAP], y[CAP];                                                                        \
    for (int c = 0; c < n; c++) q[c] = x[(long)i * n + c];                                              \
    REAL eps = eps_g[i], eps_half = RC(0.5) * eps, root = sqrt(eps), unused;                            \
    REAL v = potential_drift(kind, prm, beta, q, d, n);                                                 \
    for (int t = first; t < first + steps; t++) {                                                       \
        int ok = lgv_propose(y, q, d, y, 0, &unused, n, eps_half, root, (uint)i, (uint)t, seed_lo, seed_hi);\
        REAL vy = potential_drift(kind, prm, beta, y, d, n);                                            \
        if (!ok || !isfinite(vy)) { /* a state of zero density is as wrong as a non-finite one */       \
            bad[i] = t;                                                                                 \
            break;                                                                                      \
        }                                                                                               \
        for (int c = 0; c < n; c++) q[c] = y[c];                                                        \
        v = vy;                                                                                         \
        if (t >= stats_start)                                                                           \
            lgv_record(mean, m2, snaps, q, v, n, cols, i, chains, t, stats_start, stats_every,          \
                       snap_every, snap_base, snap_count);                                              \
    }                                                                                                   \
    for (int c = 0; c < n; c++) x[(long)i * n + c] = q[c];                                              \
}                                                                                                       \
                                                                                                        \
KERNEL void user_langevin_potential_mala_##CAP(USER_LANGEVIN_POTENTIAL_ARGS) {                          \
    int i = GID(0);                                                                                     \
    if (i >= chains || bad[i] >= 0) return;                                                             \
    REAL q[CAP], d[CAP], y[CAP], dy[CAP], xi[CAP];                                                      \
    for (int c = 0; c < n; c++) q[c] = x[(long)i * n + c];                                              \
    REAL eps = eps_g[i], hbar = dual[i], logbar = dual[chains + i];                                     \
    int acc = accepted[i];                                                                              \
    REAL v = potential_drift(kind, prm, beta, q, d, n);                                                 \
    if (isnan(v)) { bad[i] = first; return; } /* a NaN energy is the potential's error, not a density */\
    for (int t = first; t < first + steps; t++) {                                                       \
        REAL eps_half = RC(0.5) * eps, root = sqrt(eps), xi2;                                           \
        if (!lgv_propose(y, q, d, xi, 1, &xi2, n, eps_half, root, (uint)i, (uint)t, seed_lo, seed_hi)) {\
            bad[i] = t;                                                                                 \
            break;                                                                                      \
        }                                                                                               \
        REAL vy = potential_drift(kind, prm, beta, y, dy, n), s2 = RC(0.0);                             \
        if (isnan(vy)) { bad[i] = t; break; }                                                           \
        for (int c = 0; c < n; c++) {                                                                   \
            REAL w = xi[c] + RC(0.5) * root * (d[c] + dy[c]);                                           \
            s2 += w * w;                                                                                \
        }                                                                                               \
        REAL log_alpha = -beta * (vy - v) + RC(0.5) * (xi2 - s2);                                       \
        philox_block b = philox4x32_10((uint)i, (uint)t, 0u, ACCEPT_STREAM, seed_lo, seed_hi);          \
        int take = log(philox_uniform(b.w[0])) < log_alpha;                                             \
        lgv_chain_decided(LGV_COMMON_PASS, i, t, take, log_alpha, q, d, y, dy, vy, &v, &eps, &hbar, &logbar, &acc);\
    }                                                                                                   \
    lgv_chain_store(LGV_COMMON_PASS, i, q, eps, hbar, logbar, acc);                                     \
}

USER_LANGEVIN_POTENTIAL(64)
USER_LANGEVIN_POTENTIAL(1024)

#endif
#endif /* FK_USER_POTENTIAL */
