/* langevin.cl: batched Langevin chains (ULA, MALA, annealed ULA), many steps per launch.
 *
 * The score kernels run a work-item per chain, the state in private arrays for the whole
 * launch; the potential kernels a chain per group of work-items (the layout of potentials.h,
 * see "potential drift" below). A step of chain i with drift D = grad ln pi, step size eps (per chain) and noise xi:
 *     y = x + (eps/2) D(x) + sqrt(eps) xi
 * ULA takes y. MALA takes y when ln u < ln alpha, with
 *     ln alpha = ln pi(y) - ln pi(x) + 1/2 sum_c [xi_c^2 - (xi_c + (sqrt(eps)/2)(D_c(x) + D_c(y)))^2]
 * (the reverse/forward proposal log ratio written through xi; pi = exp(-beta V)).
 * The CPU twin is backend/cpu/CpuLangevinBlock.java: same formulas, same order.
 *
 * Random numbers, Philox4x32-10 keyed by the run's seed (org.flowkernels.sample.LangevinKernels):
 *     noise xi_c of chain i at global step t: normal (i, t, c/4, NOISE_STREAM), word c%4
 *     MH uniform of chain i at step t:        uniform word 0 of (i, t, 0, ACCEPT_STREAM)
 * Steps t count from 0 at the start of the run (warm-up included), so splitting a run into
 * launches changes nothing.
 *
 * Common arguments (LGV_COMMON_ARGS), per-chain arrays indexed by chain i:
 *   x [chains, n]             states, row-major, updated in place
 *   eps_g [chains]            step sizes (adapted in place while t < adapt_end)
 *   dual [2, chains]          dual-averaging state: H-bar, then ln eps-bar
 *   accepted [chains]         accepted proposals during the sampling steps (t >= stats_start)
 *   mean, m2 [cols, chains]   Welford running mean and sum of squared deviations per column
 *                             (coordinates, then the energy V when cols = n + 1)
 *   bad [chains]              -1, or the first step at which the chain proposed a non-finite
 *                             state; such a chain stops (it keeps its last finite state)
 *   snaps [snap_count, chains, cols]  snapshots of this launch
 * Sampling step t (t >= stats_start), j = t - stats_start + 1: the statistics take sample
 * j / stats_every when stats_every divides j; snapshot j / snap_every - 1 goes to slot
 * (j / snap_every - 1 - snap_base) when snap_every > 0 divides j.
 *
 * Barriers (item 8 of the GPU issue: PoCL runs the work-items of a group one after another
 * between barriers and adds barriers of its own, so a missing BARRIER() does not fail there;
 * compute-sanitizer --tool racecheck on a GPU is the test for these kernels):
 *   langevin_potential_ula_*, langevin_potential_mala_*: a BARRIER() between publishing the
 *     state or the proposal in local memory and the lanes reading it (once per launch and once
 *     per step), and those of pot_lanes_sum (the energy at the start; V(y) and MALA's ratio at
 *     every step). A chain's lanes must all see the whole proposal before any evaluates it,
 *     and all have read the sums before the next step overwrites them.
 *   langevin_merge: a BARRIER() after each level of its tree reduction, and between the two
 *     passes (every work-item reads the mean before red[] is reused).
 *   langevin_score_fused: a BARRIER() after the work-group copies the weights into local memory.
 * Every barrier is reached by every work-item, in straight-line code or in loops with the
 * same trip count for the whole work-group: tail slots past the batch and stopped chains run
 * them with nothing to do. (Not under an `if`, even a uniform one: PoCL 3.1 miscompiles that.)
 */

/* Dual averaging (Hoffman and Gelman 2014, Algorithm 5): ADAPT_* of contract.h; mu = ln(10 eps0)
 * is an argument. */

/* LGV_COMMON_ARGS and LGV_COMMON_PASS: contract.h, from Kernels.LgvCommon. */

/* y = x + eps_half D + root xi for the n coordinates; xi is kept when keep_xi (MALA's ratio needs
 * it) and its squares summed into *xi2. Returns 0 when some y_c is not finite. */
