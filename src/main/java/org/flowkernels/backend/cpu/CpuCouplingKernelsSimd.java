package org.flowkernels.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API version of {@link CpuCouplingKernels}' affine update, loaded only when
 * {@link MlpBlock#VECTORIZED}. The point is exp: {@link VectorMath#exp} in lanes costs
 * about a nanosecond per element where the scalar Math.exp loop costs tens of ns.
 */
final class CpuCouplingKernelsSimd {
    private CpuCouplingKernelsSimd() {}

    private static final VectorSpecies<Float> S = VectorMlp.S;

    /**
     * On a feature-major block: for each j, x = state row trans[j], s = o row j, t = o row
     * dt + j: forward x = x exp(s) + t, inverse x = (x − t) exp(−s); acc += sign · s.
     */
    static void affine(float[] state, float[] o, float[] acc, int[] trans, boolean inverse, float sign) {
        final int B = MlpBlock.B;
        int dt = trans.length;
        for (int j = 0; j < dt; j++) {
            int x = trans[j] * B, ls = j * B, t = (dt + j) * B;
            for (int s = 0; s < B; s += S.length()) {
                FloatVector sv = FloatVector.fromArray(S, o, ls + s), tv = FloatVector.fromArray(S, o, t + s);
                FloatVector xv = FloatVector.fromArray(S, state, x + s);
                xv = inverse ? xv.sub(tv).mul(VectorMath.exp(sv.neg())) : xv.fma(VectorMath.exp(sv), tv);
                xv.intoArray(state, x + s);
                FloatVector.fromArray(S, acc, s).add(sv.mul(sign)).intoArray(acc, s);
            }
        }
    }
}
