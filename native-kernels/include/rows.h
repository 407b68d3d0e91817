/* rows.h: row teams, for kernels that work on rows of a row-major matrix. A 1-D work-group of
 * LSIZE(0) work-items splits into teams of `lanes` work-items (a power of two that divides
 * LSIZE(0)); team t of group g owns row g (LSIZE(0) / lanes) + t and its lanes walk the row's
 * columns, so neighbouring work-items touch neighbouring addresses (coalesced), where one
 * work-item per row would read at a stride of the row's length.
 * Launch: 1-D, global = ceil(rows / (LSIZE / lanes)) LSIZE; rows past the end still take part in
 * the barriers of row_team_sum2. */
#ifndef FK_ROWS_H
#define FK_ROWS_H

FN long row_team_row(int lanes) {
    return (long)GROUP(0) * (LSIZE(0) / lanes) + LID(0) / lanes;
}

FN int row_team_lane(int lanes) {
    return LID(0) & (lanes - 1);
}

/* Sums *a and *b over each team (a tree through red, 2 LSIZE(0) local REALs); every lane gets
 * the team's sums. Barriers: the tree's levels, and one at the end so red may be reused.
 * Every work-item of the group must call it. */
FN void row_team_sum2(LOCAL_PTR REAL* red, int lanes, REAL* a, REAL* b) {
    int lid = LID(0), lane = lid & (lanes - 1), m = LSIZE(0);
    red[lid] = *a;
    red[m + lid] = *b;
    BARRIER();
    for (int w = lanes / 2; w > 0; w /= 2) {
        if (lane < w) {
            red[lid] += red[lid + w];
            red[m + lid] += red[m + lid + w];
        }
        BARRIER();
    }
    *a = red[lid - lane];
    *b = red[m + lid - lane];
    BARRIER();
}

#endif /* FK_ROWS_H */
