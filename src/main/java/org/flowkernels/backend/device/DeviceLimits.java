package org.flowkernels.backend.device;

import org.flowkernels.spi.Tableau;

/**
 * The compile-time sizes of the device kernels, which the Java side checks before it launches
 * one. {@link ContractHeader} writes them into include/contract.h beside spi.Contract's codes,
 * so the C side has no copy of its own.
 */
final class DeviceLimits {
    private DeviceLimits() {}

    /**
     * The particle-parallel potential kernels (include/potentials.h; potential_evaluate, the
     * Hamiltonian integrators, the potential-driven Langevin chains). A site is a particle of a
     * pair potential, or POT_SITE_COORDS consecutive coordinates of any other (a Philox block of
     * the noise; the private arrays hold POT_SITE_COORDS REALs per site). A configuration per at
     * most POT_LANES work-items (a power of two), each holding one site (the _single builds) or
     * up to POT_STRIDE sites (the _strided builds) in registers: rows of at most
     * POT_LANES * POT_STRIDE sites and POT_MAX_COORDS coordinates. Every device runs
     * work-groups of POT_LANES. Local memory stays under 32 KiB (OpenCL 1.2's minimum): two rows
     * of POT_MAX_COORDS coordinates and three sums per work-item, 27 KiB.
     */
    static final int POT_LANES = 256, POT_STRIDE = 3, POT_SITE_COORDS = 4, POT_MAX_COORDS = 3072;

    /** The kernels that keep a whole configuration per work-item in private arrays (a user's
     *  potential, HMC: include/potentials_whole.h): the widest row, and the narrow build's. */
    static final int WHOLE_MAX_COORDS = 1024, WHOLE_SMALL_COORDS = 64;

    /**
     * The register block of include/mlp.h's tiled layer (the fused CNF and score kernels): each
     * work-item computes MLP_BLOCK_OUTPUTS outputs x MLP_BLOCK_COLUMNS samples (or tangents);
     * the host sizes local memory and work-groups with them ({@link MlpTile}).
     */
    static final int MLP_BLOCK_OUTPUTS = 8, MLP_BLOCK_COLUMNS = 4;

    /** linear_forward's tile: LIN_TILE_ROWS rows x LIN_TILE_OUTPUTS outputs per work-group of LIN_GROUP work-items. */
    static final int LIN_TILE_ROWS = 128, LIN_TILE_OUTPUTS = 64, LIN_GROUP = 128;

    /** train.cl's work-groups: its 64 x 64 GEMM tiles (TRAIN_TILE) and its sums of squares. */
    static final int TRAIN_GROUP = 256, TRAIN_TILE = 64;

    /** The widest state of a user's vector field on OpenCL and CUDA (user_field.cl's private arrays). */
    static final int USER_FIELD_MAX_DIM = 64;

    /** The most Runge–Kutta stages a kernel's tableau holds. */
    static final int TABLEAU_MAX_STAGES = Tableau.MAX_STAGES;
}