FN int lgv_propose(REAL* y, const REAL* q, const REAL* d, REAL* xi, int keep_xi, REAL* xi2, int n,
                   REAL eps_half, REAL root, uint chain, uint t, uint seed_lo, uint seed_hi) {
    int ok = 1;
    REAL s = RC(0.0);
    for (int blk = 0; blk * 4 < n; blk++) {
        philox_block b = philox4x32_10(chain, t, (uint)blk, NOISE_STREAM, seed_lo, seed_hi);
        for (int w = 0; w < 4; w++) {
            int c = blk * 4 + w;
            if (c >= n) break;
            REAL z = philox_normal(b, w);
            REAL v = q[c] + eps_half * d[c] + root * z;
            y[c] = v;
            ok &= isfinite(v) ? 1 : 0;
            if (keep_xi) {
                xi[c] = z;
                s += z * z;
            }
        }
    }
    *xi2 = s;
    return ok;
}

/* One dual-averaging update of a chain's ln eps from the acceptance probability of step t;
 * the last warm-up step (t + 1 == adapt_end) freezes eps at the average. */
FN REAL lgv_adapt(REAL log_alpha, int t, int adapt_end, REAL target, REAL mu, REAL* hbar, REAL* logbar) {
    REAL m = (REAL)(t + 1), w = RC(1.0) / (m + ADAPT_T0);
    REAL gain = sqrt(m) / ADAPT_GAMMA, eta = pow(m, -ADAPT_KAPPA);
    REAL a = log_alpha >= RC(0.0) ? RC(1.0) : (log_alpha > -REAL_MAX ? exp(log_alpha) : RC(0.0));
    *hbar = (RC(1.0) - w) * *hbar + w * (target - a);
    REAL log_eps = mu - gain * *hbar;
    *logbar = eta * log_eps + (RC(1.0) - eta) * *logbar;
    return exp(t + 1 == adapt_end ? *logbar : log_eps);
}

/* Welford update and snapshot of chain i after sampling step t (see the header). */
FN void lgv_record(GLOBAL REAL* mean, GLOBAL REAL* m2, GLOBAL REAL* snaps, const REAL* q, REAL energy, int n,
                   int cols, int i, int chains, int t, int stats_start, int stats_every, int snap_every,
                   int snap_base, int snap_count) {
    int j = t - stats_start + 1;
    if (j % stats_every == 0) {
        REAL inv_k = RC(1.0) / (REAL)(j / stats_every);
        for (int c = 0; c < cols; c++) {
            long at = (long)c * chains + i;
            REAL v = c < n ? q[c] : energy;
            REAL d = v - mean[at], mu = mean[at] + d * inv_k;
            mean[at] = mu;
            m2[at] += d * (v - mu);
        }
    }
    if (snap_every > 0 && j % snap_every == 0) {
        int slot = j / snap_every - 1 - snap_base;
        if (slot >= 0 && slot < snap_count) {
            GLOBAL REAL* row = snaps + ((long)slot * chains + i) * cols;
            for (int c = 0; c < n; c++) row[c] = q[c];
            if (cols > n) row[n] = energy;
        }
    }
}

/* A chain per work-item (user_potential.cl's MALA, hmc.cl): the end of a Metropolis step and of
 * a launch, shared. After the decision `take` on the proposal (y, dy, vy) at step t: move the
 * chain to it, adapt eps during the warm-up, count and record a sampling step. */
FN void lgv_chain_decided(LGV_COMMON_ARGS, int i, int t, int take, REAL log_alpha, REAL* q, REAL* d, const REAL* y,
                          const REAL* dy, REAL vy, REAL* v, REAL* eps, REAL* hbar, REAL* logbar, int* acc) {
    if (take) {
        for (int c = 0; c < n; c++) {
            q[c] = y[c];
            d[c] = dy[c];
        }
        *v = vy;
    }
    if (t < adapt_end) *eps = lgv_adapt(log_alpha, t, adapt_end, target, adapt_mu, hbar, logbar);
    if (t >= stats_start) {
        *acc += take;
        lgv_record(mean, m2, snaps, q, *v, n, cols, i, chains, t, stats_start, stats_every, snap_every, snap_base, snap_count);
    }
}

