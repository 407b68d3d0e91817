package org.flowkernels.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * exp, log, tanh and the sine and cosine of 2πu on float lanes, built from adds, multiplies,
 * FMAs, one division and bit operations only: IEEE operations that give the same bits
 * whether the JIT has compiled the loop or not. The Vector API's own transcendental lanes
 * (VectorOperators.EXP, LOG, TANH, ...) are SVML intrinsics once compiled but scalar Math
 * calls before, and the two differ in the last bit, so a run's result depended on JIT
 * timing and the same seed did not reproduce the same chains. Accuracy: within 3 ulp of the
 * correctly rounded float (VectorMathTest measures it), like OpenCL's full-profile builtins.
 * Loaded only by {@link VectorBlocks}.
 */
final class VectorMath {
    private VectorMath() {}

    /** Adding and subtracting 1.5·2^23 rounds a float of magnitude below 2^22 to an integer. */
    private static final float ROUNDER = 12582912f;
    private static final int ROUNDER_BITS = Float.floatToRawIntBits(ROUNDER);
    private static final float LOG2E = 1.44269504f;
    /** ln 2 split so that k·LN2_HI is exact for |k| < 2^14 (Cody and Waite). */
    private static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;

    /** e^x, x clamped to [−87.3, 88.3] so that the result stays a normal float. */
    static FloatVector exp(FloatVector x) {
        x = x.max(-87.3f).min(88.3f);
        FloatVector t = x.mul(LOG2E).add(ROUNDER), k = t.sub(ROUNDER); // k = round(x log2 e)
        FloatVector r = k.fma(k.broadcast(-LN2_HI), x).add(k.mul(-LN2_LO)); // |r| <= ln2/2
        // e^r by its Taylor series to r^7 (remainder < 2.2e-8 relative at |r| = ln2/2)
        FloatVector p = r.fma(1f / 5040, 1f / 720).fma(r, r.broadcast(1f / 120)).fma(r, r.broadcast(1f / 24))
                .fma(r, r.broadcast(1f / 6)).fma(r, r.broadcast(0.5f)).fma(r, r.broadcast(1f)).fma(r, r.broadcast(1f));
        // t's low mantissa bits hold k (t = 1.5·2^23 + k): 2^k's bits are (k + 127) << 23
        IntVector e = ((IntVector) t.reinterpretAsInts()).sub(ROUNDER_BITS - 127).lanewise(VectorOperators.LSHL, 23);
        return p.mul((FloatVector) e.reinterpretAsFloats());
    }

    /** ln x for positive normal x: x = m 2^e with m in [√½, √2), ln m = 2 atanh((m − 1)/(m + 1)). */
    static FloatVector log(FloatVector x) {
        IntVector bits = (IntVector) x.reinterpretAsInts();
        FloatVector m = (FloatVector) bits.and(0x007fffff).or(0x3f800000).reinterpretAsFloats(); // [1, 2)
        // the exponent as a float without a conversion op: ROUNDER's bits + e read back as a float
        FloatVector e = ((FloatVector) bits.lanewise(VectorOperators.LSHR, 23).add(ROUNDER_BITS - 127).reinterpretAsFloats())
                .sub(ROUNDER);
        VectorMask<Float> high = m.compare(VectorOperators.GT, 1.41421356f);
        m = m.blend(m.mul(0.5f), high);
        e = e.blend(e.add(1f), high);
        FloatVector s = m.sub(1f).div(m.add(1f)), s2 = s.mul(s); // |s| <= 0.1716
        // 2 atanh s = 2 s (1 + s²/3 + s⁴/5 + s⁶/7 + s⁸/9); the next term is below 1e-9 relative
        FloatVector p = s2.fma(2f / 9, 2f / 7).fma(s2, s2.broadcast(2f / 5)).fma(s2, s2.broadcast(2f / 3)).fma(s2, s2.broadcast(2f));
        return s.mul(p).add(e.mul(LN2_LO)).add(e.mul(LN2_HI));
    }

    /** cos 2πu. */
    static FloatVector cos2pi(FloatVector u) {
        return sinCos2pi(u, 0);
    }

    /** sin 2πu. */
    static FloatVector sin2pi(FloatVector u) {
        return sinCos2pi(u, 3);
    }

    /**
     * cos 2π(u − shift/4): the quarter turns are taken out exactly on u (4u − round(4u) is
     * exact), so only |x| ≤ π/4 reaches the polynomials; sin 2πu is cos 2π(u − 1/4), the
     * shift of 3 quarter turns ≡ −1.
     */
    private static FloatVector sinCos2pi(FloatVector u, int shift) {
        FloatVector u4 = u.mul(4f), t = u4.add(ROUNDER), q = t.sub(ROUNDER);
        FloatVector x = u4.sub(q).mul((float) (Math.PI / 2)), x2 = x.mul(x);
        // Taylor to x^9 and x^10: remainders below 2e-9 at |x| = π/4
        FloatVector sin = x2.fma(1f / 362880, -1f / 5040).fma(x2, x2.broadcast(1f / 120)).fma(x2, x2.broadcast(-1f / 6)).fma(x2, x2.broadcast(1f)).mul(x);
        FloatVector cos = x2.fma(-1f / 3628800, 1f / 40320).fma(x2, x2.broadcast(-1f / 720)).fma(x2, x2.broadcast(1f / 24)).fma(x2, x2.broadcast(-0.5f)).fma(x2, x2.broadcast(1f));
        IntVector quarter = ((IntVector) t.reinterpretAsInts()).add(shift - ROUNDER_BITS).and(3);
        // cos(x + quarter·π/2) = cos x, −sin x, −cos x, sin x for quarter = 0, 1, 2, 3
        VectorMask<Float> odd = quarter.and(1).compare(VectorOperators.NE, 0).cast(u.species());
        VectorMask<Float> negative = quarter.add(1).and(2).compare(VectorOperators.NE, 0).cast(u.species());
        FloatVector v = cos.blend(sin, odd);
        return v.blend(v.neg(), negative);
    }

    /** tanh x = em/(em + 2) with em = e^{2|x|} − 1, taken from its series where 2|x| < ln2/2
     *  (where e^y − 1 would cancel), and the sign of x. */
    static FloatVector tanh(FloatVector x) {
        FloatVector y = x.abs().mul(2f).min(40f);
        FloatVector series = y.fma(1f / 40320, 1f / 5040).fma(y, y.broadcast(1f / 720)).fma(y, y.broadcast(1f / 120)).fma(y, y.broadcast(1f / 24))
                .fma(y, y.broadcast(1f / 6)).fma(y, y.broadcast(0.5f)).fma(y, y.broadcast(1f)).mul(y);
        FloatVector em = series.blend(exp(y).sub(1f), y.compare(VectorOperators.GE, 0.34657359f));
        FloatVector t = em.div(em.add(2f));
        return t.blend(t.neg(), x.compare(VectorOperators.LT, 0f));
    }
}
