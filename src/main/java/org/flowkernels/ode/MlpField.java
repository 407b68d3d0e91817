package org.flowkernels.ode;

import org.flowkernels.Check;
import org.flowkernels.nn.Mlp;

/** v(x, t) = mlp(concat(x, t)) (time input) or mlp(x): the mlp's outputs are v's D components. */
public record MlpField(Mlp mlp, boolean timeInput) implements VectorField {
    public MlpField {
        Check.notNull(mlp, "mlp");
        int xInputs = mlp.inputs() - (timeInput ? 1 : 0);
        if (xInputs != mlp.outputs())
            throw new IllegalArgumentException("mlp: a vector field needs outputs = inputs" + (timeInput ? " - 1 (the time input)" : "")
                    + ", expected " + xInputs + " outputs, got " + mlp + " with " + mlp.outputs());
    }

    @Override public int dim() { return mlp.outputs(); }

    @Override public Mlp network() { return mlp; }
}
