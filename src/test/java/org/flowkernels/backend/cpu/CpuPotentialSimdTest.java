package org.flowkernels.backend.cpu;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.flowkernels.physics.Potential;
import org.flowkernels.physics.PotentialReference;
import org.flowkernels.testing.Compare;
import org.flowkernels.testing.Fresh;
import org.junit.jupiter.api.Test;

/**
 * The Vector API path of the pair potentials against the plain loops (which the contract
 * suite reaches only in the plain-Java run): values and gradients to 1e-6 relative (the
 * operations differ in order and rounding, not in formula).
 */
class CpuPotentialSimdTest {
    static final int B = CpuPotential.B;

    @Test
    void pairPotentialsEqualThePlainLoops() {
        assumeTrue(Simd.ENABLED, "the Vector API is off in this JVM: " + Simd.description());
        Fresh f = new Fresh("cpu-simd-pairs");
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
            float[] gs = new float[n * B], gp = new float[n * B], es = new float[B], ep = new float[B];
            CpuPotential.of(v.spec(), n, true).evaluate(q, gs, es);
            CpuPotential.of(v.spec(), n, false).evaluate(q, gp, ep);
            Compare.close(gs, PotentialReference.widen(gp), 1e-6, "gradient of " + v + ", " + f.seed());
            Compare.close(es, PotentialReference.widen(ep), 1e-6, "energy of " + v + ", " + f.seed());
            float[] eOnly = new float[B];
            CpuPotential.of(v.spec(), n, true).evaluate(q, null, eOnly);
            Compare.close(eOnly, PotentialReference.widen(ep), 1e-6, "energy alone of " + v + ", " + f.seed());
        }
    }

}
