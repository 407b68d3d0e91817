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
 *   ode_solve_fused   the whole multi-step solve in one launch (small nets), a tile of samples
 *                     per work-group through the shared tiled layer (include/mlp.h);
 *   ode_probes, ode_probe_back, ode_stage_input, ode_tangent_slope, ode_stage_update with
 *                     linear_forward for the matrix products: launches per layer and stage
 *                     (large nets). The last layer is linear and the probes fixed, so its
 *                     tangent enters the trace as (W_L^T eps) . t, computed once per solve.
 *
 * Barriers: ode_solve_fused (the tile's local memory is shared: after the loads, after each
 * stage input, inside each layer, after each stage update); ode_stage_update and
 * ode_gaussian_logp (the row teams' sums). The other per-step kernels are element-wise and
 * have none.
 *
 * Floor at W2-hutch (65 -> 256 -> 256 -> 64, one Rademacher probe, 20 RK4 steps, per step):
 * per evaluation 98,560 multiply-adds for the values and 65,536 for the tangent (W_1 eps and
 * W_L^T eps are computed once), 80 evaluations: 26.3 MFLOP per sample, 6.9 TFLOP for 2^18
 * samples, 103 ms at 67 TFLOP/s. The launches between the GEMMs move the activations and
 * tangents through global memory, ~4,400 REALs (18 KB) per sample and evaluation: 370 GB,
 * 77 ms at 4.8 TB/s. Compute-bound, but not by much: a tangent GEMM with the slope in its
 * epilogue would save ~4 KB of that.
 */

/* Coordinate d of probe j of sample s (see the header). */
FN REAL ode_probe(uint seed_lo, uint seed_hi, uint stream, int s, int j, int d, int dist) {
    if (dist == PROBE_EXACT) return d == j ? RC(1.0) : RC(0.0);
    return philox_coordinate(seed_lo, seed_hi, (uint)s, (uint)j, stream, d, dist);
}

/* log N(z; 0, I) + sign * delta for each row of z [n, D], a row team per row (include/rows.h).
 * Launch: 1-D row teams of `lanes`, local memory 2 LSIZE REALs. */
KERNEL void ode_gaussian_logp(ODE_GAUSSIAN_LOGP_ARGS) {
    LOCAL_DECL(REAL, red)
    long s = row_team_row(lanes);
    int lane = row_team_lane(lanes);
    REAL q = RC(0.0), unused = RC(0.0);
    if (s < n)
        for (int d = lane; d < D; d += lanes) q += z[s * D + d] * z[s * D + d];
    row_team_sum2(red, lanes, &q, &unused);
    if (s < n && lane == 0) out[s] = fk_log_normal(q, D) + sign * delta[s];
}

/* ---------------------------------------------------------------- fused solve
 * A work-group owns a tile of `tile` samples (a multiple of MLP_BLOCK_COLUMNS) for the whole
 * solve (steps x stages x layers) in one launch. Everything lives in local memory (dynamic,
 * sized by the host, DeviceOdeKernels.fusedTile), [field][tile] so that a row is the tile's
 * samples:
 *   wl    the weights in the tile layout (include/mlp.h)
 *   hl    one layer of values and tangents, [rows][S tile], S = 1 + T: column s is sample s's
 *         value, column (1 + j) tile + s its tangent j (include/mlp.h; the layers run in place)
 *   xs, kv, acc [D][tile]   the state, the last stage's slope, the stage sum
 *   eps [T D][tile]         the probes, fixed for the solve
 *   dl, accl [tile]         the log-density change and its stage sum
 * The layers are mlp_tile_layer: register blocks of outputs x columns, no per-work-item arrays.
 * The stage input and the stage update are element- and sample-parallel passes. widths[0..depth]
 * are the layer widths, widths[depth] = D. Snapshots: after every save_every steps (0: none)
 * snapshot j = steps / save_every - 1 goes to snap_x [j n + s, D] and snap_l [j n + s].
 * Launch: 1-D, work-group size at least mlp_tile_blocks of every layer (the host's
 * DeviceOdeKernels.fusedTile picks tile and size), one group per tile: global
 * ceil(n / tile) LSIZE.
 *
 * Barriers: after loading the weights and the state; after the stage input; inside every
 * layer (mlp.h); after the stage update (the next stage input reads kv and overwrites hl).
 *
 * Floor at W2-exact (3 -> 64 -> 64 -> 2 tanh, T = 2, RK4, 100 steps): per evaluation and
 * sample 192 + 4,096 + 128 = 4,416 multiply-adds for the values and as many for each of the
 * two tangents, 13,248; 400 evaluations: 10.6 MFLOP per sample, 11.1 TFLOP for 2^20 samples,
 * 166 ms at 67 TFLOP/s (plus 51,200 tanh per sample). Global traffic is 20 bytes per sample:
 * no memory term. The tile pads the 2-output layer to 8 rows, +9% executed work. */
KERNEL void ode_solve_fused(ODE_SOLVE_FUSED_ARGS) {
    LOCAL_DECL(REAL, lm)
    const int D = widths[depth], cols = widths[0], T = tangents, S = 1 + tangents, ld = S * tile;
    LOCAL_PTR REAL* wl = lm;
    LOCAL_PTR REAL* hl = wl + mlp_tile_weight_reals(widths, depth);
    const int rows = mlp_tile_rows(widths, depth);
    LOCAL_PTR REAL* xs = hl + rows * ld;
    LOCAL_PTR REAL* kv = xs + D * tile;
    LOCAL_PTR REAL* acc = kv + D * tile;
    LOCAL_PTR REAL* eps = acc + D * tile;
    LOCAL_PTR REAL* dl = eps + T * D * tile;
    LOCAL_PTR REAL* accl = dl + tile;
    const long s0 = (long)GROUP(0) * tile;
    const int valid = n - s0 < tile ? (int)(n - s0) : tile;
    const int lid = LID(0), lsize = LSIZE(0);

    mlp_tile_load(wl, P, widths, depth);
    /* d fastest: a warp reads consecutive addresses of x */
    for (int e = lid; e < D * tile; e += lsize) {
        int s = e / D, d = e - s * D;
        xs[d * tile + s] = s < valid ? x[(s0 + s) * D + d] : RC(0.0);
        kv[d * tile + s] = RC(0.0);
    }
    for (int e = lid; e < T * D * tile; e += lsize) {
        int jd = e / tile, s = e - jd * tile, j = jd / D;
        eps[e] = ode_probe(seed_lo, seed_hi, stream, (int)(s0 + s), j, jd - j * D, probe_dist);
    }
    for (int s = lid; s < tile; s += lsize) dl[s] = RC(0.0);
    BARRIER();

    for (int step = 0; step < steps; step++) {
        REAL t = t0 + (REAL)step * h;
        for (int stage = 0; stage < stages; stage++) {
            REAL ah = tableau[stage] * h;
            /* the input layer: (x + a h k, t) with tangents (eps_j, 0) */
            for (int e = lid; e < cols * tile; e += lsize) {
                int d = e / tile, s = e - d * tile;
                LOCAL_PTR REAL* row = hl + d * ld + s;
                if (d < D) {
                    row[0] = xs[d * tile + s] + ah * kv[d * tile + s];
                    for (int j = 0; j < T; j++) row[(1 + j) * tile] = eps[(j * D + d) * tile + s];
                } else {
                    row[0] = t + ah;
                    for (int j = 0; j < T; j++) row[(1 + j) * tile] = RC(0.0);
                }
            }
            BARRIER();
            for (int l = 0, off = 0; l < depth; l++) {
                int in = widths[l], out = widths[l + 1];
                mlp_tile_layer(hl, rows, ld, ld, tile, wl + off, in, out, act, l + 1 < depth);
                off += mlp_tile_layer_reals(in, out);
            }
            /* hl: v_d at [d][s], (J eps_j)_d at [d][(1 + j) tile + s] */
            REAL b = tableau[stages + stage];
            int last = stage == stages - 1;
            for (int s = lid; s < tile; s += lsize) {
                REAL tr = RC(0.0);
                for (int j = 0; j < T; j++)
                    for (int d = 0; d < D; d++) tr += eps[(j * D + d) * tile + s] * hl[d * ld + (1 + j) * tile + s];
                for (int d = 0; d < D; d++) {
                    REAL k = hl[d * ld + s];
                    kv[d * tile + s] = k;
                    acc[d * tile + s] = stage == 0 ? b * k : acc[d * tile + s] + b * k;
                }
                REAL al = (stage == 0 ? RC(0.0) : accl[s]) - b * trace_weight * tr;
                accl[s] = al;
                if (last) {
                    for (int d = 0; d < D; d++) xs[d * tile + s] += h * acc[d * tile + s];
                    dl[s] += h * al;
                    if (save_every > 0 && (step + 1) % save_every == 0 && s < valid) {
                        long row = (long)((step + 1) / save_every - 1) * n + s0 + s;
                        for (int d = 0; d < D; d++) snap_x[row * D + d] = xs[d * tile + s];
                        snap_l[row] = dl[s];
                    }
                }
            }
            BARRIER();
        }
    }
    for (int e = lid; e < D * tile; e += lsize) {
        int s = e / D, d = e - s * D;
        if (s < valid) x[(s0 + s) * D + d] = xs[d * tile + s];
    }
    for (int s = lid; s < valid; s += lsize) dlogp[s0 + s] = dl[s];
}

/* ---------------------------------------------------------------- per-step solve
 * The pieces around the GEMMs (linear_forward) of one stage; tangents of all T probes are
 * stacked as rows r = j n + s of [T n, width] matrices, so a tangent product is one GEMM.
 * Element-wise kernels run 1-D over the elements with 64-bit indices; ode_stage_update works
 * on rows through row teams. */

/* Probe rows e [T n, cols]: e[j n + s, d] = coordinate d of probe j of sample s for d < D,
 * 0 for a time column d = D. Launch: 1-D over T n cols. */
KERNEL void ode_probes(ODE_PROBES_ARGS) {
    long g = GID_LONG(0);
    if (g >= (long)tangents * n * cols) return;
    long r = g / cols;
    int d = (int)(g - r * cols), j = (int)(r / n), s = (int)(r - (long)j * n);
    e[g] = d < D ? ode_probe(seed_lo, seed_hi, stream, s, j, d, probe_dist) : RC(0.0);
}

/* Stage input xin [n, cols] = (x + ah k, t) (the time column only when cols > D).
 * Launch: 1-D over n cols. */
KERNEL void ode_stage_input(ODE_STAGE_INPUT_ARGS) {
    long g = GID_LONG(0);
    if (g >= (long)n * cols) return;
    long s = g / cols;
    int d = (int)(g - s * cols);
    /* stage 0 (ah = 0) must not read k: it holds the previous step's last stage, or poison */
    if (d < D) xin[g] = ah != RC(0.0) ? x[s * D + d] + ah * k[s * D + d] : x[s * D + d];
    else xin[g] = t;
}

/* dst [T n, width] = slope(a [n, width]) * src, the activation's slope taken at sample
 * r mod n; src may be dst. Launch: 1-D over T n width. */
KERNEL void ode_tangent_slope(ODE_TANGENT_SLOPE_ARGS) {
    long g = GID_LONG(0);
    if (g >= (long)rows * width) return;
    long r = g / width, c = g - r * width;
    dst[g] = fk_activate_slope(a[(r % n) * width + c], act) * src[g];
}

/* u [T n, width] = rows of e [T n, ecols] times W [D, width] (at P + w_off): W_L^T eps_j,
 * with which eps_j^T W_L t = u . t for the last layer's tangent t. Launch: 1-D over T n width. */
KERNEL void ode_probe_back(ODE_PROBE_BACK_ARGS) {
    long g = GID_LONG(0);
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
 * Launch: 1-D row teams of `lanes` (include/rows.h) over the n samples, local memory
 * 2 LSIZE REALs. Barriers: the team sum of the trace. */
KERNEL void ode_stage_update(ODE_STAGE_UPDATE_ARGS) {
    LOCAL_DECL(REAL, red)
    long s = row_team_row(lanes);
    int lane = row_team_lane(lanes), live = s < n;
    REAL tr = RC(0.0), unused = RC(0.0);
    if (live)
        for (int j = 0; j < tangents; j++) {
            long r = (long)j * n + s;
            for (int k = lane; k < width; k += lanes) tr += u[r * us + k] * t[r * ts + k];
        }
    row_team_sum2(red, lanes, &tr, &unused);
    if (!live) return; /* no barrier below */
    for (int d = lane; d < D; d += lanes) {
        long i = s * D + d;
        REAL a = (first ? RC(0.0) : acc[i]) + b * v[i];
        if (last) x[i] += h * a;
        else acc[i] = a;
    }
    if (lane == 0) {
        REAL al = (first ? RC(0.0) : accl[s]) - b * trace_weight * tr;
        if (last) dlogp[s] += h * al;
        else accl[s] = al;
    }
}
