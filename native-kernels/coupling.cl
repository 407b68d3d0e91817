/* coupling.cl: coupling layers of a normalizing flow (RealNVP affine, NICE additive), each
 * fused with its per-row log|det J| reduction. A stack of K layers runs as
 *   coupling_begin, then per layer: the conditioner's GEMMs (linear.cl) and coupling_update,
 *   then coupling_output if the layers' permutations leave the columns reordered,
 * all on the device, with no host round trip.
 *
 * Data: `state` [n, D] row-major is the batch being transformed, updated in place layer by
 * layer; `ld` [n] accumulates the per-row log-det (or log-density). Masks come as lists of
 * state columns in `idx` (org.flowkernels.flow.FlowPlan; permutation layers are folded into
 * the lists). The conditioner reads `cond` [n, dc], the gathered conditioning columns, and
 * writes `o` [n, 2 dt] (affine: raw log-scale then shift) or [n, dt] (additive: shift).
 *
 * Launch: coupling_begin and coupling_update work on rows through row teams (include/rows.h:
 * `lanes` work-items per row, across its columns, so the loads of a warp are coalesced where one
 * work-item per row would stride by D); coupling_output and coupling_first_nonfinite are
 * element-wise, 1-D over n D with 64-bit indices.
 *
 * Barriers: coupling_begin (the team sum of the log-density), coupling_update (the team sums,
 * and one with a global-memory fence between the update of the transformed columns and the
 * gather of the next conditioner input, which reads columns other lanes wrote).
 *
 * The update is not fused into the last conditioner layer's GEMM epilogue. At W1 the fusion
 * would save o's round trip, 0.5 KB per row and layer: ~0.1 ns per row at 4.8 TB/s against
 * the layer's 2.7 ns compute floor (linear.cl), under 4%; and it needs a row's whole o (2 dt
 * outputs) in one work-group's tile, true at W1 (2 dt = 64, the tile's width), not in general. */

/* s = bound(o) for a SCALE_* code. */
FN REAL coupling_bound(REAL o, int bound, REAL clamp) {
    return bound == SCALE_TANH ? tanh(o) : bound == SCALE_SOFT_CLAMP ? clamp * tanh(o / clamp) : o;
}

/* state = in; cond = in[:, idx[cond_off .. cond_off + dc)] (the first layer's conditioner
 * input); ld = log N(in) if `base` (the forward density), else 0. */
KERNEL void coupling_begin(COUPLING_BEGIN_ARGS) {
    LOCAL_DECL(REAL, red)
    long r = row_team_row(lanes);
    int lane = row_team_lane(lanes), live = r < n;
    REAL ss = RC(0.0), unused = RC(0.0);
    if (live) {
        GLOBAL const REAL* x = in + r * D;
        GLOBAL REAL* s = state + r * D;
        for (int k = lane; k < D; k += lanes) {
            REAL v = x[k];
            s[k] = v;
            ss += v * v;
        }
        for (int j = lane; j < dc; j += lanes) cond[r * dc + j] = x[idx[cond_off + j]];
    }
    row_team_sum2(red, lanes, &ss, &unused);
    if (live && lane == 0) ld[r] = base ? fk_log_normal(ss, D) : RC(0.0);
}

/* One coupling layer on row r, in place, with its log-det folded into ld:
 *   forward  x_t = z_t exp(s) + t      inverse  z_t = (x_t - t) exp(-s)
 * with s = bound(o[0 .. dt)), t = o[dt .. 2dt) (affine), or s = 0, t = o[0 .. dt) (additive);
 * transformed columns idx[trans_off + j], j < dt. ld += ld_sign * sum(s).
 * Then gathers the next layer's conditioner input (next_dc columns at idx[next_off ..]; none
 * after the last layer) and, if `base`, adds log N(state row) (the inverse density, last
 * layer). */
KERNEL void coupling_update(COUPLING_UPDATE_ARGS) {
    LOCAL_DECL(REAL, red)
    long r = row_team_row(lanes);
    int lane = row_team_lane(lanes), live = r < n;
    GLOBAL REAL* x = state + (live ? r : 0) * D;
    REAL sum_s = RC(0.0), ss = RC(0.0);
    if (live) {
        GLOBAL const REAL* orow = o + r * (affine ? 2 * dt : dt);
        GLOBAL const REAL* shift = affine ? orow + dt : orow;
        for (int j = lane; j < dt; j += lanes) {
            int c = idx[trans_off + j];
            REAL v = x[c], t = shift[j];
            if (affine) {
                REAL s = coupling_bound(orow[j], bound, clamp);
                sum_s += s;
                v = inverse ? (v - t) * exp(-s) : v * exp(s) + t;
            } else {
                v = inverse ? v - t : v + t;
            }
            x[c] = v;
        }
    }
    BARRIER_GLOBAL(); /* the gather below reads columns the other lanes of the row wrote */
    if (live) {
        for (int j = lane; j < next_dc; j += lanes) cond[r * next_dc + j] = x[idx[next_off + j]];
        if (base)
            for (int k = lane; k < D; k += lanes) ss += x[k] * x[k];
    }
    row_team_sum2(red, lanes, &sum_s, &ss);
    if (live && lane == 0) {
        REAL acc = ld[r] + ld_sign * sum_s;
        if (base) acc += fk_log_normal(ss, D);
        ld[r] = acc;
    }
}

/* out[r, i] = state[r, idx[map_off + i]]: undoes the column order the folded permutations
 * left, once, after the last layer. */
KERNEL void coupling_output(COUPLING_OUTPUT_ARGS) {
    long g = GID_LONG(0);
    if (g >= (long)n * D) return;
    long r = g / D;
    int i = (int)(g - r * D);
    out[g] = state[r * D + idx[map_off + i]];
}

#ifdef FK_CUDA
#define COUPLING_ATOMIC_MIN(p, v) atomicMin((p), (v))
#else
#define COUPLING_ATOMIC_MIN(p, v) atomic_min((p), (v))
#endif

/* first[0] = min(first[0], r) for every row r of x [n, D] that holds a NaN or an infinity;
 * the caller sets first[0] to INT_MAX before the launch. */
KERNEL void coupling_first_nonfinite(COUPLING_FIRST_NONFINITE_ARGS) {
    long g = GID_LONG(0);
    if (g >= (long)n * D) return;
    if (!isfinite(x[g])) COUPLING_ATOMIC_MIN(first, (int)(g / D));
}
