package org.flowkernels.physics;

import java.util.Arrays;
import org.flowkernels.Check;
import org.flowkernels.Tensor;
import org.flowkernels.spi.Contract;
import org.flowkernels.spi.PotentialSpec;

/**
 * A potential energy V(q) of configurations stored as rows of a [batch, n] tensor; particle i
 * of a potential in {@code dim} dimensions occupies columns {@code i*dim .. i*dim + dim - 1}.
 * Each kind is a plain-data record; the kernels see it as a {@link PotentialSpec} (its kind
 * code and packed parameters), computed in native-kernels/include/potentials.h and by the CPU
 * backend's twin.
 *
 * <p>A potential of one's own needs no change here: {@link UserPotential} takes it as Java code
 * (CPU backend) and as a kernel snippet (OpenCL, CUDA).
 *
 * <p>Adding a built-in potential: one record here (kind code in spi.Contract, packed parameters, width
 * check), one function in potentials.h, and its CPU twin in {@code backend/cpu/CpuPotential}.
 */
public sealed interface Potential permits Potential.Harmonic, Potential.DiagonalHarmonic, Potential.Chain,
        Potential.CoulombGas, Potential.LennardJones, Potential.DoubleWell, UserPotential {

    /** Kind codes: spi.Contract's POT_*. */
    int HARMONIC = Contract.POT_HARMONIC, HARMONIC_DIAG = Contract.POT_HARMONIC_DIAG, CHAIN = Contract.POT_CHAIN,
            COULOMB = Contract.POT_COULOMB, LENNARD_JONES = Contract.POT_LENNARD_JONES, DOUBLE_WELL = Contract.POT_DOUBLE_WELL;

    /** The POT_* code. */
    int kind();

    /** The parameters in the order the kernels read them ({@link PotentialSpec} lists each kind's). */
    float[] parameters();

    /** The potential as the kernels see it. */
    default PotentialSpec spec() {
        return new PotentialSpec(kind(), parameters());
    }

    /** Throws IllegalArgumentException, naming {@code name}, unless a row of {@code coordinates}
     *  values is a configuration of this potential. */
    void checkCoordinates(int coordinates, String name);

    /** V of each row of q [batch, n]: a new [batch, 1] tensor. */
    default Tensor energy(Tensor q) {
        return Potentials.evaluate(this, q, false)[0];
    }

    /** dV/dq of each row of q [batch, n]: a new [batch, n] tensor. */
    default Tensor gradient(Tensor q) {
        Tensor[] eg = Potentials.evaluate(this, q, true);
        eg[0].close();
        return eg[1];
    }

    /** V into energy [batch, 1] and, when {@code gradient} is not null, dV/dq into it [batch, n]. */
    default void evaluate(Tensor q, Tensor energy, Tensor gradient) {
        Potentials.evaluate(this, q, energy, gradient);
    }

    /** How the ends of a {@link Chain} are held. */
    enum Ends {
        /** Walls at q_{-1} = q_n = 0: n + 1 bonds. */
        FIXED,
        /** q_n = q_0: n bonds. */
        PERIODIC
    }

    /** V = k/2 |q|^2, any width. */
    static Harmonic harmonic(double k) { return new Harmonic(k); }

    /** V = 1/2 sum_c k_c q_c^2; rows must have k.length columns. */
    static DiagonalHarmonic diagonalHarmonic(double... k) { return new DiagonalHarmonic(k); }

    /** The harmonic chain: bond energy k/2 r^2. */
    static Chain harmonicChain(double k, Ends ends) { return new Chain(k, 0, 0, ends); }

    /** The FPUT-alpha chain: bond energy r^2/2 + alpha/3 r^3. */
    static Chain fputAlpha(double alpha, Ends ends) { return new Chain(1, alpha, 0, ends); }

    /** The FPUT-beta chain: bond energy r^2/2 + beta/4 r^4 (workload W3: beta = 1, periodic). */
    static Chain fputBeta(double beta, Ends ends) { return new Chain(1, 0, beta, ends); }

    /** sum_{i<j} 1/|r_i - r_j| + sum_i |r_i|^2 in {@code dim} dimensions (workload W4: dim 2). */
    static CoulombGas coulombGas(int dim) { return new CoulombGas(dim, 1, 1); }

    /** A Lennard-Jones cluster in free space, epsilon = sigma = 1. */
    static LennardJones lennardJones(int dim) { return new LennardJones(dim, 1, 1); }

    /** sum_c h ((q_c/a)^2 - 1)^2: minima at +-a, barrier h per coordinate. */
    static DoubleWell doubleWell(double h, double a) { return new DoubleWell(h, a); }

    /** V = k/2 |q|^2. */
    record Harmonic(double k) implements Potential {
        public Harmonic {
            Check.finite(k, "k");
        }

        @Override public int kind() { return HARMONIC; }

        @Override public float[] parameters() { return new float[] {(float) k}; }

        @Override public void checkCoordinates(int coordinates, String name) { Potentials.checkWidth(coordinates, 1, 1, name, this); }
    }

    /** V = 1/2 sum_c k_c q_c^2 on rows of exactly k.length coordinates. */
    record DiagonalHarmonic(double[] k) implements Potential {
        public DiagonalHarmonic {
            Check.notNull(k, "k");
            if (k.length == 0) throw new IllegalArgumentException("k: expected at least one stiffness, got none");
            for (int c = 0; c < k.length; c++) Check.finite(k[c], "k[" + c + "]");
            k = k.clone();
        }

        @Override public double[] k() { return k.clone(); }

        @Override public int kind() { return HARMONIC_DIAG; }

        @Override public float[] parameters() {
            float[] p = new float[k.length];
            for (int c = 0; c < k.length; c++) p[c] = (float) k[c];
            return p;
        }

        @Override public void checkCoordinates(int coordinates, String name) {
            if (coordinates != k.length)
                throw new IllegalArgumentException(name + ": expected " + k.length + " columns (one per stiffness of "
                        + "the diagonal harmonic potential), got " + coordinates);
        }

        @Override public boolean equals(Object o) { return o instanceof DiagonalHarmonic d && Arrays.equals(k, d.k); }

        @Override public int hashCode() { return Arrays.hashCode(k); }

        @Override public String toString() { return "DiagonalHarmonic[k=" + Arrays.toString(k) + "]"; }
    }

    /**
     * A 1-D chain, one coordinate per particle, bond stretch r = q_{i+1} - q_i and bond energy
     * k/2 r^2 + alpha/3 r^3 + beta/4 r^4. Fixed ends need at least one particle, periodic two.
     */
    record Chain(double k, double alpha, double beta, Ends ends) implements Potential {
        public Chain {
            Check.finite(k, "k");
            Check.finite(alpha, "alpha");
            Check.finite(beta, "beta");
            Check.notNull(ends, "ends");
        }

        @Override public int kind() { return CHAIN; }

        @Override public float[] parameters() {
            return new float[] {(float) k, (float) alpha, (float) beta, ends == Ends.PERIODIC ? 1 : 0};
        }

        @Override public void checkCoordinates(int coordinates, String name) {
            Potentials.checkWidth(coordinates, 1, ends == Ends.PERIODIC ? 2 : 1, name, this);
        }
    }

    /** coupling sum_{i<j} 1/|r_i - r_j| + trap sum_i |r_i|^2, particles in dim = 1, 2 or 3. */
    record CoulombGas(int dim, double coupling, double trap) implements Potential {
        public CoulombGas {
            Potentials.checkDim(dim);
            Check.finite(coupling, "coupling");
            Check.finite(trap, "trap");
        }

        @Override public int kind() { return COULOMB; }

        @Override public float[] parameters() { return new float[] {dim, (float) coupling, (float) trap}; }

        @Override public void checkCoordinates(int coordinates, String name) { Potentials.checkWidth(coordinates, dim, 1, name, this); }
    }

    /** sum_{i<j} 4 epsilon ((sigma/r)^12 - (sigma/r)^6), particles in dim = 1, 2 or 3, no box. */
    record LennardJones(int dim, double epsilon, double sigma) implements Potential {
        public LennardJones {
            Potentials.checkDim(dim);
            Check.positiveFinite(epsilon, "epsilon");
            Check.positiveFinite(sigma, "sigma");
        }

        @Override public int kind() { return LENNARD_JONES; }

        @Override public float[] parameters() { return new float[] {dim, (float) epsilon, (float) sigma}; }

        @Override public void checkCoordinates(int coordinates, String name) { Potentials.checkWidth(coordinates, dim, 1, name, this); }
    }

    /** sum_c h ((q_c/a)^2 - 1)^2: the 1-D double well, or its product over the row's coordinates. */
    record DoubleWell(double h, double a) implements Potential {
        public DoubleWell {
            Check.finite(h, "h");
            Check.positiveFinite(a, "a");
        }

        @Override public int kind() { return DOUBLE_WELL; }

        @Override public float[] parameters() { return new float[] {(float) h, (float) a}; }

        @Override public void checkCoordinates(int coordinates, String name) { Potentials.checkWidth(coordinates, 1, 1, name, this); }
    }
}
