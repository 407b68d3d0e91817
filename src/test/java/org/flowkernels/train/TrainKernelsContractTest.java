package org.flowkernels.train;

import static org.junit.jupiter.api.Assertions.*;

import org.flowkernels.Backend;
import org.flowkernels.Tensor;
import org.flowkernels.flow.CouplingFlow;
import org.flowkernels.physics.Potential;
import org.flowkernels.spi.TrainKernels;
import org.flowkernels.testing.BackendTest;
import org.flowkernels.testing.Fresh;

/**
 * The train kernels of every backend, all float32, against the float64 ones of
 * {@link TrainReference} (which TrainGradientTest holds to float64 finite differences of a
 * reference written in test code):
 * the pass's outputs and log-dets, the gradient and its norm, the optimizer's step; on fresh
 * random parameters, inputs and cotangents, at batches that are not multiples of the device
 * tiles (64 rows) nor of the row splits (512).
 */
class TrainKernelsContractTest {
    /** float32 against float64: a pass of five couplings keeps ~1e-6 relative; sums over 1,100 rows and 64-wide products stay below 1e-5. */
    static final double PASS_TOL = 2e-5, GRADIENT_TOL = 1e-4;

    static final TrainKernels.Rule PLAIN = new TrainKernels.Rule(false, 0, 0, 0, 0);

    static double relative(double[] got, double[] ref) {
        double diff = 0, norm = 0;
        for (int i = 0; i < ref.length; i++) {
            diff += (got[i] - ref[i]) * (got[i] - ref[i]);
            norm += ref[i] * ref[i];
        }
        return norm == 0 ? (diff == 0 ? 0 : Double.POSITIVE_INFINITY) : Math.sqrt(diff / norm);
    }