/* Stores chain i's state and its step-size adaptation at the end of a launch. */
FN void lgv_chain_store(LGV_COMMON_ARGS, int i, const REAL* q, REAL eps, REAL hbar, REAL logbar, int acc) {
    for (int c = 0; c < n; c++) x[(long)i * n + c] = q[c];
    eps_g[i] = eps;
    dual[i] = hbar;
    dual[chains + i] = logbar;
    accepted[i] = acc;
}

/* ------------------------------------------------------------------ score drift
 * No per-work-item arrays: the fused kernel keeps a tile of chains in local memory and
 * evaluates the score MLP with the tiled layer of include/mlp.h; the per-step kernels work
 * element- or row-team-wise (include/rows.h).
 *
 * Barriers: langevin_score_fused (after loading weights and states; after the MLP input; inside
 * every layer (mlp.h); after the proposal, whose finiteness flags the commit reads; after the
 * commit, before the flags are reset); langevin_score_step (the team's finiteness sum). */

/* Value v of column c of chain i after sampling step t (t >= stats_start): the Welford update
 * and the snapshot of lgv_record, one column. */
FN void lgv_record_one(GLOBAL REAL* mean, GLOBAL REAL* m2, GLOBAL REAL* snaps, REAL v, int c, long i, int chains,
                       int cols, int t, int stats_start, int stats_every, int snap_every, int snap_base, int snap_count) {
    int j = t - stats_start + 1;
    if (j % stats_every == 0) {
        REAL inv_k = RC(1.0) / (REAL)(j / stats_every);
        long at = (long)c * chains + i;
        REAL d = v - mean[at], mu = mean[at] + d * inv_k;
        mean[at] = mu;
        m2[at] += d * (v - mu);
    }
    if (snap_every > 0 && j % snap_every == 0) {
        int slot = j / snap_every - 1 - snap_base;
        if (slot >= 0 && slot < snap_count) snaps[((long)slot * chains + i) * cols + c] = v;
    }
}

/* langevin_score_fused: ULA steps [first, first + steps) with D = s(x, sigma), the score MLP
 * evaluated inside the kernel. P: the packed parameters (layer by layer W [out, in] then b);
 * widths[0..depth]: the layer widths (widths[0] = n + 1); act: the hidden activation (ACT_*).
 * A work-group owns `tile` chains (a multiple of MLP_BLOCK_COLUMNS). Local memory (the host's
 * DeviceLangevinKernels.fusedTile sizes it):
 *   wl             the weights in the tile layout (include/mlp.h)
 *   hl [rows][tile]  the MLP's layer, then the proposal y
 *   q [n][tile]    the states
 *   eps, live, ok, ran [tile]  step size; 1 while the chain steps; this step's proposal is
 *                  finite; the chain was live at entry (its state is written back)
 * The noise of coordinate c of chain i at step t is the same Philox draw as lgv_propose's.
 * Launch: 1-D, one work-group per tile, work-group size at least mlp_tile_blocks of every
 * layer; global ceil(chains / tile) LSIZE.
 * Floor (per chain and step): 2 x the MLP's multiply-adds; the state stays on chip, so global
 * traffic is the statistics only. */
