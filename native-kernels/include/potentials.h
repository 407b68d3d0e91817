/* potentials.h: the built-in potentials V(q), value and gradient, computed particle-parallel.
 *
 * Java side: org.flowkernels.physics.Potential (one record per kind). kind() is the code
 * below; parameters() is the packed float array the functions read as `prm` (uploaded once
 * per call into a FLOAT32 buffer, passed as `GLOBAL const REAL* prm`); the record's
 * checkCoordinates(n, name) has already validated the row width n.
 *
 * SITES. A configuration is one row of n coordinates. Its sites are the units a work-item
 * owns, sdim coordinates each (site s is q[s*sdim .. s*sdim + sdim - 1]): the particles of a
 * pair potential (sdim = its space dimension, 1..3; PotentialSpec.particleDim()), and groups
 * of sdim = POT_SITE_COORDS = 4 consecutive coordinates for every other kind (the last one
 * short when 4 does not divide n). S = ceil(n / sdim) sites. Why 4 for those: a site is then
 * one Philox block of the Langevin noise, the private arrays (POT_SITE_COORDS REALs per site,
 * the widest particle being 3) are full, and a configuration needs a quarter of the
 * work-items: fewer lanes to sum over and, on PoCL, which runs the work-items of a group one
 * after another, a quarter of the per-work-item cost (W3's chain of 64: 16 lanes of 4).
 *
 * LAYOUT (DevicePotentialKernels.Layout picks it). A configuration is handled by `lanes`
 * work-items (a power of two), LSIZE / lanes configurations per work-group; lane l owns the
 * sites l, l + lanes, ..., l + (K - 1) lanes below S, with K = 1 (the _single builds:
 * S <= POT_LANES) or K = POT_STRIDE (the _strided builds: S <= POT_LANES * POT_STRIDE). A
 * lane keeps its sites' coordinates in private arrays of POT_SITE_COORDS K REALs (site k's at
 * POT_SITE_COORDS k), indexed only by unrolled loops and so in
 * registers; the configuration's positions are published in local memory (the row layout,
 * n REALs), where every lane reads its neighbours (chain bonds) or all other particles
 * (pair sums). Energies are reduced over the lanes in local memory (pot_lanes_sum). The
 * work-group is always POT_LANES work-items (DevicePotentialKernels.Layout says why).
 *
 * BARRIERS. Lanes exchange positions and sums through local memory, so every kernel on this
 * layout needs a BARRIER() between a lane's write and another lane's read (and between a read
 * and the next overwrite: the kernels double-buffer the positions so one barrier per force
 * evaluation covers both). Rules: every work-item of the work-group reaches every barrier
 * (tail slots and stopped chains take part with `sites` = 0: mask, never return early), and a
 * barrier sits in straight-line code or in a loop whose trip count is the same for the whole
 * work-group, never under an `if`, even a uniform one: PoCL 3.1 replicates the code after such
 * a barrier and then runs writes the `if`s around them should have skipped (a tail slot wrote
 * past the batch). A missing barrier does not fail on PoCL, which runs the work-items one after
 * another between barriers; compute-sanitizer --tool racecheck on a GPU is the test.
 *
 * THE ENTRY POINT, for site s of a configuration whose positions are qs[0 .. n-1] in local
 * memory, the site's own coordinates (the same values) in x[0 .. w-1], w = min(sdim, n - s sdim):
 *     REAL pot_site(int kind, GLOBAL const REAL* prm, LOCAL_PTR const REAL* qs, int s, int n,
 *                   int sdim, const REAL* x, REAL* g)
 * writes g[0 .. w-1] = dV/dx_s (zeros up to POT_SITE_COORDS) and returns the site's share of
 * V (the shares of the sites sum to V: a pair's energy is split between its two particles, a
 * chain bond belongs to the coordinate at its left end). Every function is inlined, so a caller that ignores the share
 * pays nothing for it. The kind is uniform across a launch, so the switch does not diverge.
 * It reads qs: publish the positions and BARRIER() first.
 *
 * Dispatch points, for a new kind (one record in Potential.java with its code, its CPU twin
 * in backend/cpu/CpuPotential.java, a case here):
 *   - a term of one coordinate or particle alone (a trap, a field, a separable potential):
 *     pot_one_body;
 *   - a pair potential V(r): pot_pair returns V(r) and w = -(dV/dr)/r from r^2, and a case in
 *     pot_site sends the kind through pot_pairs (plus pot_one_body for its one-body part);
 *     PotentialSpec.particleDim() must give its sdim;
 *   - anything else that reads neighbours (pot_chain_bonds is the example) gets its own
 *     function over qs and a case in pot_site. A potential that needs the whole configuration
 *     at once in private memory does not fit this layout and needs a kernel path of its own.
 */
