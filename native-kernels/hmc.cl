/* hmc.cl: Hamiltonian Monte Carlo on batches of chains, many iterations per launch
 * (org.flowkernels.sample.Hmc; the CPU twin is backend/cpu/CpuLangevinBlock in HMC mode).
 *
 * One work-item per chain holds the chain's state, its drift d = -beta grad V, the trajectory's
 * point y, dy and momenta p in private arrays for the whole launch. Iteration t of chain i:
 *   p_c ~ N(0, 1): normal (i, t, c/4, HMC_MOMENTUM_STREAM), word c%4
 *   L leapfrog steps of the chain's eps:  p += (eps/2) dy;  y += eps p;  dy = d(y);  p += (eps/2) dy
 *   ln alpha = -beta (V(y) - V(x)) + (|p_start|^2 - |p_end|^2) / 2
 *   accept when ln u < ln alpha, u = uniform word 0 of (i, t, 0, ACCEPT_STREAM)
 * A trajectory whose H rises more than HMC_DIVERGENCE above its start has diverged: it stops and
 * is rejected (ln alpha = -REAL_MAX). A point that is not finite, or a NaN energy, before that
 * stops the chain and is reported in bad[i] (the state stays the last accepted one); so does a
 * NaN energy of the state a launch starts from (at its first iteration).
 * The adaptation of eps during the warm-up (lgv_adapt), the acceptance counts and the statistics
 * and snapshots (lgv_record) are MALA's, with iterations for steps (langevin.cl's header).
 *
 * hmc_potential_CAP: V the potential (kind, prm) of include/potentials_whole.h, including a user's
 * (POT_USER, in a program built for its snippet); rows of n <= CAP coordinates (CAP = 64, 1024).
 * Launch: 1-D, one work-item per chain, rounded up to the work-group.
 * The private arrays (5 x CAP) are per-thread arrays: the kernel is built where FK_ALLOW_LMEM is.
 */
#if FK_ALLOW_LMEM

/* p ~ N(0, I) for iteration t of chain i; returns |p|^2. */
FN REAL hmc_momenta(REAL* p, int n, uint chain, uint t, uint seed_lo, uint seed_hi) {
    REAL s = RC(0.0);
    for (int blk = 0; blk * 4 < n; blk++) {
        philox_block b = philox4x32_10(chain, t, (uint)blk, HMC_MOMENTUM_STREAM, seed_lo, seed_hi);
        for (int w = 0; w < 4 && blk * 4 + w < n; w++) {
            REAL z = philox_normal(b, w);
            p[blk * 4 + w] = z;
            s += z * z;
        }
    }
    return s;
}

#define HMC_POTENTIAL(CAP)                                                                              \
KERNEL void hmc_potential_##CAP(HMC_POTENTIAL_ARGS) {                                                   \
    int i = GID(0);                                                                                     \
    if (i >= chains || bad[i] >= 0) return;                                                             \
    REAL q[CAP], d[CAP], y[CAP], dy[CAP], p[CAP];                                                       \
    for (int c = 0; c < n; c++) q[c] = x[(long)i * n + c];                                              \
    REAL eps = eps_g[i], hbar = dual[i], logbar = dual[chains + i];                                     \
    int acc = accepted[i];                                                                              \
    REAL v = potential_drift(kind, prm, beta, q, d, n);                                                 \
    if (isnan(v)) { bad[i] = first; return; } /* a NaN energy is the potential's error */               \
    for (int t = first; t < first + steps; t++) {                                                       \
        REAL kick = RC(0.5) * eps;                                                                      \
        REAL k0 = hmc_momenta(p, n, (uint)i, (uint)t, seed_lo, seed_hi), k1 = k0, vy = v;               \
        for (int c = 0; c < n; c++) {                                                                   \
            y[c] = q[c];                                                                                \
            dy[c] = d[c];                                                                               \
        }                                                                                               \
        int status = 0; /* 1: diverged (rejected), 2: not finite (reported) */                          \
        for (int l = 0; l < leapfrog; l++) {                                                            \
            for (int c = 0; c < n; c++) {                                                               \
                p[c] += kick * dy[c];                                                                   \
                y[c] += eps * p[c];                                                                     \
            }                                                                                           \
            vy = potential_drift(kind, prm, beta, y, dy, n);                                            \
            int ok = !isnan(vy);                                                                        \
            k1 = RC(0.0);                                                                               \
            for (int c = 0; c < n; c++) {                                                               \
                p[c] += kick * dy[c];                                                                   \
                k1 += p[c] * p[c];                                                                      \
                ok &= isfinite(y[c]) ? 1 : 0;                                                           \
            }                                                                                           \
            if (!ok) { status = 2; break; }                                                             \
            if (!(beta * vy + RC(0.5) * k1 - beta * v - RC(0.5) * k0 <= HMC_DIVERGENCE)) { status = 1; break; }\
        }                                                                                               \
        if (status == 2) {                                                                              \
            bad[i] = t;                                                                                 \
            break;                                                                                      \
        }                                                                                               \
        REAL log_alpha = status == 1 ? -REAL_MAX : -beta * (vy - v) + RC(0.5) * (k0 - k1);              \
        philox_block b = philox4x32_10((uint)i, (uint)t, 0u, ACCEPT_STREAM, seed_lo, seed_hi);          \
        int take = log(philox_uniform(b.w[0])) < log_alpha;                                             \
        lgv_chain_decided(LGV_COMMON_PASS, i, t, take, log_alpha, q, d, y, dy, vy, &v, &eps, &hbar, &logbar, &acc);\
    }                                                                                                   \
    lgv_chain_store(LGV_COMMON_PASS, i, q, eps, hbar, logbar, acc);                                     \
}

HMC_POTENTIAL(64)
HMC_POTENTIAL(1024)

#endif
