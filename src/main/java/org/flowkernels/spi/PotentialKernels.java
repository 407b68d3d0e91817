package org.flowkernels.spi;

/** Energies and gradients of potentials on one backend. Shapes are checked by the caller. */
public interface PotentialKernels {
    /** energy [batch, 1] = V(q) and, when gradient is not null, gradient [batch, n] = dV/dq, for q [batch, n]. */
    void evaluate(PotentialSpec v, Matrix q, Matrix energy, Matrix gradient);
}
