package org.flowkernels.flow;

import java.util.ArrayList;
import java.util.List;
import org.flowkernels.Backend;
import org.flowkernels.Check;
import org.flowkernels.Tensor;
import org.flowkernels.spi.Buffer;
import org.flowkernels.spi.CouplingKernels;
import org.flowkernels.nn.MlpModule;
import org.flowkernels.rng.Distribution;
import org.flowkernels.rng.Rng;

/**
 * A {@link CouplingFlow} whose conditioners live on a backend: forward and inverse (each
 * returning the output and the per-sample log|det J|), sampling and log-densities. The whole
 * stack runs on the backend; nothing comes back to the host between layers. Close it to free
 * the weights. Safe to share between threads (read-only once made).
 */
public final class CouplingFlowModule implements Flow {
    /**
     * The Philox stream of {@link #sample}'s base draws: z[r, c] is coordinate c of
     * (seed, index r, step 0, stream 0xF10), a standard normal (see {@link Rng}).
     */
    public static final int SAMPLE_STREAM = 0xF10;

    private final CouplingFlow flow;
    private final Backend backend;
    private final List<MlpModule> conditioners = new ArrayList<>();
    private final Buffer forwardIndices, inverseIndices;
    private final CouplingKernels.Plan forwardPlan, inversePlan;
    private volatile boolean closed;

    CouplingFlowModule(CouplingFlow flow, Backend backend) {
        this.flow = Check.notNull(flow, "flow");
        this.backend = Check.notNull(backend, "backend");
        Buffer f = null, i = null;
        try {
            for (Coupling c : flow.couplings()) conditioners.add(c.conditioner().on(backend));
            f = backend.memory().upload(flow.plan(false).packed());
            i = backend.memory().upload(flow.plan(true).packed());
        } catch (RuntimeException e) {
            conditioners.forEach(MlpModule::close);
            if (f != null) backend.memory().free(f);
            throw e;
        }
        forwardIndices = f;
        inverseIndices = i;
        forwardPlan = flow.plan(false).kernelPlan(flow.dim(), conditioners, f);
        inversePlan = flow.plan(true).kernelPlan(flow.dim(), conditioners, i);
    }

    public CouplingFlow flow() { return flow; }

    @Override
    public Backend backend() { return backend; }

    @Override
    public int dim() { return flow.dim(); }

    /** The conditioner of coupling k (k indexes {@link CouplingFlow#couplings()}). */
    public MlpModule conditioner(int k) { return conditioners.get(k); }


    /** x = f(z) through layers 0 .. K-1, and log|det ∂x/∂z| per sample. */
    @Override
    public FlowResult forward(Tensor z) {
        return run(z, "z", false, false);
    }

    /** z = f⁻¹(x) through the layers in reverse, and log|det ∂z/∂x| per sample. */
    @Override
    public FlowResult inverse(Tensor x) {
        return run(x, "x", true, false);
    }

    /**
     * n samples x = f(z), z ~ N(0, I) drawn with Philox from (seed, {@link #SAMPLE_STREAM}), and
     * log q(x) = log N(z; 0, I) − log|det ∂x/∂z|.
     */
    @Override
    public FlowSample sample(int n, long seed) {
        ensureOpen();
        Check.nonNegative(n, "n");
        try (Tensor z = Rng.draw(backend, Distribution.NORMAL, n, dim(), seed, SAMPLE_STREAM, 0)) {
            FlowResult r = run(z, "z", false, true);
            return new FlowSample(r.output(), r.logDet());
        }
    }

    /**
     * log p(x) = log N(f⁻¹(x); 0, I) + log|det ∂f⁻¹/∂x| per sample, [n, 1]. Checks first that x
     * holds no NaN or infinity (IllegalArgumentException naming the row and column).
     */
    @Override
    public Tensor logProb(Tensor x) {
        return logProb(x, true);
    }

    /** As {@link #logProb(Tensor)}; {@code checkFinite = false} skips the scan of x (a non-finite row then gives NaN). */
    public Tensor logProb(Tensor x, boolean checkFinite) {
        ensureOpen();
        Check.tensor(x, backend, dim(), "x");
        if (checkFinite && x.rows() > 0) {
            int row = backend.kernels(CouplingKernels.class).firstNonFiniteRow(x);
            if (row >= 0) throw nonFinite(x, row);
        }
        FlowResult r = run(x, "x", true, true);
        r.output().close();
        return r.logDet();
    }

    private IllegalArgumentException nonFinite(Tensor x, int row) {
        float[] v = new float[x.cols()];
        backend.memory().read(x.buffer(), (long) row * x.cols(), v, 0, v.length);
        int col = 0;
        while (col < v.length - 1 && Float.isFinite(v[col])) col++;
        return new IllegalArgumentException("x: expected finite values, got " + v[col] + " at row " + row + ", column " + col
                + " (logProb(x, false) skips this check)");
    }

    private FlowResult run(Tensor in, String name, boolean inverse, boolean density) {
        ensureOpen();
        Check.tensor(in, backend, dim(), name);
        int n = in.rows();
        Tensor out = backend.empty(n, dim()), result = null;
        try {
            result = backend.empty(n, 1);
            if (n > 0) backend.kernels(CouplingKernels.class).transform(inverse ? inversePlan : forwardPlan, in, out, result, density);
            return new FlowResult(out, result);
        } catch (RuntimeException e) {
            out.close();
            if (result != null) result.close();
            throw e;
        }
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("flow module on " + backend.name() + " is closed");
    }

    @Override
    public String describe() { return flow + " on " + backend.name(); }

    /** Frees the weights and index lists; idempotent. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        conditioners.forEach(MlpModule::close);
        backend.memory().free(forwardIndices);
        backend.memory().free(inverseIndices);
    }

    @Override
    public String toString() {
        return describe() + (closed ? " (closed)" : "");
    }
}
