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
 * Launch (all kernels here): 1-D, one work-item per row, global size n rounded up to the
 * work-group; the tail is guarded. A row's loads are strided by D across work-items; at
 * W1's sizes these kernels move ~1 KB per row against ~1.4 MFLOP of GEMM per row, so their
 * coalescing is not what limits a layer. */

/* s = bound(o) for a SCALE_* code. */
FN REAL coupling_bound(REAL o, int bound, REAL clamp) {
    return bound == SCALE_TANH ? tanh(o) : bound == SCALE_SOFT_CLAMP ? clamp * tanh(o / clamp) : o;
}

/* log N(x; 0, I) of one row of D values. */
FN REAL coupling_log_normal(GLOBAL const REAL* x, int D) {
    REAL ss = RC(0.0);
    for (int k = 0; k < D; k++) ss += x[k] * x[k];
    return fk_log_normal(ss, D);
}

/* state = in; cond = in[:, idx[cond_off .. cond_off + dc)] (the first layer's conditioner
 * input); ld = log N(in) if `base` (the forward density), else 0. */
KERNEL void coupling_begin(COUPLING_BEGIN_ARGS) {
    int r = GID(0);
    if (r >= n) return;
    GLOBAL const REAL* x = in + (long)r * D;
    GLOBAL REAL* s = state + (long)r * D;
    for (int k = 0; k < D; k++) s[k] = x[k];
    for (int j = 0; j < dc; j++) cond[(long)r * dc + j] = x[idx[cond_off + j]];
    ld[r] = base ? coupling_log_normal(x, D) : RC(0.0);
}

/* One coupling layer on row r, in place, with its log-det folded into ld:
 *   forward  x_t = z_t exp(s) + t      inverse  z_t = (x_t - t) exp(-s)
 * with s = bound(o[0 .. dt)), t = o[dt .. 2dt) (affine), or s = 0, t = o[0 .. dt) (additive);
 * transformed columns idx[trans_off .. trans_off + dt). ld += ld_sign * sum(s).
 * Then gathers the next layer's conditioner input (next_dc columns at idx[next_off ..]; none
 * after the last layer) and, if `base`, adds log N(state row) (the inverse density, last
 * layer). */
KERNEL void coupling_update(COUPLING_UPDATE_ARGS) {
    int r = GID(0);
    if (r >= n) return;
    GLOBAL REAL* x = state + (long)r * D;
    GLOBAL const REAL* orow = o + (long)r * (affine ? 2 * dt : dt);
    GLOBAL const REAL* shift = affine ? orow + dt : orow;
    REAL sum_s = RC(0.0);
    for (int j = 0; j < dt; j++) {
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
    for (int j = 0; j < next_dc; j++) cond[(long)r * next_dc + j] = x[idx[next_off + j]];
    REAL acc = ld[r] + ld_sign * sum_s;
    if (base) acc += coupling_log_normal(x, D);
    ld[r] = acc;
}

/* out[r, i] = state[r, idx[map_off + i]]: undoes the column order the folded permutations
 * left, once, after the last layer. */
KERNEL void coupling_output(COUPLING_OUTPUT_ARGS) {
    int r = GID(0);
    if (r >= n) return;
    for (int i = 0; i < D; i++) out[(long)r * D + i] = state[(long)r * D + idx[map_off + i]];
}

#ifdef FK_CUDA
#define COUPLING_ATOMIC_MIN(p, v) atomicMin((p), (v))
#else
#define COUPLING_ATOMIC_MIN(p, v) atomic_min((p), (v))
#endif

/* first[0] = min(first[0], r) for every row r of x [n, D] that holds a NaN or an infinity;
 * the caller sets first[0] to INT_MAX before the launch. */
KERNEL void coupling_first_nonfinite(COUPLING_FIRST_NONFINITE_ARGS) {
    int r = GID(0);
    if (r >= n) return;
    GLOBAL const REAL* row = x + (long)r * D;
    for (int k = 0; k < D; k++)
        if (!isfinite(row[k])) {
            COUPLING_ATOMIC_MIN(first, r);
            return;
        }
}
