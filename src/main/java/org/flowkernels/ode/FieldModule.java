package org.flowkernels.ode;

import java.util.Arrays;
import org.flowkernels.Backend;
import org.flowkernels.Check;
import org.flowkernels.Tensor;
import org.flowkernels.nn.Mlp;
import org.flowkernels.spi.Network;

/**
 * A {@link VectorField} whose parameters live on a backend. The packed MLP parameters are
 * followed by {@link Mlp#maxWidth()} zeros: the bias of a tangent product (tangents take the
 * weights but no bias), at {@link #zeroBiasOffset()}. Close it to free them; read-only
 * once made, so safe to share between threads.
 */
public final class FieldModule implements AutoCloseable {
    private final VectorField field;
    private final Tensor parameters;

    FieldModule(VectorField field, Backend backend) {
        Check.notNull(field, "field");
        Check.notNull(backend, "backend");
        float[] p;
        if (field instanceof UserField u) { // the user's parameters (its kernels upload their own copy)
            p = Arrays.copyOf(u.parameters(), Math.max(1, u.parameters().length));
        } else {
            Mlp mlp = field.network();
            p = Arrays.copyOf(mlp.packedParameters(), mlp.parameterCount() + mlp.maxWidth());
        }
        this.field = field;
        this.parameters = backend.tensor(p, 1, p.length);
    }

    public VectorField field() { return field; }

    public Backend backend() { return parameters.backend(); }

    /** [1, parameterCount + maxWidth]: the packed parameters, then zeros. */
    public Tensor parameters() { return parameters; }

    /** Where the zeros start: a bias offset that adds nothing. */
    public int zeroBiasOffset() { return field.network().parameterCount(); }

    /** The field's MLP as the kernels see it (UnsupportedOperationException for a {@link UserField}). */
    public Network network() {
        Mlp mlp = field.network();
        return new Network(mlp.widths(), mlp.activation().code, parameters.buffer());
    }

    @Override
    public void close() { parameters.close(); }
}
