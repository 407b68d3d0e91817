/* peak.cl: the arithmetic peak that bench/ reports its GFLOP/s against, measured rather than
 * looked up. Each work-item runs 8 independent chains x <- a x + b (one fused multiply-add
 * per step: enough independent work per lane to hide the FMA latency), keeps them in
 * registers, touches no memory inside the loop, and writes the chains' sum so that none of
 * the work can be optimised away. 2 * 8 * iters FLOPs per item (the final sum not counted).
 * Chain k of item i starts at ((i + k) mod 64) / 64. With 0 < a < 1 every chain converges to
 * b / (1 - a), so any iteration count stays finite and the closed form
 * x_t = a^t x_0 + b (1 - a^t) / (1 - a) checks the result.
 * Launch: 1-D, one work-item per item, global size n rounded up to the work-group; the tail
 * is guarded.
 * peak_fma_lanes (OpenCL only) computes the same items sixteen to a work-item, one per lane of
 * float16 vectors: on an OpenCL CPU device (PoCL) the scalar kernel's step loop sits inside
 * the implicit loop over work-items, so it never reaches the SIMD units, and the CPU's
 * vector peak needs the vector types. */

#ifdef FK_OPENCL
#define PEAK_FMA(x, a, b) mad(x, a, b) /* a fused multiply-add where the device has one */
#else
#define PEAK_FMA(x, a, b) fma(x, a, b)
#endif

#define PEAK_STEP                                                                           \
    x0 = PEAK_FMA(x0, a, b); x1 = PEAK_FMA(x1, a, b); x2 = PEAK_FMA(x2, a, b);             \
    x3 = PEAK_FMA(x3, a, b); x4 = PEAK_FMA(x4, a, b); x5 = PEAK_FMA(x5, a, b);             \
    x6 = PEAK_FMA(x6, a, b); x7 = PEAK_FMA(x7, a, b);

KERNEL void peak_fma(PEAK_FMA_ARGS) {
    int i = GID(0);
    if (i >= n) return;
    REAL x0 = (REAL)((i + 0) & 63) * RC(0.015625), x1 = (REAL)((i + 1) & 63) * RC(0.015625);
    REAL x2 = (REAL)((i + 2) & 63) * RC(0.015625), x3 = (REAL)((i + 3) & 63) * RC(0.015625);
    REAL x4 = (REAL)((i + 4) & 63) * RC(0.015625), x5 = (REAL)((i + 5) & 63) * RC(0.015625);
    REAL x6 = (REAL)((i + 6) & 63) * RC(0.015625), x7 = (REAL)((i + 7) & 63) * RC(0.015625);
    int t = 0;
    /* Four steps per trip keep the loop counter's share of the instructions small. */
    for (; t + 4 <= iters; t += 4) {
        PEAK_STEP PEAK_STEP PEAK_STEP PEAK_STEP
    }
    for (; t < iters; t++) {
        PEAK_STEP
    }
    out[i] = ((x0 + x1) + (x2 + x3)) + ((x4 + x5) + (x6 + x7));
}

#ifdef FK_OPENCL
/* Launch: 1-D, one work-item per 16 items, global size ceil(n / 16) rounded up to the
 * work-group; lanes past n are computed and not stored. */
KERNEL void peak_fma_lanes(PEAK_FMA_ARGS) {
    int base = GID(0) * 16;
    if (base >= n) return;
    float s[16];
    float16 x[8];
    for (int k = 0; k < 8; k++) {
        for (int l = 0; l < 16; l++) s[l] = (float)((base + l + k) & 63) * 0.015625f;
        x[k] = vload16(0, s);
    }
    float16 va = (float16)(a), vb = (float16)(b);
    for (int t = 0; t < iters; t++) {
        x[0] = mad(x[0], va, vb); x[1] = mad(x[1], va, vb); x[2] = mad(x[2], va, vb); x[3] = mad(x[3], va, vb);
        x[4] = mad(x[4], va, vb); x[5] = mad(x[5], va, vb); x[6] = mad(x[6], va, vb); x[7] = mad(x[7], va, vb);
    }
    vstore16(((x[0] + x[1]) + (x[2] + x[3])) + ((x[4] + x[5]) + (x[6] + x[7])), 0, s);
    for (int l = 0; l < 16 && base + l < n; l++) out[base + l] = s[l];
}
#endif
