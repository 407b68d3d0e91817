package org.flowkernels.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link BlockOps} in Vector API lanes, for machines with 256- or 512-bit vectors (a block of
 * B = 32 floats is then two or four vectors). Loaded only when the incubator module is present
 * ({@link Simd#ENABLED}). The register-blocked GEMM is {@link VectorMlp}, the transcendental
 * lanes {@link VectorMath} (IEEE operations only: the same bits in every JIT tier), the chain
 * and pair potentials {@link CpuChainSimd} and {@link CpuPairsSimd}, the Langevin noise and
 * step loops {@link CpuLangevinVector}; the short ones are here. What gains nothing from lanes
 * (the kick and drift, which C2 vectorises itself) is inherited from {@link ScalarBlocks}.
 */
final class VectorBlocks extends ScalarBlocks {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** Whether this machine's vectors suit blocks of B floats (256 or 512 bits). */
    static boolean fits() {
        return VectorMlp.supports(B);
    }

    @Override
    public String description() { return "Vector API, " + S.vectorBitSize() + "-bit"; }

    @Override
    public void layer(float[] p, int wOff, int bOff, int in, int out, float[] a, float[] z, int act) {
        VectorMlp.layer(p, wOff, bOff, in, out, a, z, act);
    }

    @Override
    public void activate(float[] z, int n, int act) {
        VectorMlp.activate(z, n, act);
    }

    /** The point is exp: VectorMath.exp in lanes costs about a nanosecond per element, the scalar Math.exp loop tens. */
    @Override
    public void affine(float[] state, float[] o, float[] acc, int[] trans, boolean inverse, float sign) {
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

    @Override
    public void weightGradient(float[][] dy, float[] aT, int blocks, int in, int out, float[] w, int wOff) {
        VectorMlp.weightGradient(dy, aT, blocks, in, out, w, wOff);
    }

    /** exp in lanes, as in {@link #affine}. */
    @Override
    public void affineBackward(float[] g, float[] o, float[] before, float[] dLogDet, int[] trans, boolean inverse, float[] dy) {
        int dt = trans.length;
        for (int j = 0; j < dt; j++) {
            int x = trans[j] * B, ls = j * B, t = (dt + j) * B;
            for (int s = 0; s < B; s += S.length()) {
                FloatVector sv = FloatVector.fromArray(S, o, ls + s), gx = FloatVector.fromArray(S, g, x + s);
                FloatVector ge = gx.mul(VectorMath.exp(inverse ? sv.neg() : sv)), v = FloatVector.fromArray(S, before, ls + s);
                FloatVector ld = FloatVector.fromArray(S, dLogDet, s);
                ge.intoArray(g, x + s);
                if (inverse) {
                    ge.neg().intoArray(dy, t + s);
                    ge.mul(v.sub(FloatVector.fromArray(S, o, t + s))).neg().sub(ld).intoArray(dy, ls + s);
                } else {
                    gx.intoArray(dy, t + s);
                    ge.mul(v).add(ld).intoArray(dy, ls + s);
                }
            }
        }
    }

    /** C2 does not vectorise the RK4 stage loops reliably (five arrays read and written per element). */
    @Override
    public void rk4Stage(float[] q, float[] p, float[] g, float[] invMass, float[] pStage, float[] qa, float[] pa, float[] qs,
                         float[] ps, float a, boolean first, int n) {
        FloatVector av = FloatVector.broadcast(S, a), two = FloatVector.broadcast(S, 2);
        for (int c = 0; c < n; c++) {
            FloatVector m = FloatVector.broadcast(S, invMass[c]);
            for (int i = c * B; i < (c + 1) * B; i += S.length()) {
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

    @Override
    public void rk4Finish(float[] q, float[] p, float[] g, float[] invMass, float[] qa, float[] pa, float[] ps, float sixth, int n) {
        FloatVector h = FloatVector.broadcast(S, sixth);
        for (int c = 0; c < n; c++) {
            FloatVector m = FloatVector.broadcast(S, invMass[c]);
            for (int i = c * B; i < (c + 1) * B; i += S.length()) {
                FloatVector dq = m.fma(FloatVector.fromArray(S, ps, i), FloatVector.fromArray(S, qa, i));
                dq.fma(h, FloatVector.fromArray(S, q, i)).intoArray(q, i);
                FloatVector dp = FloatVector.fromArray(S, pa, i).sub(FloatVector.fromArray(S, g, i));
                dp.fma(h, FloatVector.fromArray(S, p, i)).intoArray(p, i);
            }
        }
    }

    /** One sweep that carries the previous particle's position and bond force in registers (two particles at least). */
    @Override
    public void chain(float[] q, float[] p, float[] g, float[] invMass, float kick, float drift, int n, float k, float a, float b,
                      boolean periodic) {
        if (n < 2) super.chain(q, p, g, invMass, kick, drift, n, k, a, b, periodic);
        else CpuChainSimd.sweep(q, p, g, invMass, kick, drift, n, B, k, a, b, periodic);
    }

    @Override
    public void pairs(float[] q, float[] g, float[] e, int dim, int particles, boolean coulomb, float c, float s2, float trap,
                      float[] scratch) {
        CpuPairsSimd.evaluate(q, g != null ? g : scratch, e, dim, particles, B, coulomb, c, s2, trap);
    }

    @Override
    public void normals(long seed, int chain0, int step, int stream, int n, float[] out) {
        CpuLangevinVector.normals(seed, chain0, step, stream, n, out);
    }

    @Override
    public void propose(float[] x, float[] dx, float[] xi, float[] half, float[] root, float[] y, int n, float[] finite) {
        CpuLangevinVector.propose(x, dx, xi, half, root, y, n, finite);
    }

    @Override
    public void proposalSums(float[] xi, float[] dx, float[] dy, float[] root, int n, float[] s1, float[] s2) {
        CpuLangevinVector.proposalSums(xi, dx, dy, root, n, s1, s2);
    }

    @Override
    public void welford(float[] v, int vo, float[] mean, float[] m2, int mo, float invK) {
        CpuLangevinVector.welford(v, vo, mean, m2, mo, invK);
    }
}
