/* train.cl: the backward pass of a coupling flow and the optimizer's step, for training
 * (org.flowkernels.train). The forward pass that fills the tape is coupling.cl's kernels with
 * the conditioner layers (linear.cl) written into the tape's buffers. The backward pass starts
 * with train_cotangent (the state's cotangent g [n, D], state column order, and the log-det's,
 * from the caller's cotangents and row weights); then, coupling by coupling from the last:
 *   train_coupling_backward   g and the raw conditioner output's cotangent dy [n, width]
 *   per conditioner layer l, last first:
 *     train_weight_gradient   dW = dy^T a_l and db = sum_r dy, partial sums over row splits
 *     train_weight_sum        the splits added in order, into the gradient vector
 *     train_input_gradient    dy W, times act' of a_l (hidden layers), or (layer 0) added into
 *                             g at the conditioning columns
 * then train_sum_squares twice (the gradient's norm) and train_update (Adam or SGD).
 *
 * Determinism: every gradient element is written by one work-item summing in a fixed order
 * (its row split's rows in order, then the splits in order); no atomics. So the same inputs
 * give the same bits on a device, run to run.
 *
 * The two products are one tiled routine (train_tile): C[M, N] = sum_k A(m, k) B(k, n) with A
 * and B addressed through strides, so that dy^T a and dy W need no transposed copies. A
 * work-group of TRAIN_GROUP (256) work-items computes a 64 x 64 tile of C, each work-item a 4 x 4
 * block (rows ty + 16 i, columns tx + 16 j: the local reads of a warp are broadcasts along A and
 * consecutive along B); k runs through local memory in slices of 16. Edges are zero-padded on
 * load and masked on store.
 *
 * Floor (W1 conditioner 32 -> 256 -> 256 -> 64, batch 16,384): the backward pass is two GEMMs per
 * layer, twice the forward's multiply-adds, ~47 GFLOP per step for the 8 couplings, ~0.7 ms at
 * 67 TFLOP/s FP32; this simple tile reaches perhaps a third of that (an estimate: not measured
 * on a GPU).
 *
 * Barriers: train_weight_gradient and train_input_gradient (two per k slice: after the tiles
 * are filled, after they are read), train_sum_squares (the work-group's tree). */

#define TRAIN_TK 16
#if TRAIN_GROUP != 256 || TRAIN_TILE != 64
#error "train_tile's work-item mapping is written for 64 x 64 tiles of 256 work-items (16 x 16, a 4 x 4 block each)"
#endif

/* s = bound(o) and ds/do from s, for a SCALE_* code. */
FN REAL train_bound_slope(REAL s, int bound, REAL clamp) {
    return bound == SCALE_TANH ? RC(1.0) - s * s : bound == SCALE_SOFT_CLAMP ? RC(1.0) - (s / clamp) * (s / clamp) : RC(1.0);
}

/* acc = the tile (m0.., n0..) of sum_{k in [k0, k1)} A(m, k) B(k, n), A(m, k) = A[m am + k ak]
 * for m < M, B(k, n) = B[k bk + n bn] for n < N (n == N: 1 when ones_col, the bias column);
 * as and bs: local [TRAIN_TK][TRAIN_TILE]. Every work-item of the group calls it. */
FN void train_tile(REAL acc[4][4], GLOBAL const REAL* A, long am, long ak, GLOBAL const REAL* B, long bk, long bn, long M,
                   int N, int ones_col, long m0, int n0, long k0, long k1, LOCAL_PTR REAL* as, LOCAL_PTR REAL* bs) {
    int tid = LID(0), tx = tid % 16, ty = tid / 16;
#pragma unroll
    for (int i = 0; i < 4; i++)
#pragma unroll
        for (int j = 0; j < 4; j++) acc[i][j] = RC(0.0);
    for (long kb = k0; kb < k1; kb += TRAIN_TK) {
        /* 1,024 elements of each slice, 4 per work-item; consecutive work-items take consecutive
         * elements along whichever of A's (B's) indices has stride 1 */
#pragma unroll
        for (int q = 0; q < 4; q++) {
            int e = tid + q * TRAIN_GROUP, kk, mm;
            if (am == 1) { kk = e / TRAIN_TILE; mm = e % TRAIN_TILE; } else { mm = e / TRAIN_TK; kk = e % TRAIN_TK; }
            long m = m0 + mm, k = kb + kk;
            as[kk * TRAIN_TILE + mm] = m < M && k < k1 ? A[m * am + k * ak] : RC(0.0);
            int nn = e % TRAIN_TILE, kn = e / TRAIN_TILE, n = n0 + nn;
            long kq = kb + kn;
            bs[kn * TRAIN_TILE + nn] = kq >= k1 ? RC(0.0) : n < N ? B[kq * bk + n * bn] : (n == N && ones_col) ? RC(1.0) : RC(0.0);
        }
        BARRIER();
#pragma unroll
        for (int kk = 0; kk < TRAIN_TK; kk++) {
            REAL a[4], b[4];
#pragma unroll
            for (int i = 0; i < 4; i++) a[i] = as[kk * TRAIN_TILE + ty + 16 * i];
#pragma unroll
            for (int j = 0; j < 4; j++) b[j] = bs[kk * TRAIN_TILE + tx + 16 * j];
#pragma unroll
            for (int i = 0; i < 4; i++)
#pragma unroll
                for (int j = 0; j < 4; j++) acc[i][j] += a[i] * b[j];
        }
        BARRIER();
    }
}

