/* linear.cl: one fully connected layer, y = act(x W^T + b), the building block of the large
 * MLPs (coupling conditioners, the CNF's and the score's per-step paths).
 *   x [n, in] row-major, y [n, out]; W [out, in] (PyTorch nn.Linear layout) and b [out] sit
 *   in the MLP's packed parameter buffer P at element offsets w_off and b_off.
 *
 * Register-blocked tiled GEMM. A work-group of LIN_GROUP (128) work-items computes a tile of
 * LIN_TILE_ROWS (128) rows x LIN_TILE_OUTPUTS (64) outputs, each work-item an 8 x 8 register
 * block (rows ty*4 + {0..3} and 64 + ty*4 + {0..3}, outputs tx*4 + {0..3} and 32 + tx*4 +
 * {0..3}: the two halves keep the 4-wide local loads of a warp free of bank conflicts). The
 * k dimension runs through local memory in slices of LIN_TK (16), double-buffered: while the
 * work-group multiplies slice k out of one buffer, each work-item holds its part of slice k + 1
 * in registers and stores it into the other buffer, so one barrier per slice suffices. Per k:
 * four 4-wide local loads feed 64 multiply-adds. Global loads run along k (coalesced rows of x
 * and of W); edges are zero-padded on load and masked on store, so any n, in, out work. Bias
 * and activation are the epilogue.
 *
 * Launch (2-D): local (LIN_GROUP, 1), global (LIN_GROUP * ceil(n / LIN_TILE_ROWS),
 * ceil(out / LIN_TILE_OUTPUTS)): the row tiles on the first dimension, which allows 2^31 - 1
 * work-groups (the second allows 65,535 on CUDA: out up to 4 M). Row indices are 64-bit.
 *
 * Barriers: linear_forward (the local tiles are shared by the work-group: one barrier per k
 * slice between filling a buffer and reading it, which is also what makes refilling the
 * other buffer safe). bias_activate has none.
 *
 * Floor at W1 (conditioner 32 -> 256 -> 256 -> 64, 8 couplings): 90,112 multiply-adds per row
 * and layer, 1.44 MFLOP per sample; at 67 TFLOP/s FP32, 22 ms for 2^20 samples. The
 * activations move ~5.4 KB per row and layer (written once, read once), 45 GB, 9.4 ms at
 * 4.8 TB/s: compute-bound (the 256 x 256 layer does 64 FLOP per byte).
 */

#if LIN_TILE_ROWS != 128 || LIN_TILE_OUTPUTS != 64 || LIN_GROUP != 128
#error "linear_forward's work-item mapping is written for 128 x 64 tiles of 128 work-items"
#endif
#define LIN_TK 16
#define LIN_PAD 4 /* keeps a row of a local tile 16-byte aligned and the transposed stores spread */
#define LIN_LDA (LIN_TILE_ROWS + LIN_PAD)
#define LIN_LDB (LIN_TILE_OUTPUTS + LIN_PAD)
/* slice elements each work-item stages */
#define LIN_A_PER (LIN_TILE_ROWS * LIN_TK / LIN_GROUP)
#define LIN_B_PER (LIN_TILE_OUTPUTS * LIN_TK / LIN_GROUP)

#define LIN_FMA_ROW(i, av)                                                                         \
    acc[i][0] += (av) * b0.x;                                                                       \
    acc[i][1] += (av) * b0.y;                                                                       \
    acc[i][2] += (av) * b0.z;                                                                       \
    acc[i][3] += (av) * b0.w;                                                                       \
    acc[i][4] += (av) * b1.x;                                                                       \
    acc[i][5] += (av) * b1.y;                                                                       \
    acc[i][6] += (av) * b1.z;                                                                       \
    acc[i][7] += (av) * b1.w;