KERNEL void langevin_score_fused(LANGEVIN_SCORE_FUSED_ARGS) {
    LOCAL_DECL(REAL, lm)
    LOCAL_PTR REAL* wl = lm;
    LOCAL_PTR REAL* hl = wl + mlp_tile_weight_reals(widths, depth);
    const int rows = mlp_tile_rows(widths, depth);
    LOCAL_PTR REAL* q = hl + rows * tile;
    LOCAL_PTR REAL* epsl = q + n * tile;
    LOCAL_PTR REAL* live = epsl + tile;
    LOCAL_PTR REAL* ok = live + tile;
    LOCAL_PTR REAL* ran = ok + tile;
    const long i0 = (long)GROUP(0) * tile;
    const int valid = chains - i0 < tile ? (int)(chains - i0) : tile;
    const int lid = LID(0), lsize = LSIZE(0), blocks = (n + 3) / 4;

    mlp_tile_load(wl, P, widths, depth);
    for (int e = lid; e < n * tile; e += lsize) {
        int s = e / n, c = e - s * n;
        q[c * tile + s] = s < valid ? x[(i0 + s) * n + c] : RC(0.0);
    }
    for (int s = lid; s < tile; s += lsize) {
        REAL on = s < valid && bad[i0 + s] < 0 ? RC(1.0) : RC(0.0);
        live[s] = on;
        ran[s] = on;
        ok[s] = RC(1.0);
        epsl[s] = s < valid ? eps_g[i0 + s] : RC(0.0);
    }
    BARRIER();
    for (int t = first; t < first + steps; t++) {
        /* a = s(q, sigma) */
        for (int e = lid; e < (n + 1) * tile; e += lsize) {
            int c = e / tile, s = e - c * tile;
            hl[e] = c < n ? q[c * tile + s] : sigma;
        }
        BARRIER();
        for (int l = 0, off = 0; l < depth; l++) {
            int in = widths[l], out = widths[l + 1];
            mlp_tile_layer(hl, rows, tile, tile, tile, wl + off, in, out, act, l + 1 < depth);
            off += mlp_tile_layer_reals(in, out);
        }
        /* y = q + (eps/2) a + sqrt(eps) xi over a, one Philox block (four coordinates) per item */
        for (int e = lid; e < blocks * tile; e += lsize) {
            int blk = e / tile, s = e - blk * tile;
            if (live[s] == RC(0.0)) continue;
            REAL eps = epsl[s], eps_half = RC(0.5) * eps, root = sqrt(eps);
            philox_block b = philox4x32_10((uint)(i0 + s), (uint)t, (uint)blk, NOISE_STREAM, seed_lo, seed_hi);
            int fine = 1;
            for (int w = 0; w < 4; w++) {
                int c = blk * 4 + w;
                if (c >= n) break;
                REAL v = q[c * tile + s] + eps_half * hl[c * tile + s] + root * philox_normal(b, w);
                hl[c * tile + s] = v;
                fine &= isfinite(v) ? 1 : 0;
            }
            if (!fine) ok[s] = RC(0.0); /* every writer stores the same value */
        }
        BARRIER();
        /* a finite proposal is taken; a non-finite one stops the chain at its last state */
        if (t >= stats_start)
            for (int e = lid; e < cols * tile; e += lsize) {
                int c = e / tile, s = e - c * tile;
                if (live[s] == RC(0.0) || ok[s] == RC(0.0)) continue;
                REAL v = c < n ? hl[c * tile + s] : RC(0.0);
                if (c < n) q[c * tile + s] = v;
                lgv_record_one(mean, m2, snaps, v, c, i0 + s, chains, cols, t, stats_start, stats_every, snap_every,
                               snap_base, snap_count);
            }
        else
            for (int e = lid; e < n * tile; e += lsize) {
                int s = e % tile;
                if (live[s] != RC(0.0) && ok[s] != RC(0.0)) q[e] = hl[e];
            }
        BARRIER();
        for (int s = lid; s < tile; s += lsize) {
            if (live[s] != RC(0.0) && ok[s] == RC(0.0)) {
                bad[i0 + s] = t;
                live[s] = RC(0.0);
            }
            ok[s] = RC(1.0);
        }
        /* the next reads of live and ok follow the barriers of the next MLP */
    }
    BARRIER();
    for (int e = lid; e < n * tile; e += lsize) {
        int s = e / n, c = e - s * n;
        if (ran[s] != RC(0.0)) x[(i0 + s) * n + c] = q[c * tile + s];
    }
}

/* langevin_score_concat: inp [chains, n + 1] = concat(x, sigma), the score MLP's input for the
 * per-step path. 64-bit indices. Launch: 1-D over chains * (n + 1). */
