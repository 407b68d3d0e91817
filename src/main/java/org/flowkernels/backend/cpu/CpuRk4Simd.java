package org.flowkernels.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The RK4 stage updates of {@link CpuHamiltonianKernels} on a coordinate-major block with the
 * Vector API: the same formulas as its plain loops (the fallback, rk4Stage and rk4Finish),
 * which C2 does not vectorize reliably. Only called when {@link Simd#ENABLED}.
 */
final class CpuRk4Simd {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private CpuRk4Simd() {}

    /** Whether rows of `lanes` floats split into whole vectors. */
    static boolean fits(int lanes) {
        return lanes % S.length() == 0;
    }

    /** Slopes kq = invMass_c pStage, kp = -g; (qa, pa) = first ? (kq, kp) : (qa, pa) + 2 (kq, kp);
     *  (qs, ps) = (q, p) + a (kq, kp), on a block [n][lanes]. pStage may be ps. */
    static void stage(float[] q, float[] p, float[] g, float[] invMass, float[] pStage, float[] qa, float[] pa, float[] qs,
                      float[] ps, float a, boolean first, int n, int lanes) {
        FloatVector av = FloatVector.broadcast(S, a), two = FloatVector.broadcast(S, 2);
        for (int c = 0; c < n; c++) {
            FloatVector m = FloatVector.broadcast(S, invMass[c]);
            for (int i = c * lanes; i < (c + 1) * lanes; i += S.length()) {
                FloatVector kq = m.mul(FloatVector.fromArray(S, pStage, i));
                FloatVector kp = FloatVector.fromArray(S, g, i).neg();
                if (first) {
                    kq.intoArray(qa, i);
                    kp.intoArray(pa, i);
                } else {
                    kq.fma(two, FloatVector.fromArray(S, qa, i)).intoArray(qa, i);
                    kp.fma(two, FloatVector.fromArray(S, pa, i)).intoArray(pa, i);
                }
                kq.fma(av, FloatVector.fromArray(S, q, i)).intoArray(qs, i);
                kp.fma(av, FloatVector.fromArray(S, p, i)).intoArray(ps, i);
            }
        }
    }

    /** The step's end: q += sixth (qa + invMass_c ps), p += sixth (pa - g), on a block [n][lanes]. */
    static void finish(float[] q, float[] p, float[] g, float[] invMass, float[] qa, float[] pa, float[] ps, float sixth, int n,
                       int lanes) {
        FloatVector h = FloatVector.broadcast(S, sixth);
        for (int c = 0; c < n; c++) {
            FloatVector m = FloatVector.broadcast(S, invMass[c]);
            for (int i = c * lanes; i < (c + 1) * lanes; i += S.length()) {
                FloatVector dq = m.fma(FloatVector.fromArray(S, ps, i), FloatVector.fromArray(S, qa, i));
                dq.fma(h, FloatVector.fromArray(S, q, i)).intoArray(q, i);
                FloatVector dp = FloatVector.fromArray(S, pa, i).sub(FloatVector.fromArray(S, g, i));
                dp.fma(h, FloatVector.fromArray(S, p, i)).intoArray(p, i);
            }
        }
    }
}
