package org.flowkernels.flow;

import org.flowkernels.Backend;
import org.flowkernels.Tensor;

/**
 * A normalizing flow on a backend: an invertible x = f(z) over a standard normal base
 * z ~ N(0, I), with log q(x) = log N(f⁻¹(x); 0, I) + log|det ∂f⁻¹/∂x|. Both directions
 * return the output and the per-row log|det J| of that direction (nflows' convention,
 * {@link FlowResult}). Made by a model's {@code on(backend)}: a coupling flow
 * ({@link CouplingFlowModule}) or a continuous one ({@code ode.CnfModule}). Close it to free
 * its parameters on the backend.
 */
public interface Flow extends AutoCloseable {
    Backend backend();

    /** D, the width of x and z. */
    int dim();

    /** n samples x = f(z), z ~ N(0, I) drawn with Philox from {@code seed}, with their log q(x) [n, 1]. */
    FlowSample sample(int n, long seed);

    /** log q(x) [n, 1] of the rows of x [n, D]. */
    Tensor logProb(Tensor x);

    /** x = f(z) and log|det ∂x/∂z| [n, 1]. */
    FlowResult forward(Tensor z);

    /** z = f⁻¹(x) and log|det ∂z/∂x| [n, 1], the negative of forward's at that z. */
    FlowResult inverse(Tensor x);

    /** The model in words: its kind, size and the backend it runs on. */
    String describe();

    @Override
    void close();
}
