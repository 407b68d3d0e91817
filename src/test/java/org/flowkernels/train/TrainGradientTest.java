package org.flowkernels.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.flowkernels.Backend;
import org.flowkernels.Backends;
import org.flowkernels.Tensor;
import org.flowkernels.flow.AdditiveCoupling;
import org.flowkernels.flow.AffineCoupling;
import org.flowkernels.flow.CouplingFlow;
import org.flowkernels.flow.CouplingFlowModule;
import org.flowkernels.flow.FlowReference;
import org.flowkernels.flow.FlowResult;
import org.flowkernels.flow.Mask;
import org.flowkernels.flow.Permutation;
import org.flowkernels.flow.ScaleBound;
import org.flowkernels.nn.Activation;
import org.flowkernels.nn.Mlp;
import org.flowkernels.physics.Potential;
import org.flowkernels.spi.TrainKernels;
import org.flowkernels.testing.Reference;
import org.junit.jupiter.api.Test;

/**
 * The train kernels' gradients against central finite differences of the loss: the float64
 * kernels of {@link TrainReference} against a reference written in test code (FlowReference
 * with the conditioners read from θ), and the CPU backend's float32 kernels against the
 * library's float32 forward path.
 */
class TrainGradientTest {
    /**
     * Central differences with h = 1e-5 have a truncation error ~h² L''' / 6 ≈ 1e-11 and a
     * rounding error ~1e-16 |L| / h ≈ 1e-11 per component, far below 1e-7 of ‖∇L‖.
     */
    static final double FLOAT64_TOL = 1e-7, H = 1e-5;
    /** Rows: two blocks of the kernels' 32, the second partial. */
    static final int M = 37;

    /** Every kind of layer: both couplings, all three scale bounds, tanh, relu and identity conditioners, a permutation. */
    static CouplingFlow mixedFlow() {
        int d = 5;
        return CouplingFlow.of(
                AffineCoupling.random(Mask.firstHalf(d), 11, 7, 6),
                Permutation.random(d, 3),
                new AffineCoupling(Mask.even(d), Mlp.random(12, Activation.RELU, 3, 9, 4), ScaleBound.softClamp(1.5)),
                AdditiveCoupling.random(Mask.odd(d), 13, 8),
                new AffineCoupling(Mask.secondHalf(d), Mlp.random(14, Activation.IDENTITY, 3, 5, 4), ScaleBound.NONE));
    }

    static double[] normals(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = r.nextGaussian();
        return v;
    }

    /** The reference's conditioners: each coupling's MLP with its parameters read from θ in float64. */
    static FlowReference.Conditioners conditioners(CouplingFlow flow, double[] theta) {
        List<org.flowkernels.flow.Coupling> c = flow.couplings();
        int[] offsets = new int[c.size()];
        for (int k = 1; k < offsets.length; k++) offsets[k] = offsets[k - 1] + c.get(k - 1).conditioner().parameterCount();
        return (k, in) -> Reference.mlp(c.get(k).conditioner().widths(), c.get(k).conditioner().activation(), theta, offsets[k], in);
    }

    interface Loss {
        double at(double[] theta);
    }

    static double[] centralDifferences(Loss loss, double[] theta) {
        double[] g = new double[theta.length];
        for (int i = 0; i < theta.length; i++) {
            double[] p = theta.clone(), q = theta.clone();
            p[i] += H;
            q[i] -= H;
            g[i] = (loss.at(p) - loss.at(q)) / (2 * H);
        }
        return g;
    }

    static void close(double[] got, double[] ref, double tol, String what) {
        double diff = 0, norm = 0;
        for (int i = 0; i < ref.length; i++) {
            diff += (got[i] - ref[i]) * (got[i] - ref[i]);
            norm += ref[i] * ref[i];
        }
        double rel = Math.sqrt(diff / norm);
        assertTrue(norm > 0 && rel <= tol, what + ": relative error " + rel + " > " + tol + " (|ref| " + Math.sqrt(norm) + ")");
    }