KERNEL void langevin_score_concat(LANGEVIN_SCORE_CONCAT_ARGS) {
    long g = GID_LONG(0);
    if (g >= (long)chains * (n + 1)) return;
    long i = g / (n + 1);
    int c = (int)(g - i * (n + 1));
    inp[g] = c < n ? x[i * n + c] : sigma;
}

/* langevin_score_step: one ULA step t = first (steps = 1) with D = score [chains, n], computed
 * by the MLP kernels (nets too large for the fused kernel); writes the new state to x and to
 * inp [chains, n + 1] (the next step's MLP input, sigma in the last column; a chain that
 * stops leaves its non-finite proposal there, which only its own row of the MLP reads).
 * Launch: 1-D row teams of `lanes` (include/rows.h), one team per chain, each lane a Philox
 * block (four coordinates) at a time; local memory 2 LSIZE REALs. */
KERNEL void langevin_score_step(LANGEVIN_SCORE_STEP_ARGS) {
    LOCAL_DECL(REAL, red)
    long i = row_team_row(lanes);
    int lane = row_team_lane(lanes), t = first;
    int live = i < chains && bad[i] < 0;
    REAL nonfinite = RC(0.0), unused = RC(0.0);
    if (live) {
        REAL eps = eps_g[i], eps_half = RC(0.5) * eps, root = sqrt(eps);
        for (int blk = lane; blk * 4 < n; blk += lanes) {
            philox_block b = philox4x32_10((uint)i, (uint)t, (uint)blk, NOISE_STREAM, seed_lo, seed_hi);
            for (int w = 0; w < 4; w++) {
                int c = blk * 4 + w;
                if (c >= n) break;
                REAL v = x[i * n + c] + eps_half * score[i * n + c] + root * philox_normal(b, w);
                inp[i * (n + 1) + c] = v;
                if (!isfinite(v)) nonfinite = RC(1.0);
            }
        }
    }
    row_team_sum2(red, lanes, &nonfinite, &unused);
    if (!live) return; /* no barrier below */
    if (nonfinite != RC(0.0)) {
        if (lane == 0) bad[i] = t;
        return;
    }
    /* each lane commits the coordinates it proposed */
    for (int blk = lane; blk * 4 < n; blk += lanes)
        for (int w = 0; w < 4; w++) {
            int c = blk * 4 + w;
            if (c >= n) break;
            REAL v = inp[i * (n + 1) + c];
            x[i * n + c] = v;
            if (t >= stats_start)
                lgv_record_one(mean, m2, snaps, v, c, i, chains, cols, t, stats_start, stats_every, snap_every, snap_base,
                               snap_count);
        }
    if (t >= stats_start && cols > n && lane == 0)
        lgv_record_one(mean, m2, snaps, RC(0.0), n, i, chains, cols, t, stats_start, stats_every, snap_every, snap_base,
                       snap_count);
}

/* ------------------------------------------------------------------ statistics */

/* langevin_merge: Chan's merge of the per-chain Welford accumulators, every chain holding k
 * samples: for column c, out[c] = (1/chains) sum_i mean[c, i] and
 * out[cols + c] = sum_i (m2[c, i] + k (mean[c, i] - out[c])^2). Two passes over the chains
 * (the mean first, so the second sums squares of small differences). Launch: 1-D, one
 * work-group per column (global = cols * LSIZE, LSIZE a power of two), local memory LSIZE REALs. */
KERNEL void langevin_merge(LANGEVIN_MERGE_ARGS) {
    LOCAL_DECL(REAL, red)
    int col = GROUP(0), lid = LID(0), size = LSIZE(0);
    GLOBAL const REAL* mu = mean + (long)col * chains;
    GLOBAL const REAL* sq = m2 + (long)col * chains;
    REAL s = RC(0.0);
    for (int i = lid; i < chains; i += size) s += mu[i];
    red[lid] = s;
    BARRIER();
    for (int h = size / 2; h > 0; h /= 2) {
        if (lid < h) red[lid] += red[lid + h];
        BARRIER();
    }
    REAL m = red[0] / (REAL)chains;
    BARRIER();
    s = RC(0.0);
    for (int i = lid; i < chains; i += size) {
        REAL d = mu[i] - m;
        s += sq[i] + k * d * d;
    }
    red[lid] = s;
    BARRIER();
    for (int h = size / 2; h > 0; h /= 2) {
        if (lid < h) red[lid] += red[lid + h];
        BARRIER();
    }
    if (lid == 0) {
        out[col] = m;
        out[cols + col] = red[0];
    }
}

