/* cnf.cl: continuous normalizing flows. Fixed-step integration of the augmented state
 * (x, dlogp) with dx/dt = v(x, t), d dlogp/dt = -tr(dv/dx), v an MLP (PyTorch nn.Linear layout,
 * packed W then b per layer, activation after every layer but the last) whose input is x, or
 * concat(x, t) when time_input is 1. A linear field v = A x + b is the one-layer case.
 *
 * The trace is sum_j w eps_j^T (J eps_j) over T tangents, J eps_j propagated forward through
 * the layers with the values (tangent through a layer: slope(y) * (W t)):
 *   exact       eps_j = e_j, j < D, w = 1;
 *   Hutchinson  eps_j drawn once per trajectory, j < k, w = 1/k, from Philox: coordinate d of
 *               probe j of sample s is coordinate d of counter (s, j, d / 4, stream), i.e.
 *               row s of a Philox fill with step j (Rng.draw(.., seed, stream, j)).
 * Solvers: explicit Runge-Kutta methods whose stage i reads only stage i-1 (Euler, the
 * midpoint rule, classic RK4): stage input x + a_i h k_{i-1} at time t + a_i h, update
 * x += h sum_i b_i k_i. The tableau comes from Java (org.flowkernels.spi.Tableau) as
 * [a_0 .. a_{s-1}, b_0 .. b_{s-1}].
 *
 * Two ways to run a solve:
 *   ode_solve_fused   the whole multi-step solve in one launch (small nets);
 *   ode_probes, ode_probe_back, ode_stage_input, ode_tangent_slope, ode_stage_update with
 *                     linear_forward for the matrix products: launches per layer and stage
 *                     (large nets). The last layer is linear and the probes fixed, so its
 *                     tangent enters the trace as (W_L^T eps) . t, computed once per solve.
 */

/* The fused kernel's per-sample state lives in private arrays of the ODE_FUSED_MAX_* sizes
 * (contract.h). */

/* Coordinate d of probe j of sample s (see the header). */
FN REAL ode_probe(uint seed_lo, uint seed_hi, uint stream, int s, int j, int d, int dist) {
    if (dist == PROBE_EXACT) return d == j ? RC(1.0) : RC(0.0);
    return philox_coordinate(seed_lo, seed_hi, (uint)s, (uint)j, stream, d, dist);
}

/* log N(z; 0, I) + sign * delta for each row of z [n, D]. Launch: 1-D over n. */
KERNEL void ode_gaussian_logp(ODE_GAUSSIAN_LOGP_ARGS) {
    int s = GID(0);
    if (s >= n) return;
    REAL q = RC(0.0);
    for (int d = 0; d < D; d++) q += z[(long)s * D + d] * z[(long)s * D + d];
    out[s] = fk_log_normal(q, D) + sign * delta[s];
}

/* ---------------------------------------------------------------- fused solve
 * One work-item per sample, the whole solve (steps x stages x layers) in one launch. The
 * work-group first copies the packed parameters into local memory (dynamic, the parameter
 * count of floats), each W transposed to [in, out]; then each work-item keeps its state
 * (x, the stage accumulators, its probes, and one layer's values and tangents as
 * [1 + T][ODE_FUSED_MAX_WIDTH]) in private arrays. A layer is a sum over inputs of
 * output-contiguous axpys, the innermost loop over the outputs, which a CPU OpenCL
 * compiler vectorises within the work-item. widths[0..depth] are the layer widths,
 * widths[depth] = D. Snapshots: after every save_every steps (0: none) snapshot
 * j = steps / save_every - 1 goes to snap_x [j n + s, D] and snap_l [j n + s].
 * Limits (checked on the host): widths <= ODE_FUSED_MAX_WIDTH, D <= ODE_FUSED_MAX_DIM,
 * T <= ODE_FUSED_MAX_TANGENTS, depth <= ODE_FUSED_MAX_DEPTH.
 * Launch: 1-D over n, any work-group size; the tail work-items help load the weights. */