    /**
     * The free energy's flow part at fixed z in float64: L = mean_r [Σ_c k_c x_c² / 2 + (ln N(z_r) −
     * ln|det ∂x/∂z|) / β], a diagonal harmonic H written here, so nothing in it is float32.
     */
    @Test
    void freeEnergyGradientMatchesFloat64FiniteDifferences() {
        CouplingFlow flow = mixedFlow();
        int d = flow.dim();
        double beta = 0.7;
        double[] k = {1, 1.5, 2, 2.5, 3}, z = normals(M * d, 42);
        FlowParameters params = new FlowParameters(flow);
        double[] theta = params.flatten();
        Loss loss = th -> {
            double sum = 0;
            double[] ld = new double[1], row = new double[d];
            for (int r = 0; r < M; r++) {
                System.arraycopy(z, r * d, row, 0, d);
                double[] x = FlowReference.forward(flow, conditioners(flow, th), row, ld);
                double h = 0;
                for (int c = 0; c < d; c++) h += 0.5 * k[c] * x[c] * x[c];
                sum += h + (FlowReference.logNormal(row) - ld[0]) / beta;
            }
            return sum / M;
        };
        TrainReference kernels = new TrainReference();
        TrainReference.ReferenceParameters p = kernels.parameters(theta, new TrainKernels.Rule(false, 0, 0, 0, 0));
        TrainReference.ReferenceTape tape = kernels.run(params.model(false), p, z, M);
        double[] x = tape.output(), dOut = new double[M * d], dLogDet = new double[M];
        for (int i = 0; i < dOut.length; i++) dOut[i] = k[i % d] * x[i] / M;
        java.util.Arrays.fill(dLogDet, -1 / (beta * M));
        double norm = kernels.backward(tape, dOut, dLogDet);
        double[] grad = p.gradient();
        close(grad, centralDifferences(loss, theta), FLOAT64_TOL, "free energy gradient");
        assertTrue(Math.abs(norm - Math.sqrt(java.util.Arrays.stream(grad).map(g -> g * g).sum())) <= 1e-12 * norm, "norm " + norm);
    }

    /**
     * Maximum likelihood, L = −mean_r ln q(x_r) through the inverse pass, with the cotangents the
     * Trainer gives its kernels: the reference's gradient against differences in float64, and the
     * Trainer's on the CPU backend (float32) against the reference's.
     */
    @Test
    void maximumLikelihoodGradientMatchesFloat64FiniteDifferences() {
        CouplingFlow flow = mixedFlow();
        int d = flow.dim();
        double[] x = normals(M * d, 7);
        float[] data = new float[x.length];
        for (int i = 0; i < x.length; i++) data[i] = (float) (x[i] = 1.3 * x[i] + 0.2);
        FlowParameters params = new FlowParameters(flow);
        double[] theta = params.flatten();
        Loss loss = th -> {
            double sum = 0;
            double[] ld = new double[1], row = new double[d];
            for (int r = 0; r < M; r++) {
                System.arraycopy(x, r * d, row, 0, d);
                double[] zr = FlowReference.inverse(flow, conditioners(flow, th), row, ld);
                sum -= FlowReference.logNormal(zr) + ld[0];
            }
            return sum / M;
        };
        TrainReference kernels = new TrainReference();
        TrainReference.ReferenceParameters p = kernels.parameters(theta, new TrainKernels.Rule(false, 0, 0, 0, 0));
        TrainReference.ReferenceTape tape = kernels.run(params.model(true), p, x, M);
        double[] z = tape.output(), logDet = tape.logDet(), dOut = new double[M * d], dLogDet = new double[M], row = new double[d];
        double value = 0;
        for (int r = 0; r < M; r++) {
            System.arraycopy(z, r * d, row, 0, d);
            value -= (FlowReference.logNormal(row) + logDet[r]) / M;
        }
        for (int i = 0; i < dOut.length; i++) dOut[i] = z[i] / M;
        java.util.Arrays.fill(dLogDet, -1.0 / M);
        kernels.backward(tape, dOut, dLogDet);
        double[] grad = p.gradient();
        assertTrue(Math.abs(value - loss.at(theta)) <= 1e-12 * Math.abs(value), "loss " + value + " vs reference " + loss.at(theta));
        close(grad, centralDifferences(loss, theta), FLOAT64_TOL, "maximum likelihood gradient");
        Trainer trainer = Trainer.maximumLikelihood(flow, data, TrainOptions.of(Backends.cpu()));
        double[] cpu = new double[theta.length];
        trainer.evaluate(data, M, cpu);
        close(cpu, grad, TrainKernelsContractTest.GRADIENT_TOL, "maximum likelihood gradient of the Trainer on the CPU backend");
    }

