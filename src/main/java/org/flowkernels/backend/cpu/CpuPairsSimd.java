package org.flowkernels.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The pair potentials (Coulomb gas in a trap, Lennard-Jones) on a coordinate-major block
 * with the Vector API, particles in 1 to 3 dimensions: particle i's position and gradient stay
 * in registers across its pairs with every j < i, whose gradient rows (already written) take
 * the opposite force. Only called by {@link VectorBlocks}; {@link ScalarBlocks}' plain
 * loops are the fallback and compute the same formulas.
 *
 * <p>Floor (Coulomb, W4: 32 particles in 2-D): per pair and 16 configurations one sqrt and one
 * divide (about 16 cycles of Zen 4's divider for 512-bit lanes) and about 14 other vector
 * operations, so about 1 cycle per configuration-pair, 0.2 µs per W4 configuration; measured
 * 0.35 ns (0.9 cycles at 2.6 GHz) per configuration-pair, 0.17 µs per configuration.
 */
final class CpuPairsSimd {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private CpuPairsSimd() {}

    /**
     * e[s] = V and (when g is not null) g = dV/dq for every configuration s of the block, for
     * c sum_{i<j} 1/r_ij + trap sum_i |r_i|^2 when {@code coulomb}, else the Lennard-Jones
     * sum_{i<j} c ((s2/r^2)^6 - (s2/r^2)^3) (c = 4 epsilon, s2 = sigma^2; trap unused).
     */
    static void evaluate(float[] q, float[] g, float[] e, int dim, int particles, int lanes, boolean coulomb, float c, float s2,
                         float trap) {
        if (coulomb) pairs(q, g, e, dim, particles, lanes, true, c, 0, trap);
        else pairs(q, g, e, dim, particles, lanes, false, c, s2, 0);
    }

    private static void pairs(float[] q, float[] g, float[] e, int dim, int particles, int lanes, boolean coulomb, float c,
                              float s2, float trap) {
        FloatVector one = FloatVector.broadcast(S, 1), cv = FloatVector.broadcast(S, c), s2v = FloatVector.broadcast(S, s2);
        FloatVector sixC = FloatVector.broadcast(S, 6 * c), two = FloatVector.broadcast(S, 2);
        for (int h = 0; h < lanes; h += S.length()) {
            FloatVector energy = FloatVector.zero(S);
            for (int i = 0; i < particles; i++) {
                int oi = i * dim * lanes + h;
                FloatVector xi = FloatVector.fromArray(S, q, oi), yi = dim > 1 ? FloatVector.fromArray(S, q, oi + lanes) : xi,
                        zi = dim > 2 ? FloatVector.fromArray(S, q, oi + 2 * lanes) : xi;
                // the trap's 2 trap r_i (zero for Lennard-Jones) starts the gradient
                FloatVector gx = xi.mul(2 * trap), gy = yi.mul(2 * trap), gz = zi.mul(2 * trap);
                energy = xi.mul(trap).fma(xi, energy);
                if (dim > 1) energy = yi.mul(trap).fma(yi, energy);
                if (dim > 2) energy = zi.mul(trap).fma(zi, energy);
                for (int j = 0; j < i; j++) {
                    int oj = j * dim * lanes + h;
                    FloatVector dx = xi.sub(FloatVector.fromArray(S, q, oj)), r2 = dx.mul(dx), dy = dx, dz = dx;
                    if (dim > 1) {
                        dy = yi.sub(FloatVector.fromArray(S, q, oj + lanes));
                        r2 = dy.fma(dy, r2);
                    }
                    if (dim > 2) {
                        dz = zi.sub(FloatVector.fromArray(S, q, oj + 2 * lanes));
                        r2 = dz.fma(dz, r2);
                    }
                    FloatVector w; // -(dV/dr)/r
                    if (coulomb) {
                        FloatVector inv = one.div(r2.sqrt()), en = inv.mul(cv);
                        energy = energy.add(en);
                        w = en.mul(inv).mul(inv);
                    } else {
                        FloatVector t = s2v.div(r2), t6 = t.mul(t).mul(t);
                        energy = t6.fma(t6, t6.neg()).fma(cv, energy);
                        w = two.mul(t6).mul(t6).sub(t6).mul(sixC).div(r2);
                    }
                    FloatVector f = w.mul(dx);
                    gx = gx.sub(f);
                    FloatVector.fromArray(S, g, oj).add(f).intoArray(g, oj);
                    if (dim > 1) {
                        f = w.mul(dy);
                        gy = gy.sub(f);
                        FloatVector.fromArray(S, g, oj + lanes).add(f).intoArray(g, oj + lanes);
                    }
                    if (dim > 2) {
                        f = w.mul(dz);
                        gz = gz.sub(f);
                        FloatVector.fromArray(S, g, oj + 2 * lanes).add(f).intoArray(g, oj + 2 * lanes);
                    }
                }
                gx.intoArray(g, oi);
                if (dim > 1) gy.intoArray(g, oi + lanes);
                if (dim > 2) gz.intoArray(g, oi + 2 * lanes);
            }
            if (e != null) energy.intoArray(e, h);
        }
    }
}
