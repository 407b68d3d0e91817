package org.flowkernels.bench.peak;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** The FMA chains with the Vector API: one lane per item, the 8 chains in 8 registers.
 *  Loaded only when {@link org.flowkernels.backend.cpu.Simd#ENABLED}. */
final class VectorFmaPeak {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private VectorFmaPeak() {}

    static int lanes() { return S.length(); }

    static void run(float[] out, int from, int to, int iters, float a, float b) {
        int L = S.length();
        float[] lane = new float[L];
        FloatVector va = FloatVector.broadcast(S, a), vb = FloatVector.broadcast(S, b);
        int i0 = from;
        for (; i0 + L <= to; i0 += L) {
            FloatVector x0 = start(i0, 0, lane), x1 = start(i0, 1, lane), x2 = start(i0, 2, lane), x3 = start(i0, 3, lane);
            FloatVector x4 = start(i0, 4, lane), x5 = start(i0, 5, lane), x6 = start(i0, 6, lane), x7 = start(i0, 7, lane);
            for (int t = 0; t < iters; t++) {
                x0 = x0.fma(va, vb); x1 = x1.fma(va, vb); x2 = x2.fma(va, vb); x3 = x3.fma(va, vb);
                x4 = x4.fma(va, vb); x5 = x5.fma(va, vb); x6 = x6.fma(va, vb); x7 = x7.fma(va, vb);
            }
            x0.add(x1).add(x2.add(x3)).add(x4.add(x5).add(x6.add(x7))).intoArray(out, i0);
        }
        if (i0 < to) CpuFmaPeak.plain(out, i0, to, iters, a, b);
    }

    private static FloatVector start(int i0, int k, float[] lane) {
        for (int j = 0; j < lane.length; j++) lane[j] = FmaPeak.start(i0 + j, k);
        return FloatVector.fromArray(S, lane, 0);
    }
}
