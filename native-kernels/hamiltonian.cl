/* hamiltonian.cl: fused multi-step integrators for H(q, p) = sum_c p_c^2 inv_mass_c / 2 + V(q),
 * V one of include/potentials.h, over a batch of independent trajectories.
 *
 * Layout (potentials.h): a trajectory per `lanes` work-items, each lane holding the q, p and
 * dV/dq of its K sites in registers for all the steps of a launch (the inverse masses are read
 * where used, from global memory: registers are short in the strided RK4); the positions
 * are published in local memory, double-buffered (two rows of n REALs per trajectory, so one
 * BARRIER() per force evaluation suffices: a buffer is rewritten only after the barrier that
 * follows every read of it), and the force on a site is computed from them into the kick
 * (there is no gradient array). Global memory is touched only to load the row, to write
 * records and to store the row back. Records (the conventions of
 * org.flowkernels.physics.Trajectory): record k is the state after step k * every;
 * energies[row, k] = H, summed over the lanes in local memory; with snapshots != 0 also
 * snap_q/snap_p[row, k * n .. k * n + n - 1]; max_err[row] = max_k |H_k - H_0| / |H_0|
 * (absolute where H_0 = 0; a NaN energy stays NaN).
 *
 * A launch runs steps start + 1 .. start + steps. When start = 0 it writes record 0 (the
 * initial state); otherwise it reads H_0 from energies[row, 0] and the running maximum from
 * max_err[row] (the host splits long runs into several launches, each many steps long).
 *
 * Kernels (_single: a site per lane, sites <= POT_LANES; _strided: up to POT_STRIDE sites per
 * lane). Launch: 1-D, work-groups of LSIZE = POT_LANES, ceil(batch / (LSIZE / lanes)) of them;
 * local memory (LSIZE / lanes) 2 n + LSIZE REALs (positions, then the sums).
 *   hamiltonian_splitting_*: INTEGRATOR_LEAPFROG = kick-drift-kick leapfrog; INTEGRATOR_YOSHIDA4 =
 *     Yoshida's composition of leapfrog steps of w1 dt, w0 dt, w1 dt. The half kicks of
 *     neighbouring drifts are merged, so a step costs one (three) force evaluations; p is
 *     synchronised at each record and at the end of the launch.
 *   hamiltonian_rk4_*: classic RK4 on (q' = inv_mass p, p' = -dV/dq), four force evaluations.
 *
 * Barriers (item 8 of the GPU issue: PoCL runs the work-items of a group one after another
 * between barriers, so a missing one does not fail there; compute-sanitizer --tool racecheck
 * on a GPU is the test, and include/potentials.h has the rules): all four kernels rely
 * on BARRIER() between a lane publishing its new positions and the others reading them (one
 * per force evaluation), and inside pot_lanes_sum (H at the start and at every record and
 * launch end). Every barrier is reached by every work-item: tail slots past the batch run the
 * loops with no sites and skip only the writes; records are the ends of the segments of a loop
 * (ham_segment_end), not a condition inside the stepping loop.
 */

/* dV/dq of this lane's sites into g, zero elsewhere (positions from buffer buf). */
FN void ham_forces(int kind, GLOBAL const REAL* prm, pot_lanes L, int buf, const REAL* q, REAL* g, const int K) {
    UNROLL for (int k = 0; k < K; k++) {
        int s = pot_site_of(L, k);
        UNROLL for (int c = 0; c < POT_SITE_COORDS; c++) g[POT_SITE_COORDS * k + c] = RC(0.0); /* not an else: PoCL 3.1 miscompiled that shape */
        if (s >= 0) pot_site(kind, prm, L.qs + buf * L.n, s, L.n, L.sdim, q + POT_SITE_COORDS * k, g + POT_SITE_COORDS * k);
    }
}

/* This lane's share of H (positions from buffer buf). */
FN REAL ham_energy(int kind, GLOBAL const REAL* prm, pot_lanes L, int buf, const REAL* q, const REAL* p, GLOBAL const REAL* inv_mass,
                   const int K) {
    REAL h = RC(0.0);
    UNROLL for (int k = 0; k < K; k++) {
        int s = pot_site_of(L, k);
        REAL unused[POT_SITE_COORDS];
        if (s >= 0) h += pot_site(kind, prm, L.qs + buf * L.n, s, L.n, L.sdim, q + POT_SITE_COORDS * k, unused);
    }
    UNROLL for (int j = 0; j < POT_SITE_COORDS * K; j++)
    {
        int col = pot_col(L, j);
        if (col >= 0) h += RC(0.5) * inv_mass[col] * p[j] * p[j];
    }
    return h;
}

/* Sums H over the lanes (positions in buffer buf); when `write`, writes it as record k and
 * updates the running error. Every work-item calls it, in every configuration: its barriers
 * must not sit under a condition (see the header). */
