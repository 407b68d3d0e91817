package org.flowkernels.ode;

import static org.junit.jupiter.api.Assertions.*;

import org.flowkernels.Backend;
import org.flowkernels.Tensor;
import org.flowkernels.flow.FlowResult;
import org.flowkernels.flow.FlowSample;
import org.flowkernels.nn.Activation;
import org.flowkernels.nn.Mlp;
import org.flowkernels.rng.Distribution;
import org.flowkernels.spi.Philox4x32;
import org.flowkernels.testing.BackendTest;
import org.flowkernels.testing.Compare;
import org.flowkernels.testing.Fresh;

class CnfTest {
    private static VectorField field(Fresh f) {
        return VectorField.mlp(Mlp.random(f.nextLong(), Activation.TANH, 3, 32, 32, 2), true);
    }

    /**
     * log q(x) from sampling equals logProb(x) integrating the same x back, and the trip back
     * lands on the base draw. RK4 with h = 1/20 on an O(1) field has a truncation error ~1e-7
     * each way, below float32 rounding of 80 stage updates (~1e-5 on Δlogp, ~1e-6 on x),
     * so the tolerances (3e-4 absolute on log q, 1e-4 relative on z) are rounding-bound.
     */
    @BackendTest
    void sampleAndLogProbAgree(Backend backend) {
        Fresh f = new Fresh("cnf-roundtrip" + backend.name());
        VectorField field = field(f);
        for (Trace trace : new Trace[] {Trace.exact(), Trace.rademacher(1), Trace.gaussian(2)})
            for (Execution path : new Execution[] {Execution.FUSED, Execution.PER_STEP})
                try (CnfModule cnf = new Cnf(field, Solve.rk4(0, 1, 20).trace(trace).execution(path)).on(backend)) {
                    for (int n : new int[] {1, 1000}) {
                        long seed = f.nextLong();
                        String what = trace + " " + path + " n=" + n + " on " + backend.name() + ", " + f.seed();
                        try (FlowSample s = cnf.sample(n, seed); Tensor lp = cnf.logProb(s.x(), seed); FlowResult back = cnf.inverse(s.x(), seed);
                             Tensor z = org.flowkernels.rng.Rng.draw(backend, Distribution.NORMAL, n, 2, seed, CnfModule.BASE_STREAM, 0)) {
                            assertEquals(path, cnf.execution());
                            double worst = Compare.maxAbs(s.logQ().toArray(), lp.toArray());
                            assertTrue(worst <= 3e-4, "log q(x) - logProb(x) = " + worst + ", " + what);
                            Compare.close(back.output().toArray(), OdeReference.doubles(z.toArray()), 1e-4, "z back from x, " + what);
                        }
                    }
                }
    }

    /** The sampler against a float64 run of the same flow from the same Philox base draws. */
    @BackendTest
    void sampleMatchesAFloat64Run(Backend backend) {
        Fresh f = new Fresh("cnf-float64" + backend.name());
        VectorField field = field(f);
        int n = 40, D = 2, steps = 20;
        long seed = f.nextLong();
        double[] wantX = new double[n * D], wantLq = new double[n];
        for (Trace trace : new Trace[] {Trace.exact(), Trace.rademacher(2)}) {
            Distribution probe = trace instanceof Trace.Hutchinson hu ? hu.probe() : null;
            for (int s = 0; s < n; s++) {
                double[] z = new double[D];
                for (int c = 0; c < D; c++) z[c] = Philox4x32.coordinate(seed, s, 0, CnfModule.BASE_STREAM, c, Distribution.NORMAL.code);
                double[] r = OdeReference.solve(field, z, Solver.RK4, 0, 1, steps, probe, 2, seed, s);
                System.arraycopy(r, 0, wantX, s * D, D);
                wantLq[s] = -0.5 * (z[0] * z[0] + z[1] * z[1]) - Math.log(2 * Math.PI) + r[D];
            }
            try (CnfModule cnf = new Cnf(field, Solve.rk4(0, 1, steps).trace(trace)).on(backend); FlowSample smp = cnf.sample(n, seed)) {
                String what = trace + " on " + backend.name() + ", " + f.seed();
                // both runs take the same steps, so only float32 rounding separates them (~1e-6)
                Compare.close(smp.x().toArray(), wantX, 2e-5, "x, " + what);
                Compare.close(smp.logQ().toArray(), wantLq, 2e-5, "log q(x), " + what);
            }
        }
    }

    @BackendTest
    void sampleIsAFunctionOfTheSeed(Backend backend) {
        Fresh f = new Fresh("cnf-seed" + backend.name());
        try (CnfModule cnf = new Cnf(field(f), Solve.rk4(0, 1, 8).trace(Trace.rademacher(1))).on(backend);
             FlowSample a = cnf.sample(100, 5); FlowSample b = cnf.sample(100, 5); FlowSample c = cnf.sample(100, 6)) {
            // Same seed, same draws and probes: the same bits (the CPU's vector functions give the
            // same bits in every JIT tier: VectorMathTest)
            assertArrayEquals(a.x().toArray(), b.x().toArray(), "x, same seed on " + backend.name());
            assertArrayEquals(a.logQ().toArray(), b.logQ().toArray(), "log q, same seed on " + backend.name());
            assertTrue(Compare.relativeError(c.x().toArray(), OdeReference.doubles(a.x().toArray())) > 0.1, "another seed, other samples");
        }
    }

    @BackendTest
    void leavesNoAllocationsBehind(Backend backend) {
        Fresh f = new Fresh("cnf-leak" + backend.name());
        long before = backend.liveAllocations();
        try (CnfModule cnf = new Cnf(field(f), Solve.rk4(0, 1, 4).execution(Execution.PER_STEP)).on(backend)) {
            try (FlowSample s = cnf.sample(50, 1)) {
                cnf.logProb(s.x()).close();
                cnf.forward(s.x()).close();
                cnf.inverse(s.x()).close();
            }
            cnf.sample(0, 1).close();
        }
        assertEquals(before, backend.liveAllocations(), "live allocations on " + backend.name());
    }
}
