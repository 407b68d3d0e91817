package org.flowkernels.backend.cpu;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import org.flowkernels.nn.Activation;
import org.flowkernels.nn.Mlp;
import org.flowkernels.physics.Potential;
import org.flowkernels.physics.Potential.Ends;
import org.flowkernels.physics.PotentialReference;
import org.flowkernels.rng.Distribution;
import org.flowkernels.spi.Contract;
import org.flowkernels.spi.Philox4x32;
import org.flowkernels.testing.Compare;
import org.flowkernels.testing.Fresh;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The CPU backend's two block-operation implementations against each other and, where there
 * is one, a float64 or Philox reference: the contract suite runs only the chosen one (the
 * plain-Java surefire run the other), so these pin every operation down on its own, on shapes
 * with partial vectors, partial Philox blocks and odd Box-Muller pairs. FMA rounding differs
 * between the two, so agreement is to a few float32 ulps (1e-6 relative).
 */
class BlockOpsTest {
    static final int B = BlockOps.B;
    private final ScalarBlocks scalar = new ScalarBlocks();
    private BlockOps vector;

    @BeforeEach
    void needsTheVectorApi() {
        assumeTrue(Simd.ENABLED && VectorBlocks.fits(), "no Vector API path in this JVM: " + Simd.description(BlockOps.CHOSEN));
        vector = new VectorBlocks();
    }

    @Test
    void theChosenImplementationIsTheVectorOneWhereItRuns() {
        assertInstanceOf(VectorBlocks.class, BlockOps.CHOSEN, Simd.description(BlockOps.CHOSEN));
    }

    @Test
    void layersMatchTheFloat64Product() {
        Fresh f = new Fresh("blocks-layer");
        for (int[] shape : new int[][] {{1, 1}, {3, 7}, {32, 256}, {65, 13}, {17, 9}})
            for (Activation act : Activation.values()) {
                int in = shape[0], out = shape[1];
                Mlp mlp = Mlp.random(f.nextLong(), act, in, out);
                float[] p = mlp.packedParameters(), a = f.gaussian(in * B, 1.0);
                double[] ref = new double[out * B];
                for (int o = 0; o < out; o++)
                    for (int s = 0; s < B; s++) {
                        double acc = p[mlp.biasOffset(0) + o];
                        for (int k = 0; k < in; k++) acc += (double) p[o * in + k] * a[k * B + s];
                        ref[o * B + s] = act.apply(acc);
                    }
                for (BlockOps ops : new BlockOps[] {scalar, vector}) {
                    float[] z = new float[out * B];
                    Arrays.fill(z, Float.NaN);
                    ops.layer(p, 0, mlp.biasOffset(0), in, out, a, z, act.code);
                    Compare.close(z, ref, 1e-5, ops.description() + " " + act + " layer " + in + " -> " + out + ", " + f.seed());
                }
            }
    }

    @Test
    void affineCouplingUpdatesAgree() {
        Fresh f = new Fresh("blocks-affine");
        int dim = 7, dt = 3;
        int[] trans = {4, 0, 6};
        for (boolean inverse : new boolean[] {false, true}) {
            float[] state = f.gaussian(dim * B, 1), o = f.gaussian(2 * dt * B, 0.7), acc = f.gaussian(B, 1);
            float[] s1 = state.clone(), s2 = state.clone(), a1 = acc.clone(), a2 = acc.clone();
            scalar.affine(s1, o, a1, trans, inverse, -1f);
            vector.affine(s2, o, a2, trans, inverse, -1f);
            Compare.close(s2, PotentialReference.widen(s1), 1e-6, "state, inverse=" + inverse + ", " + f.seed());
            Compare.close(a2, PotentialReference.widen(a1), 1e-6, "log-det, inverse=" + inverse + ", " + f.seed());
        }
    }

