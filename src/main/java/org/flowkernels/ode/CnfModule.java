package org.flowkernels.ode;

import java.util.Locale;
import org.flowkernels.Backend;
import org.flowkernels.Check;
import org.flowkernels.Tensor;
import org.flowkernels.flow.Flow;
import org.flowkernels.flow.FlowResult;
import org.flowkernels.flow.FlowSample;
import org.flowkernels.rng.Distribution;
import org.flowkernels.rng.Rng;
import org.flowkernels.spi.OdeKernels;

/**
 * A {@link Cnf} on a backend, as a {@link Flow}. {@link #sample} draws z ~ N(0, I),
 * integrates t0 → t1 and returns x with log q(x) = log N(z) + Δlogp; {@link #logProb}
 * integrates x back t1 → t0 to z and returns log N(z) − Δlogp. {@link #forward} and
 * {@link #inverse} are the two solves with log|det| = −Δlogp of that solve (Liouville:
 * log|det ∂x(t)/∂x(s)| = ∫ₛᵗ tr(∂v/∂x) dt in either direction). With a Hutchinson trace the
 * log-densities and log-dets are estimates, deterministic in (input, seed); the probes of a
 * sample depend on its row and the seed only, so a sample integrated back with the seed it
 * was drawn with meets the same probes. The methods without a seed draw the probes with
 * the flow's own, {@code cnf().solve().seed()}.
 *
 * <p>Random numbers: z of row i is row i of {@code Rng.draw(backend, NORMAL, n, D, seed,
 * BASE_STREAM, 0)}; the probes use {@link Ode#PROBE_STREAM} with the same seed. Close the
 * module to free the field's parameters; safe to share between threads.
 */
public final class CnfModule implements Flow {
    /** The Philox stream of the base draws ("CNF", 1). */
    public static final int BASE_STREAM = 0x434E4601;

    private final Cnf cnf;
    private final FieldModule field;

    CnfModule(Cnf cnf, Backend backend) {
        this.cnf = Check.notNull(cnf, "cnf");
        this.field = cnf.field().on(Check.notNull(backend, "backend"));
    }

    public Cnf cnf() { return cnf; }

    @Override
    public Backend backend() { return field.backend(); }

    @Override
    public int dim() { return cnf.dim(); }

    /** The path every solve of this flow takes on its backend (FUSED or PER_STEP). */
    public Execution execution() { return Ode.execution(field, cnf.solve()); }

    /** n samples x [n, D] and their log q(x) [n, 1]; a Hutchinson trace draws its probes with {@code seed} too. */
    @Override
    public FlowSample sample(int n, long seed) {
        Check.nonNegative(n, "n");
        try (Tensor z = Rng.draw(backend(), Distribution.NORMAL, n, dim(), seed, BASE_STREAM, 0)) {
            Solution s = Ode.solve(field, z, cnf.solve().seed(seed));
            try (Tensor delta = s.deltaLogp()) {
                return new FlowSample(s.x(), logDensity(z, delta, 1f));
            } catch (RuntimeException e) {
                s.x().close();
                throw e;
            }
        }
    }

    @Override
    public Tensor logProb(Tensor x) {
        return logProb(x, cnf.solve().seed());
    }

    /** log q(x) [n, 1], the probes drawn with {@code seed}: the seed x was sampled with retraces its path. */
    public Tensor logProb(Tensor x, long seed) {
        Check.tensor(x, backend(), dim(), "x");
        try (Solution s = Ode.solve(field, x, cnf.solve().reversed().seed(seed))) {
            return logDensity(s.x(), s.deltaLogp(), -1f);
        }
    }

    @Override
    public FlowResult forward(Tensor z) {
        return forward(z, cnf.solve().seed());
    }

    /** x = z carried from t0 to t1, and log|det ∂x/∂z| = ∫ tr(∂v/∂x) dt, the probes drawn with {@code seed}. */
    public FlowResult forward(Tensor z, long seed) {
        Check.tensor(z, backend(), dim(), "z");
        return transform(z, cnf.solve().seed(seed));
    }

    @Override
    public FlowResult inverse(Tensor x) {
        return inverse(x, cnf.solve().seed());
    }

    /** z = x carried back from t1 to t0, and log|det ∂z/∂x|, the probes drawn with {@code seed}. */
    public FlowResult inverse(Tensor x, long seed) {
        Check.tensor(x, backend(), dim(), "x");
        return transform(x, cnf.solve().reversed().seed(seed));
    }

    /** The solve's end point and log|det ∂x(end)/∂x(start)| = −Δlogp. */
    private FlowResult transform(Tensor in, Solve how) {
        Solution s = Ode.solve(field, in, how);
        try {
            // [n, 1]: a copy each way costs nothing beside the solve, and no kernel family scales a tensor.
            float[] logDet = s.deltaLogp().toArray();
            for (int i = 0; i < logDet.length; i++) logDet[i] = -logDet[i];
            s.deltaLogp().copyFrom(logDet);
            return new FlowResult(s.x(), s.deltaLogp());
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private Tensor logDensity(Tensor z, Tensor delta, float sign) {
        Tensor out = backend().empty(z.rows(), 1);
        try {
            if (z.rows() > 0) backend().kernels(OdeKernels.class).gaussianLogDensity(z, delta, sign, out);
            return out;
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
    }

    /** "CNF of dimension 2: MlpField[...], RK4 from t = 0.0 to 1.0 in 20 steps, exact trace, fused, on cpu". */
    @Override
    public String describe() {
        Solve s = cnf.solve();
        String trace = s.trace() instanceof Trace.Hutchinson h
                ? "Hutchinson trace, " + h.probes() + " " + lower(h.probe()) + " probe(s)" : "exact trace";
        return "CNF of dimension " + dim() + ": " + cnf.field() + ", " + s.solver() + " from t = " + s.t0() + " to " + s.t1()
                + " in " + s.steps() + " steps, " + trace + ", " + lower(execution()).replace('_', '-') + ", on " + backend().name();
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public void close() { field.close(); }

    @Override
    public String toString() { return "CnfModule[" + cnf.field() + " on " + field.backend().name() + "]"; }
}
