package org.flowkernels.sample;

import org.flowkernels.Backend;
import org.flowkernels.Check;
import org.flowkernels.nn.MlpModule;
import org.flowkernels.physics.Potential;
import org.flowkernels.spi.LangevinKernels;

/**
 * Where the drift ∇ ln π(x) of the Langevin dynamics comes from.
 * <ul>
 *   <li>{@link PotentialDrift}: π(x) ∝ exp(−β V(x)) for a {@link Potential} V at inverse
 *       temperature β, so ∇ ln π = −β ∇V and ln π = −β V up to a constant: ULA and MALA.</li>
 *   <li>{@link ScoreDrift}: a score network s(x, σ) ≈ ∇ ln p_σ(x), an MLP on concat(x, σ)
 *       (n + 1 inputs, n outputs). It gives the gradient only, so it drives ULA and annealed
 *       Langevin, not MALA (whose accept/reject needs ln π itself).</li>
 * </ul>
 */
public sealed interface Drift permits Drift.PotentialDrift, Drift.ScoreDrift {

    /** Whether ln π(x) is known up to a constant, as MALA's Metropolis-Hastings ratio needs. */
    boolean hasLogDensity();

    /** Throws IllegalArgumentException unless states of {@code n} coordinates on {@code backend}
     *  fit this drift; {@code name} is the states' argument name. */
    void checkStates(Backend backend, int n, String name);

    /** The drift as the kernels see it. */
    LangevinKernels.Drift kernelDrift();

    /** π ∝ exp(−β V): the Boltzmann density of V at inverse temperature β. */
    static PotentialDrift potential(Potential v, double beta) {
        return new PotentialDrift(v, beta);
    }

    /** s(x, σ) = net(concat(x, σ)) at a fixed noise level σ. */
    static ScoreDrift score(MlpModule net, double sigma) {
        return new ScoreDrift(net, sigma);
    }

    /** A potential at inverse temperature β: drift −β ∇V(x), log-density −β V(x). */
    record PotentialDrift(Potential potential, double beta) implements Drift {
        public PotentialDrift {
            Check.notNull(potential, "potential");
            Check.positiveFinite(beta, "beta");
        }

        @Override public boolean hasLogDensity() { return true; }

        @Override
        public void checkStates(Backend backend, int n, String name) {
            potential.checkCoordinates(n, name);
        }

        @Override
        public LangevinKernels.Drift kernelDrift() {
            return new LangevinKernels.PotentialDrift(potential.spec(), (float) beta);
        }
    }

    /** A score network at noise level σ: drift s(x, σ), for ULA. */
    record ScoreDrift(MlpModule net, double sigma) implements Drift {
        public ScoreDrift {
            Check.notNull(net, "net");
            Check.positiveFinite(sigma, "sigma");
        }

        @Override public boolean hasLogDensity() { return false; }

        @Override
        public void checkStates(Backend backend, int n, String name) {
            checkScoreNet(net, backend, n, name);
        }

        @Override
        public LangevinKernels.Drift kernelDrift() {
            return new LangevinKernels.ScoreDrift(net.network());
        }
    }

    /** The score net's widths fit states of n coordinates (n + 1 inputs: x and σ; n outputs). */
    static void checkScoreNet(MlpModule net, Backend backend, int n, String name) {
        Check.notNull(net, "net");
        if (net.parameters().isClosed()) throw new IllegalStateException("net: the module is closed");
        if (net.mlp().inputs() != n + 1 || net.mlp().outputs() != n)
            throw new IllegalArgumentException("net: expected a score MLP with n + 1 = " + (n + 1) + " inputs (x and σ) and n = "
                    + n + " outputs for " + name + " of " + n + " coordinates, got " + net.mlp());
        if (net.backend() != backend)
            throw new IllegalArgumentException("net: expected a module on " + backend.name() + " (where " + name
                    + " lives), got one on " + net.backend().name());
    }
}
