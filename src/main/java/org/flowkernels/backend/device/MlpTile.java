package org.flowkernels.backend.device;

/**
 * How a fused kernel that runs an MLP on a tile of samples in local memory (include/mlp.h:
 * ode_solve_fused, langevin_score_fused) is launched: {@code tile} samples per work-group of
 * {@code group} work-items, {@code localBytes} of local memory. The kernel's local memory is the
 * weights in the tile layout, one layer buffer of {@code rows} x {@code groups} x {@code tile}
 * REALs (values and tangents), and {@code perSample} more REALs per sample (its state).
 * The tile layer needs a work-item per register block, so the widest layer's blocks must fit
 * the work-group ({@link #group}).
 */
record MlpTile(int tile, int group, long localBytes) {
    static final int BLOCK_OUTPUTS = DeviceLimits.MLP_BLOCK_OUTPUTS, BLOCK_COLUMNS = DeviceLimits.MLP_BLOCK_COLUMNS;
    /** Beyond this a larger tile only adds work-items idle outside the layers. */
    static final int MAX_TILE = 64;
    /**
     * The work-group, at most: 128 work-items of ~80 registers let six groups share an SM's
     * 64 K registers (256 would let three), and on PoCL one size means one build per kernel.
     */
    static final int GROUP = 128;

    /** The work-group of the tiled kernels on this backend. */
    static int group(DeviceBackend dev) {
        return Math.min(GROUP, dev.workGroup());
    }

    /** out rounded up to whole register blocks (mlp_tile_padded). */
    static int padded(int out) {
        return (out + BLOCK_OUTPUTS - 1) / BLOCK_OUTPUTS * BLOCK_OUTPUTS;
    }

    /** REALs of the weights in the tile layout (mlp_tile_weight_reals). */
    static long weightReals(int[] widths) {
        long r = 0;
        for (int l = 0; l + 1 < widths.length; l++) r += (long) (widths[l] + 1) * padded(widths[l + 1]);
        return r;
    }

    /** Rows of the layer buffer: the widest layer, input and output included (mlp_tile_rows). */
    static int rows(int[] widths) {
        int r = 0;
        for (int w : widths) r = Math.max(r, w);
        return r;
    }

    /** Work-items the widest layer keeps busy on `columns` columns (mlp_tile_blocks). */
    static long blocks(int[] widths, long columns) {
        long b = 0;
        for (int l = 1; l < widths.length; l++) b = Math.max(b, padded(widths[l]) / BLOCK_OUTPUTS * (columns / BLOCK_COLUMNS));
        return b;
    }

    static long bytes(int[] widths, int groups, int perSample, int tile) {
        return 4 * (weightReals(widths) + (long) tile * ((long) rows(widths) * groups + perSample));
    }

    /**
     * The largest tile (a multiple of BLOCK_COLUMNS, at most MAX_TILE and at most n rounded up)
     * that fits {@code budget} bytes of local memory and {@code maxGroup} work-items; null when
     * not even BLOCK_COLUMNS samples fit ({@link #misfit} says why).
     */
    static MlpTile choose(int[] widths, int groups, int perSample, long n, long budget, int maxGroup) {
        long most = Math.min(MAX_TILE, Math.max(BLOCK_COLUMNS, (n + BLOCK_COLUMNS - 1) / BLOCK_COLUMNS * BLOCK_COLUMNS));
        for (int tile = (int) most; tile >= BLOCK_COLUMNS; tile -= BLOCK_COLUMNS) {
            long bytes = bytes(widths, groups, perSample, tile), blocks = blocks(widths, (long) groups * tile);
            // always the full group: one build per kernel where OpenCL compiles per work-group size (PoCL), and the
            // work-items idle in the layers share the element-wise passes
            if (bytes <= budget && blocks <= maxGroup) return new MlpTile(tile, maxGroup, bytes);
        }
        return null;
    }

    /** Why the smallest tile does not fit, or null if it does. */
    static String misfit(int[] widths, int groups, int perSample, long budget, int maxGroup) {
        long bytes = bytes(widths, groups, perSample, BLOCK_COLUMNS), blocks = blocks(widths, (long) groups * BLOCK_COLUMNS);
        if (bytes > budget)
            return "its " + weightReals(widths) + " padded weights and a tile of " + BLOCK_COLUMNS + " samples need " + bytes
                    + " bytes of local memory (the device gives " + budget + ")";
        if (blocks > maxGroup)
            return "its widest layer on " + groups + " columns per sample needs " + blocks + " work-items per tile of "
                    + BLOCK_COLUMNS + " (the device's work-group holds " + maxGroup + ")";
        return null;
    }
}
