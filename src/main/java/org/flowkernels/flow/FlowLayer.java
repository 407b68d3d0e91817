package org.flowkernels.flow;

import java.util.List;
import org.flowkernels.Backend;

/**
 * One invertible layer of a {@link CouplingFlow}, as plain data: a coupling layer or a fixed
 * permutation. Run a single layer with {@link #on(Backend)} (a one-layer flow).
 */
public sealed interface FlowLayer permits Coupling, Permutation {
    /** The number of coordinates D the layer maps. */
    int dim();

    /** This layer alone, on a backend: forward and inverse with their log-dets. */
    default CouplingFlowModule on(Backend backend) {
        return new CouplingFlow(List.of(this)).on(backend);
    }
}