FN void ham_record(HAM_RUN_ARGS, pot_lanes L, int buf, int k, int write, const REAL* q, const REAL* p,
                   REAL* h0, REAL* err, const int K) {
    REAL h[1];
    h[0] = ham_energy(kind, prm, L, buf, q, p, inv_mass, K);
    pot_lanes_sum(L, h, 1);
    if (write && L.sites > 0) {
        if (L.lane == 0) energies[(long)L.row * records + k] = h[0];
        if (k == 0) {
            *h0 = h[0];
            *err = RC(0.0);
        } else {
            REAL d = fabs(h[0] - *h0);
            if (*h0 != RC(0.0)) d /= fabs(*h0);
            if (!(d <= *err)) *err = d;
        }
        if (snapshots) {
            long at = ((long)L.row * records + k) * n;
            UNROLL for (int j = 0; j < POT_SITE_COORDS * K; j++) {
                int col = pot_col(L, j);
                if (col >= 0) {
                    snap_q[at + col] = q[j];
                    snap_p[at + col] = p[j];
                }
            }
        }
    }
}

/* Places the lanes, loads their sites (zeros elsewhere), publishes q in buffer 0, and writes
 * record 0 (start = 0) or reads the running error of earlier launches. */
FN pot_lanes ham_begin(HAM_RUN_ARGS, int sdim, int lanes, LOCAL_PTR REAL* smem, REAL* q, REAL* p, REAL* h0,
                       REAL* err, const int K) {
    pot_lanes L = pot_lanes_of(lanes, n, sdim, batch, 2, smem);
    long row0 = (long)L.row * n;
    UNROLL for (int j = 0; j < POT_SITE_COORDS * K; j++) {
        int col = pot_col(L, j);
        q[j] = col >= 0 ? q_io[row0 + col] : RC(0.0);
        p[j] = col >= 0 ? p_io[row0 + col] : RC(0.0);
    }
    pot_publish(L, 0, q, K);
    BARRIER();
    *h0 = RC(0.0);
    *err = RC(0.0);
    ham_record(HAM_RUN_PASS, L, 0, 0, start == 0, q, p, h0, err, K);
    if (start != 0 && L.sites > 0) {
        *h0 = energies[(long)L.row * records];
        *err = max_err[L.row];
    }
    return L;
}

/* The end of the segment of steps that starts after step `done` of this launch: the next
 * record's step, or the launch's last. Records and launch ends are where p is synchronised
 * and H summed, outside the stepping loop, so that no barrier sits under a condition. */
FN int ham_segment_end(int start, int steps, int every, int done) {
    int next = done + every - (start + done) % every;
    return next < steps ? next : steps;
}

FN void ham_end(HAM_RUN_ARGS, pot_lanes L, const REAL* q, const REAL* p, REAL err, const int K) {
    long row0 = (long)L.row * n;
    UNROLL for (int j = 0; j < POT_SITE_COORDS * K; j++) {
        int col = pot_col(L, j);
        if (col >= 0) {
            q_io[row0 + col] = q[j];
            p_io[row0 + col] = p[j];
        }
    }
    if (L.sites > 0 && L.lane == 0) max_err[L.row] = err;
}

/* p -= kick g, then q += drift inv_mass p. */
FN void ham_kick_drift(pot_lanes L, REAL* q, REAL* p, const REAL* g, GLOBAL const REAL* inv_mass, REAL kick, REAL drift,
                       const int K) {
    UNROLL for (int j = 0; j < POT_SITE_COORDS * K; j++) {
        int col = pot_col(L, j);
        if (col >= 0) {
            REAL pj = p[j] - kick * g[j];
            p[j] = pj;
            q[j] += drift * inv_mass[col] * pj;
        }
    }
}

FN void ham_splitting(HAM_RUN_ARGS, int sdim, int lanes, LOCAL_PTR REAL* smem, REAL* q, REAL* p, REAL* g,
                      const int K) {
    REAL h0, err;
    pot_lanes L = ham_begin(HAM_RUN_PASS, sdim, lanes, smem, q, p, &h0, &err, K);
    int yoshida = integrator == INTEGRATOR_YOSHIDA4, subs = yoshida ? 3 : 1, buf = 0;
    ham_forces(kind, prm, L, buf, q, g, K);
    for (int done = 0; done < steps;) {
        int end = ham_segment_end(start, steps, every, done);
        REAL pending = RC(0.0); /* the half kick owed by the last drift */
        for (; done < end; done++)
            for (int s = 0; s < subs; s++) {
                REAL w = yoshida ? (s == 1 ? YOSHIDA_W0 : YOSHIDA_W1) : RC(1.0);
                ham_kick_drift(L, q, p, g, inv_mass, (pending + RC(0.5) * w) * dt, w * dt, K);
                buf ^= 1;
                pot_publish(L, buf, q, K);
                BARRIER();
                ham_forces(kind, prm, L, buf, q, g, K);
                pending = RC(0.5) * w;
            }
        ham_kick_drift(L, q, p, g, inv_mass, pending * dt, RC(0.0), K);
        int k = start + done;
        ham_record(HAM_RUN_PASS, L, buf, k / every, k % every == 0, q, p, &h0, &err, K);
    }
    ham_end(HAM_RUN_PASS, L, q, p, err, K);
}

