package org.flowkernels.backend.cpu;

/**
 * The loops over a block of {@link #B} samples (stored feature-major, {@code a[k * B + s]})
 * that the CPU kernels are made of, in two implementations chosen once per JVM:
 * {@link VectorBlocks} (Vector API lanes; loaded only when the incubator module is present and
 * the machine's vectors are 256 or 512 bits wide) and {@link ScalarBlocks} (plain Java loops,
 * everywhere else). The kernels call {@link #CHOSEN}; the tests build both and compare them.
 * Every method computes the same formulas in the same float32 order as the other
 * implementation, up to FMA rounding.
 */
interface BlockOps {
    /** Samples per block: 32 floats fill two 512-bit vectors per feature. */
    int B = 32;

    /** The implementation this JVM runs. */
    BlockOps CHOSEN = Simd.ENABLED && VectorBlocks.fits() ? new VectorBlocks() : new ScalarBlocks();

    /** Which implementation runs, in words (DeviceInfo details, results' paths). */
    String description();

    // ------------------------------------------------------------------ MLP

    /** z = act(W a + b): W [out, in] at p[wOff], b at p[bOff], a [in][B] and z [out][B]; act an ACT_* code. */
    void layer(float[] p, int wOff, int bOff, int in, int out, float[] a, float[] z, int act);

    /** z[0..n) = act(z[0..n)), n a multiple of B. */
    void activate(float[] z, int n, int act);

    // ------------------------------------------------------------------ coupling flows

    /**
     * The affine coupling update: for each j, x = state row trans[j], s = o row j, t = o row
     * dt + j: forward x = x exp(s) + t, inverse x = (x − t) exp(−s); acc += sign · s.
     */
    void affine(float[] state, float[] o, float[] acc, int[] trans, boolean inverse, float sign);

    // ------------------------------------------------------------------ training

    /**
     * A layer's weight gradient over the rows of a group of blocks, overwriting W [out, in] at
     * w[wOff]: dW[o][i] = Σ_r dy[o, r] a[r, i], the rows r = b·B + s summed in order. Block b's
     * cotangent dy[b] is feature-major [out][B], the layer's inputs aT sample-major
     * [blocks · B][in], so that the sum runs along rows of both.
     */
    void weightGradient(float[][] dy, float[] aT, int blocks, int in, int out, float[] w, int wOff);

    /**
     * The affine coupling's backward on a block, for each j: with s = o row j, t = o row dt + j,
     * v = before row j (the column as the layer read it), g = the state cotangent row trans[j]
     * and dLogDet [B]: forward g ← g e^s, dy_t = g, dy_s = g e^s v + dLogDet; inverse
     * g ← g e^−s, dy_t = −g e^−s, dy_s = −g e^−s (v − t) − dLogDet. dy row j gets dy_s, row dt + j dy_t.
     */
    void affineBackward(float[] g, float[] o, float[] before, float[] dLogDet, int[] trans, boolean inverse, float[] dy);

    // ------------------------------------------------------------------ Hamiltonian RK4

    /**
     * An RK4 stage on a block [n][B]: with the slopes kq = invMass_c pStage, kp = −g,
     * (qa, pa) = first ? (kq, kp) : (qa, pa) + 2 (kq, kp) and (qs, ps) = (q, p) + a (kq, kp).
     * pStage may be ps.
     */
    void rk4Stage(float[] q, float[] p, float[] g, float[] invMass, float[] pStage, float[] qa, float[] pa, float[] qs,
                  float[] ps, float a, boolean first, int n);

    /** The end of an RK4 step: q += sixth (qa + invMass ps), p += sixth (pa − g). */
    void rk4Finish(float[] q, float[] p, float[] g, float[] invMass, float[] qa, float[] pa, float[] ps, float sixth, int n);

    /** p −= kick g, then q += drift invMass_c p, on a block [n][B]. */
    void kickDrift(float[] q, float[] p, float[] g, float[] invMass, float kick, float drift, int n);

    // ------------------------------------------------------------------ potentials

    /**
     * The chain's gradient g = dV/dq on a block [n][B] (bond force k r + a r² + b r³). With p
     * not null, first p −= kick g and q += drift invMass p, so g ends up the gradient at the
     * drifted q: the inside of a splitting step.
     */
    void chain(float[] q, float[] p, float[] g, float[] invMass, float kick, float drift, int n, float k, float a, float b,
               boolean periodic);

    /**
     * Pair potentials of particles in {@code dim} dimensions: e[s] = V and (g not null)
     * g = dV/dq, for c Σ_{i<j} 1/r_ij + trap Σ_i |r_i|² when {@code coulomb}, else the
     * Lennard-Jones Σ_{i<j} c ((s2/r²)⁶ − (s2/r²)³) (c = 4ε, s2 = σ²). scratch holds at
     * least max(dim · particles, dim + 2) · B floats.
     */
    void pairs(float[] q, float[] g, float[] e, int dim, int particles, boolean coulomb, float c, float s2, float trap,
               float[] scratch);

    // ------------------------------------------------------------------ Langevin

    /** out[c * B + s] = standard normal coordinate c of (seed, chain0 + s, step, stream), c < n (Philox layout). */
    void normals(long seed, int chain0, int step, int stream, int n, float[] out);

    /** y = x + half ⊙ dx + root ⊙ xi (half, root per chain); finite[s] = 0 when chain s's y is finite, NaN otherwise. */
    void propose(float[] x, float[] dx, float[] xi, float[] half, float[] root, float[] y, int n, float[] finite);

    /** MALA's sums: s1[s] = Σ_c ξ², s2[s] = Σ_c (ξ + (root/2)(dx + dy))². */
    void proposalSums(float[] xi, float[] dx, float[] dy, float[] root, int n, float[] s1, float[] s2);

    /** One Welford update of a block row of all B lanes: d = v − mean, mean += d / k, m2 += d (v − mean). */
    void welford(float[] v, int vo, float[] mean, float[] m2, int mo, float invK);
}
