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

    /** Checks that the conditioner's widths fit the mask. */
    static void checkConditioner(Mask mask, Mlp conditioner, int outputs, String what) {
        if (conditioner.inputs() != mask.conditioningCount())
            throw new IllegalArgumentException("conditioner: expected " + mask.conditioningCount()
                    + " inputs (the mask's conditioning indices), got " + conditioner.inputs());
        if (conditioner.outputs() != outputs)
            throw new IllegalArgumentException("conditioner: expected " + outputs + " outputs (" + what + "), got "
                    + conditioner.outputs());
    }
}
