package org.flowkernels.nn;

import org.flowkernels.Backend;
import org.flowkernels.Check;
import org.flowkernels.Tensor;
import org.flowkernels.spi.Network;
import org.flowkernels.spi.NnKernels;

/**
 * An {@link Mlp} whose packed parameters live on a backend. Close it to free them.
 * Safe to share between threads (it is read-only once made).
 */
public final class MlpModule implements AutoCloseable {
    private final Mlp mlp;
    private final Backend backend;
    private final Tensor parameters;

    MlpModule(Mlp mlp, Backend backend) {
        this.mlp = Check.notNull(mlp, "mlp");
        this.backend = Check.notNull(backend, "backend");
        this.parameters = backend.tensor(mlp.packedParameters(), 1, mlp.parameterCount());
    }

    public Mlp mlp() { return mlp; }

    public Backend backend() { return backend; }

    /** The packed parameters [1, parameterCount] (see {@link Mlp#weightOffset(int)}). */
    public Tensor parameters() { return parameters; }

    /** The net as the kernels see it. */
    public Network network() {
        return new Network(mlp.widths(), mlp.activation().code, parameters.buffer());
    }

    /** y = MLP(x) for x [n, inputs]; returns a new [n, outputs] tensor. */
    public Tensor forward(Tensor x) {
        Check.tensor(x, backend, mlp.inputs(), "x");
        Tensor y = backend.empty(x.rows(), mlp.outputs());
        try {
            forward(x, y);
        } catch (RuntimeException e) {
            y.close();
            throw e;
        }
        return y;
    }

    /** y = MLP(x) into an existing [n, outputs] tensor. */
    public void forward(Tensor x, Tensor y) {
        Check.tensor(x, backend, mlp.inputs(), "x");
        Check.tensor(y, backend, x.rows(), mlp.outputs(), "y");
        if (x.rows() == 0) return;
        backend.kernels(NnKernels.class).forward(network(), x, y);
    }

    @Override
    public void close() {
        parameters.close();
    }
}
