/* flowkernels.cu: the kernel program under the CUDA dialect. All kernel bodies live in the
 * .cl files, shared with OpenCL; CUDA-only variants, if a measurement ever justifies one,
 * go below the include. */
#include "../flowkernels.cl"