/* ------------------------------------------------------------------ potential drift */

/* The particle-parallel layout of potentials.h: a chain per `lanes` work-items, each holding
 * the state x, the drift D(x), the proposal y, D(y) and the noise xi of its K sites in
 * registers; the chain's positions (x, and the proposal y) are published in local memory,
 * double-buffered: the current state in buffer `cur`, the proposal in the other, so a MALA
 * rejection costs no copy and a buffer is rewritten only after the barriers that follow every
 * read of it. V and MALA's log acceptance ratio are summed over the lanes in local memory
 * (pot_lanes_sum); every lane then takes the same decision from the same sums and the same
 * Philox uniform. */

/* d = -beta grad V = grad ln pi for this lane's sites (positions from buffer buf), zero
 * elsewhere; returns their share of V. */
FN REAL lgv_drift(int kind, GLOBAL const REAL* prm, REAL beta, pot_lanes L, int buf, const REAL* x, REAL* d, const int K) {
    REAL v = RC(0.0);
    UNROLL for (int k = 0; k < K; k++) {
        int s = pot_site_of(L, k);
        UNROLL for (int c = 0; c < POT_SITE_COORDS; c++) d[POT_SITE_COORDS * k + c] = RC(0.0); /* not an else: PoCL 3.1 miscompiled that shape */
        if (s >= 0) {
            v += pot_site(kind, prm, L.qs + buf * L.n, s, L.n, L.sdim, x + POT_SITE_COORDS * k, d + POT_SITE_COORDS * k);
            UNROLL for (int c = 0; c < POT_SITE_COORDS; c++) d[POT_SITE_COORDS * k + c] *= -beta;
        }
    }
    return v;
}

/* The proposal noise of this lane's sites at step t (zero elsewhere): coordinate c is word
 * c % 4 of Philox block (chain, t, c / 4, NOISE_STREAM), the layout of lgv_propose. A site
 * computes its block itself (the lanes of neighbouring sites compute the same block again),
 * and a second one where a particle of 3 coordinates straddles two blocks. */
FN void lgv_noise(pot_lanes L, uint t, uint seed_lo, uint seed_hi, REAL* xi, const int K) {
    UNROLL for (int k = 0; k < K; k++) {
        int s = pot_site_of(L, k), c0 = s * L.sdim;
        UNROLL for (int c = 0; c < POT_SITE_COORDS; c++) xi[POT_SITE_COORDS * k + c] = RC(0.0);
        if (s < 0) continue;
        philox_block b = philox4x32_10((uint)L.row, t, (uint)(c0 >> 2), NOISE_STREAM, seed_lo, seed_hi);
        UNROLL for (int c = 0; c < POT_SITE_COORDS; c++) {
            if (pot_col(L, POT_SITE_COORDS * k + c) < 0) break;
            if (c > 0 && ((c0 + c) & 3) == 0)
                b = philox4x32_10((uint)L.row, t, (uint)((c0 + c) >> 2), NOISE_STREAM, seed_lo, seed_hi);
            xi[POT_SITE_COORDS * k + c] = philox_normal(b, (c0 + c) & 3);
        }
    }
}

/* One Welford update of column col of chain i with the value v: the k-th sample (inv_k = 1/k). */
FN void lgv_welford(GLOBAL REAL* mean, GLOBAL REAL* m2, long at, REAL v, REAL inv_k) {
    REAL d = v - mean[at], mu = mean[at] + d * inv_k;
    mean[at] = mu;
    m2[at] += d * (v - mu);
}

