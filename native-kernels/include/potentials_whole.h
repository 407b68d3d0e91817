/* potentials_whole.h: the potentials V(q), value and gradient, over a whole configuration held
 * by one work-item: the path of the kernels that keep a chain per work-item (hmc.cl) and of a
 * user's potential (user_potential.cl), whose snippet sees the whole configuration at once and
 * so cannot be split over work-items. The built-in kinds' particle-parallel form, the fast
 * path of potentials.cl, hamiltonian.cl and langevin.cl, is include/potentials.h; the two give
 * the same values (the contract tests compare every path with one float64 reference).
 *
 * q and g are private arrays (a stack frame on CUDA: these kernels are in include/lmem.h's
 * list), e.g.
 *
 *     REAL q[CAP], g[CAP];                          // CAP >= n, a compile-time size (64, 1024)
 *     for (int c = 0; c < n; c++) q[c] = x[(long)row * n + c];
 *     REAL v = potential_value_grad(kind, prm, q, g, n);   // V(q), g = dV/dq
 *
 * The one entry point:
 *     REAL potential_value_grad(int kind, GLOBAL const REAL* prm, const REAL* q, REAL* g, int n)
 * returns V(q) and overwrites g[0 .. n-1] with the gradient (g must not alias q). Every
 * function is inlined, so a caller that ignores the returned value pays nothing for it. The
 * kind is uniform across a launch, so the switch does not diverge.
 *
 * Rows are limited to WHOLE_MAX_COORDS coordinates (DeviceLimits; DevicePotentialKernels.variant
 * picks the _64 or _1024 build). A new built-in kind gets a function here as well as its
 * particle-parallel case in potentials.h.
 */
#ifndef FK_POTENTIALS_WHOLE_H
#define FK_POTENTIALS_WHOLE_H

/* V = k/2 |q|^2. */
FN REAL pot_harmonic(GLOBAL const REAL* prm, const REAL* q, REAL* g, int n) {
    REAL k = prm[0], v = RC(0.0);
    for (int c = 0; c < n; c++) {
        g[c] = k * q[c];
        v += q[c] * q[c];
    }
    return RC(0.5) * k * v;
}

/* V = 1/2 sum_c k_c q_c^2. */
FN REAL pot_harmonic_diag(GLOBAL const REAL* prm, const REAL* q, REAL* g, int n) {
    REAL v = RC(0.0);
    for (int c = 0; c < n; c++) {
        g[c] = prm[c] * q[c];
        v += g[c] * q[c];
    }
    return RC(0.5) * v;
}

/* A 1-D chain of n particles joined by bonds of stretch r = q_{i+1} - q_i, bond energy
 * k/2 r^2 + alpha/3 r^3 + beta/4 r^4 (harmonic: alpha = beta = 0; FPUT-alpha, FPUT-beta).
 * Fixed ends: walls at q_{-1} = q_n = 0, so n + 1 bonds. Periodic: q_n = q_0, n bonds.
 * dV/dq_i = f(left bond of i) - f(right bond of i), f(r) = k r + alpha r^2 + beta r^3; each
 * bond force is computed once and carried to the next particle. */
FN REAL pot_chain(GLOBAL const REAL* prm, const REAL* q, REAL* g, int n) {
    REAL k = prm[0], a = prm[1], b = prm[2];
    int periodic = prm[3] != RC(0.0);
    REAL k2 = RC(0.5) * k, a3 = a / RC(3.0), b4 = RC(0.25) * b;
    REAL r = q[0] - (periodic ? q[n - 1] : RC(0.0));
    REAL f_left = r * (k + r * (a + b * r));
    REAL v = r * r * (k2 + r * (a3 + b4 * r));
    for (int i = 0; i < n; i++) {
        REAL next = i + 1 < n ? q[i + 1] : (periodic ? q[0] : RC(0.0));
        r = next - q[i];
        REAL f_right = r * (k + r * (a + b * r));
        /* periodic: the bond right of the last particle is the bond left of the first */
        if (i + 1 < n || !periodic) v += r * r * (k2 + r * (a3 + b4 * r));
        g[i] = f_left - f_right;
        f_left = f_right;
    }
    return v;
}

/* Pair potentials: d = r_i - r_j (dim <= 3 components), returns |d|^2. */
FN REAL pot_pair_distance2(const REAL* q, int i, int j, int dim, REAL* d) {
    REAL r2 = RC(0.0);
    for (int c = 0; c < dim; c++) {
        d[c] = q[i * dim + c] - q[j * dim + c];
        r2 += d[c] * d[c];
    }
    return r2;
}