/* With the slopes (ps inv_mass, -g) at a stage: accumulate them into (qa, pa) with weight 1
 * (first stage) or 2, and move the stage point to (qt, ps) = (q, p) + a (slopes). */
FN void ham_rk4_stage(pot_lanes L, const REAL* q, const REAL* p, REAL* qt, REAL* ps, REAL* qa, REAL* pa, const REAL* g,
                      GLOBAL const REAL* inv_mass, REAL a, int first, const int K) {
    UNROLL for (int j = 0; j < POT_SITE_COORDS * K; j++) {
        int col = pot_col(L, j);
        if (col >= 0) {
            REAL kq = inv_mass[col] * ps[j], kp = -g[j];
            qa[j] = first ? kq : qa[j] + RC(2.0) * kq;
            pa[j] = first ? kp : pa[j] + RC(2.0) * kp;
            qt[j] = q[j] + a * kq;
            ps[j] = p[j] + a * kp;
        }
    }
}

FN void ham_rk4(HAM_RUN_ARGS, int sdim, int lanes, LOCAL_PTR REAL* smem, REAL* q, REAL* p, REAL* g, REAL* qt,
                REAL* ps, REAL* qa, REAL* pa, const int K) {
    REAL h0, err;
    pot_lanes L = ham_begin(HAM_RUN_PASS, sdim, lanes, smem, q, p, &h0, &err, K);
    REAL half_dt = RC(0.5) * dt, dt6 = dt / RC(6.0);
    int buf = 0;
    for (int done = 0; done < steps;) {
        int end = ham_segment_end(start, steps, every, done);
        for (; done < end; done++) {
            UNROLL for (int j = 0; j < POT_SITE_COORDS * K; j++) ps[j] = p[j];
            ham_forces(kind, prm, L, buf, q, g, K);
            for (int stage = 0; stage < 3; stage++) {
                ham_rk4_stage(L, q, p, qt, ps, qa, pa, g, inv_mass, stage < 2 ? half_dt : dt, stage == 0, K);
                buf ^= 1;
                pot_publish(L, buf, qt, K);
                BARRIER();
                ham_forces(kind, prm, L, buf, qt, g, K);
            }
            UNROLL for (int j = 0; j < POT_SITE_COORDS * K; j++) {
                int col = pot_col(L, j);
                if (col >= 0) {
                    q[j] += dt6 * (qa[j] + inv_mass[col] * ps[j]);
                    p[j] += dt6 * (pa[j] - g[j]);
                }
            }
            buf ^= 1;
            pot_publish(L, buf, q, K);
            BARRIER();
        }
        int k = start + done;
        ham_record(HAM_RUN_PASS, L, buf, k / every, k % every == 0, q, p, &h0, &err, K);
    }
    ham_end(HAM_RUN_PASS, L, q, p, err, K);
}

#define HAM_ARRAY(name, K) REAL name[POT_SITE_COORDS * (K)]
#define HAMILTONIAN_KERNELS(NAME, K)                                                            \
KERNEL void hamiltonian_splitting_##NAME(HAMILTONIAN_ARGS) {                                    \
    LOCAL_DECL(REAL, smem)                                                                      \
    HAM_ARRAY(q, K); HAM_ARRAY(p, K); HAM_ARRAY(g, K);                                          \
    ham_splitting(HAM_RUN_PASS, sdim, lanes, smem, q, p, g, K);                                 \
}                                                                                               \
KERNEL void hamiltonian_rk4_##NAME(HAMILTONIAN_ARGS) {                                          \
    LOCAL_DECL(REAL, smem)                                                                      \
    HAM_ARRAY(q, K); HAM_ARRAY(p, K); HAM_ARRAY(g, K); HAM_ARRAY(qt, K); HAM_ARRAY(ps, K);      \
    HAM_ARRAY(qa, K); HAM_ARRAY(pa, K);                                                         \
    ham_rk4(HAM_RUN_PASS, sdim, lanes, smem, q, p, g, qt, ps, qa, pa, K);                       \
}

HAMILTONIAN_KERNELS(single, 1)
HAMILTONIAN_KERNELS(strided, POT_STRIDE)
