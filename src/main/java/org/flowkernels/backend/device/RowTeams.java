package org.flowkernels.backend.device;

/**
 * The launch of a row-team kernel (native-kernels/include/rows.h): {@code lanes} work-items per
 * row (a power of two, up to a warp, no more than the row has columns to share), work-groups
 * of {@code group} work-items holding group / lanes rows, and the 2 x group REALs of local
 * memory the team sums use.
 */
record RowTeams(int lanes, int group) {
    /** Most lanes per row: a warp, so that a row's loads are one coalesced access. */
    static final int MAX_LANES = 32;

    /** Teams for rows of about {@code columns} elements. */
    static RowTeams of(DeviceBackend dev, int columns) {
        int group = Integer.highestOneBit(Math.max(1, dev.workGroup()));
        int lanes = Math.min(Math.min(MAX_LANES, group), columns <= 1 ? 1 : Integer.highestOneBit(columns - 1) << 1);
        return new RowTeams(lanes, group);
    }

    Kernels.LocalBytes red() {
        return new Kernels.LocalBytes(2L * 4 * group);
    }

    /** Launches args over {@code rows} rows. */
    void launch(DeviceBackend dev, Kernels.Args args, long rows) {
        long perGroup = group / lanes;
        dev.launch(args, "", (rows + perGroup - 1) / perGroup * group, group);
    }
}
