/* lmem.h: the kernels allowed local memory (per-thread arrays, i.e. a stack frame), each with
 * its reason: the one list. A kernel is allowed by wrapping its definition (or the lines that
 * instantiate it) in `#if FK_ALLOW_LMEM ... #endif` AND naming it here; LmemListTest checks
 * the two against each other both ways.
 *
 * The CUDA build (cuda/build-fatbin) makes two modules:
 *   flowkernels.fatbin       FK_ALLOW_LMEM=0 and ptxas -warn-lmem-usage, warnings are errors:
 *                            every kernel outside the blocks; any stack frame fails the build.
 *   flowkernels-lmem.fatbin  FK_ALLOW_LMEM=1, no lmem warning: the kernels inside the blocks
 *                            only (made only while this list is not empty).
 * CudaBackend looks a kernel up in the first, then in the second. OpenCL and the float64
 * syntax build compile everything (FK_ALLOW_LMEM defaults to 1 in dialect.h).
 * bench/results/ptxas-sm90.txt (cuda/ptxas-table) shows each kernel's stack frame and module.
 *
 * kernel                        file            why it keeps per-thread arrays (today)
 * ----------------------------  --------------  ---------------------------------------------
 * langevin_potential_ula_64     langevin.cl     q, d, y [CAP] per chain (0.8 KB)
 * langevin_potential_mala_64    langevin.cl     q, d, y, dy, xi [CAP] per chain (1.3 KB)
 * langevin_potential_ula_1024   langevin.cl     the generic large-n path: q, d, y [1024] (12 KB)
 * langevin_potential_mala_1024  langevin.cl     the generic large-n path: five [1024] (20 KB)
 * hamiltonian_splitting_64      hamiltonian.cl  q, p, g [CAP] per chain (0.8 KB)
 * hamiltonian_rk4_64            hamiltonian.cl  q, p, g and four RK4 stages [CAP] (1.8 KB)
 * hamiltonian_splitting_1024    hamiltonian.cl  the generic large-n path: q, p, g [1024] (12 KB)
 * hamiltonian_rk4_1024          hamiltonian.cl  the generic large-n path: seven [1024] (28 KB)
 * potential_evaluate_64         potentials.cl   q, g [CAP] per row (0.5 KB)
 * potential_evaluate_1024       potentials.cl   the generic large-n path: q, g [1024] (8 KB)
 * hmc_potential_64              hmc.cl          one chain per work-item: q, p, g and the proposal's
 *                                               copies [CAP] (the particle-parallel layout of the
 *                                               Langevin kernels is not done for HMC yet)
 * hmc_potential_1024            hmc.cl          the same, rows up to 1024 coordinates
 * user_field_solve              user_field.cl   one sample per work-item with the user's field: x, the
 *                                               RK stages and tangents in private arrays (built
 *                                               only into a user snippet's program, never the fatbin)
 */
#ifndef FK_LMEM_H
#define FK_LMEM_H

/* The second module's build (cuda/build-fatbin defines FK_LMEM_MODULE and switches KERNEL
 * between these two at each block's edges): outside the blocks a kernel becomes a function
 * template that is never instantiated, so nvcc parses it and emits nothing. */
#if defined(FK_CUDA) && defined(FK_LMEM_MODULE)
#define FK_KERNEL_EMIT extern "C" __global__
#define FK_KERNEL_SKIP template <int fk_not_in_the_lmem_module> static __device__ __forceinline__
#endif

#endif /* FK_LMEM_H */