#ifndef FK_POTENTIALS_H
#define FK_POTENTIALS_H

/* Kinds: the POT_* codes of contract.h; org.flowkernels.spi.PotentialSpec documents each one's parameters. */

/* The one-body terms of the w coordinates x of a site whose first coordinate is c0: the whole
 * potential for the separable kinds, the trap of the Coulomb gas. Adds dV/dx to g. */
FN REAL pot_one_body(int kind, GLOBAL const REAL* prm, int c0, int w, const REAL* x, REAL* g) {
    REAL v = RC(0.0);
    UNROLL for (int c = 0; c < POT_SITE_COORDS; c++) {
        if (c >= w) break;
        REAL xc = x[c];
        if (kind == POT_HARMONIC) { /* k/2 x^2 */
            g[c] += prm[0] * xc;
            v += RC(0.5) * prm[0] * xc * xc;
        } else if (kind == POT_HARMONIC_DIAG) { /* k_c/2 x^2 */
            REAL gc = prm[c0 + c] * xc;
            g[c] += gc;
            v += RC(0.5) * gc * xc;
        } else if (kind == POT_DOUBLE_WELL) { /* h (u^2 - 1)^2, u = x/a */
            REAL inv_a = RC(1.0) / prm[1], u = xc * inv_a, s = u * u - RC(1.0);
            g[c] += RC(4.0) * prm[0] * inv_a * u * s;
            v += prm[0] * s * s;
        } else if (kind == POT_COULOMB) { /* trap |r|^2 */
            g[c] += RC(2.0) * prm[2] * xc;
            v += prm[2] * xc * xc;
        }
    }
    return v;
}

/* A pair potential at squared distance r2: returns V(r) and sets *w = -(dV/dr)/r, so that the
 * force on particle i from j is w (r_i - r_j). */
FN REAL pot_pair(int kind, GLOBAL const REAL* prm, REAL r2, REAL* w) {
    if (kind == POT_COULOMB) { /* coupling / r */
        REAL inv = RSQRT(r2), e = prm[1] * inv;
        *w = e * inv * inv;
        return e;
    }
    /* POT_LENNARD_JONES: 4 eps (s^12 - s^6), s = sigma / r */
    REAL eps4 = RC(4.0) * prm[1], s2 = prm[2] * prm[2] / r2, s6 = s2 * s2 * s2;
    *w = RC(6.0) * eps4 * (RC(2.0) * s6 * s6 - s6) / r2;
    return eps4 * (s6 * s6 - s6);
}

/* The pair sums of particle s against every other of the S in qs, dim a compile-time
 * constant at each call (pot_site switches on it): adds dV/dx to g, returns half the
 * pairs' energy (the other half is the partner's share). */
