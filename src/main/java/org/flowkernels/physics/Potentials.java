package org.flowkernels.physics;

import org.flowkernels.Backend;
import org.flowkernels.Check;
import org.flowkernels.Tensor;
import org.flowkernels.spi.PotentialKernels;

/** The potential operations behind {@link Potential}'s default methods, and its shared checks. */
final class Potentials {
    private Potentials() {}

    static Tensor[] evaluate(Potential v, Tensor q, boolean wantGradient) {
        checkInput(v, q);
        Backend b = q.backend();
        Tensor energy = b.empty(q.rows(), 1), gradient = null;
        try {
            if (wantGradient) gradient = b.empty(q.rows(), q.cols());
            evaluate(v, q, energy, gradient);
        } catch (RuntimeException e) {
            energy.close();
            if (gradient != null) gradient.close();
            throw e;
        }
        return new Tensor[] {energy, gradient};
    }

    static void evaluate(Potential v, Tensor q, Tensor energy, Tensor gradient) {
        checkInput(v, q);
        Check.tensor(energy, q.backend(), q.rows(), 1, "energy");
        if (gradient != null) Check.tensor(gradient, q.backend(), q.rows(), q.cols(), "gradient");
        if (q.rows() == 0) return;
        q.backend().kernels(PotentialKernels.class).evaluate(v.spec(), q, energy, gradient);
    }

    private static void checkInput(Potential v, Tensor q) {
        Check.notNull(v, "potential");
        Check.notNull(q, "q");
        Check.tensor(q, q.backend(), q.cols(), "q");
        v.checkCoordinates(q.cols(), "q");
    }

    /** Rows of whole particles of {@code dim} coordinates, at least {@code minParticles} of them. */
    static void checkWidth(int coordinates, int dim, int minParticles, String name, Potential v) {
        if (coordinates % dim != 0 || coordinates / dim < minParticles)
            throw new IllegalArgumentException(name + ": expected a row of " + (dim == 1 ? "" : dim + " x ") + "n coordinates"
                    + " with n >= " + minParticles + " particles for " + v + ", got " + coordinates + " columns");
    }

    static void checkDim(int dim) {
        if (dim < 1 || dim > 3) throw new IllegalArgumentException("dim: expected 1, 2 or 3, got " + dim);
    }
}