#if FK_ALLOW_LMEM
KERNEL void ode_solve_fused(ODE_SOLVE_FUSED_ARGS) {
    LOCAL_DECL(REAL, wl)
    int w[ODE_FUSED_MAX_DEPTH + 1];
    for (int l = 0; l <= depth; l++) w[l] = widths[l];
    /* the weights go in transposed, W^T [in, out], so that the innermost loop below runs
     * over contiguous outputs; the biases as they are */
    for (int l = 0, off = 0; l < depth; l++) {
        int in = w[l], out = w[l + 1];
        for (int i = LID(0); i < in * out + out; i += LSIZE(0))
            wl[off + i] = i < in * out ? P[off + (i % out) * in + i / out] : P[off + i];
        off += in * out + out;
    }
    BARRIER();
    int s = GID(0);
    if (s >= n) return; /* no barrier below */

    const int D = w[depth], T = tangents, S = 1 + tangents;
    const int MW = ODE_FUSED_MAX_WIDTH;

    REAL xs[ODE_FUSED_MAX_DIM], kv[ODE_FUSED_MAX_DIM], acc[ODE_FUSED_MAX_DIM];
    REAL eps[ODE_FUSED_MAX_TANGENTS * ODE_FUSED_MAX_DIM];
    /* one layer's values (row 0) and tangents (rows 1..T), [1 + T][MW] */
    REAL ha[(1 + ODE_FUSED_MAX_TANGENTS) * ODE_FUSED_MAX_WIDTH], hb[(1 + ODE_FUSED_MAX_TANGENTS) * ODE_FUSED_MAX_WIDTH];
    for (int d = 0; d < D; d++) {
        xs[d] = x[(long)s * D + d];
        kv[d] = RC(0.0);
    }
    for (int j = 0; j < T; j++)
        for (int d = 0; d < D; d++) eps[j * D + d] = ode_probe(seed_lo, seed_hi, stream, s, j, d, probe_dist);

    REAL dl = RC(0.0);
    for (int step = 0; step < steps; step++) {
        REAL t = t0 + (REAL)step * h;
        REAL accl = RC(0.0);
        for (int d = 0; d < D; d++) acc[d] = RC(0.0);
        for (int stage = 0; stage < stages; stage++) {
            REAL ah = tableau[stage] * h;
            /* the input layer: (x + a h k, t) with tangents (eps_j, 0) */
            for (int d = 0; d < D; d++) {
                ha[d] = xs[d] + ah * kv[d];
                for (int j = 0; j < T; j++) ha[(1 + j) * MW + d] = eps[j * D + d];
            }
            if (time_input) {
                ha[D] = t + ah;
                for (int j = 0; j < T; j++) ha[(1 + j) * MW + D] = RC(0.0);
            }
            REAL* cur = ha;
            REAL* nxt = hb;
            int off = 0;
            for (int l = 0; l < depth; l++) {
                int in = w[l], out = w[l + 1];
                int w_off = off, b_off = off + in * out;
                off = b_off + out;
                for (int o = 0; o < out; o++) nxt[o] = wl[b_off + o];
                for (int j = 1; j < S; j++)
                    for (int o = 0; o < out; o++) nxt[j * MW + o] = RC(0.0);
                /* four inputs per pass over the outputs: a quarter of the loads and stores of nxt */
                int k = 0;
                for (; k + 4 <= in; k += 4)
                    for (int j = 0; j < S; j++) {
                        REAL c0 = cur[j * MW + k], c1 = cur[j * MW + k + 1], c2 = cur[j * MW + k + 2], c3 = cur[j * MW + k + 3];
                        int w0 = w_off + k * out;
                        for (int o = 0; o < out; o++)
                            nxt[j * MW + o] += wl[w0 + o] * c0 + wl[w0 + out + o] * c1 + wl[w0 + 2 * out + o] * c2
                                             + wl[w0 + 3 * out + o] * c3;
                    }
                for (; k < in; k++)
                    for (int j = 0; j < S; j++) {
                        REAL c = cur[j * MW + k];
                        for (int o = 0; o < out; o++) nxt[j * MW + o] += wl[w_off + k * out + o] * c;
                    }
                if (l + 1 < depth)
                    for (int o = 0; o < out; o++) {
                        REAL y = fk_activate(nxt[o], act), slope = fk_activate_slope(y, act);
                        nxt[o] = y;
                        for (int j = 1; j < S; j++) nxt[j * MW + o] *= slope;
                    }
                REAL* tmp = cur;
                cur = nxt;
                nxt = tmp;
            }
            /* cur: v_d at [d], (J eps_j)_d at [(1 + j) MW + d] */
            REAL tr = RC(0.0);
            for (int j = 0; j < T; j++)
                for (int d = 0; d < D; d++) tr += eps[j * D + d] * cur[(1 + j) * MW + d];
            REAL b = tableau[stages + stage];
            for (int d = 0; d < D; d++) {
                kv[d] = cur[d];
                acc[d] += b * kv[d];
            }
            accl -= b * trace_weight * tr;
        }
        for (int d = 0; d < D; d++) xs[d] += h * acc[d];
        dl += h * accl;
        if (save_every > 0 && (step + 1) % save_every == 0) {
            long row = (long)((step + 1) / save_every - 1) * n + s;
            for (int d = 0; d < D; d++) snap_x[row * D + d] = xs[d];
            snap_l[row] = dl;
        }
    }
    for (int d = 0; d < D; d++) x[(long)s * D + d] = xs[d];
    dlogp[s] = dl;
}
#endif

