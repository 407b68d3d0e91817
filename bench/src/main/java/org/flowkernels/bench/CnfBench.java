package org.flowkernels.bench;

import org.flowkernels.Tensor;
import org.flowkernels.nn.Activation;
import org.flowkernels.nn.Mlp;
import org.flowkernels.ode.Execution;
import org.flowkernels.ode.FieldModule;
import org.flowkernels.ode.Ode;
import org.flowkernels.ode.Solution;
import org.flowkernels.ode.Solve;
import org.flowkernels.ode.Trace;
import org.flowkernels.ode.VectorField;
import org.flowkernels.rng.Rng;
import org.openjdk.jmh.annotations.Benchmark;

/**
 * W2-exact and W2-hutch (WORKLOADS.md W2): a continuous flow v(x, t) = MLP(concat(x, t)) with
 * nn.Linear's initialisation, integrated from x0 ~ N(0, I) at t = 0 to t = 1 with RK4 on the
 * augmented state (x, Δlogp), through the public call {@code Ode.solve}, outputs allocated as
 * a user gets them. The note says which path ran (FUSED: one launch for the whole solve).
 */
public class CnfBench extends WorkloadBench {
    static final Mlp EXACT_NET = Mlp.random(1, Activation.TANH, 3, 64, 64, 2);
    static final Mlp HUTCH_NET = Mlp.random(1, Activation.TANH, 65, 256, 256, 64);
    static final Solve EXACT = Solve.rk4(0, 1, 100), HUTCH = Solve.rk4(0, 1, 20).trace(Trace.rademacher(1)).seed(3);
    /** Rows the error figures use: a float64 run (W2-exact) or an exact-trace run (W2-hutch) of the whole batch is not needed. */
    private static final int EXACT_ROWS = 64, HUTCH_ROWS = 256;

    private boolean exact;
    private FieldModule field;
    private Tensor x0;
    private Solution last;

    @Override
    protected void prepare() {
        exact = workload().id().equals("W2-exact");
        Mlp net = exact ? EXACT_NET : HUTCH_NET;
        field = VectorField.mlp(net, true).on(backend());
        x0 = Rng.normal(backend(), batch(), net.outputs(), 7);
        note("path " + Ode.execution(field, exact ? EXACT : HUTCH));
    }

    @Benchmark
    public void exact() {
        solve(EXACT);
    }

    @Benchmark
    public void hutchinson() {
        solve(HUTCH);
    }

    private void solve(Solve how) {
        Solution s = Ode.solve(field, x0, how);
        backend().synchronize();
        if (last != null) last.close();
        last = s;
    }

    @Override
    protected void finish() {
        float[] dl = last.deltaLogp().toArray(), x = x0.toArray();
        if (exact) {
            int rows = Math.min(EXACT_ROWS, batch());
            double worst = 0;
            for (int i = 0; i < rows; i++) worst = Math.max(worst, Math.abs(dl[i] - float64DeltaLogp(EXACT_NET, x[2 * i], x[2 * i + 1], 100)));
            figure("max |dlogp - float64 run| (" + rows + " rows)", worst);
            return;
        }
        int rows = Math.min(HUTCH_ROWS, batch()), D = HUTCH_NET.outputs();
        float[] head = new float[rows * D];
        System.arraycopy(x, 0, head, 0, head.length);
        try (Tensor xh = backend().tensor(head, rows, D); Solution ex = Ode.solve(field, xh, HUTCH.trace(Trace.exact()).execution(Execution.AUTO))) {
            float[] de = ex.deltaLogp().toArray();
            double mean = 0, var = 0;
            for (int i = 0; i < rows; i++) mean += dl[i] - de[i];
            mean /= rows;
            for (int i = 0; i < rows; i++) var += (dl[i] - de[i] - mean) * (dl[i] - de[i] - mean);
            figure("var(hutchinson dlogp - exact dlogp) (" + rows + " rows)", var / (rows - 1));
        }
    }

    /** One sample of W2-exact in float64: RK4 with the exact trace from forward-mode tangents. */
    static double float64DeltaLogp(Mlp net, double x0, double x1, int steps) {
        double[] x = {x0, x1}, k = new double[2], tr = new double[1];
        double h = 1.0 / steps, dl = 0;
        double[] a = {0, 0.5, 0.5, 1}, b = {1 / 6.0, 1 / 3.0, 1 / 3.0, 1 / 6.0};
        for (int n = 0; n < steps; n++) {
            double[] acc = new double[2];
            double accl = 0;
            for (int i = 0; i < 4; i++) {
                k = velocity(net, new double[] {x[0] + a[i] * h * k[0], x[1] + a[i] * h * k[1], (n + a[i]) * h}, tr);
                acc[0] += b[i] * k[0];
                acc[1] += b[i] * k[1];
                accl -= b[i] * tr[0];
            }
            x[0] += h * acc[0];
            x[1] += h * acc[1];
            dl += h * accl;
        }
        return dl;
    }

    /** v(concat(x, t)) and, in tr[0], tr(dv/dx) from the two tangents e_0, e_1. */
    private static double[] velocity(Mlp net, double[] in, double[] tr) {
        double[] v = in;
        double[][] tangents = {{1, 0}, {0, 1}, {0, 0}}; // [unit][tangent]
        for (int l = 0; l < net.depth(); l++) {
            Mlp.Layer layer = net.layers().get(l);
            double[] z = new double[layer.out()];
            double[][] tz = new double[layer.out()][2];
            for (int o = 0; o < layer.out(); o++) {
                z[o] = layer.bias()[o];
                for (int i = 0; i < layer.in(); i++) {
                    double w = layer.weight()[o * layer.in() + i];
                    z[o] += w * v[i];
                    tz[o][0] += w * tangents[i][0];
                    tz[o][1] += w * tangents[i][1];
                }
                if (l + 1 < net.depth()) {
                    z[o] = Math.tanh(z[o]);
                    tz[o][0] *= 1 - z[o] * z[o];
                    tz[o][1] *= 1 - z[o] * z[o];
                }
            }
            v = z;
            tangents = tz;
        }
        tr[0] = tangents[0][0] + tangents[1][1];
        return v;
    }

    @Override
    protected void release() {
        if (last != null) last.close();
        x0.close();
        field.close();
    }
}