/* Welford update and snapshot after sampling step t (see the header), for this lane's
 * coordinates; lane 0 takes the energy column. */
FN void lgv_record_sites(LGV_COMMON_ARGS, pot_lanes L, const REAL* q, REAL energy, int t, const int K) {
    int i = L.row, j = t - stats_start + 1, energy_column = cols > n && L.lane == 0;
    if (j % stats_every == 0) {
        REAL inv_k = RC(1.0) / (REAL)(j / stats_every);
        UNROLL for (int k = 0; k < POT_SITE_COORDS * K; k++) {
            int col = pot_col(L, k);
            if (col >= 0) lgv_welford(mean, m2, (long)col * chains + i, q[k], inv_k);
        }
        if (energy_column) lgv_welford(mean, m2, (long)n * chains + i, energy, inv_k);
    }
    if (snap_every > 0 && j % snap_every == 0) {
        int slot = j / snap_every - 1 - snap_base;
        if (slot >= 0 && slot < snap_count) {
            GLOBAL REAL* row = snaps + ((long)slot * chains + i) * cols;
            UNROLL for (int k = 0; k < POT_SITE_COORDS * K; k++) {
                int col = pot_col(L, k);
                if (col >= 0) row[col] = q[k];
            }
            if (energy_column) row[n] = energy;
        }
    }
}

/* ULA (mala = 0) or MALA steps [first, first + steps) of the chains; see the kernels below. */
FN void lgv_potential(LGV_COMMON_ARGS, int kind, GLOBAL const REAL* prm, REAL beta, int sdim, int lanes,
                      LOCAL_PTR REAL* smem, REAL* q, REAL* d, REAL* y, REAL* dy, REAL* xi, const int mala, const int K) {
    pot_lanes L = pot_lanes_of(lanes, n, sdim, chains, 2, smem);
    int i = L.row;
    if (L.sites > 0 && bad[i] >= 0) L.sites = 0; /* stopped in an earlier launch: no work, no writes */
    int started = L.sites > 0;                   /* writes its state back at the end */
    long row0 = (long)i * n;
    UNROLL for (int j = 0; j < POT_SITE_COORDS * K; j++) {
        int col = pot_col(L, j);
        q[j] = col >= 0 ? x[row0 + col] : RC(0.0);
    }
    REAL eps = started ? eps_g[i] : RC(1.0), hbar = started ? dual[i] : RC(0.0), logbar = started ? dual[chains + i] : RC(0.0);
    int acc = started ? accepted[i] : 0, cur = 0;
    pot_publish(L, cur, q, K);
    BARRIER();
    REAL v[1];
    v[0] = lgv_drift(kind, prm, beta, L, cur, q, d, K);
    pot_lanes_sum(L, v, 1);
    for (int t = first; t < first + steps; t++) {
        REAL eps_half = RC(0.5) * eps, root = sqrt(eps);
        lgv_noise(L, (uint)t, seed_lo, seed_hi, xi, K);
        REAL r[3] = {RC(0.0), RC(0.0), RC(0.0)}; /* shares of V(y), of the log proposal ratio, non-finite y_c */
        UNROLL for (int j = 0; j < POT_SITE_COORDS * K; j++) {
            y[j] = q[j] + eps_half * d[j] + root * xi[j]; /* 0 off the chain's coordinates */
            if (pot_col(L, j) >= 0) r[2] += isfinite(y[j]) ? RC(0.0) : RC(1.0);
        }
        pot_publish(L, cur ^ 1, y, K);
        BARRIER();
        r[0] = lgv_drift(kind, prm, beta, L, cur ^ 1, y, dy, K);
        if (mala) {
            UNROLL for (int j = 0; j < POT_SITE_COORDS * K; j++)
                if (pot_col(L, j) >= 0) {
                    REAL w = xi[j] + RC(0.5) * root * (d[j] + dy[j]);
                    r[1] += xi[j] * xi[j] - w * w;
                }
        } else if (r[2] > RC(0.0)) {
            r[0] = sqrt(RC(-1.0)); /* ULA stops on either: one sum carries both */
        }
        pot_lanes_sum(L, r, mala ? 3 : 1);
        if (L.sites > 0) {
            if (mala ? r[2] > RC(0.0) : !isfinite(r[0])) { /* a ULA state of zero density is as wrong as a non-finite one */
                if (L.lane == 0) bad[i] = t;
                L.sites = 0;
            } else {
                int take = 1;
                if (mala) {
                    REAL log_alpha = -beta * (r[0] - v[0]) + RC(0.5) * r[1];
                    philox_block b = philox4x32_10((uint)i, (uint)t, 0u, ACCEPT_STREAM, seed_lo, seed_hi);
                    take = log(philox_uniform(b.w[0])) < log_alpha;
                    if (t < adapt_end) eps = lgv_adapt(log_alpha, t, adapt_end, target, adapt_mu, &hbar, &logbar);
                }
                if (take) {
                    UNROLL for (int j = 0; j < POT_SITE_COORDS * K; j++) {
                        q[j] = y[j];
                        d[j] = dy[j];
                    }
                    v[0] = r[0];
                    cur ^= 1;
                }
                if (t >= stats_start) {
                    acc += take;
                    lgv_record_sites(LGV_COMMON_PASS, L, q, v[0], t, K);
                }
            }
        }
    }
    if (!started) return;
    L.sites = L.S;
    UNROLL for (int j = 0; j < POT_SITE_COORDS * K; j++) {
        int col = pot_col(L, j);
        if (col >= 0) x[row0 + col] = q[j];
    }
    if (mala && L.lane == 0) {
        eps_g[i] = eps;
        dual[i] = hbar;
        dual[chains + i] = logbar;
        accepted[i] = acc;
    }
}

