package org.flowkernels.flow;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.function.Function;
import org.flowkernels.Backend;
import org.flowkernels.Tensor;
import org.flowkernels.nn.Activation;
import org.flowkernels.nn.Mlp;
import org.flowkernels.ode.Cnf;
import org.flowkernels.ode.Solve;
import org.flowkernels.ode.Trace;
import org.flowkernels.ode.VectorField;
import org.flowkernels.rng.Rng;
import org.flowkernels.testing.BackendTest;
import org.flowkernels.testing.Compare;
import org.flowkernels.testing.Fresh;

/**
 * The {@link Flow} contract, through the interface alone, for both kinds of flow: a RealNVP
 * coupling flow and a CNF with the exact trace (20 RK4 steps of an MLP field). Inverse undoes
 * forward, their log-dets are negatives of each other, forward's log-det is the one the
 * density uses (log q(f(z)) = log N(z) − log|det ∂x/∂z|), and sample's log q is logProb of
 * the samples.
 */
class FlowTest {
    /**
     * What a round trip and a log-det may be off by, per kind. Coupling: a few float32 roundings
     * per layer (CouplingFlowTest measures at most 3e-6 on round trips). CNF: RK4's truncation
     * (~1e-7 per direction with h = 1/20 on an O(1) field) is below the float32 rounding of 80
     * stage updates each way, ~1e-6 on x and ~1e-5 on the log-det (CnfTest).
     */
    record Kind(String name, Function<Backend, Flow> make, double roundTrip, double logDet) {}

    static List<Kind> kinds(Fresh f) {
        CouplingFlow coupling = CouplingFlow.realNvp(6, 4, f.nextLong(), 16, 16);
        Cnf cnf = new Cnf(VectorField.mlp(Mlp.random(f.nextLong(), Activation.TANH, 3, 32, 32, 2), true),
                Solve.rk4(0, 1, 20).trace(Trace.exact()));
        return List.of(new Kind("coupling flow", coupling::on, 2e-5, 1e-4), new Kind("CNF, exact trace", cnf::on, 1e-4, 3e-4));
    }

    static double logNormal(float[] z, int row, int dim) {
        double s = 0;
        for (int c = 0; c < dim; c++) s += (double) z[row * dim + c] * z[row * dim + c];
        return -0.5 * s - 0.5 * dim * Math.log(2 * Math.PI);
    }

    @BackendTest
    void inverseUndoesForwardAndNegatesItsLogDet(Backend backend) {
        Fresh f = new Fresh("flow-round-trip" + backend.name());
        for (Kind k : kinds(f))
            try (Flow flow = k.make().apply(backend)) {
                int dim = flow.dim();
                for (int n : new int[] {1, 257}) {
                    String what = k.name() + ", n = " + n + " on " + backend.name() + ", " + f.seed();
                    try (Tensor z = Rng.normal(backend, n, dim, f.nextLong()); FlowResult x = flow.forward(z);
                         FlowResult back = flow.inverse(x.output()); Tensor logP = flow.logProb(x.output())) {
                        float[] zs = z.toArray(), fwd = x.logDet().toArray(), inv = back.logDet().toArray(), lp = logP.toArray();
                        Compare.close(back.output().toArray(), widen(zs), k.roundTrip(), "z back from f(z), " + what);
                        assertTrue(Compare.relativeError(x.output().toArray(), widen(zs)) > 1e-3, "f is not the identity, " + what);
                        for (int r = 0; r < n; r++) {
                            assertEquals(-fwd[r], inv[r], k.logDet(), "log|det dz/dx| = -log|det dx/dz|, row " + r + ", " + what);
                            assertEquals(logNormal(zs, r, dim) - fwd[r], lp[r], k.logDet(), "log q(f(z)), row " + r + ", " + what);
                        }
                    }
                }
            }
    }

    @BackendTest
    void sampleLogQIsLogProbOfTheSamples(Backend backend) {
        Fresh f = new Fresh("flow-sample" + backend.name());
        for (Kind k : kinds(f))
            try (Flow flow = k.make().apply(backend); FlowSample s = flow.sample(300, f.nextLong()); Tensor logP = flow.logProb(s.x())) {
                String what = k.name() + " on " + backend.name() + ", " + f.seed();
                assertEquals(300, s.x().rows());
                assertEquals(flow.dim(), s.x().cols());
                float[] lq = s.logQ().toArray(), lp = logP.toArray();
                assertTrue(Compare.maxAbs(lq, lp) <= k.logDet(), "max |log q - logProb| = " + Compare.maxAbs(lq, lp) + ", " + what);
                assertTrue(flow.describe().contains(backend.name()), flow.describe());
                assertSame(backend, flow.backend());
            }
    }

    static double[] widen(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }
}