    /** Shapes with whole tiles (32 x 256, 64 x 8) and with edges in both directions (37 x 13, 5 x 3); six blocks span two of the vector path's passes. */
    @Test
    void weightGradientsMatchTheFloat64Product() {
        Fresh f = new Fresh("blocks-weight-gradient");
        for (int[] shape : new int[][] {{32, 256}, {64, 8}, {37, 13}, {5, 3}})
            for (int blocks : new int[] {1, 6}) {
                int in = shape[0], out = shape[1];
                float[][] dy = new float[blocks][];
                for (int b = 0; b < blocks; b++) dy[b] = f.gaussian(out * B, 1);
                float[] aT = f.gaussian(blocks * B * in, 1);
                double[] ref = new double[2 + out * in];
                for (int o = 0; o < out; o++)
                    for (int i = 0; i < in; i++)
                        for (int r = 0; r < blocks * B; r++) ref[2 + o * in + i] += (double) dy[r / B][o * B + r % B] * aT[r * in + i];
                for (BlockOps ops : new BlockOps[] {scalar, vector}) {
                    float[] w = new float[ref.length];
                    Arrays.fill(w, Float.NaN);
                    w[0] = w[1] = 0;
                    ops.weightGradient(dy, aT, blocks, in, out, w, 2);
                    Compare.close(w, ref, 1e-5, ops.description() + " weight gradient " + in + " -> " + out + ", " + blocks + " blocks, " + f.seed());
                }
            }
    }

    @Test
    void affineCouplingBackwardsAgree() {
        Fresh f = new Fresh("blocks-affine-backward");
        int dim = 7, dt = 3;
        int[] trans = {4, 0, 6};
        for (boolean inverse : new boolean[] {false, true}) {
            float[] g = f.gaussian(dim * B, 1), o = f.gaussian(2 * dt * B, 0.7), before = f.gaussian(dt * B, 1), ld = f.gaussian(B, 1);
            float[] g1 = g.clone(), g2 = g.clone(), dy1 = new float[2 * dt * B], dy2 = new float[2 * dt * B];
            scalar.affineBackward(g1, o, before, ld, trans, inverse, dy1);
            vector.affineBackward(g2, o, before, ld, trans, inverse, dy2);
            Compare.close(g2, PotentialReference.widen(g1), 1e-6, "state cotangent, inverse=" + inverse + ", " + f.seed());
            Compare.close(dy2, PotentialReference.widen(dy1), 1e-6, "output cotangent, inverse=" + inverse + ", " + f.seed());
        }
    }

    @Test
    void chainSweepsAgree() {
        Fresh f = new Fresh("blocks-chain");
        for (Ends ends : Ends.values())
            for (int n : new int[] {1, 2, 3, 64}) {
                if (ends == Ends.PERIODIC && n < 2) continue;
                Potential.Chain v = new Potential.Chain(0.9, 0.3, 1.2, ends);
                float[] q = f.gaussian(n * B, 1), p = f.gaussian(n * B, 1), g0 = f.gaussian(n * B, 1);
                float[] invMass = f.uniform(n, 0.5, 2);
                String what = ends + " n=" + n + ", " + f.seed();
                float[] gs = new float[n * B], gv = new float[n * B];
                scalar.chain(q, null, gs, null, 0, 0, n, 0.9f, 0.3f, 1.2f, ends == Ends.PERIODIC);
                vector.chain(q, null, gv, null, 0, 0, n, 0.9f, 0.3f, 1.2f, ends == Ends.PERIODIC);
                Compare.close(gv, PotentialReference.widen(gs), 1e-6, "gradient " + what);
                // and the scalar sweep against the float64 gradient of the potential itself
                double[] ref = new double[n * B];
                for (int s = 0; s < B; s++) {
                    double[] row = new double[n];
                    for (int c = 0; c < n; c++) row[c] = q[c * B + s];
                    double[] g = PotentialReference.gradient(v, row);
                    for (int c = 0; c < n; c++) ref[c * B + s] = g[c];
                }
                Compare.close(gs, ref, 1e-5, "scalar gradient against float64, " + what);

                float[] qs = q.clone(), ps = p.clone(), qv = q.clone(), pv = p.clone();
                gs = g0.clone();
                gv = g0.clone();
                scalar.chain(qs, ps, gs, invMass, 0.03f, 0.05f, n, 0.9f, 0.3f, 1.2f, ends == Ends.PERIODIC);
                vector.chain(qv, pv, gv, invMass, 0.03f, 0.05f, n, 0.9f, 0.3f, 1.2f, ends == Ends.PERIODIC);
                Compare.close(qv, PotentialReference.widen(qs), 1e-6, "q after the fused step " + what);
                Compare.close(pv, PotentialReference.widen(ps), 1e-6, "p after the fused step " + what);
                Compare.close(gv, PotentialReference.widen(gs), 1e-6, "g after the fused step " + what);
            }
    }

