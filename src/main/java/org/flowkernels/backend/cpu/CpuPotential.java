package org.flowkernels.backend.cpu;

import java.util.Arrays;
import org.flowkernels.spi.Contract;
import org.flowkernels.spi.PotentialSpec;

/**
 * A built-in potential evaluated on a block of {@link #B} configurations at once, stored
 * coordinate-major ({@code q[c * B + s]}: coordinate c of configuration s, the layout of
 * {@link MlpBlock#load}) so that the innermost loops run over the block and vectorize. The
 * CPU twin of native-kernels/include/potentials.h: same formulas, float32. One instance per
 * thread: it owns its scratch. Every CPU kernel that needs V or dV/dq goes through this class.
 */
abstract class CpuPotential {
    /** Configurations per block. */
    static final int B = MlpBlock.B;

    /** Coordinates per configuration. */
    protected final int n;

    private CpuPotential(int n) { this.n = n; }

    /** The evaluator of {@code v} for rows of n coordinates (already checked by the caller). */
    static CpuPotential of(PotentialSpec v, int n) {
        return of(v, n, Simd.ENABLED);
    }

    /** As {@link #of(PotentialSpec, int)}, with the Vector API paths on or off (tests compare the two). */
    static CpuPotential of(PotentialSpec v, int n, boolean simd) {
        float[] p = v.parameters();
        return switch (v.kind()) {
            case Contract.POT_HARMONIC -> new Harmonic(n, p[0]);
            case Contract.POT_HARMONIC_DIAG -> new DiagonalHarmonic(n, p);
            case Contract.POT_CHAIN -> new Chain(n, p[0], p[1], p[2], p[3] != 0, simd);
            case Contract.POT_COULOMB -> new Coulomb(n, (int) p[0], p[1], p[2], simd);
            case Contract.POT_LENNARD_JONES -> new LennardJones(n, (int) p[0], p[1], p[2], simd);
            case Contract.POT_DOUBLE_WELL -> new DoubleWell(n, p[0], p[1]);
            case Contract.POT_USER -> new User(n, v, p);
            default -> throw new IllegalArgumentException("potential: no CPU implementation of kind " + v.kind());
        };
    }

    /**
     * For each configuration s of the block: g[c * B + s] = dV/dq_c when g is not null, and
     * e[s] = V when e is not null. q is read only.
     */
    abstract void evaluate(float[] q, float[] g, float[] e);

    /**
     * The inside of a splitting step in one pass, where a potential has such a fused sweep:
     * p -= kick g, q += drift invMass_c p, then g = dV/dq at the new q; returns false (and does
     * nothing) where it has none, and the caller does the three parts itself.
     */
    boolean kickDriftGradient(float[] q, float[] p, float[] g, float[] invMass, float kick, float drift) {
        return false;
    }

    private static final class Harmonic extends CpuPotential {
        private final float k;

        Harmonic(int n, float k) {
            super(n);
            this.k = k;
        }

        @Override
        void evaluate(float[] q, float[] g, float[] e) {
            if (g != null) for (int i = 0; i < n * B; i++) g[i] = k * q[i];
            if (e != null) {
                Arrays.fill(e, 0, B, 0f);
                for (int c = 0; c < n; c++)
                    for (int s = 0; s < B; s++) e[s] += q[c * B + s] * q[c * B + s];
                for (int s = 0; s < B; s++) e[s] *= 0.5f * k;
            }
        }
    }

    private static final class DiagonalHarmonic extends CpuPotential {
        private final float[] k;

        DiagonalHarmonic(int n, float[] k) {
            super(n);
            this.k = k;
        }

        @Override
        void evaluate(float[] q, float[] g, float[] e) {
            if (g != null)
                for (int c = 0; c < n; c++) {
                    float kc = k[c];
                    for (int s = 0; s < B; s++) g[c * B + s] = kc * q[c * B + s];
                }
            if (e != null) {
                Arrays.fill(e, 0, B, 0f);
                for (int c = 0; c < n; c++) {
                    float kc = 0.5f * k[c];
                    for (int s = 0; s < B; s++) e[s] += kc * q[c * B + s] * q[c * B + s];
                }
            }
        }
    }

