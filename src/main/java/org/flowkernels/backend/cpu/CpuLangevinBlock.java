package org.flowkernels.backend.cpu;

import java.util.Arrays;
import org.flowkernels.spi.Contract;
import org.flowkernels.spi.LangevinKernels;
import org.flowkernels.spi.LangevinKernels.Chains;
import org.flowkernels.spi.Network;
import org.flowkernels.spi.Philox4x32;
import org.flowkernels.spi.PotentialSpec;

/**
 * One thread's scratch for running blocks of B = 32 chains through a launch: the CPU twin of
 * native-kernels/langevin.cl. Arrays are coordinate-major, {@code a[c * B + s]} for coordinate
 * c of chain s of the block, so every loop over a block runs over s innermost and vectorizes.
 * Lanes past the last chain (a partial block) hold a copy of the first chain and are never
 * stored.
 *
 * <p>A step of chain s, with D = ∇ ln π, ε its step size and ξ its noise:
 * y = x + (ε/2) D(x) + √ε ξ. ULA takes y; MALA takes it when ln u < ln α with
 * ln α = ln π(y) − ln π(x) + ½ Σ_c [ξ_c² − (ξ_c + (√ε/2)(D_c(x) + D_c(y)))²]
 * (the log ratio of the reverse and forward proposal densities, written through ξ so that no
 * difference of nearly equal states appears).
 *
 * <p>With {@code leapfrog} = L > 0 a step is an HMC iteration instead: momenta ξ ~ N(0, I), L
 * leapfrog steps of ε (ξ += (ε/2) D, y += ε ξ, ξ += (ε/2) D), and
 * ln α = ln π(y) − ln π(x) + ½ (|ξ_start|² − |ξ_end|²). The accept/reject, adaptation and
 * statistics are MALA's.
 */
final class CpuLangevinBlock {
    static final int B = BlockOps.B;

    /** ∇ ln π of every chain of a block: d[c * B + s], and e[s] = V(q_s) when the drift has an energy. */
    interface BlockDrift {
        void eval(float[] q, float[] d, float[] e);
    }

    /** −β ∇V(q) and V(q) through the shared CPU potentials. */
    static BlockDrift potential(PotentialSpec v, int n, float beta, BlockOps ops) {
        CpuPotential pot = CpuPotential.of(v, n, ops);
        return (q, d, e) -> {
            pot.evaluate(q, d, e);
            for (int i = 0; i < n * B; i++) d[i] *= -beta;
        };
    }

    /** s(q, σ) through an MlpBlock whose input row n holds σ. */
    static BlockDrift score(Network net, int n, float sigma, BlockOps ops) {
        MlpBlock mlp = new MlpBlock(net, ops);
        float[] in = mlp.input();
        Arrays.fill(in, n * B, (n + 1) * B, sigma);
        return (q, d, e) -> {
            System.arraycopy(q, 0, in, 0, n * B);
            System.arraycopy(mlp.forward(), 0, d, 0, n * B);
        };
    }

    private final BlockDrift drift;
    private final BlockOps ops;
    private final LangevinKernels.Launch launch;
    private final int n, count, cols, leapfrog;
    private final boolean mala, energy;
    private final float beta;
    private final long seed;
    private final float[] states, epsG, dualG, meanG, m2G, snaps;
    private final int[] acceptedG, badG;

    private float[] x, dx, ex, y, dy, ey;
    private final float[] xi, mean, m2;
    private final float[] eps = new float[B], hbar = new float[B], logbar = new float[B], half = new float[B],
            root = new float[B], u = new float[B], logA = new float[B], s1 = new float[B], s2 = new float[B],
            finite = new float[B];
    private final int[] accepted = new int[B], word = new int[4];
    private final boolean[] live = new boolean[B], accept = new boolean[B], diverged = new boolean[B];

    CpuLangevinBlock(Chains chains, LangevinKernels.Launch launch, BlockDrift drift, float beta, int leapfrog, BlockOps ops) {
        this.drift = drift;
        this.leapfrog = leapfrog;
        this.ops = ops;
        this.launch = launch;
        this.beta = beta;
        n = chains.dim();
        count = chains.count();
        cols = chains.columns();
        mala = chains.mala();
        energy = chains.hasEnergy();
        seed = chains.seed();
        states = CpuBackend.floats(chains.states());
        epsG = CpuBackend.floats(chains.epsilon());
        dualG = CpuBackend.floats(chains.dual());
        meanG = CpuBackend.floats(chains.mean());
        m2G = CpuBackend.floats(chains.m2());
        snaps = launch.snapCount() > 0 ? CpuBackend.floats(launch.snapshots()) : null;
        acceptedG = CpuBackend.ints(chains.accepted());
        badG = CpuBackend.ints(chains.firstNonFinite());
        x = new float[n * B];
        dx = new float[n * B];
        ex = new float[B];
        y = new float[n * B];
        dy = new float[n * B];
        ey = new float[B];
        xi = new float[n * B];
        mean = new float[cols * B];
        m2 = new float[cols * B];
    }

