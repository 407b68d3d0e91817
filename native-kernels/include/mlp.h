/* mlp.h: the device MLP on a tile of columns in local memory, the one layer function the fused
 * kernels share (ode_solve_fused in cnf.cl: values and tangents; langevin_score_fused in
 * langevin.cl: values). The per-layer GEMM of the large nets is linear_forward (linear.cl).
 *
 * A work-group owns a tile of samples. Local memory holds
 *   the weights  per layer W^T [in][outp] then b [outp], outp = out rounded up to
 *                MLP_BLOCK_OUTPUTS with zero rows (mlp_tile_load), so that no block needs a guard;
 *   the layer    h [rows][ld]: row k is unit k, column c a sample's value (c < vcols) or one
 *                of its tangents (column j vcols + s: tangent j of sample s), i.e. the
 *                [width][tile] layout, one row read as contiguous columns.
 * Each work-item computes one register block of MLP_BLOCK_OUTPUTS outputs x MLP_BLOCK_COLUMNS
 * columns: per input k it loads 8 weights (two 4-wide loads, the same for every work-item of a
 * block row, so a broadcast) and 4 columns (one 4-wide load, neighbouring work-items
 * neighbouring columns), then does 32 multiply-adds. The layer runs in place: every block is
 * computed into registers before any is stored (a barrier between), so one h buffer serves
 * every layer and the tile can be twice as large.
 *
 * Barriers: mlp_tile_layer has two (reads of the input rows before the in-place store; the
 * store before the next pass reads another work-item's block), one after the sum of the
 * partial blocks of a split layer, and one after the activation pass of a hidden layer (the
 * next layer reads it). Every work-item of the group must call it, with the same arguments.
 *
 * MLP_BLOCK_OUTPUTS (8) and MLP_BLOCK_COLUMNS (4) come from contract.h: the host sizes local
 * memory and work-groups with them (DeviceMlpTile.java). */
#ifndef FK_MLP_H
#define FK_MLP_H

/* out rounded up to a whole number of register blocks. */
FN int mlp_tile_padded(int out) {
    return (out + MLP_BLOCK_OUTPUTS - 1) / MLP_BLOCK_OUTPUTS * MLP_BLOCK_OUTPUTS;
}

/* Local REALs of one layer's weights and bias in the tile layout. */
FN int mlp_tile_layer_reals(int in, int out) {
    return (in + 1) * mlp_tile_padded(out);
}

/* Local REALs of the whole net's weights (widths[0..depth]). */
FN int mlp_tile_weight_reals(GLOBAL const int* widths, int depth) {
    int r = 0;
    for (int l = 0; l < depth; l++) r += mlp_tile_layer_reals(widths[l], widths[l + 1]);
    return r;
}

/* The widest layer, input and output included: the rows of h. */
FN int mlp_tile_rows(GLOBAL const int* widths, int depth) {
    int r = 0;
    for (int l = 0; l <= depth; l++) r = widths[l] > r ? widths[l] : r;
    return r;
}

/* Copies the packed parameters P (per layer W [out, in] row-major, then b [out]) into local
 * memory wl in the tile layout, every work-item taking part. The caller puts a barrier after. */
FN void mlp_tile_load(LOCAL_PTR REAL* wl, GLOBAL const REAL* P, GLOBAL const int* widths, int depth) {
    int src = 0, dst = 0;
    for (int l = 0; l < depth; l++) {
        int in = widths[l], out = widths[l + 1], outp = mlp_tile_padded(out);
        for (int i = LID(0); i < (in + 1) * outp; i += LSIZE(0)) {
            int k = i / outp, o = i - k * outp; /* k == in: the bias row */
            wl[dst + i] = o >= out ? RC(0.0) : k < in ? P[src + o * in + k] : P[src + in * out + o];
        }
        src += in * out + out;
        dst += (in + 1) * outp;
    }
}

/* Work-items one layer keeps busy (one per block); the host's work-group has at least this many
 * for every layer. */
FN int mlp_tile_blocks(int out, int columns) {
    return mlp_tile_padded(out) / MLP_BLOCK_OUTPUTS * (columns / MLP_BLOCK_COLUMNS);
}

#define MLP_ROW_FMA(i, wv)                                                                          \
    acc[i][0] += (wv) * a.x;                                                                        \
    acc[i][1] += (wv) * a.y;                                                                        \
    acc[i][2] += (wv) * a.z;                                                                        \
    acc[i][3] += (wv) * a.w;

