/* potentials.cl: energies and gradients of a batch of configurations (include/potentials.h).
 *
 * potential_evaluate_single / _strided: q [rows, n] row-major. A configuration per `lanes`
 * work-items (the layout of potentials.h, K = 1 or POT_STRIDE sites per work-item): the row is
 * published in local memory, each lane writes grad[row, its sites] = dV/dx when
 * want_grad != 0, and the lanes' shares of V are summed into energy[row].
 * Launch: 1-D, work-groups of LSIZE = POT_LANES; local memory
 * (LSIZE / lanes) n + LSIZE REALs (positions, then the sum).
 *
 * Barriers (item 8 of the GPU issue: PoCL runs the work-items of a group one after another
 * between barriers, so a missing one does not fail there; compute-sanitizer --tool racecheck
 * on a GPU is the test, and include/potentials.h has the rules): both builds rely on
 * BARRIER() between publishing the row and the lanes reading it, and inside pot_lanes_sum.
 */

FN void potential_evaluate(POTENTIAL_RUN_ARGS, int sdim, int lanes, LOCAL_PTR REAL* smem, REAL* x, const int K) {
    pot_lanes L = pot_lanes_of(lanes, n, sdim, rows, 1, smem);
    long row0 = (long)L.row * n;
    UNROLL for (int j = 0; j < POT_SITE_COORDS * K; j++) {
        int col = pot_col(L, j);
        x[j] = col >= 0 ? q[row0 + col] : RC(0.0);
    }
    pot_publish(L, 0, x, K);
    BARRIER();
    REAL v[1] = {RC(0.0)};
    UNROLL for (int k = 0; k < K; k++) {
        int s = pot_site_of(L, k);
        if (s >= 0) {
            REAL g[POT_SITE_COORDS];
            v[0] += pot_site(kind, prm, L.qs, s, n, sdim, x + POT_SITE_COORDS * k, g);
            if (want_grad)
                UNROLL for (int c = 0; c < POT_SITE_COORDS; c++) {
                    int col = pot_col(L, POT_SITE_COORDS * k + c);
                    if (col >= 0) grad[row0 + col] = g[c];
                }
        }
    }
    pot_lanes_sum(L, v, 1);
    if (L.sites > 0 && L.lane == 0) energy[L.row] = v[0];
}

#define POTENTIAL_EVALUATE(NAME, K)                                                             \
KERNEL void potential_evaluate_##NAME(POTENTIAL_EVALUATE_ARGS) {                                \
    LOCAL_DECL(REAL, smem)                                                                      \
    REAL x[POT_SITE_COORDS * (K)];                                                                            \
    potential_evaluate(POTENTIAL_RUN_PASS, sdim, lanes, smem, x, K);                            \
}

POTENTIAL_EVALUATE(single, 1)
POTENTIAL_EVALUATE(strided, POT_STRIDE)
