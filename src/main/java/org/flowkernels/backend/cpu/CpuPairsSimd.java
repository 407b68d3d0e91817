package org.flowkernels.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The pair potentials (Coulomb, Lennard-Jones) on a coordinate-major block with the Vector
 * API, for particles in 2 or 3 dimensions: particle i's position and gradient stay in
 * registers while j runs over the later particles, whose gradients take the opposite force
 * (Newton's third law). Only called when {@link Simd#ENABLED}; {@link CpuPotential}'s plain
 * loops are the fallback and compute the same formulas.
 */
final class CpuPairsSimd {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private CpuPairsSimd() {}

    /** Whether this path serves particles in `dim` dimensions in blocks of `lanes`. */
    static boolean fits(int dim, int lanes) {
        return (dim == 2 || dim == 3) && lanes % S.length() == 0;
    }

    /**
     * Adds the pair terms of every pair i < j to g (when not null) and e (when not null):
     * Coulomb c / r when {@code coulomb}, else Lennard-Jones 4 eps ((s/r)^12 - (s/r)^6) with
     * c = 4 eps and s2 = sigma^2.
     */
    static void pairs(float[] q, float[] g, float[] e, int np, int dim, int lanes, boolean coulomb, float c, float s2) {
        FloatVector zero = FloatVector.zero(S), cv = FloatVector.broadcast(S, c), s2v = FloatVector.broadcast(S, s2);
        FloatVector one = FloatVector.broadcast(S, 1), sixC = FloatVector.broadcast(S, 6 * c), two = FloatVector.broadcast(S, 2);
        boolean three = dim == 3;
        for (int s = 0; s < lanes; s += S.length()) {
            FloatVector energy = zero;
            for (int i = 0; i < np; i++) {
                int xi = i * dim * lanes + s, yi = xi + lanes, zi = yi + lanes;
                FloatVector qx = FloatVector.fromArray(S, q, xi), qy = FloatVector.fromArray(S, q, yi);
                FloatVector qz = three ? FloatVector.fromArray(S, q, zi) : zero;
                FloatVector gx = zero, gy = zero, gz = zero;
                for (int j = i + 1; j < np; j++) {
                    int xj = j * dim * lanes + s, yj = xj + lanes, zj = yj + lanes;
                    FloatVector dx = qx.sub(FloatVector.fromArray(S, q, xj)), dy = qy.sub(FloatVector.fromArray(S, q, yj));
                    FloatVector dz = three ? qz.sub(FloatVector.fromArray(S, q, zj)) : zero;
                    FloatVector r2 = dx.mul(dx).add(dy.mul(dy)).add(dz.mul(dz));
                    FloatVector w; // -(dV/dr)/r
                    if (coulomb) {
                        FloatVector inv = one.div(r2.sqrt()), en = cv.mul(inv);
                        energy = energy.add(en);
                        w = en.mul(inv).mul(inv);
                    } else {
                        FloatVector t = s2v.div(r2), t6 = t.mul(t).mul(t);
                        energy = energy.add(cv.mul(t6.mul(t6).sub(t6)));
                        w = sixC.mul(two.mul(t6).mul(t6).sub(t6)).div(r2);
                    }
                    if (g == null) continue;
                    FloatVector fx = w.mul(dx), fy = w.mul(dy);
                    gx = gx.sub(fx);
                    gy = gy.sub(fy);
                    fx.add(FloatVector.fromArray(S, g, xj)).intoArray(g, xj);
                    fy.add(FloatVector.fromArray(S, g, yj)).intoArray(g, yj);
                    if (three) {
                        FloatVector fz = w.mul(dz);
                        gz = gz.sub(fz);
                        fz.add(FloatVector.fromArray(S, g, zj)).intoArray(g, zj);
                    }
                }
                if (g == null) continue;
                gx.add(FloatVector.fromArray(S, g, xi)).intoArray(g, xi);
                gy.add(FloatVector.fromArray(S, g, yi)).intoArray(g, yi);
                if (three) gz.add(FloatVector.fromArray(S, g, zi)).intoArray(g, zi);
            }
            if (e != null) energy.add(FloatVector.fromArray(S, e, s)).intoArray(e, s);
        }
    }
}
