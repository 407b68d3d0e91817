package org.flowkernels.backend.device;

import org.flowkernels.spi.Buffer;
import org.flowkernels.spi.Matrix;
import org.flowkernels.spi.PotentialKernels;
import org.flowkernels.spi.PotentialSpec;

/**
 * Potentials on OpenCL and CUDA: native-kernels/potentials.cl over include/potentials.h. The
 * helpers here serve every device family that calls potential_value_grad inside its kernels.
 */
final class DevicePotentialKernels implements PotentialKernels {
    private final DeviceBackend dev;

    DevicePotentialKernels(DeviceBackend dev) { this.dev = dev; }

    @Override
    public void evaluate(PotentialSpec v, Matrix q, Matrix energy, Matrix gradient) {
        String variant = variant(q.cols());
        Object program = dev.program(v); // a user's potential: its snippet's program
        Buffer prm = dev.upload(v);
        try {
            dev.launch(program, new Kernels.PotentialEvaluate(q, q.rows(), q.cols(), v.kind(), prm, energy,
                    gradient != null ? gradient : energy, gradient != null ? 1 : 0), variant, q.rows(), dev.workGroup());
            dev.checkUser(v, prm);
        } finally {
            dev.memory().free(prm);
        }
    }

    /**
     * "_64" or "_1024": the suffix of the build of a kernel whose private arrays hold a row of
     * {@code coordinates}; IllegalArgumentException beyond POT_MAX_COORDS.
     */
    static String variant(int coordinates) {
        if (coordinates > DeviceLimits.POT_MAX_COORDS)
            throw new IllegalArgumentException("q: the OpenCL/CUDA kernels hold at most " + DeviceLimits.POT_MAX_COORDS
                    + " coordinates per row in private memory, got " + coordinates + " (the CPU backend has no such limit)");
        return "_" + (coordinates <= DeviceLimits.POT_SMALL_COORDS ? DeviceLimits.POT_SMALL_COORDS : DeviceLimits.POT_MAX_COORDS);
    }
}
