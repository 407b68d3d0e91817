package org.flowkernels.ode;

import org.flowkernels.Backend;
import org.flowkernels.nn.Mlp;

/**
 * A velocity field v(x, t) on R^D, as plain data. The kernels run every field as an MLP
 * ({@link #network()}): an {@link MlpField} is one, a {@link LinearField} is the one-layer
 * case. A {@link UserField} is the user's own code (Java and/or a kernel snippet), run by
 * kernels of its own.
 */
public sealed interface VectorField permits MlpField, LinearField, UserField {
    /** D: the width of x and of v. */
    int dim();

    /** Whether t is an input: v = network(concat(x, t)), t the last input; else network(x). */
    boolean timeInput();

    /** The field as the MLP the kernels evaluate. */
    Mlp network();

    /** The parameters uploaded to a backend, ready to integrate. */
    default FieldModule on(Backend backend) {
        return new FieldModule(this, backend);
    }

    /** v(x, t) = mlp(concat(x, t)) when {@code timeInput}, else mlp(x). */
    static MlpField mlp(Mlp mlp, boolean timeInput) {
        return new MlpField(mlp, timeInput);
    }

    /** v(x) = A x + b, A [dim, dim] row-major. */
    static LinearField linear(int dim, float[] a, float[] b) {
        return new LinearField(dim, a, b);
    }
}
