package org.flowkernels.spi;

/**
 * A potential V(q) as the kernels see it: its kind ({@code Contract.POT_*}) and its packed
 * parameters, in the order include/potentials.h reads them:
 * <pre>
 * POT_HARMONIC       {k}                       V = k/2 Σ_c q_c²
 * POT_HARMONIC_DIAG  {k_0 .. k_{n-1}}          V = ½ Σ_c k_c q_c²
 * POT_CHAIN          {k, α, β, periodic}       V = Σ_bonds k/2 r² + α/3 r³ + β/4 r⁴
 * POT_COULOMB        {dim, coupling, trap}     V = coupling Σ_{i<j} 1/r_ij + trap Σ_i |r_i|²
 * POT_LENNARD_JONES  {dim, ε, σ}               V = Σ_{i<j} 4ε ((σ/r)¹² − (σ/r)⁶)
 * POT_DOUBLE_WELL    {h, a}                    V = h Σ_c ((q_c/a)² − 1)²
 * POT_USER           the user's parameters         V as {@link User} says
 * </pre>
 * A configuration is one row of n coordinates; particle i of a potential in {@code dim}
 * dimensions occupies columns i·dim .. i·dim + dim − 1.
 */
public record PotentialSpec(int kind, float[] parameters, User user) {
    public PotentialSpec {
        parameters = parameters.clone();
        if ((kind == Contract.POT_USER) != (user != null))
            throw new IllegalArgumentException("user: expected the user's code exactly for kind POT_USER, got kind " + kind
                    + (user == null ? " without" : " with") + " user code");
    }

    /** A built-in potential. */
    public PotentialSpec(int kind, float[] parameters) {
        this(kind, parameters, null);
    }

    /**
     * A user-defined potential (POT_USER): its device snippet (null: none, so it runs on the
     * CPU backend only), its Java block function (null: none, so it runs on OpenCL and CUDA
     * only), and for a pair potential the space dimension of its particles.
     *
     * @param name          what messages call it
     * @param snippet       the bodies energy and gradient, or pair_energy and pair_force (and
     *                      optionally one_body and one_body_gradient) of a pair potential
     * @param java          V and ∇V of a block of configurations, for the CPU backend
     * @param particleDim   the dimension of a pair potential's particles (1 to 3), 0 for a
     *                      function of the whole configuration
     * @param boundsChecked build the snippet with index checks on X(i) and G(i): the first
     *                      violation stops the call with its line (a debug mode; slower)
     */
    public record User(String name, Snippet snippet, Block java, int particleDim, boolean boundsChecked) {
        public User {
            if (name == null || name.isBlank()) throw new IllegalArgumentException("name: expected a name, got '" + name + "'");
            if (snippet == null && java == null)
                throw new IllegalArgumentException(name + ": expected a kernel snippet, a Java function or both, got neither");
            if (particleDim < 0 || particleDim > 3)
                throw new IllegalArgumentException(name + ": particleDim: expected 0 (whole configuration) or 1 to 3, got " + particleDim);
        }

        /** A pair potential (pair_energy, pair_force), rather than a function of the whole configuration. */
        public boolean pairs() { return particleDim > 0; }
    }

    /**
     * V and ∇V of a block of m configurations of n coordinates, stored coordinate-major: x[c * m + s]
     * is coordinate c of configuration s. Writes energy[s] = V(x_s) and gradient[c * m + s] = ∂V/∂x_c;
     * p holds the parameters in declaration order. Lanes past the end of a batch hold padding whose
     * results are ignored.
     */
    @FunctionalInterface
    public interface Block {
        void evaluate(int n, int m, float[] x, float[] p, float[] energy, float[] gradient);
    }

    @Override public float[] parameters() { return parameters.clone(); }

    public float parameter(int i) { return parameters[i]; }

    /** The space dimension of a pair potential's particles, 0 for the others. */
    public int particleDim() {
        if (user != null) return user.particleDim();
        return kind == Contract.POT_COULOMB || kind == Contract.POT_LENNARD_JONES ? (int) parameters[0] : 0;
    }

    /** The user's potential's name, or "kind K" for a built-in one (for messages). */
    public String describe() {
        return user != null ? "user potential '" + user.name() + "'" : "potential kind " + kind;
    }

    /** Work of one gradient of a row of n coordinates, in coordinate updates (a pair counts once per coordinate). */
    public long cost(int n) {
        int dim = particleDim();
        if (dim == 0) return n;
        long particles = n / dim;
        return n + particles * (particles - 1) / 2 * dim;
    }
}