/* ---------------------------------------------------------------- per-step solve
 * The pieces around the GEMMs (linear_forward) of one stage; tangents of all T probes are
 * stacked as rows r = j n + s of [T n, width] matrices, so a tangent product is one GEMM. */

/* Probe rows e [T n, cols]: e[j n + s, d] = coordinate d of probe j of sample s for d < D,
 * 0 for a time column d = D. Launch: 1-D over T n. */
KERNEL void ode_probes(ODE_PROBES_ARGS) {
    int r = GID(0);
    if (r >= tangents * n) return;
    int j = r / n, s = r - j * n;
    for (int d = 0; d < cols; d++)
        e[(long)r * cols + d] = d < D ? ode_probe(seed_lo, seed_hi, stream, s, j, d, probe_dist) : RC(0.0);
}

/* Stage input xin [n, cols] = (x + ah k, t) (the time column only when cols > D).
 * Launch: 1-D over n. */
KERNEL void ode_stage_input(ODE_STAGE_INPUT_ARGS) {
    int s = GID(0);
    if (s >= n) return;
    /* stage 0 (ah = 0) must not read k: it holds the previous step's last stage, or poison */
    for (int d = 0; d < D; d++)
        xin[(long)s * cols + d] = ah != RC(0.0) ? x[(long)s * D + d] + ah * k[(long)s * D + d] : x[(long)s * D + d];
    if (cols > D) xin[(long)s * cols + D] = t;
}

/* dst [T n, width] = slope(a [n, width]) * src, the activation's slope taken at sample
 * r mod n; src may be dst. Launch: 1-D over T n width. */
KERNEL void ode_tangent_slope(ODE_TANGENT_SLOPE_ARGS) {
    long g = (long)GID(0);
    if (g >= (long)rows * width) return;
    long r = g / width, c = g - r * width;
    dst[g] = fk_activate_slope(a[(r % n) * width + c], act) * src[g];
}

/* u [T n, width] = rows of e [T n, ecols] times W [D, width] (at P + w_off): W_L^T eps_j,
 * with which eps_j^T W_L t = u . t for the last layer's tangent t. Launch: 1-D over T n width. */
KERNEL void ode_probe_back(ODE_PROBE_BACK_ARGS) {
    long g = (long)GID(0);
    if (g >= (long)rows * width) return;
    long r = g / width, k = g - r * width;
    REAL acc = RC(0.0);
    for (int d = 0; d < D; d++) acc += e[r * ecols + d] * P[w_off + (long)d * width + k];
    u[g] = acc;
}

/* After stage i: tr = w sum_j u_j . t_j over `width` entries (u_j = W_L^T eps_j and t_j the
 * last hidden layer's tangent; for a one-layer net u_j = eps_j and t_j = W eps_j), then
 * acc = (first ? 0 : acc) + b v, accl = (first ? 0 : accl) - b tr; on the last stage
 * x += h acc, dlogp += h accl. v [n, D]; u and t rows r = j n + s with strides us, ts.
 * Launch: 1-D over n. */
KERNEL void ode_stage_update(ODE_STAGE_UPDATE_ARGS) {
    int s = GID(0);
    if (s >= n) return;
    REAL tr = RC(0.0);
    for (int j = 0; j < tangents; j++) {
        long r = (long)j * n + s;
        for (int k = 0; k < width; k++) tr += u[r * us + k] * t[r * ts + k];
    }
    REAL al = (first ? RC(0.0) : accl[s]) - b * trace_weight * tr;
    for (int d = 0; d < D; d++) {
        long i = (long)s * D + d;
        REAL a = (first ? RC(0.0) : acc[i]) + b * v[i];
        if (last) x[i] += h * a;
        else acc[i] = a;
    }
    if (last) dlogp[s] += h * al;
    else accl[s] = al;
}