    @Test
    void pairPotentialsAgree() {
        Fresh f = new Fresh("blocks-pairs");
        Potential[] potentials = {Potential.coulombGas(2), new Potential.CoulombGas(3, 0.7, 1.5), new Potential.CoulombGas(1, 1, 2),
                Potential.lennardJones(3), new Potential.LennardJones(2, 0.8, 1.2), new Potential.LennardJones(1, 1, 1)};
        int[] particles = {32, 7, 4, 13, 5, 3};
        for (int k = 0; k < potentials.length; k++) {
            Potential v = potentials[k];
            int dim = v instanceof Potential.CoulombGas c ? c.dim() : ((Potential.LennardJones) v).dim(), n = particles[k] * dim;
            float[] q = new float[n * B];
            for (int s = 0; s < B; s++) {
                double[] x = v instanceof Potential.CoulombGas ? PotentialReference.separated(f, n, dim)
                        : PotentialReference.cluster(f, particles[k], dim);
                for (int c = 0; c < n; c++) q[c * B + s] = (float) x[c];
            }
            float[] gv = new float[n * B], gs = new float[n * B], ev = new float[B], es = new float[B];
            CpuPotential.of(v.spec(), n, vector).evaluate(q, gv, ev);
            CpuPotential.of(v.spec(), n, scalar).evaluate(q, gs, es);
            Compare.close(gv, PotentialReference.widen(gs), 1e-6, "gradient of " + v + ", " + f.seed());
            Compare.close(ev, PotentialReference.widen(es), 1e-6, "energy of " + v + ", " + f.seed());
            float[] eOnly = new float[B];
            CpuPotential.of(v.spec(), n, vector).evaluate(q, null, eOnly);
            Compare.close(eOnly, PotentialReference.widen(es), 1e-6, "energy alone of " + v + ", " + f.seed());
        }
    }

    @Test
    void rk4StagesAgree() {
        Fresh f = new Fresh("blocks-rk4");
        int n = 5;
        float[] invMass = f.uniform(n, 0.5, 2);
        float[][] in = new float[8][];
        for (int i = 0; i < in.length; i++) in[i] = f.gaussian(n * B, 1);
        for (boolean first : new boolean[] {true, false}) {
            float[][] a = copy(in), b = copy(in); // q, p, g, pStage, qa, pa, qs, ps
            vector.rk4Stage(a[0], a[1], a[2], invMass, a[7], a[4], a[5], a[6], a[7], 0.1f, first, n);
            scalar.rk4Stage(b[0], b[1], b[2], invMass, b[7], b[4], b[5], b[6], b[7], 0.1f, first, n);
            for (int i = 4; i < 8; i++) Compare.close(a[i], PotentialReference.widen(b[i]), 1e-6, "stage output " + i + " first=" + first);
        }
        float[][] a = copy(in), b = copy(in);
        vector.rk4Finish(a[0], a[1], a[2], invMass, a[4], a[5], a[7], 0.02f, n);
        scalar.rk4Finish(b[0], b[1], b[2], invMass, b[4], b[5], b[7], 0.02f, n);
        Compare.close(a[0], PotentialReference.widen(b[0]), 1e-6, "q after the step");
        Compare.close(a[1], PotentialReference.widen(b[1]), 1e-6, "p after the step");
    }

