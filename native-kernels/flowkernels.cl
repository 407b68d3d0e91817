/* flowkernels.cl: the whole kernel program, in dependency order. The OpenCL backend inlines
 * these includes at load time (a classpath resource has no include path); nvcc reads the
 * same file through cuda/flowkernels.cu. */
#include "include/dialect.h"
#include "include/contract.h"
#include "include/common.h"
#include "include/philox.h"
#include "include/potentials.h"
#include "rng.cl"
#include "linear.cl"
#include "peak.cl"
#include "coupling.cl"
#include "potentials.cl"
#include "hamiltonian.cl"
#include "langevin.cl"
#include "hmc.cl"
#include "user_field.cl"
#include "cnf.cl"