    /** Bond forces f(r) = k r + alpha r^2 + beta r^3 of the bonds left of each particle,
     *  then dV/dq_i = f(left of i) - f(right of i). */
    private static final class Chain extends CpuPotential {
        private final float k, a, b, k2, a3, b4;
        private final boolean periodic, simd;
        private final float[] tail = new float[B];

        Chain(int n, float k, float a, float b, boolean periodic, boolean simd) {
            super(n);
            this.k = k;
            this.a = a;
            this.b = b;
            k2 = 0.5f * k;
            a3 = a / 3;
            b4 = 0.25f * b;
            this.periodic = periodic;
            this.simd = simd && CpuChainSimd.fits(n, B);
        }

        @Override
        boolean kickDriftGradient(float[] q, float[] p, float[] g, float[] invMass, float kick, float drift) {
            if (simd) CpuChainSimd.sweep(q, p, g, invMass, kick, drift, n, B, k, a, b, periodic);
            return simd;
        }

        @Override
        void evaluate(float[] q, float[] g, float[] e) {
            int last = (n - 1) * B;
            if (g != null && simd) {
                CpuChainSimd.sweep(q, null, g, null, 0, 0, n, B, k, a, b, periodic);
            } else if (g != null) {
                for (int s = 0; s < B; s++) {
                    float r = q[s] - (periodic ? q[last + s] : 0f);
                    g[s] = r * (k + r * (a + b * r));
                }
                for (int i = B; i < n * B; i += B)
                    for (int s = 0; s < B; s++) {
                        float r = q[i + s] - q[i - B + s];
                        g[i + s] = r * (k + r * (a + b * r));
                    }
                for (int s = 0; s < B; s++) {
                    float r = -q[last + s];
                    tail[s] = periodic ? g[s] : r * (k + r * (a + b * r));
                }
                for (int i = 0; i < last; i += B)
                    for (int s = 0; s < B; s++) g[i + s] -= g[i + B + s];
                for (int s = 0; s < B; s++) g[last + s] -= tail[s];
            }
            if (e != null) {
                for (int s = 0; s < B; s++) {
                    float r = q[s] - (periodic ? q[last + s] : 0f);
                    e[s] = r * r * (k2 + r * (a3 + b4 * r));
                    if (!periodic) {
                        r = q[last + s];
                        e[s] += r * r * (k2 - r * (a3 - b4 * r));
                    }
                }
                for (int i = B; i < n * B; i += B)
                    for (int s = 0; s < B; s++) {
                        float r = q[i + s] - q[i - B + s];
                        e[s] += r * r * (k2 + r * (a3 + b4 * r));
                    }
            }
        }
    }

    /** Pair potentials: sum over pairs i < j of particles in dim dimensions, plus (Coulomb) a trap. */
    private abstract static class Pairs extends CpuPotential {
        final int dim, np;
        final boolean simd, coulomb;
        final float strength, sigma2, trap;
        final float[] d, r2 = new float[B], w = new float[B], scratch;

        Pairs(int n, int dim, boolean simd, boolean coulomb, float strength, float sigma2, float trap) {
            super(n);
            this.dim = dim;
            this.np = n / dim;
            this.d = new float[dim * B];
            this.simd = simd && CpuPairsSimd.fits(B);
            this.coulomb = coulomb;
            this.strength = strength;
            this.sigma2 = sigma2;
            this.trap = trap;
            this.scratch = this.simd ? new float[n * B] : null;
        }

        /** Sets w[s] = -(dV/dr)/r of the pair from r2[s]; adds the pair energy to e when e is not null. */
        abstract void pair(float[] e);

