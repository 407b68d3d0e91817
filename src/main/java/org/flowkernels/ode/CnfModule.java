package org.flowkernels.ode;

import org.flowkernels.Backend;
import org.flowkernels.Check;
import org.flowkernels.Tensor;
import org.flowkernels.rng.Distribution;
import org.flowkernels.rng.Rng;
import org.flowkernels.spi.OdeKernels;

/**
 * A {@link Cnf} on a backend. {@link #sample} draws z ~ N(0, I), integrates t0 → t1 and
 * returns x with log q(x) = log N(z) + Δlogp; {@link #logProb} integrates x back t1 → t0 to
 * z and returns log N(z) − Δlogp. With a Hutchinson trace both are estimates, deterministic
 * in (x, seed); the probes of a sample depend on its row and the seed only, so a sample
 * integrated back with the seed it was drawn with meets the same probes.
 *
 * <p>Random numbers: z of row i is row i of {@code Rng.draw(backend, NORMAL, n, D, seed,
 * BASE_STREAM, 0)}; the probes use {@link Ode#PROBE_STREAM} with the same seed. Close the
 * module to free the field's parameters; safe to share between threads.
 */
public final class CnfModule implements AutoCloseable {
    /** The Philox stream of the base draws ("CNF", 1). */
    public static final int BASE_STREAM = 0x434E4601;

    private final Cnf cnf;
    private final FieldModule field;

    CnfModule(Cnf cnf, Backend backend) {
        this.cnf = Check.notNull(cnf, "cnf");
        this.field = cnf.field().on(Check.notNull(backend, "backend"));
    }

    public Cnf cnf() { return cnf; }

    public Backend backend() { return field.backend(); }

    public int dim() { return cnf.dim(); }

    /** n samples x [n, D] and their log q(x) [n, 1]. */
    public record Sample(Tensor x, Tensor logQ, Execution execution) implements AutoCloseable {
        @Override
        public void close() {
            x.close();
            logQ.close();
        }
    }

    /** log q(x) [n, 1] and the base point z [n, D] that x came from. */
    public record Density(Tensor logProb, Tensor z, Execution execution) implements AutoCloseable {
        @Override
        public void close() {
            logProb.close();
            z.close();
        }
    }

    public Sample sample(int n, long seed) {
        Check.nonNegative(n, "n");
        try (Tensor z = Rng.draw(field.backend(), Distribution.NORMAL, n, dim(), seed, BASE_STREAM, 0)) {
            Solution s = Ode.solve(field, z, cnf.solve().seed(seed));
            try (Tensor delta = s.deltaLogp()) {
                return new Sample(s.x(), logDensity(z, delta, 1f), s.execution());
            } catch (RuntimeException e) {
                s.x().close();
                throw e;
            }
        }
    }

    /** log q(x), the probes (if any) drawn with the flow's own seed, {@code cnf().solve().seed()}. */
    public Density logProb(Tensor x) {
        return logProb(x, cnf.solve().seed());
    }

    /** log q(x), the probes drawn with {@code seed}: the seed x was sampled with retraces its path. */
    public Density logProb(Tensor x, long seed) {
        Check.tensor(x, field.backend(), dim(), "x");
        Solution s = Ode.solve(field, x, cnf.solve().reversed().seed(seed));
        try (Tensor delta = s.deltaLogp()) {
            return new Density(logDensity(s.x(), delta, -1f), s.x(), s.execution());
        } catch (RuntimeException e) {
            s.x().close();
            throw e;
        }
    }

    private Tensor logDensity(Tensor z, Tensor delta, float sign) {
        Tensor out = field.backend().empty(z.rows(), 1);
        try {
            if (z.rows() > 0) field.backend().kernels(OdeKernels.class).gaussianLogDensity(z, delta, sign, out);
            return out;
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
    }

    @Override
    public void close() { field.close(); }

    @Override
    public String toString() { return "CnfModule[" + cnf.field() + " on " + field.backend().name() + "]"; }
}
