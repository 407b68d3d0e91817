package org.flowkernels.flow;

import org.flowkernels.Check;
import org.flowkernels.nn.Activation;
import org.flowkernels.nn.Mlp;

/**
 * RealNVP's affine coupling (Dinh, Sohl-Dickstein, Bengio 2017). With c = mask.conditioning(),
 * t = mask.transformed(), d_t = |t|, and the conditioner's output o = MLP(z_c) of width 2 d_t:
 * s = bound(o[0 .. d_t)), shift = o[d_t .. 2 d_t) (WORKLOADS.md W1), and
 * <pre>
 *   forward:  x_c = z_c,  x_t = z_t ⊙ exp(s) + shift,     log|det J| = Σ s
 *   inverse:  z_c = x_c,  z_t = (x_t − shift) ⊙ exp(−s), log|det J| = −Σ s
 * </pre>
 */
public record AffineCoupling(Mask mask, Mlp conditioner, ScaleBound scaleBound) implements Coupling {
    public AffineCoupling {
        Check.notNull(mask, "mask");
        Check.notNull(conditioner, "conditioner");
        Check.notNull(scaleBound, "scaleBound");
        checkConditioner(mask, conditioner, 2 * mask.transformedCount(), "log-scale s then shift t, 2 per transformed index");
    }

    /** With the default bound s = tanh(o). */
    public AffineCoupling(Mask mask, Mlp conditioner) {
        this(mask, conditioner, ScaleBound.TANH);
    }

    /** A conditioner of the given hidden widths with tanh, nn.Linear's default initialisation, Philox seed. */
    public static AffineCoupling random(Mask mask, long seed, int... hidden) {
        Check.notNull(mask, "mask");
        return new AffineCoupling(mask, Mlp.random(seed, Activation.TANH,
                widths(mask.conditioningCount(), hidden, 2 * mask.transformedCount())));
    }

    @Override
    public boolean affine() { return true; }

    /** Checks that the conditioner's widths fit the mask (both coupling kinds). */
    static void checkConditioner(Mask mask, Mlp conditioner, int outputs, String what) {
        if (conditioner.inputs() != mask.conditioningCount())
            throw new IllegalArgumentException("conditioner: expected " + mask.conditioningCount()
                    + " inputs (the mask's conditioning indices), got " + conditioner.inputs());
        if (conditioner.outputs() != outputs)
            throw new IllegalArgumentException("conditioner: expected " + outputs + " outputs (" + what + "), got "
                    + conditioner.outputs());
    }

    /** [in, hidden..., out]. */
    static int[] widths(int in, int[] hidden, int out) {
        Check.notNull(hidden, "hidden");
        int[] w = new int[hidden.length + 2];
        w[0] = in;
        System.arraycopy(hidden, 0, w, 1, hidden.length);
        w[w.length - 1] = out;
        return w;
    }
}