        @Override
        final void evaluate(float[] q, float[] g, float[] e) {
            if (simd) {
                CpuPairsSimd.evaluate(q, g != null ? g : scratch, e, dim, np, B, coulomb, strength, sigma2, trap);
                return;
            }
            // the trap: V = trap |r|^2, g = 2 trap r (zero for Lennard-Jones)
            if (g != null) for (int i = 0; i < n * B; i++) g[i] = 2 * trap * q[i];
            if (e != null) {
                Arrays.fill(e, 0, B, 0f);
                for (int c = 0; c < n; c++)
                    for (int s = 0; s < B; s++) e[s] += trap * q[c * B + s] * q[c * B + s];
            }
            for (int i = 0; i < np; i++)
                for (int j = i + 1; j < np; j++) {
                    Arrays.fill(r2, 0f);
                    for (int c = 0; c < dim; c++) {
                        int qi = (i * dim + c) * B, qj = (j * dim + c) * B;
                        for (int s = 0; s < B; s++) {
                            float x = q[qi + s] - q[qj + s];
                            d[c * B + s] = x;
                            r2[s] += x * x;
                        }
                    }
                    pair(e);
                    if (g == null) continue;
                    for (int c = 0; c < dim; c++) {
                        int gi = (i * dim + c) * B, gj = (j * dim + c) * B;
                        for (int s = 0; s < B; s++) {
                            float f = w[s] * d[c * B + s];
                            g[gi + s] -= f;
                            g[gj + s] += f;
                        }
                    }
                }
        }
    }

    private static final class Coulomb extends Pairs {
        Coulomb(int n, int dim, float coupling, float trap, boolean simd) {
            super(n, dim, simd, true, coupling, 0, trap);
        }

        @Override
        void pair(float[] e) {
            for (int s = 0; s < B; s++) {
                float inv = 1f / (float) Math.sqrt(r2[s]);
                float en = strength * inv;
                w[s] = en * inv * inv;
                if (e != null) e[s] += en;
            }
        }
    }

    private static final class LennardJones extends Pairs {
        LennardJones(int n, int dim, float epsilon, float sigma, boolean simd) {
            super(n, dim, simd, false, 4 * epsilon, sigma * sigma, 0);
        }

        @Override
        void pair(float[] e) {
            for (int s = 0; s < B; s++) {
                float t = sigma2 / r2[s], t6 = t * t * t;
                w[s] = 6 * strength * (2 * t6 * t6 - t6) / r2[s];
                if (e != null) e[s] += strength * (t6 * t6 - t6);
            }
        }
    }

    /** The user's Java function, called once per block with both outputs (scratch for the one not asked for). */
    private static final class User extends CpuPotential {
        private final PotentialSpec.User user;
        private final PotentialSpec.Block f;
        private final float[] p, energy = new float[B], gradient;

        User(int n, PotentialSpec v, float[] p) {
            super(n);
            this.user = v.user();
            if (user.java() == null)
                throw new IllegalArgumentException(v.describe() + ": the CPU backend runs a user potential through its Java twin, "
                        + "and this one has none (its snippet " + user.snippet().file() + " is for OpenCL and CUDA); give one with "
                        + "UserPotential.withJava");
            this.f = user.java();
            this.p = p;
            this.gradient = new float[n * B];
        }

        @Override
        void evaluate(float[] q, float[] g, float[] e) {
            try {
                f.evaluate(n, B, q, p, e != null ? e : energy, g != null ? g : gradient);
            } catch (RuntimeException ex) {
                throw UserCode.failure(user.name(), f, ex);
            }
        }
    }

    private static final class DoubleWell extends CpuPotential {
        private final float h, invA;

        DoubleWell(int n, float h, float a) {
            super(n);
            this.h = h;
            this.invA = 1 / a;
        }

        @Override
        void evaluate(float[] q, float[] g, float[] e) {
            if (g != null)
                for (int i = 0; i < n * B; i++) {
                    float u = q[i] * invA;
                    g[i] = 4 * h * invA * u * (u * u - 1);
                }
            if (e != null) {
                Arrays.fill(e, 0, B, 0f);
                for (int c = 0; c < n; c++)
                    for (int s = 0; s < B; s++) {
                        float u = q[c * B + s] * invA, t = u * u - 1;
                        e[s] += t * t;
                    }
                for (int s = 0; s < B; s++) e[s] *= h;
            }
        }
    }
}