    static double[] gaussian(Fresh f, int n, double scale) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = scale * f.gaussian();
        return v;
    }

    /** A tensor on the backend holding v rounded to float32. */
    static Tensor tensor(Backend backend, double[] v, int rows, int cols) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return backend.tensor(f, rows, cols);
    }

    static double[] doubles(Tensor t) {
        float[] f = t.toArray();
        double[] v = new double[f.length];
        for (int i = 0; i < f.length; i++) v[i] = f[i];
        return v;
    }

    /**
     * Both directions of the mixed flow (every coupling kind, scale bound and activation, a
     * permutation), at 37 rows (one partial tile) and 1,100 (two row splits, the last partial).
     * The backward pass runs twice: once with plain cotangents, once with row weights and scales
     * (what the score function hands it); an element the second pass did not write would keep
     * the first pass's value and miss the reference.
     */
    @BackendTest
    void passAndGradientMatchTheFloat64Kernels(Backend backend) {
        Fresh f = new Fresh("passAndGradientMatchTheFloat64Kernels");
        CouplingFlow flow = TrainGradientTest.mixedFlow();
        FlowParameters params = new FlowParameters(flow);
        double[] theta = params.flatten();
        for (int i = 0; i < theta.length; i++) theta[i] = (float) (theta[i] + 0.2 * f.gaussian());
        TrainReference ref = new TrainReference();
        TrainKernels dev = backend.kernels(TrainKernels.class);
        int d = flow.dim();
        for (boolean inverse : new boolean[] {false, true})
            for (int rows : new int[] {37, 1100}) {
                String what = (inverse ? "inverse" : "forward") + " pass, " + rows + " rows, " + f.seed();
                TrainKernels.Model model = params.model(inverse);
                double[] input = gaussian(f, rows * d, 1);
                for (int i = 0; i < input.length; i++) input[i] = (float) input[i];
                TrainReference.ReferenceParameters pr = ref.parameters(theta, PLAIN);
                TrainReference.ReferenceTape tr = ref.run(model, pr, input, rows);
                try (TrainKernels.Parameters pd = dev.parameters(theta, PLAIN); Tensor in = tensor(backend, input, rows, d);
                     Tensor out = backend.empty(rows, d); Tensor ld = backend.empty(rows, 1);
                     TrainKernels.Tape td = dev.run(model, pd, in, out, ld)) {
                    assertTrue(relative(doubles(out), tr.output()) <= PASS_TOL, what + ": output off by " + relative(doubles(out), tr.output()));
                    assertTrue(relative(doubles(ld), tr.logDet()) <= PASS_TOL, what + ": log-det off by " + relative(doubles(ld), tr.logDet()));
                    double normRef = 0, normDev = 0;
                    for (int pass = 0; pass < 2; pass++) {
                        double[] dOut = gaussian(f, rows * d, 1), w = gaussian(f, rows, 1);
                        double a = pass == 0 ? 1.0 / rows : -0.3, b = pass == 0 ? -0.7 / rows : 1.9;
                        for (int i = 0; i < dOut.length; i++) dOut[i] = (float) dOut[i];
                        for (int i = 0; i < w.length; i++) w[i] = pass == 0 ? 1 : (float) w[i];
                        double[] dOutRef = new double[dOut.length], dLogDetRef = new double[rows];
                        for (int r = 0; r < rows; r++) {
                            dLogDetRef[r] = b * w[r];
                            for (int i = 0; i < d; i++) dOutRef[r * d + i] = a * w[r] * dOut[r * d + i];
                        }
                        normRef = ref.backward(tr, dOutRef, dLogDetRef);
                        try (Tensor dt = tensor(backend, dOut, rows, d); Tensor wt = pass == 0 ? null : tensor(backend, w, rows, 1)) {
                            normDev = dev.backward(td, dt, wt, a, b);
                        }
                    }
                    double err = relative(pd.gradient(), pr.gradient());
                    assertTrue(err <= GRADIENT_TOL, what + ": gradient off by " + err);
                    assertEquals(normRef, normDev, GRADIENT_TOL * normRef, what + ": gradient norm");
                }
            }
    }

    /** The optimizer's step against the rule in float64 over the θ and gradients read back, three steps so the moments matter. */
    @BackendTest
    void updateFollowsTheRule(Backend backend) {
        Fresh f = new Fresh("updateFollowsTheRule");
        CouplingFlow flow = CouplingFlow.realNvp(4, 2, 5, 8);
        FlowParameters params = new FlowParameters(flow);
        TrainKernels k = backend.kernels(TrainKernels.class);
        int d = 4, rows = 70;
        for (TrainKernels.Rule rule : new TrainKernels.Rule[] {new TrainKernels.Rule(true, 0.9, 0.99, 1e-6, 0),
                new TrainKernels.Rule(false, 0, 0, 0, 0.5)})
            try (TrainKernels.Parameters p = k.parameters(params.flatten(), rule)) {
                int n = p.count();
                double[] m = new double[n], v = new double[n];
                for (int step = 1; step <= 3; step++) {
                    try (Tensor z = tensor(backend, gaussian(f, rows * d, 1), rows, d); Tensor x = backend.empty(rows, d);
                         Tensor ld = backend.empty(rows, 1); TrainKernels.Tape t = k.run(params.model(false), p, z, x, ld);
                         Tensor dOut = tensor(backend, gaussian(f, rows * d, 1), rows, d)) {
                        k.backward(t, dOut, null, 1.0 / rows, 0.5 / rows);
                    }
                    double[] theta = p.values(), g = p.gradient(), want = theta.clone();
                    double rate = 0.01 * step, scale = step == 2 ? 0.5 : 1;
                    for (int i = 0; i < n; i++) {
                        double gi = g[i] * scale;
                        if (rule.adam()) {
                            m[i] = 0.9 * m[i] + 0.1 * gi;
                            v[i] = 0.99 * v[i] + 0.01 * gi * gi;
                            want[i] -= rate * (m[i] / (1 - Math.pow(0.9, step))) / (Math.sqrt(v[i] / (1 - Math.pow(0.99, step))) + 1e-6);
                        } else {
                            m[i] = 0.5 * m[i] + gi;
                            want[i] -= rate * m[i];
                        }
                    }
                    k.update(p, rate, scale);
                    double[] got = p.values();
                    for (int i = 0; i < n; i++)
                        assertEquals(want[i], got[i], 1e-6 * (1 + Math.abs(want[i])),
                                (rule.adam() ? "Adam" : "SGD") + " step " + step + ", parameter " + i + ", " + f.seed());
                }
            }
    }

    /** The same seed gives the same losses and gradient norms, bit for bit, on a backend. */
    @BackendTest
    void sameSeedSameLossesOnTheBackend(Backend backend) {
        double[][] runs = new double[2][12];
        for (int k = 0; k < 2; k++)
            try (Trainer t = Trainer.variationalFreeEnergy(CouplingFlow.realNvp(6, 4, 2, 24, 24), Potential.coulombGas(2), 5,
                    TrainOptions.of(backend).withBatch(700).withSeed(7))) {
                for (int s = 0; s < 6; s++) {
                    TrainStep st = t.step();
                    runs[k][2 * s] = st.loss();
                    runs[k][2 * s + 1] = st.gradientNorm();
                }
            }
        assertArrayEquals(runs[0], runs[1], 0.0);
    }
}
