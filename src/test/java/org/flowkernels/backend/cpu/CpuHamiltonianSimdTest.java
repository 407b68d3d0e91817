package org.flowkernels.backend.cpu;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.flowkernels.physics.Potential;
import org.flowkernels.physics.PotentialReference;
import org.flowkernels.physics.Potential.Ends;
import org.flowkernels.testing.Compare;
import org.flowkernels.testing.Fresh;
import org.junit.jupiter.api.Test;

/**
 * The CPU backend's Vector API paths (the chain sweep, the RK4 stages) against its plain
 * loops, which the contract suite does not reach when the Vector API is on. FMA rounding
 * differs between the two, so agreement is to a few float32 ulps (1e-6 relative).
 */
class CpuHamiltonianSimdTest {
    static final int B = CpuPotential.B;

    @Test
    void chainSweepEqualsThePlainLoops() {
        assumeTrue(Simd.ENABLED, "the Vector API is off in this JVM: " + Simd.description());
        Fresh f = new Fresh("cpu-simd-chain");
        for (Ends ends : Ends.values())
            for (int n : new int[] {2, 3, 64}) {
                Potential v = new Potential.Chain(0.9, 0.3, 1.2, ends);
                CpuPotential simd = CpuPotential.of(v.spec(), n, true), plain = CpuPotential.of(v.spec(), n, false);
                float[] q = f.gaussian(n * B, 1), p = f.gaussian(n * B, 1), g0 = f.gaussian(n * B, 1);
                float[] invMass = f.uniform(n, 0.5, 2);
                String what = ends + " n=" + n + ", " + f.seed();

                float[] gs = new float[n * B], gp = new float[n * B];
                simd.evaluate(q, gs, null);
                plain.evaluate(q, gp, null);
                Compare.close(gs, PotentialReference.widen(gp), 1e-6, "gradient " + what);

                float[] qs = q.clone(), ps = p.clone(), qp = q.clone(), pp = p.clone();
                gs = g0.clone();
                gp = g0.clone();
                assertTrue(simd.kickDriftGradient(qs, ps, gs, invMass, 0.03f, 0.05f));
                assertFalse(plain.kickDriftGradient(qp, pp, gp, invMass, 0.03f, 0.05f));
                CpuHamiltonianKernels.kickDrift(qp, pp, gp, invMass, 0.03f, 0.05f, n);
                plain.evaluate(qp, gp, null);
                Compare.close(qs, PotentialReference.widen(qp), 1e-6, "q after the fused step " + what);
                Compare.close(ps, PotentialReference.widen(pp), 1e-6, "p after the fused step " + what);
                Compare.close(gs, PotentialReference.widen(gp), 1e-6, "g after the fused step " + what);
            }
    }

    @Test
    void rk4StagesEqualThePlainLoops() {
        assumeTrue(Simd.ENABLED, "the Vector API is off in this JVM: " + Simd.description());
        Fresh f = new Fresh("cpu-simd-rk4");
        int n = 5;
        float[] invMass = f.uniform(n, 0.5, 2);
        float[][] in = new float[8][];
        for (int i = 0; i < in.length; i++) in[i] = f.gaussian(n * B, 1);
        for (boolean first : new boolean[] {true, false}) {
            float[][] a = copy(in), b = copy(in); // q, p, g, pStage, qa, pa, qs, ps
            CpuHamiltonianKernels.rk4Stage(true, a[0], a[1], a[2], invMass, a[7], a[4], a[5], a[6], a[7], 0.1f, first, n);
            CpuHamiltonianKernels.rk4Stage(false, b[0], b[1], b[2], invMass, b[7], b[4], b[5], b[6], b[7], 0.1f, first, n);
            for (int i = 4; i < 8; i++) Compare.close(a[i], PotentialReference.widen(b[i]), 1e-6, "stage output " + i + " first=" + first);
        }
        float[][] a = copy(in), b = copy(in);
        CpuHamiltonianKernels.rk4Finish(true, a[0], a[1], a[2], invMass, a[4], a[5], a[7], 0.02f, n);
        CpuHamiltonianKernels.rk4Finish(false, b[0], b[1], b[2], invMass, b[4], b[5], b[7], 0.02f, n);
        Compare.close(a[0], PotentialReference.widen(b[0]), 1e-6, "q after the step");
        Compare.close(a[1], PotentialReference.widen(b[1]), 1e-6, "p after the step");
    }

    private static float[][] copy(float[][] x) {
        float[][] c = new float[x.length][];
        for (int i = 0; i < x.length; i++) c[i] = x[i].clone();
        return c;
    }

}