/* The backward pass's start, element (r, i) of dout [n, D] (output coordinate order):
 * g[r, c] = a w_r dout[r, i] with c = idx[map_off + i] when mapped (the folded permutations'
 * column order), else i; and, at i = 0, dld[r] = b w_r; w_r = w[r], or 1 without has_w.
 * 1-D over n D. */
KERNEL void train_cotangent(TRAIN_COTANGENT_ARGS) {
    long e = GID_LONG(0);
    if (e >= (long)n * D) return;
    long r = e / D;
    int i = (int)(e - r * D);
    REAL wr = has_w ? w[r] : RC(1.0);
    g[r * D + (mapped ? idx[map_off + i] : i)] = out_scale * wr * dout[e];
    if (i == 0) dld[r] = ld_scale * wr;
}

/* One coupling backward on element (r, j), j < dt, of the transformed columns c = idx[trans_off + j]:
 *   forward  x = z e^s + t:   dz = g e^s,    dt = g,        ds = g z e^s + dLogDet_r
 *   inverse  z = (x - t) e^-s: dx = g e^-s,  dt = -g e^-s,  ds = -g (x - t) e^-s - dLogDet_r
 * with z (x) the column before the layer, from the tape's state copy; dy gets ds bound'(s) at j
 * and the shift's cotangent at dt + j (affine), or +-g at j (additive: g passes unchanged). */
KERNEL void train_coupling_backward(TRAIN_COUPLING_BACKWARD_ARGS) {
    long e = GID_LONG(0);
    if (e >= (long)n * dt) return;
    long r = e / dt;
    int j = (int)(e - r * dt), c = idx[trans_off + j], width = affine ? 2 * dt : dt;
    GLOBAL const REAL* orow = o + r * width;
    long at = r * D + c;
    REAL gx = g[at];
    if (!affine) {
        dy[r * width + j] = inverse ? -gx : gx;
        return;
    }
    REAL raw = orow[j], shift = orow[dt + j];
    REAL s = bound == SCALE_TANH ? tanh(raw) : bound == SCALE_SOFT_CLAMP ? clamp * tanh(raw / clamp) : raw;
    REAL v = before[at], ds, dshift;
    if (inverse) {
        REAL f = exp(-s);
        g[at] = gx * f;
        dshift = -gx * f;
        ds = -gx * (v - shift) * f - dlogdet[r];
    } else {
        REAL f = exp(s);
        g[at] = gx * f;
        dshift = gx;
        ds = gx * v * f + dlogdet[r];
    }
    dy[r * width + j] = ds * train_bound_slope(s, bound, clamp);
    dy[r * width + dt + j] = dshift;
}

/* partial[split][o][i] = sum over the split's rows r of dy[r, o] a[r, i] (i < in), and 1 x dy
 * at i == in (the bias). Launch (2-D, local (TRAIN_GROUP, 1)): first dimension the column tiles
 * (ceil((in + 1) / 64)) times the splits, second the output tiles (ceil(out / 64)); split s
 * takes rows [s rows_per_split, (s + 1) rows_per_split). */
KERNEL void train_weight_gradient(TRAIN_WEIGHT_GRADIENT_ARGS) {
    LOCAL REAL as[TRAIN_TK * TRAIN_TILE];
    LOCAL REAL bs[TRAIN_TK * TRAIN_TILE];
    int col_tiles = (in + 1 + TRAIN_TILE - 1) / TRAIN_TILE;
    int split = GROUP(0) / col_tiles, n0 = (GROUP(0) - split * col_tiles) * TRAIN_TILE, m0 = GROUP(1) * TRAIN_TILE;
    long k0 = (long)split * rows_per_split, k1 = k0 + rows_per_split < n ? k0 + rows_per_split : n;
    REAL acc[4][4];
    /* A(o, r) = dy[r out + o]; B(r, i) = a[r in + i] */
    train_tile(acc, dy, 1, out, a, in, 1, out, in, 1, m0, n0, k0, k1, as, bs);
    int tx = LID(0) % 16, ty = LID(0) / 16;
    GLOBAL REAL* p = partial + (long)split * out * (in + 1);
#pragma unroll
    for (int i = 0; i < 4; i++) {
        int oo = m0 + ty + 16 * i;
        if (oo >= out) continue;
#pragma unroll
        for (int j = 0; j < 4; j++) {
            int ii = n0 + tx + 16 * j;
            if (ii <= in) p[(long)oo * (in + 1) + ii] = acc[i][j];
        }
    }
}

