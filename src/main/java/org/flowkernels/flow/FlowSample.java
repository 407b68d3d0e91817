package org.flowkernels.flow;

import org.flowkernels.Tensor;

/** Samples x [n, D] of a flow and their log-density log q(x) [n, 1]. Close it to free both. */
public record FlowSample(Tensor x, Tensor logQ) implements AutoCloseable {
    @Override
    public void close() {
        x.close();
        logQ.close();
    }
}
