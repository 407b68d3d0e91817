package org.flowkernels.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The chain potential's gradient on a coordinate-major block with the Vector API, in one
 * sweep over the particles that carries the previous particle's position and bond force in
 * registers; optionally fused with the kick and drift of a splitting step, so that a whole
 * leapfrog step reads and writes each of q, p, g once. Only called by {@link VectorBlocks}
 * (this class is not loaded otherwise); {@link ScalarBlocks#chain}'s plain loops are the fallback
 * and compute the same formulas.
 */
final class CpuChainSimd {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private CpuChainSimd() {}

    /**
     * g = dV/dq of the chain on the block q [n][lanes], n >= 2; with p not null, first (row by
     * row, just ahead of the sweep) p -= kick g_old and q += drift invMass p, so g ends up the
     * gradient at the drifted q. Each row's new q is kept in a register, never stored and
     * reloaded (a 512-bit load of a just-stored row misses store forwarding on some CPUs).
     */
    static void sweep(float[] q, float[] p, float[] g, float[] invMass, float kick, float drift, int n, int lanes, float k,
                      float a, float b, boolean periodic) {
        FloatVector kv = FloatVector.broadcast(S, k), av = FloatVector.broadcast(S, a), bv = FloatVector.broadcast(S, b);
        FloatVector minusKick = FloatVector.broadcast(S, -kick);
        FloatVector wrap = FloatVector.broadcast(S, periodic ? 1 : 0); // particle 0's left neighbour: last or wall
        VectorMask<Float> fixed = S.maskAll(!periodic);
        boolean moving = p != null;
        int last = (n - 1) * lanes;
        for (int s = 0; s < lanes; s += S.length()) {
            // the last particle moves first: in a periodic chain it is particle 0's left neighbour
            FloatVector qLast = row(moving, q, p, g, last + s, minusKick, drift * (moving ? invMass[n - 1] : 0));
            FloatVector q0 = row(moving, q, p, g, s, minusKick, drift * (moving ? invMass[0] : 0));
            FloatVector fFirst = force(q0.sub(qLast.mul(wrap)), kv, av, bv);
            FloatVector qPrev = q0, fPrev = fFirst;
            for (int c = 1; c < n - 1; c++) {
                int o = c * lanes + s;
                FloatVector qc = row(moving, q, p, g, o, minusKick, drift * (moving ? invMass[c] : 0));
                FloatVector f = force(qc.sub(qPrev), kv, av, bv);
                fPrev.sub(f).intoArray(g, o - lanes);
                fPrev = f;
                qPrev = qc;
            }
            FloatVector fLast = force(qLast.sub(qPrev), kv, av, bv);
            fPrev.sub(fLast).intoArray(g, last - lanes + s);
            // the bond right of the last particle: the bond left of particle 0, or to the wall
            FloatVector fEnd = fFirst.blend(force(qLast.neg(), kv, av, bv), fixed);
            fLast.sub(fEnd).intoArray(g, last + s);
        }
    }

    /** Row o of q: moved first (p -= kick g, q += dm p) when moving. */
    private static FloatVector row(boolean moving, float[] q, float[] p, float[] g, int o, FloatVector minusKick, float dm) {
        FloatVector qv = FloatVector.fromArray(S, q, o);
        if (!moving) return qv;
        FloatVector pv = FloatVector.fromArray(S, g, o).fma(minusKick, FloatVector.fromArray(S, p, o));
        pv.intoArray(p, o);
        qv = pv.fma(FloatVector.broadcast(S, dm), qv);
        qv.intoArray(q, o);
        return qv;
    }

    /** Bond force k r + a r^2 + b r^3. */
    private static FloatVector force(FloatVector r, FloatVector k, FloatVector a, FloatVector b) {
        return r.fma(b, a).fma(r, k).mul(r);
    }
}