/* langevin_potential_ula_* / langevin_potential_mala_*: steps [first, first + steps) of ULA or
 * MALA on pi = exp(-beta V), V the potential (kind, prm) of include/potentials.h, in the
 * layout of potentials.h (_single: a site per lane, S <= POT_LANES; _strided: up to
 * POT_STRIDE sites per lane). The energy V of the state is carried along (MALA's ratio, the
 * statistics' last column). A ULA chain whose new state or its energy is not finite is
 * stopped and reported; MALA reports a non-finite proposal and rejects one of infinite energy
 * (zero density). A stopped chain keeps its last finite state and is not touched again.
 * Launch: 1-D, work-groups of LSIZE = POT_LANES, ceil(chains / (LSIZE / lanes)) of
 * them; local memory (LSIZE / lanes) 2 n + 3 LSIZE REALs (positions, then the sums). */
#define LANGEVIN_POTENTIAL(NAME, K)                                                                 \
KERNEL void langevin_potential_ula_##NAME(LANGEVIN_POTENTIAL_ARGS) {                               \
    LOCAL_DECL(REAL, smem)                                                                          \
    REAL q[POT_SITE_COORDS * (K)], d[POT_SITE_COORDS * (K)], y[POT_SITE_COORDS * (K)];             \
    REAL dy[POT_SITE_COORDS * (K)], xi[POT_SITE_COORDS * (K)];                                      \
    lgv_potential(LGV_COMMON_PASS, kind, prm, beta, sdim, lanes, smem, q, d, y, dy, xi, 0, K);      \
}                                                                                                   \
KERNEL void langevin_potential_mala_##NAME(LANGEVIN_POTENTIAL_ARGS) {                              \
    LOCAL_DECL(REAL, smem)                                                                          \
    REAL q[POT_SITE_COORDS * (K)], d[POT_SITE_COORDS * (K)], y[POT_SITE_COORDS * (K)];             \
    REAL dy[POT_SITE_COORDS * (K)], xi[POT_SITE_COORDS * (K)];                                      \
    lgv_potential(LGV_COMMON_PASS, kind, prm, beta, sdim, lanes, smem, q, d, y, dy, xi, 1, K);      \
}

LANGEVIN_POTENTIAL(single, 1)
LANGEVIN_POTENTIAL(strided, POT_STRIDE)