/* Adds a pair's gradient, w = -(dV/dr)/r: dV/dr_i = -w d, dV/dr_j = +w d. */
FN void pot_pair_force(REAL* g, int i, int j, int dim, const REAL* d, REAL w) {
    for (int c = 0; c < dim; c++) {
        g[i * dim + c] -= w * d[c];
        g[j * dim + c] += w * d[c];
    }
}

/* Charges in a harmonic trap: coupling sum_{i<j} 1/r_ij + trap sum_i |r_i|^2, dim <= 3. */
FN REAL pot_coulomb(GLOBAL const REAL* prm, const REAL* q, REAL* g, int n) {
    int dim = (int)prm[0];
    REAL coupling = prm[1], trap = prm[2];
    int np = n / dim;
    REAL v = RC(0.0);
    for (int c = 0; c < n; c++) {
        g[c] = RC(2.0) * trap * q[c];
        v += trap * q[c] * q[c];
    }
    for (int i = 0; i < np; i++)
        for (int j = i + 1; j < np; j++) {
            REAL d[3];
            REAL inv = RSQRT(pot_pair_distance2(q, i, j, dim, d));
            REAL e = coupling * inv;
            v += e;
            pot_pair_force(g, i, j, dim, d, e * inv * inv);
        }
    return v;
}

/* A Lennard-Jones cluster in free space: sum_{i<j} 4 eps (s^12 - s^6), s = sigma / r_ij. */
FN REAL pot_lennard_jones(GLOBAL const REAL* prm, const REAL* q, REAL* g, int n) {
    int dim = (int)prm[0];
    REAL eps4 = RC(4.0) * prm[1], sigma2 = prm[2] * prm[2];
    int np = n / dim;
    REAL v = RC(0.0);
    for (int c = 0; c < n; c++) g[c] = RC(0.0);
    for (int i = 0; i < np; i++)
        for (int j = i + 1; j < np; j++) {
            REAL d[3];
            REAL r2 = pot_pair_distance2(q, i, j, dim, d);
            REAL s2 = sigma2 / r2;
            REAL s6 = s2 * s2 * s2;
            v += eps4 * (s6 * s6 - s6);
            pot_pair_force(g, i, j, dim, d, RC(6.0) * eps4 * (RC(2.0) * s6 * s6 - s6) / r2);
        }
    return v;
}

/* The 1-D double well h (u^2 - 1)^2, u = q/a (minima at +-a, barrier h), summed over every
 * coordinate: its density is the product of n independent double wells. */
FN REAL pot_double_well(GLOBAL const REAL* prm, const REAL* q, REAL* g, int n) {
    REAL h = prm[0], inv_a = RC(1.0) / prm[1];
    REAL v = RC(0.0);
    for (int c = 0; c < n; c++) {
        REAL u = q[c] * inv_a, s = u * u - RC(1.0);
        g[c] = RC(4.0) * h * inv_a * u * s;
        v += s * s;
    }
    return h * v;
}

/* POT_USER (dispatch point): a user's snippet, in programs built for one (include/user.h). */
#include "user.h"

/* V(q) for the potential `kind` with parameters prm; g[0 .. n-1] = dV/dq. An unknown kind
 * returns NaN and a NaN gradient, so it cannot pass unnoticed (the Java side never sends one). */
FN REAL potential_value_grad(int kind, GLOBAL const REAL* prm, const REAL* q, REAL* g, int n) {
    switch (kind) {
    case POT_HARMONIC: return pot_harmonic(prm, q, g, n);
    case POT_HARMONIC_DIAG: return pot_harmonic_diag(prm, q, g, n);
    case POT_CHAIN: return pot_chain(prm, q, g, n);
    case POT_COULOMB: return pot_coulomb(prm, q, g, n);
    case POT_LENNARD_JONES: return pot_lennard_jones(prm, q, g, n);
    case POT_DOUBLE_WELL: return pot_double_well(prm, q, g, n);
#ifdef FK_USER_POTENTIAL
    case POT_USER: return fk_user_value_grad(prm, q, g, n);
#endif
    default: {
        REAL nan = sqrt(RC(-1.0));
        for (int c = 0; c < n; c++) g[c] = nan;
        return nan;
    }
    }
}

/* The drift of Langevin and HMC on pi = exp(-beta V): d = -beta grad V(q) = grad ln pi; returns V(q). */
FN REAL potential_drift(int kind, GLOBAL const REAL* prm, REAL beta, const REAL* q, REAL* d, int n) {
    REAL v = potential_value_grad(kind, prm, q, d, n);
    for (int c = 0; c < n; c++) d[c] *= -beta;
    return v;
}

#endif /* FK_POTENTIALS_WHOLE_H */
