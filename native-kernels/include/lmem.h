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
 * kernel                             file              why it keeps per-thread arrays (today)
 * ---------------------------------- ----------------- ----------------------------------------
 * user_potential_evaluate_64         user_potential.cl q, g [CAP] per row of a user's potential (0.5 KB)
 * user_potential_evaluate_1024       user_potential.cl the same, rows up to 1024 coordinates (8 KB)
 * user_hamiltonian_splitting_64      user_potential.cl q, p, g [CAP] per trajectory of a user's potential (0.8 KB)
 * user_hamiltonian_rk4_64            user_potential.cl q, p, g and four RK4 stages [CAP] (1.8 KB)
 * user_hamiltonian_splitting_1024    user_potential.cl the same, rows up to 1024 coordinates (12 KB)
 * user_hamiltonian_rk4_1024          user_potential.cl the same, rows up to 1024 coordinates (28 KB)
 * user_langevin_potential_ula_64     user_potential.cl q, d, y [CAP] per chain of a user's potential (0.8 KB)
 * user_langevin_potential_mala_64    user_potential.cl q, d, y, dy, xi [CAP] per chain (1.3 KB)
 * user_langevin_potential_ula_1024   user_potential.cl the same, rows up to 1024 coordinates (12 KB)
 * user_langevin_potential_mala_1024  user_potential.cl the same, rows up to 1024 coordinates (20 KB)
 *   (user_potential.cl: a user's snippet sees a whole configuration, so its kernels keep one per
 *   work-item; built only into a user snippet's program, FK_USER_POTENTIAL, never the fatbins)
 * hmc_potential_64                   hmc.cl            one chain per work-item: q, p, g and the proposal's
 *                                                      copies [CAP] (the particle-parallel layout of the
 *                                                      Langevin kernels is not done for HMC yet)
 * hmc_potential_1024                 hmc.cl            the same, rows up to 1024 coordinates
 * user_field_solve                   user_field.cl     one sample per work-item with the user's field: x, the
 *                                                      RK stages and tangents in private arrays (built
 *                                                      only into a user snippet's program, never the fatbin)
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