    /**
     * The whole free-energy gradient (potential gradient from the backend's float32 Coulomb kernel)
     * against differences of the float32 loss the library's own forward pass gives:
     * mean [V(x) + (ln N(z) − ln|det|) / β] with x, ln|det| from CouplingFlowModule and V from the
     * potential. Along a direction v (|v| = 1) with ε = 1e-3, the float32 rounding of the loss
     * (~1e-7 |L|) gives ~1e-4 of error; the truncation ε² L''' / 6 is ~3e-4 here (measured: it
     * falls as ε², 0.05 at ε = 1e-2: the Coulomb term's third derivative is large near close
     * pairs), against 1e-3 ‖∇L‖ ≈ 8e-3.
     */
    @Test
    void freeEnergyGradientMatchesFloat32FiniteDifferences() {
        Backend cpu = Backends.cpu();
        int particles = 3, d = 2 * particles;
        double beta = 2;
        CouplingFlow flow = CouplingFlow.realNvp(d, 4, 5, 16, 16);
        Potential gas = Potential.coulombGas(2);
        Trainer trainer = Trainer.variationalFreeEnergy(flow, gas, beta, TrainOptions.of(cpu));
        float[] zf = new float[M * d];
        double[] z = normals(M * d, 9);
        for (int i = 0; i < z.length; i++) z[i] = zf[i] = (float) z[i];
        double[] theta = trainer.parameters(), grad = new double[theta.length];
        trainer.evaluate(zf, M, grad);
        FlowParameters params = new FlowParameters(flow);
        Loss loss32 = th -> {
            try (CouplingFlowModule f = params.with(th).on(cpu); Tensor zt = cpu.empty(M, d)) {
                zt.copyFrom(zf);
                FlowResult r = f.forward(zt);
                try (Tensor x = r.output(); Tensor ld = r.logDet(); Tensor v = gas.energy(x)) {
                    float[] lds = ld.toArray(), vs = v.toArray();
                    double sum = 0, row[] = new double[d];
                    for (int s = 0; s < M; s++) {
                        System.arraycopy(z, s * d, row, 0, d);
                        sum += vs[s] + (FlowReference.logNormal(row) - lds[s]) / beta;
                    }
                    return sum / M;
                }
            }
        };
        double norm = 0;
        for (double g : grad) norm += g * g;
        norm = Math.sqrt(norm);
        double eps = 1e-3;
        SplittableRandom r = new SplittableRandom(3);
        for (int trial = 0; trial < 3; trial++) {
            // the first direction is the gradient's own, the others random
            double[] v = trial == 0 ? grad.clone() : normals(theta.length, r.nextLong());
            double vn = 0;
            for (double e : v) vn += e * e;
            vn = Math.sqrt(vn);
            double[] p = theta.clone(), q = theta.clone();
            double directional = 0;
            for (int i = 0; i < v.length; i++) {
                v[i] /= vn;
                p[i] += eps * v[i];
                q[i] -= eps * v[i];
                directional += grad[i] * v[i];
            }
            double fd = (loss32.at(p) - loss32.at(q)) / (2 * eps);
            assertTrue(Math.abs(fd - directional) <= 1e-3 * norm,
                    "direction " + trial + ": gradient gives " + directional + ", float32 differences " + fd + " (|grad| " + norm + ")");
        }
    }
}