KERNEL void linear_forward(LINEAR_FORWARD_ARGS) {
    GLOBAL const REAL* W = P + w_off;
    GLOBAL const REAL* b = P + b_off;
    /* REAL4 arrays for alignment; stored into as REALs */
    LOCAL REAL4 as4[2 * LIN_TK * LIN_LDA / 4];
    LOCAL REAL4 bs4[2 * LIN_TK * LIN_LDB / 4];
    LOCAL_PTR REAL* as = (LOCAL_PTR REAL*)as4;
    LOCAL_PTR REAL* bs = (LOCAL_PTR REAL*)bs4;
    int tid = LID(0), tx = tid % 8, ty = tid / 8;
    long row0 = (long)GROUP(0) * LIN_TILE_ROWS;
    int col0 = GROUP(1) * LIN_TILE_OUTPUTS;

    REAL acc[8][8];
#pragma unroll
    for (int i = 0; i < 8; i++)
#pragma unroll
        for (int j = 0; j < 8; j++) acc[i][j] = RC(0.0);

    /* Staged slice: element e = tid + q LIN_GROUP of the slice is (row e / LIN_TK, k e % LIN_TK),
     * so a warp reads runs of LIN_TK consecutive k of a row. */
    REAL ra[LIN_A_PER], rb[LIN_B_PER];
#define LIN_FETCH(k0)                                                                               \
    _Pragma("unroll") for (int q = 0; q < LIN_A_PER; q++) {                                         \
        int e = tid + q * LIN_GROUP, r = e / LIN_TK, k = (k0) + e % LIN_TK;                          \
        ra[q] = (row0 + r < n && k < in) ? x[(row0 + r) * in + k] : RC(0.0);                        \
    }                                                                                               \
    _Pragma("unroll") for (int q = 0; q < LIN_B_PER; q++) {                                         \
        int e = tid + q * LIN_GROUP, c = e / LIN_TK, k = (k0) + e % LIN_TK;                          \
        rb[q] = (col0 + c < out && k < in) ? W[(long)(col0 + c) * in + k] : RC(0.0);               \
    }
#define LIN_STORE(buf)                                                                              \
    _Pragma("unroll") for (int q = 0; q < LIN_A_PER; q++) {                                         \
        int e = tid + q * LIN_GROUP;                                                                \
        as[(buf) * LIN_TK * LIN_LDA + (e % LIN_TK) * LIN_LDA + e / LIN_TK] = ra[q];                  \
    }                                                                                               \
    _Pragma("unroll") for (int q = 0; q < LIN_B_PER; q++) {                                         \
        int e = tid + q * LIN_GROUP;                                                                \
        bs[(buf) * LIN_TK * LIN_LDB + (e % LIN_TK) * LIN_LDB + e / LIN_TK] = rb[q];                  \
    }

    LIN_FETCH(0)
    LIN_STORE(0)
    BARRIER();
    int buf = 0;
    for (int k0 = 0; k0 < in; k0 += LIN_TK) {
        int more = k0 + LIN_TK < in;
        if (more) {
            LIN_FETCH(k0 + LIN_TK)
        }
        LOCAL_PTR const REAL* a = as + buf * LIN_TK * LIN_LDA + ty * 4;
        LOCAL_PTR const REAL* w = bs + buf * LIN_TK * LIN_LDB + tx * 4;
#pragma unroll
        for (int k = 0; k < LIN_TK; k++) {
            REAL4 a0 = LOAD4(a + k * LIN_LDA), a1 = LOAD4(a + k * LIN_LDA + 64);
            REAL4 b0 = LOAD4(w + k * LIN_LDB), b1 = LOAD4(w + k * LIN_LDB + 32);
            LIN_FMA_ROW(0, a0.x) LIN_FMA_ROW(1, a0.y) LIN_FMA_ROW(2, a0.z) LIN_FMA_ROW(3, a0.w)
            LIN_FMA_ROW(4, a1.x) LIN_FMA_ROW(5, a1.y) LIN_FMA_ROW(6, a1.z) LIN_FMA_ROW(7, a1.w)
        }
        if (more) {
            LIN_STORE(buf ^ 1)
        }
        BARRIER();
        buf ^= 1;
    }
#undef LIN_FETCH
#undef LIN_STORE

#pragma unroll
    for (int i = 0; i < 8; i++) {
        long r = row0 + ty * 4 + (i & 3) + (i >> 2) * 64;
        if (r >= n) continue;
#pragma unroll
        for (int j = 0; j < 8; j++) {
            int c = col0 + tx * 4 + (j & 3) + (j >> 2) * 32;
            if (c < out) y[r * out + c] = fk_activate(acc[i][j] + b[c], act);
        }
    }
}

#undef LIN_FMA_ROW

/* y = act(y + b) in place, row by row: the epilogue when a library GEMM (cuBLAS) did the
 * product. 64-bit indices (n out may pass 2^31). Launch: 1-D over n * out. */
KERNEL void bias_activate(BIAS_ACTIVATE_ARGS) {
    GLOBAL const REAL* b = P + b_off;
    long g = GID_LONG(0);
    if (g >= (long)n * out) return;
    y[g] = fk_activate(y[g] + b[g % out], act);
}