    /** Runs the launch's steps on chains [s0, s0 + B) (fewer at the end of the batch). */
    void run(int s0) {
        int nb = Math.min(B, count - s0);
        load(s0, nb);
        drift.eval(x, dx, ex);
        if (mala) // a NaN energy of the state is the potential's error, not a density: report it at the launch's first step
            for (int s = 0; s < nb; s++)
                if (live[s] && Float.isNaN(ex[s])) {
                    badG[s0 + s] = launch.first();
                    live[s] = false;
                }
        boolean allLive = allLive(nb);
        int end = launch.first() + launch.steps();
        for (int t = launch.first(); t < end; t++) {
            for (int s = 0; s < B; s++) {
                half[s] = 0.5f * eps[s];
                root[s] = (float) Math.sqrt(eps[s]);
            }
            if (leapfrog > 0) {
                trajectory(s0, t);
            } else {
                ops.normals(seed, s0, t, Contract.NOISE_STREAM, n, xi);
                propose();
                drift.eval(y, dy, ey);
            }
            // ULA's new state must also have a finite energy; MALA rejects a proposal of zero density
            // (V = +inf), but a NaN energy is an error in the potential (HMC's trajectory checks its own)
            if (!mala && energy) for (int s = 0; s < B; s++) finite[s] += ey[s] * 0f;
            if (mala && leapfrog == 0) for (int s = 0; s < B; s++) if (Float.isNaN(ey[s])) finite[s] = Float.NaN;
            for (int s = 0; s < nb; s++)
                if (live[s] && finite[s] != 0f) {
                    badG[s0 + s] = t;
                    live[s] = false;
                    allLive = false;
                }
            if (mala) metropolis(s0, nb, t);
            else for (int s = 0; s < B; s++) accept[s] = live[s] || s >= nb;
            commit();
            if (t < launch.adaptEnd()) adapt(nb, t);
            if (t >= launch.statsStart()) {
                if (mala) for (int s = 0; s < nb; s++) if (accept[s]) accepted[s]++;
                record(s0, nb, t, allLive);
            }
        }
        store(s0, nb);
    }

    /** y = x + (ε/2) D(x) + √ε ξ for every chain; finite[s] = 0 when chain s's y is finite, else NaN. */
    private void propose() {
        ops.propose(x, dx, xi, half, root, y, n, finite);
    }

    /**
     * An HMC trajectory from (x, dx, ex): momenta ξ of step t, then L leapfrog steps of each
     * chain's ε into (y, dy, ey), ξ the end momenta; s1 and s2 the sums |ξ|² at the start and the
     * end. A chain whose H = βV + |ξ|²/2 rises more than HMC_DIVERGENCE above its start (or whose V
     * becomes +∞) has diverged: s2 = +∞, so it is rejected. finite[s] is NaN when a coordinate or
     * the energy of a chain that had not diverged became NaN or infinite (reported, as MALA's).
     */
    private void trajectory(int s0, int t) {
        ops.normals(seed, s0, t, Contract.HMC_MOMENTUM_STREAM, n, xi);
        Arrays.fill(s1, 0f);
        for (int c = 0; c < n * B; c += B)
            for (int s = 0; s < B; s++) s1[s] += xi[c + s] * xi[c + s];
        System.arraycopy(x, 0, y, 0, n * B);
        System.arraycopy(dx, 0, dy, 0, n * B);
        Arrays.fill(finite, 0f);
        Arrays.fill(diverged, false);
        float limit = (float) Contract.HMC_DIVERGENCE;
        for (int l = 0; l < leapfrog; l++) {
            for (int c = 0; c < n * B; c += B)
                for (int s = 0; s < B; s++) {
                    float p = xi[c + s] + half[s] * dy[c + s];
                    xi[c + s] = p;
                    y[c + s] += eps[s] * p;
                }
            drift.eval(y, dy, ey);
            Arrays.fill(s2, 0f);
            Arrays.fill(u, 0f); // scratch: NaN where a coordinate is not finite
            for (int c = 0; c < n * B; c += B)
                for (int s = 0; s < B; s++) {
                    float p = xi[c + s] + half[s] * dy[c + s];
                    xi[c + s] = p;
                    s2[s] += p * p;
                    u[s] += y[c + s] * 0f;
                }
            for (int s = 0; s < B; s++) {
                if (diverged[s]) continue;
                if (u[s] != 0f || Float.isNaN(ey[s])) finite[s] = Float.NaN;
                else if (!(beta * ey[s] + 0.5f * (s2[s] - s1[s]) - beta * ex[s] <= limit)) diverged[s] = true;
            }
        }
        for (int s = 0; s < B; s++) if (diverged[s]) s2[s] = Float.POSITIVE_INFINITY;
    }

    /** accept[s] = ln u < ln α for live chains; lanes past the batch accept (their values are never stored). */
    private void metropolis(int s0, int nb, int t) {
        if (leapfrog == 0) ops.proposalSums(xi, dx, dy, root, n, s1, s2); // HMC's trajectory leaves its kinetic sums in s1, s2
        uniforms(s0, t);
        for (int s = 0; s < B; s++) {
            logA[s] = -beta * (ey[s] - ex[s]) + 0.5f * (s1[s] - s2[s]);
            accept[s] = s >= nb || live[s] && (float) Math.log(u[s]) < logA[s];
        }
    }

