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
 * </pre>
 * A configuration is one row of n coordinates; particle i of a potential in {@code dim}
 * dimensions occupies columns i·dim .. i·dim + dim − 1.
 */
public record PotentialSpec(int kind, float[] parameters) {
    public PotentialSpec {
        parameters = parameters.clone();
    }

    @Override public float[] parameters() { return parameters.clone(); }

    public float parameter(int i) { return parameters[i]; }

    /** The space dimension of a pair potential's particles, 0 for the others. */
    public int particleDim() {
        return kind == Contract.POT_COULOMB || kind == Contract.POT_LENNARD_JONES ? (int) parameters[0] : 0;
    }

    /** Work of one gradient of a row of n coordinates, in coordinate updates (a pair counts once per coordinate). */
    public long cost(int n) {
        int dim = particleDim();
        if (dim == 0) return n;
        long particles = n / dim;
        return n + particles * (particles - 1) / 2 * dim;
    }
}