    @Test
    void normalsAreThePhiloxReferenceDraws() {
        Fresh f = new Fresh("blocks-normals");
        for (int n : new int[] {1, 2, 3, 4, 5, 7, 64}) {
            long seed = f.nextLong();
            int chain0 = f.nextInt(1 << 30), step = f.nextInt(1 << 20), stream = Contract.NOISE_STREAM;
            for (BlockOps ops : new BlockOps[] {scalar, vector}) {
                float[] out = new float[n * B];
                Arrays.fill(out, Float.NaN);
                ops.normals(seed, chain0, step, stream, n, out);
                for (int c = 0; c < n; c++)
                    for (int s = 0; s < B; s++) {
                        double ref = Philox4x32.coordinate(seed, chain0 + s, step, stream, c, Distribution.NORMAL.code);
                        // float log/cos/sin against the reference's double: a few ulps of |r| <= 5.6
                        assertEquals(ref, out[c * B + s], 2e-6 * Math.max(1, Math.abs(ref)),
                                ops.description() + ", n=" + n + ", coordinate " + c + ", chain " + (chain0 + s) + ", " + f.seed());
                    }
            }
        }
    }

    @Test
    void langevinStepLoopsAgree() {
        Fresh f = new Fresh("blocks-langevin");
        int n = 6;
        float[] x = f.gaussian(n * B, 1), dx = f.gaussian(n * B, 1), dy = f.gaussian(n * B, 1), xi = f.gaussian(n * B, 1);
        float[] half = f.uniform(B, 0.001, 0.01), root = f.uniform(B, 0.05, 0.2);
        x[3 * B + 5] = Float.POSITIVE_INFINITY; // chain 5's proposal is not finite
        float[] ys = new float[n * B], yv = new float[n * B], fs = new float[B], fv = new float[B];
        scalar.propose(x, dx, xi, half, root, ys, n, fs);
        vector.propose(x, dx, xi, half, root, yv, n, fv);
        for (int s = 0; s < B; s++) {
            assertEquals(s == 5, Float.isNaN(fs[s]), "scalar finite flag of chain " + s);
            assertEquals(s == 5, Float.isNaN(fv[s]), "vector finite flag of chain " + s);
        }
        x[3 * B + 5] = 0;
        scalar.propose(x, dx, xi, half, root, ys, n, fs);
        vector.propose(x, dx, xi, half, root, yv, n, fv);
        Compare.close(yv, PotentialReference.widen(ys), 1e-6, "proposal, " + f.seed());
        float[] s1 = new float[B], s2 = new float[B], v1 = new float[B], v2 = new float[B];
        scalar.proposalSums(xi, dx, dy, root, n, s1, s2);
        vector.proposalSums(xi, dx, dy, root, n, v1, v2);
        Compare.close(v1, PotentialReference.widen(s1), 1e-6, "sum of xi^2, " + f.seed());
        Compare.close(v2, PotentialReference.widen(s2), 1e-6, "sum of the reverse move's squares, " + f.seed());
        float[] mean = f.gaussian(B, 1), m2 = f.uniform(B, 0, 1), mv = mean.clone(), m2v = m2.clone();
        scalar.welford(x, 2 * B, mean, m2, 0, 0.25f);
        vector.welford(x, 2 * B, mv, m2v, 0, 0.25f);
        Compare.close(mv, PotentialReference.widen(mean), 1e-6, "Welford mean");
        Compare.close(m2v, PotentialReference.widen(m2), 1e-6, "Welford m2");
    }

    private static float[][] copy(float[][] x) {
        float[][] c = new float[x.length][];
        for (int i = 0; i < x.length; i++) c[i] = x[i].clone();
        return c;
    }
}
