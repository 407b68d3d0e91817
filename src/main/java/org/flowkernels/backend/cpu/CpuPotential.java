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

    /** The evaluator of {@code v} for rows of n coordinates (already checked by the caller), on these block operations. */
    static CpuPotential of(PotentialSpec v, int n, BlockOps ops) {
        float[] p = v.parameters();
        return switch (v.kind()) {
            case Contract.POT_HARMONIC -> new Harmonic(n, p[0]);
            case Contract.POT_HARMONIC_DIAG -> new DiagonalHarmonic(n, p);
            case Contract.POT_CHAIN -> new Chain(n, p[0], p[1], p[2], p[3] != 0, ops);
            case Contract.POT_COULOMB -> new Pairs(n, (int) p[0], ops, true, p[1], 0, p[2]);
            case Contract.POT_LENNARD_JONES -> new Pairs(n, (int) p[0], ops, false, 4 * p[1], p[2] * p[2], 0);
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
     * The inside of a splitting step in one pass, where a potential has such a fused sweep (the
     * chain): p -= kick g, q += drift invMass_c p, then g = dV/dq at the new q; returns false (and
     * does nothing) where it has none, and the caller does the three parts itself.
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

    /** A 1-D chain: bond energy k/2 r^2 + alpha/3 r^3 + beta/4 r^4; the gradient is the block operations' chain sweep. */
    private static final class Chain extends CpuPotential {
        private final float k, a, b, k2, a3, b4;
        private final boolean periodic;
        private final BlockOps ops;

        Chain(int n, float k, float a, float b, boolean periodic, BlockOps ops) {
            super(n);
            this.k = k;
            this.a = a;
            this.b = b;
            k2 = 0.5f * k;
            a3 = a / 3;
            b4 = 0.25f * b;
            this.periodic = periodic;
            this.ops = ops;
        }

        @Override
        boolean kickDriftGradient(float[] q, float[] p, float[] g, float[] invMass, float kick, float drift) {
            ops.chain(q, p, g, invMass, kick, drift, n, k, a, b, periodic);
            return true;
        }

        @Override
        void evaluate(float[] q, float[] g, float[] e) {
            if (g != null) ops.chain(q, null, g, null, 0, 0, n, k, a, b, periodic);
            if (e == null) return;
            int last = (n - 1) * B;
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

    /** Pair potentials over i < j of particles in dim dimensions: the Coulomb gas in its trap, or Lennard-Jones. */
    private static final class Pairs extends CpuPotential {
        private final int dim;
        private final BlockOps ops;
        private final boolean coulomb;
        private final float strength, sigma2, trap;
        private final float[] scratch;

        Pairs(int n, int dim, BlockOps ops, boolean coulomb, float strength, float sigma2, float trap) {
            super(n);
            this.dim = dim;
            this.ops = ops;
            this.coulomb = coulomb;
            this.strength = strength;
            this.sigma2 = sigma2;
            this.trap = trap;
            this.scratch = new float[Math.max(n, dim + 2) * B];
        }

        @Override
        void evaluate(float[] q, float[] g, float[] e) {
            ops.pairs(q, g, e, dim, n / dim, coulomb, strength, sigma2, trap, scratch);
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
