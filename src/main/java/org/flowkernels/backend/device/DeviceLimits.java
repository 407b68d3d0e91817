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

    /**
     * The register block of include/mlp.h's tiled layer (the fused CNF and score kernels): each
     * work-item computes MLP_BLOCK_OUTPUTS outputs x MLP_BLOCK_COLUMNS samples (or tangents);
     * the host sizes local memory and work-groups with them ({@link MlpTile}).
     */
    static final int MLP_BLOCK_OUTPUTS = 8, MLP_BLOCK_COLUMNS = 4;

    /** linear_forward's tile: LIN_TILE_ROWS rows x LIN_TILE_OUTPUTS outputs per work-group of LIN_GROUP work-items. */
    static final int LIN_TILE_ROWS = 128, LIN_TILE_OUTPUTS = 64, LIN_GROUP = 128;

    /** The widest state of a user's vector field on OpenCL and CUDA (user_field.cl's private arrays). */
    static final int USER_FIELD_MAX_DIM = 64;

    /** The most Runge–Kutta stages a kernel's tableau holds. */
    static final int TABLEAU_MAX_STAGES = Tableau.MAX_STAGES;
}
