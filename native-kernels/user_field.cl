/* user_field.cl: continuous flows of a user's vector field (org.flowkernels.ode.UserField), in
 * programs built for its snippet (FK_USER_FIELD; include/user.h declares fk_user_velocity and,
 * with FK_USER_JVP, fk_user_jvp). The CPU twin is backend/cpu/CpuUserFieldKernels.
 *
 * user_field_solve: one work-item per sample integrates dx/dt = v(x, t) for `steps` steps of h
 * from t0 with the tableau [a_0 .. a_{s-1}, b_0 .. b_{s-1}] (stage i reads stage i - 1, see
 * spi.Tableau) and d dlogp/dt = -trace_weight sum_j eps_j . J eps_j, each tangent J eps_j from the
 * user's JVP (trace_mode USER_TRACE_JVP) or from central differences of the velocity,
 * (v(x + d eps) - v(x - d eps)) / 2d, d = fd_step (1 + max_c |x_c|) (USER_TRACE_FINITE_DIFFERENCE).
 * Probes: e_j (probe_dist PROBE_EXACT) or Philox (sample, j, c/4, stream), as cnf.cl's.
 * Snapshots after every save_every steps: snapshot k in rows [k n, (k + 1) n) of snap_x, snap_l.
 * Rows of D <= USER_FIELD_MAX_DIM coordinates (private arrays); launch: 1-D over n.
 */
#ifdef FK_USER_FIELD
#if FK_ALLOW_LMEM

/* probe j of sample s, coordinate c */
FN REAL uf_probe(uint seed_lo, uint seed_hi, uint stream, int s, int j, int c, int dist) {
    if (dist == PROBE_EXACT) return c == j ? RC(1.0) : RC(0.0);
    return philox_coordinate(seed_lo, seed_hi, (uint)s, (uint)j, stream, c, dist);
}

KERNEL void user_field_solve(USER_FIELD_SOLVE_ARGS) {
    int i = GID(0);
    if (i >= n) return;
    REAL x[USER_FIELD_MAX_DIM], xs[USER_FIELD_MAX_DIM], k[USER_FIELD_MAX_DIM], acc[USER_FIELD_MAX_DIM],
         v[USER_FIELD_MAX_DIM], e[USER_FIELD_MAX_DIM], jv[USER_FIELD_MAX_DIM], y[USER_FIELD_MAX_DIM], w[USER_FIELD_MAX_DIM];
    for (int c = 0; c < D; c++) {
        x[c] = x_io[(long)i * D + c];
        k[c] = RC(0.0);
    }
    REAL dl = RC(0.0), accl = RC(0.0);
    for (int step = 0; step < steps; step++) {
        REAL t = t0 + (REAL)step * h;
        for (int stage = 0; stage < stages; stage++) {
            REAL ah = tableau[stage] * h, b = tableau[stages + stage], ts = t + ah;
            for (int c = 0; c < D; c++) xs[c] = x[c] + ah * k[c];
            fk_user_velocity(xs, ts, D, prm, v);
            REAL delta = RC(0.0), tr = RC(0.0);
            if (trace_mode == USER_TRACE_FINITE_DIFFERENCE) {
                REAL m = RC(0.0);
                for (int c = 0; c < D; c++) m = fmax(m, fabs(xs[c]));
                delta = fd_step * (RC(1.0) + m);
            }
            for (int j = 0; j < tangents; j++) {
                for (int c = 0; c < D; c++) e[c] = uf_probe(seed_lo, seed_hi, stream, i, j, c, probe_dist);
                if (trace_mode == USER_TRACE_FINITE_DIFFERENCE) {
                    for (int c = 0; c < D; c++) y[c] = xs[c] + delta * e[c];
                    fk_user_velocity(y, ts, D, prm, jv);
                    for (int c = 0; c < D; c++) y[c] = xs[c] - delta * e[c];
                    fk_user_velocity(y, ts, D, prm, w);
                    for (int c = 0; c < D; c++) jv[c] = (jv[c] - w[c]) / (RC(2.0) * delta);
                } else {
#ifdef FK_USER_JVP
                    fk_user_jvp(xs, ts, D, prm, e, jv);
#else
                    for (int c = 0; c < D; c++) jv[c] = sqrt(RC(-1.0)); /* the host never asks for a JVP it lacks */
#endif
                }
                for (int c = 0; c < D; c++) tr += e[c] * jv[c];
            }
            int first = stage == 0;
            for (int c = 0; c < D; c++) {
                k[c] = v[c];
                acc[c] = (first ? RC(0.0) : acc[c]) + b * v[c];
            }
            accl = (first ? RC(0.0) : accl) - b * trace_weight * tr;
        }
        for (int c = 0; c < D; c++) x[c] += h * acc[c];
        dl += h * accl;
        if (save_every > 0 && (step + 1) % save_every == 0) {
            long row = (long)((step + 1) / save_every - 1) * n + i;
            for (int c = 0; c < D; c++) snap_x[row * D + c] = x[c];
            snap_l[row] = dl;
        }
    }
    for (int c = 0; c < D; c++) x_io[(long)i * D + c] = x[c];
    dlogp[i] = dl;
}

#endif
#endif /* FK_USER_FIELD */
