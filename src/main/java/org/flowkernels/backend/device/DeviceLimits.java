package org.flowkernels.backend.device;

import org.flowkernels.spi.Tableau;

/**
 * The compile-time sizes of the device kernels, which the Java side checks before it launches
 * one. {@link ContractHeader} writes them into include/contract.h beside spi.Contract's codes,
 * so the C side has no copy of its own.
 */
final class DeviceLimits {
    private DeviceLimits() {}

    /** Widest row a potential kernel holds in private memory, and the narrow build's width. */
    static final int POT_MAX_COORDS = 1024, POT_SMALL_COORDS = 64;

    /** The fused CNF kernel's per-sample state: widths, D, tangents and layers at most. */
    static final int ODE_FUSED_MAX_WIDTH = 64, ODE_FUSED_MAX_DIM = 16, ODE_FUSED_MAX_TANGENTS = 8, ODE_FUSED_MAX_DEPTH = 8;

    /** The widest layer of the fused score kernel, and the widest state (plus one) of the per-step update kernel. */
    static final int LGV_SCORE_WIDTH = 128;

    /** linear_forward's tile: LIN_TILE rows x LIN_TILE outputs per work-group of LIN_THREADS x LIN_THREADS. */
    static final int LIN_TILE = 64, LIN_THREADS = 16;

    /** The widest state of a user's vector field on OpenCL and CUDA (user_field.cl's private arrays). */
    static final int USER_FIELD_MAX_DIM = 64;

    /** The most Runge–Kutta stages a kernel's tableau holds. */
    static final int TABLEAU_MAX_STAGES = Tableau.MAX_STAGES;
}