    /** x ← y for accepted chains: swap the arrays, then copy the rejected chains back. */
    private void commit() {
        float[] t = x; x = y; y = t;
        t = dx; dx = dy; dy = t;
        t = ex; ex = ey; ey = t;
        for (int s = 0; s < B; s++)
            if (!accept[s]) {
                for (int c = s; c < n * B; c += B) {
                    x[c] = y[c];
                    dx[c] = dy[c];
                }
                ex[s] = ey[s];
            }
    }

    /** Dual averaging (Hoffman and Gelman 2014, Algorithm 5) of ln ε toward the target acceptance. */
    private void adapt(int nb, int t) {
        float m = t + 1, w = 1f / (m + (float) Contract.ADAPT_T0);
        float gain = (float) Math.sqrt(m) / (float) Contract.ADAPT_GAMMA, eta = (float) Math.pow(m, -(float) Contract.ADAPT_KAPPA);
        boolean last = t + 1 == launch.adaptEnd();
        for (int s = 0; s < nb; s++) {
            if (!live[s]) continue;
            float la = logA[s], a = la >= 0 ? 1f : la > Float.NEGATIVE_INFINITY ? (float) Math.exp(la) : 0f;
            hbar[s] = (1 - w) * hbar[s] + w * (launch.target() - a);
            float logEps = launch.adaptMu() - gain * hbar[s];
            logbar[s] = eta * logEps + (1 - eta) * logbar[s];
            eps[s] = (float) Math.exp(last ? logbar[s] : logEps);
        }
    }

    /** Welford update of the running statistics and the snapshot, after sampling step t. */
    private void record(int s0, int nb, int t, boolean allLive) {
        int j = t - launch.statsStart() + 1;
        if (j % launch.statsEvery() == 0) {
            float invK = 1f / (j / launch.statsEvery());
            for (int c = 0; c < cols; c++) {
                float[] v = c < n ? x : ex;
                int vo = c < n ? c * B : 0, mo = c * B;
                if (allLive) {
                    ops.welford(v, vo, mean, m2, mo, invK); // lanes past nb are never stored
                } else {
                    for (int s = 0; s < nb; s++) if (live[s]) welford(v[vo + s], mo + s, invK);
                }
            }
        }
        int every = launch.snapEvery();
        if (every > 0 && j % every == 0) {
            int slot = j / every - 1 - launch.snapBase();
            if (slot >= 0 && slot < launch.snapCount())
                for (int s = 0; s < nb; s++) {
                    int row = (slot * count + s0 + s) * cols;
                    for (int c = 0; c < n; c++) snaps[row + c] = x[c * B + s];
                    if (energy) snaps[row + n] = ex[s];
                }
        }
    }

    /** u[s] = the uniform of word 0 of (seed, chain s0 + s, step t, block 0, ACCEPT_STREAM): MALA's accept draws. */
    private void uniforms(int s0, int t) {
        for (int s = 0; s < B; s++) {
            Philox4x32.block(seed, s0 + s, t, 0, Contract.ACCEPT_STREAM, word);
            u[s] = Philox4x32.uniform(word[0]);
        }
    }

    private void welford(float v, int i, float invK) {
        float d = v - mean[i], m = mean[i] + d * invK;
        mean[i] = m;
        m2[i] += d * (v - m);
    }

    private boolean allLive(int nb) {
        for (int s = 0; s < nb; s++) if (!live[s]) return false;
        return true;
    }

    private void load(int s0, int nb) {
        MlpBlock.load(states, s0, nb, n, x);
        for (int s = 0; s < B; s++) {
            int g = s0 + (s < nb ? s : 0);
            eps[s] = epsG[g];
            hbar[s] = dualG[g];
            logbar[s] = dualG[count + g];
            accepted[s] = acceptedG[g];
            live[s] = s < nb && badG[g] < 0;
        }
        for (int c = 0; c < n * B; c += B) Arrays.fill(x, c + nb, c + B, x[c]);
        for (int c = 0; c < cols; c++)
            for (int s = 0; s < nb; s++) {
                mean[c * B + s] = meanG[c * count + s0 + s];
                m2[c * B + s] = m2G[c * count + s0 + s];
            }
    }

    private void store(int s0, int nb) {
        MlpBlock.store(x, s0, nb, n, states);
        for (int s = 0; s < nb; s++) {
            epsG[s0 + s] = eps[s];
            dualG[s0 + s] = hbar[s];
            dualG[count + s0 + s] = logbar[s];
            acceptedG[s0 + s] = accepted[s];
        }
        for (int c = 0; c < cols; c++)
            for (int s = 0; s < nb; s++) {
                meanG[c * count + s0 + s] = mean[c * B + s];
                m2G[c * count + s0 + s] = m2[c * B + s];
            }
    }
}
