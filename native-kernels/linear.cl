/* linear.cl: one fully connected layer, y = act(x W^T + b), the building block of the MLPs.
 *   x [n, in] row-major, y [n, out]; W [out, in] (PyTorch nn.Linear layout) and b [out] sit
 *   in the MLP's packed parameter buffer P at element offsets w_off and b_off.
 * Tiled GEMM: a work-group of 16 x 16 work-items computes a 64 (rows) x 64 (outputs) tile of
 * y, each work-item a 4 x 4 register block; the k dimension goes through local memory in
 * slices of 16. Launch: 2-D, local (16, 16), global (16 ceil(out/64), 16 ceil(n/64)).
 * Edges are guarded (zero-padded loads, masked stores), so any n, in and out work. */

/* LIN_TILE (rows and outputs of a tile) and LIN_THREADS (work-items per side) come from
 * contract.h: the host sizes the grid with them. */
#define LIN_TM LIN_TILE
#define LIN_TN LIN_TILE
#define LIN_TK 16
#define LIN_T LIN_THREADS
#define LIN_R (LIN_TILE / LIN_THREADS)

KERNEL void linear_forward(LINEAR_FORWARD_ARGS) {
    GLOBAL const REAL* W = P + w_off;
    GLOBAL const REAL* b = P + b_off;
    /* +1 column of padding keeps the transposed stores free of bank conflicts. */
    LOCAL REAL xs[LIN_TK][LIN_TM + 1];
    LOCAL REAL ws[LIN_TK][LIN_TN + 1];
    int tx = LID(0), ty = LID(1);
    int tid = ty * LIN_T + tx;
    int col0 = GROUP(0) * LIN_TN, row0 = GROUP(1) * LIN_TM;

    REAL acc[LIN_R][LIN_R];
    for (int i = 0; i < LIN_R; i++)
        for (int j = 0; j < LIN_R; j++) acc[i][j] = RC(0.0);

    for (int k0 = 0; k0 < in; k0 += LIN_TK) {
        /* 64 x 16 elements of x and of W, 256 work-items: four each, k fastest so that
         * neighbouring work-items read neighbouring addresses. */
        for (int l = tid; l < LIN_TM * LIN_TK; l += LIN_T * LIN_T) {
            int r = l / LIN_TK, k = l - r * LIN_TK;
            int gr = row0 + r, gk = k0 + k;
            xs[k][r] = (gr < n && gk < in) ? x[(long)gr * in + gk] : RC(0.0);
            int gc = col0 + r;
            ws[k][r] = (gc < out && gk < in) ? W[(long)gc * in + gk] : RC(0.0);
        }
        BARRIER();
        for (int k = 0; k < LIN_TK; k++) {
            REAL a[LIN_R], w[LIN_R];
            for (int i = 0; i < LIN_R; i++) a[i] = xs[k][ty + i * LIN_T];
            for (int j = 0; j < LIN_R; j++) w[j] = ws[k][tx + j * LIN_T];
            for (int i = 0; i < LIN_R; i++)
                for (int j = 0; j < LIN_R; j++) acc[i][j] += a[i] * w[j];
        }
        BARRIER();
    }

    for (int i = 0; i < LIN_R; i++) {
        int r = row0 + ty + i * LIN_T;
        if (r >= n) continue;
        for (int j = 0; j < LIN_R; j++) {
            int c = col0 + tx + j * LIN_T;
            if (c < out) y[(long)r * out + c] = fk_activate(acc[i][j] + b[c], act);
        }
    }
}

/* y = act(y + b) in place, row by row: the epilogue when a library GEMM (cuBLAS) did the
 * product. Launch: 1-D over n * out. */
KERNEL void bias_activate(BIAS_ACTIVATE_ARGS) {
    GLOBAL const REAL* b = P + b_off;
    int g = GID(0);
    if (g >= n * out) return;
    y[g] = fk_activate(y[g] + b[g % out], act);
}
