package org.flowkernels.ode;

/** How a solve runs on its backend; a {@link Solution} says which one ran. */
public enum Execution {
    /** FUSED where the field fits it, else PER_STEP. */
    AUTO,
    /**
     * The whole multi-step solve in one kernel launch per batch (device backends: weights in
     * local memory, the state in private memory; CPU: each block of 32 samples through every
     * step while it is in cache). Only for fields within {@link OdeKernels#fusedLimit}.
     */
    FUSED,
    /** Every stage of every step over the whole batch: the matrix products as GEMM launches. */
    PER_STEP
}
