/* dialect.h: one kernel source, two dialects.
 *
 * Every kernel body in native-kernels/ is written once against these macros and compiles
 * as OpenCL C 1.2 (the OpenCL backend joins the sources at run time) and as CUDA C++
 * (cuda/flowkernels.cu includes the same files; nvcc builds a fatbin at `mvn package`).
 *
 * REAL is the arithmetic and storage type of the kernels: float by default; define
 * FK_REAL_DOUBLE to build the float64 variant of the same text. Write literals as RC(1.5)
 * so they take the type of REAL and never promote float code to double.
 */
#ifndef FK_DIALECT_H
#define FK_DIALECT_H

#if defined(__OPENCL_VERSION__) || defined(__OPENCL_C_VERSION__)
/* ---------------------------------------------------------------- OpenCL C 1.2 */
#define FK_OPENCL 1
#define KERNEL __kernel
#define GLOBAL __global
#define LOCAL __local
#define FN
#define GID(d) ((int)get_global_id(d))
#define LID(d) ((int)get_local_id(d))
#define GROUP(d) ((int)get_group_id(d))
#define LSIZE(d) ((int)get_local_size(d))
#define BARRIER() barrier(CLK_LOCAL_MEM_FENCE)
/* A barrier after which the work-group also sees each other's global-memory writes. */
#define BARRIER_GLOBAL() barrier(CLK_LOCAL_MEM_FENCE | CLK_GLOBAL_MEM_FENCE)
#define MULHI32(a, b) mul_hi((uint)(a), (uint)(b))
#define RSQRT(x) rsqrt(x)
/* Dynamic local memory: an extra kernel argument in OpenCL, `extern __shared__` in CUDA.
 * Use as `KERNEL void k(GLOBAL REAL* x, int n LOCAL_ARG(REAL, smem)) { LOCAL_DECL(REAL, smem) ... }`. */
#define LOCAL_ARG(T, name) , __local T* name
#define LOCAL_DECL(T, name)
/* A function parameter that points into local memory. */
#define LOCAL_PTR __local
/* The global id as a 64-bit index, for launches of 2^31 work-items or more. */
#define GID_LONG(d) ((long)get_global_id(d))
/* Four consecutive REALs from/to local memory (p aligned to one REAL; a GPU compiler may
 * still issue one wide access). */
#define LOAD4(p) vload4(0, p)
#define STORE4(p, v) vstore4((v), 0, p)
#ifdef FK_REAL_DOUBLE
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#endif

#elif defined(__CUDACC__)
/* ---------------------------------------------------------------- CUDA C++ */
#define FK_CUDA 1
typedef unsigned int uint;
#define KERNEL extern "C" __global__
#define GLOBAL
#define LOCAL __shared__
#define FN static __device__ __forceinline__
__device__ __forceinline__ int fk_gid(int d) {
    return d == 0 ? (int)(blockIdx.x * blockDim.x + threadIdx.x)
         : d == 1 ? (int)(blockIdx.y * blockDim.y + threadIdx.y)
                  : (int)(blockIdx.z * blockDim.z + threadIdx.z);
}
__device__ __forceinline__ int fk_lid(int d) {
    return d == 0 ? (int)threadIdx.x : d == 1 ? (int)threadIdx.y : (int)threadIdx.z;
}
__device__ __forceinline__ int fk_group(int d) {
    return d == 0 ? (int)blockIdx.x : d == 1 ? (int)blockIdx.y : (int)blockIdx.z;
}
__device__ __forceinline__ int fk_lsize(int d) {
    return d == 0 ? (int)blockDim.x : d == 1 ? (int)blockDim.y : (int)blockDim.z;
}
#define GID(d) fk_gid(d)
#define LID(d) fk_lid(d)
#define GROUP(d) fk_group(d)
#define LSIZE(d) fk_lsize(d)
#define BARRIER() __syncthreads()
#define BARRIER_GLOBAL() __syncthreads()
#define MULHI32(a, b) __umulhi((uint)(a), (uint)(b))
#define RSQRT(x) rsqrt(x)
#define LOCAL_ARG(T, name)
#define LOCAL_DECL(T, name) extern __shared__ T name[];
#define LOCAL_PTR
#define GID_LONG(d) ((long)fk_group(d) * fk_lsize(d) + fk_lid(d))
/* p must be aligned to four REALs (16 bytes in float): one 128-bit shared-memory access. */
#define LOAD4(p) (*(const REAL4*)(p))
#define STORE4(p, v) (*(REAL4*)(p) = (v))

#else
#error "dialect.h: compile as OpenCL C or with nvcc"
#endif

/* ---------------------------------------------------------------- local memory
 * FK_ALLOW_LMEM is 1 where a kernel may keep per-thread arrays in local memory (stack): the
 * generic paths for sizes the fast kernels do not cover. Wrap such a kernel in
 * `#if FK_ALLOW_LMEM ... #endif`. OpenCL and the CUDA build's second module compile them;
 * the CUDA build's strict module (ptxas -warn-lmem-usage, warnings are errors) defines it 0. */
#ifndef FK_ALLOW_LMEM
#define FK_ALLOW_LMEM 1
#endif

/* ---------------------------------------------------------------- loops
 * UNROLL before a loop asks for it to be unrolled fully. A loop whose index selects elements
 * of a private array must be (or the array goes to local memory, the stack); the compilers
 * do it unasked only while the body is small. */
#define UNROLL _Pragma("unroll")

/* ---------------------------------------------------------------- REAL */
#ifdef FK_REAL_DOUBLE
typedef double REAL;
#define RC(x) (x)
#define REAL_MAX 1.7976931348623157e308
#else
typedef float REAL;
#define RC(x) (x##f)
#define REAL_MAX 3.402823466e38f
#endif

/* Four REALs with members x, y, z, w, for LOAD4 / STORE4. CUDA 13 deprecates double4, so the
 * float64 CUDA build (compiled only to keep the dialect honest) uses a struct of its own. */
#if defined(FK_REAL_DOUBLE) && defined(FK_CUDA)
typedef struct __align__(32) { double x, y, z, w; } REAL4;
#elif defined(FK_REAL_DOUBLE)
typedef double4 REAL4;
#else
typedef float4 REAL4;
#endif

#define FK_PI RC(3.14159265358979323846)

/* sin(pi x) and cos(pi x): no argument reduction beyond x mod 2, so no Payne-Hanek path, whose
 * scratch array would put every kernel drawing a normal on the CUDA stack. */
#if defined(FK_CUDA) && !defined(FK_REAL_DOUBLE)
#define SINPI(x) sinpif(x)
#define COSPI(x) cospif(x)
#else
#define SINPI(x) sinpi(x)
#define COSPI(x) cospi(x)
#endif

#endif /* FK_DIALECT_H */