FN REAL pot_pairs(int kind, GLOBAL const REAL* prm, LOCAL_PTR const REAL* qs, int s, int S, const REAL* x, REAL* g,
                  const int dim) {
    REAL v = RC(0.0), g0 = RC(0.0), g1 = RC(0.0), g2 = RC(0.0);
    for (int j = 0; j < S; j++) {
        REAL d0 = x[0] - qs[j * dim];
        REAL d1 = dim > 1 ? x[1] - qs[j * dim + 1] : RC(0.0);
        REAL d2 = dim > 2 ? x[2] - qs[j * dim + 2] : RC(0.0);
        if (j == s) continue;
        REAL w, e = pot_pair(kind, prm, d0 * d0 + d1 * d1 + d2 * d2, &w);
        v += e;
        g0 -= w * d0;
        g1 -= w * d1;
        g2 -= w * d2;
    }
    g[0] += g0;
    if (dim > 1) g[1] += g1;
    if (dim > 2) g[2] += g2;
    return RC(0.5) * v;
}

/* A 1-D chain of n particles joined by bonds of stretch r = q_{i+1} - q_i, bond energy
 * k/2 r^2 + alpha/3 r^3 + beta/4 r^4 (harmonic: alpha = beta = 0; FPUT-alpha, FPUT-beta).
 * Fixed ends: walls at q_{-1} = q_n = 0, n + 1 bonds. Periodic: q_n = q_0, n bonds.
 * dV/dq_i = f(left bond) - f(right bond), f(r) = k r + alpha r^2 + beta r^3. For the w
 * particles c0 .. c0 + w - 1 of a site: each owns its right bond's energy, particle 0 of a
 * fixed chain the left wall's too. Neighbours come from qs (the site's own are there too). */
FN REAL pot_chain_bonds(GLOBAL const REAL* prm, LOCAL_PTR const REAL* qs, int c0, int w, int n, const REAL* x, REAL* g) {
    REAL k = prm[0], a = prm[1], b = prm[2];
    int periodic = prm[3] != RC(0.0);
    REAL k2 = RC(0.5) * k, a3 = a / RC(3.0), b4 = RC(0.25) * b, v = RC(0.0);
    UNROLL for (int c = 0; c < POT_SITE_COORDS; c++) {
        if (c >= w) break;
        int i = c0 + c;
        REAL left = i > 0 ? qs[i - 1] : (periodic ? qs[n - 1] : RC(0.0));
        REAL right = i + 1 < n ? qs[i + 1] : (periodic ? qs[0] : RC(0.0));
        REAL rl = x[c] - left, rr = right - x[c];
        g[c] += rl * (k + rl * (a + b * rl)) - rr * (k + rr * (a + b * rr));
        v += rr * rr * (k2 + rr * (a3 + b4 * rr));
        if (i == 0 && !periodic) v += rl * rl * (k2 + rl * (a3 + b4 * rl));
    }
    return v;
}

/* Site s's share of V and its gradient (see the header). An unknown kind gives NaN and a NaN
 * gradient, so it cannot pass unnoticed (the Java side never sends one). */
FN REAL pot_site(int kind, GLOBAL const REAL* prm, LOCAL_PTR const REAL* qs, int s, int n, int sdim, const REAL* x,
                 REAL* g) {
    int c0 = s * sdim, w = n - c0 < sdim ? n - c0 : sdim;
    UNROLL for (int c = 0; c < POT_SITE_COORDS; c++) g[c] = RC(0.0);
    switch (kind) {
    case POT_HARMONIC:
    case POT_HARMONIC_DIAG:
    case POT_DOUBLE_WELL:
        return pot_one_body(kind, prm, c0, w, x, g);
    case POT_CHAIN:
        return pot_chain_bonds(prm, qs, c0, w, n, x, g);
    case POT_COULOMB:
    case POT_LENNARD_JONES: {
        REAL v = pot_one_body(kind, prm, c0, w, x, g);
        int S = n / sdim;
        return v + (sdim == 1 ? pot_pairs(kind, prm, qs, s, S, x, g, 1)
                  : sdim == 2 ? pot_pairs(kind, prm, qs, s, S, x, g, 2)
                              : pot_pairs(kind, prm, qs, s, S, x, g, 3));
    }
    default: {
        REAL nan = sqrt(RC(-1.0));
        UNROLL for (int c = 0; c < POT_SITE_COORDS; c++) g[c] = nan;
        return nan;
    }
    }
}