/* One layer y = W x + b on the tile, in place: rows [0, in) of h hold x for `columns` columns
 * (a multiple of MLP_BLOCK_COLUMNS), rows [0, out) of h hold y on return. The first vcols
 * columns are values and get the bias; the others are tangents (vcols a multiple of
 * MLP_BLOCK_COLUMNS too, columns a multiple of vcols), which get none. `hidden`: then the values
 * become act(y) and tangent column j vcols + s is scaled by act's slope at value column s.
 * w: this layer's weights in the tile layout. h has `rows` rows (at least in and out) of
 * stride ld (a multiple of 4).
 *
 * A narrow layer (few blocks, such as a field's D outputs) splits its inputs into `parts`
 * ranges, one work-item per block and range, so that its long sum does not run on a handful of
 * work-items; the partial blocks go to h (its input rows are dead once read) as [part][outp]
 * rows and are summed in place, part 0's rows being the output rows. */
FN void mlp_tile_layer(LOCAL_PTR REAL* h, int rows, int ld, int columns, int vcols, LOCAL_PTR const REAL* w, int in,
                       int out, int act, int hidden) {
    int outp = mlp_tile_padded(out), nc = columns / MLP_BLOCK_COLUMNS, blocks = outp / MLP_BLOCK_OUTPUTS * nc;
    /* parts: as many as idle work-items, partial rows and inputs (at least 8 each) allow */
    int parts = LSIZE(0) / blocks;
    parts = parts < rows / outp ? parts : rows / outp;
    parts = parts < in / 8 ? parts : in / 8;
    parts = parts > 1 ? parts : 1;
    int span = (in + parts - 1) / parts;
    int part = LID(0) / blocks, blk = LID(0) - part * blocks, active = part < parts;
    /* neighbouring work-items take neighbouring column blocks of the same outputs */
    int c0 = (blk % nc) * MLP_BLOCK_COLUMNS, o0 = (blk / nc) * MLP_BLOCK_OUTPUTS;
    int k0 = part * span, k1 = k0 + span < in ? k0 + span : in;
    REAL acc[MLP_BLOCK_OUTPUTS][MLP_BLOCK_COLUMNS];
    if (active) {
        LOCAL_PTR const REAL* b = w + in * outp;
        int biased = c0 < vcols && part == 0;
#pragma unroll
        for (int i = 0; i < MLP_BLOCK_OUTPUTS; i++) {
            REAL bi = biased ? b[o0 + i] : RC(0.0);
#pragma unroll
            for (int j = 0; j < MLP_BLOCK_COLUMNS; j++) acc[i][j] = bi;
        }
        LOCAL_PTR const REAL* hk = h + k0 * ld + c0;
        LOCAL_PTR const REAL* wk = w + k0 * outp + o0;
        for (int k = k0; k < k1; k++, hk += ld, wk += outp) {
            REAL4 a = LOAD4(hk), w0 = LOAD4(wk), w1 = LOAD4(wk + 4);
            MLP_ROW_FMA(0, w0.x) MLP_ROW_FMA(1, w0.y) MLP_ROW_FMA(2, w0.z) MLP_ROW_FMA(3, w0.w)
            MLP_ROW_FMA(4, w1.x) MLP_ROW_FMA(5, w1.y) MLP_ROW_FMA(6, w1.z) MLP_ROW_FMA(7, w1.w)
        }
    }
    BARRIER(); /* every block has read its inputs: now the outputs may overwrite them */
    if (active) {
        LOCAL_PTR REAL* dst = h + (part * outp + o0) * ld + c0;
#pragma unroll
        for (int i = 0; i < MLP_BLOCK_OUTPUTS; i++)
            if (parts > 1 || o0 + i < out) {
                REAL4 v;
                v.x = acc[i][0];
                v.y = acc[i][1];
                v.z = acc[i][2];
                v.w = acc[i][3];
                STORE4(dst + i * ld, v);
            }
    }
    BARRIER();
    if (parts > 1) {
        for (int e = LID(0); e < out * columns; e += LSIZE(0)) {
            int o = e / columns, c = e - o * columns;
            LOCAL_PTR REAL* y = h + o * ld + c;
            REAL sum = y[0];
            for (int p = 1; p < parts; p++) sum += y[p * outp * ld];
            y[0] = sum;
        }
        BARRIER();
    }
    if (hidden && act != ACT_IDENTITY) {
        int groups = columns / vcols;
        for (int e = LID(0); e < out * vcols; e += LSIZE(0)) {
            int o = e / vcols, s = e - o * vcols;
            LOCAL_PTR REAL* row = h + o * ld;
            REAL y = fk_activate(row[s], act), slope = fk_activate_slope(y, act);
            row[s] = y;
            for (int j = 1; j < groups; j++) row[j * vcols + s] *= slope;
        }
        BARRIER();
    }
}

#undef MLP_ROW_FMA

#endif /* FK_MLP_H */
