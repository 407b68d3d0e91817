package org.flowkernels.ode;

import org.flowkernels.rng.Distribution;
import org.flowkernels.spi.Contract;

/**
 * How the divergence tr(∂v/∂x) is computed at each evaluation of the field. Both run
 * forward-mode tangents J ε through the MLP beside its values, in the same kernel:
 * {@link Exact} with ε = e_1 … e_D (D tangents), {@link Hutchinson} with k random probes,
 * the estimate (1/k) Σ_j ε_jᵀ J ε_j.
 */
public sealed interface Trace permits Trace.Exact, Trace.Hutchinson {
    /** Tangents carried per sample for a field of dimension {@code dim}. */
    int tangents(int dim);

    /** The probes' DIST_* code for the kernels, or PROBE_EXACT. */
    default int probeCode() {
        return this instanceof Hutchinson h ? h.probe().code : Contract.PROBE_EXACT;
    }

    /** The weight of each tangent's ε·(J ε) in the trace: 1 exact, 1 / probes for Hutchinson's mean. */
    default float weight(int dim) {
        return this instanceof Hutchinson ? 1f / tangents(dim) : 1f;
    }

    /** The exact trace: D Jacobian-vector products. */
    record Exact() implements Trace {
        @Override public int tangents(int dim) { return dim; }
    }

    /**
     * Hutchinson's estimator with {@code probes} probes per sample, drawn from Philox once per
     * trajectory and held fixed through the solve (as FFJORD does), so a solve is a
     * deterministic function of (x0, seed). Probe j of sample (row) i is row i of
     * {@code Rng.draw(backend, probe, n, D, seed, Ode.PROBE_STREAM, j)}. Unbiased; its variance
     * for one probe is 2‖A_s‖²_F (Gaussian) and 2(‖A_s‖²_F − Σ A_ii²) (Rademacher), A_s the
     * symmetric part of the Jacobian; k probes divide it by k.
     */
    record Hutchinson(Distribution probe, int probes) implements Trace {
        public Hutchinson {
            if (probe != Distribution.RADEMACHER && probe != Distribution.NORMAL)
                throw new IllegalArgumentException("probe: expected RADEMACHER or NORMAL, got " + probe);
            if (probes < 1) throw new IllegalArgumentException("probes: expected >= 1 per sample, got " + probes);
        }

        @Override public int tangents(int dim) { return probes; }
    }

    static Trace exact() { return new Exact(); }

    static Trace hutchinson(Distribution probe, int probes) { return new Hutchinson(probe, probes); }

    static Trace rademacher(int probes) { return new Hutchinson(Distribution.RADEMACHER, probes); }

    static Trace gaussian(int probes) { return new Hutchinson(Distribution.NORMAL, probes); }
}