/* ------------------------------------------------------------------ the layout */

/* A work-item's place: lane `lane` of the `lanes` that share configuration `cfg` of its
 * work-group, which is row `row` of the batch. `sites` is the number of sites the lanes work
 * on: S, or 0 in a tail slot past the batch or for a stopped chain, which takes part in every
 * barrier and in every sum (with zeros) and writes nothing. The configuration's positions
 * are in `buffers` rows of n REALs at qs (row b at qs + b * n), the sums' scratch at red
 * (planes of LSIZE REALs). */
typedef struct {
    int lane, lanes, cfg, row, n, S, sdim, sites;
    LOCAL_PTR REAL* qs;
    LOCAL_PTR REAL* red;
} pot_lanes;

/* The place of this work-item, for rows of n coordinates in sites of sdim, `rows` rows in the
 * batch; smem holds (LSIZE / lanes) * buffers * n REALs of positions, then the sums. */
FN pot_lanes pot_lanes_of(int lanes, int n, int sdim, int rows, int buffers, LOCAL_PTR REAL* smem) {
    pot_lanes L;
    L.lanes = lanes;
    L.lane = LID(0) & (lanes - 1);
    L.cfg = LID(0) / lanes;
    L.row = GROUP(0) * (LSIZE(0) / lanes) + L.cfg;
    L.n = n;
    L.sdim = sdim;
    L.S = (n + sdim - 1) / sdim;
    L.sites = L.row < rows ? L.S : 0;
    L.qs = smem + L.cfg * buffers * n;
    L.red = smem + (LSIZE(0) / lanes) * buffers * n;
    return L;
}

/* Site k of this lane (k < K), or -1 where it has none. */
FN int pot_site_of(pot_lanes L, int k) {
    int s = L.lane + k * L.lanes;
    return s < L.sites ? s : -1;
}

/* The row's column of entry j of this lane's private arrays (site j / POT_SITE_COORDS,
 * coordinate j % POT_SITE_COORDS), or -1 where it holds none: past a site's sdim, past the
 * row's end in its last site, for a lane without a site, in a tail slot. Loops over a lane's
 * arrays test it, so that those do no work (on a GPU a predicate; on PoCL, which runs the
 * work-items one after another, the time). */
FN int pot_col(pot_lanes L, int j) {
    int k = j / POT_SITE_COORDS, c = j - POT_SITE_COORDS * k, s = L.lane + k * L.lanes, col = s * L.sdim + c;
    return c < L.sdim && s < L.sites && col < L.n ? col : -1;
}

/* Publishes this lane's coordinates x (as the lanes keep them) in buffer buf. */
FN void pot_publish(pot_lanes L, int buf, const REAL* x, const int K) {
    UNROLL for (int j = 0; j < POT_SITE_COORDS * K; j++) {
        int col = pot_col(L, j);
        if (col >= 0) L.qs[buf * L.n + col] = x[j];
    }
}

/* Sums x[0 .. planes-1] over the lanes of a configuration, in place, in every lane: a tree of
 * log2(lanes) rounds in local memory, a BARRIER() before each and one after the last. Every
 * work-item of the work-group must call it, the same number of times. The caller must pass a
 * BARRIER() before the next sum (a lane may still be reading this one's result). */
FN void pot_lanes_sum(pot_lanes L, REAL* x, const int planes) {
    int size = LSIZE(0), at = L.cfg * L.lanes + L.lane;
    UNROLL for (int p = 0; p < planes; p++) L.red[p * size + at] = x[p];
    for (int h = L.lanes >> 1; h > 0; h >>= 1) {
        BARRIER();
        if (L.lane < h)
            UNROLL for (int p = 0; p < planes; p++) L.red[p * size + at] += L.red[p * size + at + h];
    }
    BARRIER();
    UNROLL for (int p = 0; p < planes; p++) x[p] = L.red[p * size + L.cfg * L.lanes];
}

#endif /* FK_POTENTIALS_H */
