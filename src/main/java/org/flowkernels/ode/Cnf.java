package org.flowkernels.ode;

import org.flowkernels.Backend;
import org.flowkernels.Check;
import org.flowkernels.Tensor;
import org.flowkernels.rng.Distribution;
import org.flowkernels.rng.Rng;

/**
 * A continuous normalizing flow: the base N(0, I) at t0 carried to t1 by dx/dt = v(x, t).
 * {@link #sample} draws z, integrates t0 → t1 and returns x with log q(x) = log N(z) + Δlogp;
 * {@link #logProb} integrates x back t1 → t0 to z and returns log N(z) − Δlogp. With a
 * Hutchinson trace both are estimates, deterministic in (x, seed); the probes of a sample
 * depend on its row and the seed only, so a sample integrated back with the same seed
 * meets the same probes.
 *
 * <p>Random numbers: z of row i is row i of {@code Rng.draw(backend, NORMAL, n, D, seed,
 * BASE_STREAM, 0)}; the probes use {@link Ode#PROBE_STREAM} with the same seed.
 */
public final class Cnf implements AutoCloseable {
    /** The Philox stream of the base draws ("CNF", 1). */
    public static final int BASE_STREAM = 0x434E4601;

    private final FieldModule field;
    private final Solve solve;

    private Cnf(FieldModule field, Solve solve) {
        this.field = field;
        this.solve = solve;
    }

    /** The flow of {@code field} from solve.t0() (the base) to solve.t1() (the data), on a backend. */
    public static Cnf on(Backend backend, VectorField field, Solve solve) {
        Check.notNull(backend, "backend");
        Check.notNull(field, "field");
        Check.notNull(solve, "solve");
        return new Cnf(field.on(backend), solve.saveEvery(0));
    }

    public VectorField field() { return field.field(); }

    public Solve solve() { return solve; }

    public Backend backend() { return field.backend(); }

    /** n samples x [n, D] and their log q(x) [n, 1]. */
    public record Sample(Tensor x, Tensor logProb, Execution execution) implements AutoCloseable {
        @Override
        public void close() {
            x.close();
            logProb.close();
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
        Backend backend = field.backend();
        try (Tensor z = Rng.draw(backend, Distribution.NORMAL, n, field.field().dim(), seed, BASE_STREAM, 0)) {
            Solution s = Ode.solve(field, z, solve.seed(seed));
            try (Tensor delta = s.deltaLogp()) {
                Tensor logq = logDensity(z, delta, 1f);
                return new Sample(s.x(), logq, s.execution());
            } catch (RuntimeException e) {
                s.x().close();
                throw e;
            }
        }
    }

    /** log q(x) with the flow's own seed for the probes. */
    public Density logProb(Tensor x) {
        return logProb(x, solve.seed());
    }

    public Density logProb(Tensor x, long seed) {
        Check.tensor(x, field.backend(), field.field().dim(), "x");
        Solution s = Ode.solve(field, x, solve.reversed().seed(seed));
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
            if (z.rows() > 0) field.backend().kernels(OdeKernels.FAMILY).gaussianLogDensity(z, delta, sign, out);
            return out;
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
    }

    @Override
    public void close() { field.close(); }
}