/* The splits of train_weight_gradient added in order: grad[w_off + o in + i] (i < in) and
 * grad[b_off + o] (i == in). 1-D over out (in + 1). */
KERNEL void train_weight_sum(TRAIN_WEIGHT_SUM_ARGS) {
    long e = GID_LONG(0), size = (long)out * (in + 1);
    if (e >= size) return;
    REAL sum = partial[e];
    for (int s = 1; s < splits; s++) sum += partial[s * size + e];
    int oo = (int)(e / (in + 1)), ii = (int)(e - (long)oo * (in + 1));
    if (ii < in) grad[w_off + (long)oo * in + ii] = sum;
    else grad[b_off + oo] = sum;
}

/* dx[r, i] = sum_o dy[r, o] W[o, i], W [out, in] at P + w_off; then, if scatter (layer 0),
 * g[r, idx[cond_off + i]] += dx (the conditioning columns are distinct: no two work-items add
 * to one element), else dx[r, i] = that times act'(a[r, i]) (a: the layer's input, the previous
 * hidden layer's output). Launch (2-D, local (TRAIN_GROUP, 1)): first dimension the input tiles
 * (ceil(in / 64)), second the row tiles (ceil(n / 64)). */
KERNEL void train_input_gradient(TRAIN_INPUT_GRADIENT_ARGS) {
    LOCAL REAL as[TRAIN_TK * TRAIN_TILE];
    LOCAL REAL bs[TRAIN_TK * TRAIN_TILE];
    int n0 = GROUP(0) * TRAIN_TILE;
    long m0 = (long)GROUP(1) * TRAIN_TILE;
    REAL acc[4][4];
    /* A(r, o) = dy[r out + o]; B(o, i) = W[o in + i] */
    train_tile(acc, dy, out, 1, P + w_off, in, 1, n, in, 0, m0, n0, 0, out, as, bs);
    int tx = LID(0) % 16, ty = LID(0) / 16;
#pragma unroll
    for (int i = 0; i < 4; i++) {
        long r = m0 + ty + 16 * i;
        if (r >= n) continue;
#pragma unroll
        for (int j = 0; j < 4; j++) {
            int ii = n0 + tx + 16 * j;
            if (ii >= in) continue;
            if (scatter) g[r * D + idx[cond_off + ii]] += acc[i][j];
            else dx[r * in + ii] = acc[i][j] * fk_activate_slope(a[r * in + ii], act);
        }
    }
}

/* partial[p] = sum of x[i]^2 over block p of `parts` equal blocks of [0, n), the work-group's
 * TRAIN_GROUP work-items striding through it and adding their sums in a fixed tree (with
 * squares 0: the plain sum, for the second pass over the partials). Launch: `parts` work-groups
 * of TRAIN_GROUP. */
KERNEL void train_sum_squares(TRAIN_SUM_SQUARES_ARGS) {
    LOCAL REAL red[TRAIN_GROUP];
    long span = ((long)n + parts - 1) / parts, from = GROUP(0) * span, to = from + span < n ? from + span : n;
    REAL sum = RC(0.0);
    for (long i = from + LID(0); i < to; i += TRAIN_GROUP) sum += squares ? x[i] * x[i] : x[i];
    red[LID(0)] = sum;
    BARRIER();
    for (int h = TRAIN_GROUP / 2; h > 0; h >>= 1) {
        if (LID(0) < h) red[LID(0)] += red[LID(0) + h];
        BARRIER();
    }
    if (LID(0) == 0) partial[GROUP(0)] = red[0];
}

/* One optimizer step on element i, with the gradient scaled by `scale` (clipping):
 *   Adam  m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2, theta -= rate (m / c1) / (sqrt(v / c2) + eps)
 *         with c1 = 1 - b1^t, c2 = 1 - b2^t from the host (in float64 there);
 *   SGD   m = mu m + g, theta -= rate m.
 * 1-D over n. */
KERNEL void train_update(TRAIN_UPDATE_ARGS) {
    long i = GID_LONG(0);
    if (i >= n) return;
    REAL gi = grad[i] * scale;
    if (adam) {
        REAL m = beta1 * first[i] + (RC(1.0) - beta1) * gi, v = beta2 * second[i] + (RC(1.0) - beta2) * gi * gi;
        first[i] = m;
        second[i] = v;
        theta[i] -= rate * (m / c1) / (sqrt(v / c2) + epsilon);
    } else {
        REAL m = momentum * first[i] + gi;
        first[i] = m;
        theta[i] -= rate * m;
    }
}
