package org.flowkernels.flow;

import org.flowkernels.nn.Mlp;

/**
 * A coupling layer: x_c = z_c, x_t = g(z_t; conditioner(z_c)), with the split given by a
 * {@link Mask}. The conditioner is an {@link Mlp} with {@code mask.conditioningCount()}
 * inputs; see {@link AffineCoupling} and {@link AdditiveCoupling} for its outputs.
 */
public sealed interface Coupling extends FlowLayer permits AffineCoupling, AdditiveCoupling {
    Mask mask();

    Mlp conditioner();

    /** True for RealNVP (scale and shift), false for NICE (shift only). */
    boolean affine();

    /** The bound on the log-scale (affine couplings); {@link ScaleBound#NONE} for additive ones. */
    ScaleBound scaleBound();

    @Override
    default int dim() { return mask().dim(); }
}
