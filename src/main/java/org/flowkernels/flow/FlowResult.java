package org.flowkernels.flow;

import org.flowkernels.Tensor;

/**
 * What a transform returns (nflows' convention): the output [n, D] and the per-sample
 * log|det ∂output/∂input| [n, 1]. Close it to free both.
 */
public record FlowResult(Tensor output, Tensor logDet) implements AutoCloseable {
    @Override
    public void close() {
        output.close();
        logDet.close();
    }
}
