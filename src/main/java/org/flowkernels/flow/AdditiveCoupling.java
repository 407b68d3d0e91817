package org.flowkernels.flow;

import org.flowkernels.Check;
import org.flowkernels.nn.Activation;
import org.flowkernels.nn.Mlp;

/**
 * NICE's additive coupling (Dinh, Krueger, Bengio 2015): the conditioner's output of width
 * d_t is the shift, x_t = z_t + MLP(z_c), volume-preserving (log|det J| = 0).
 */
public record AdditiveCoupling(Mask mask, Mlp conditioner) implements Coupling {
    public AdditiveCoupling {
        Check.notNull(mask, "mask");
        Check.notNull(conditioner, "conditioner");
        AffineCoupling.checkConditioner(mask, conditioner, mask.transformedCount(), "the shift, 1 per transformed index");
    }

    public static AdditiveCoupling random(Mask mask, long seed, int... hidden) {
        Check.notNull(mask, "mask");
        return new AdditiveCoupling(mask, Mlp.random(seed, Activation.TANH,
                AffineCoupling.widths(mask.conditioningCount(), hidden, mask.transformedCount())));
    }

    @Override
    public boolean affine() { return false; }

    @Override
    public ScaleBound scaleBound() { return ScaleBound.NONE; }
}
