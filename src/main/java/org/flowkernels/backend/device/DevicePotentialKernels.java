package org.flowkernels.backend.device;

import org.flowkernels.Tensor;
import org.flowkernels.backend.Buffer;
import org.flowkernels.physics.Potential;
import org.flowkernels.physics.PotentialKernels;

/**
 * Potentials on OpenCL and CUDA: native-kernels/potentials.cl over include/potentials.h. The
 * helpers here serve every device family that calls potential_value_grad inside its kernels.
 */
public final class DevicePotentialKernels implements PotentialKernels {
    /** Widest row a device kernel holds in private memory (FK_POT_MAX_COORDS of potentials.h). */
    public static final int MAX_COORDINATES = 1024;
    /** The narrow build of each kernel, for rows of at most this many coordinates. */
    public static final int SMALL_COORDINATES = 64;

    private final DeviceBackend dev;

    public DevicePotentialKernels(DeviceBackend dev) { this.dev = dev; }

    @Override
    public void evaluate(Potential v, Tensor q, Tensor energy, Tensor gradient) {
        String kernel = kernelVariant("potential_evaluate", q.cols());
        Buffer prm = upload(dev, v);
        try {
            dev.launch(kernel, q.rows(), dev.workGroup(), q, q.rows(), q.cols(), v.kind(), prm, energy,
                    gradient != null ? gradient : energy, gradient != null ? 1 : 0);
        } finally {
            dev.memory().free(prm);
        }
    }

    /** The potential's packed parameters in a new FLOAT32 buffer of the backend; free it after use. */
    public static Buffer upload(DeviceBackend dev, Potential v) {
        return dev.memory().upload(v.parameters());
    }

    /**
     * {@code base + "_64"} or {@code base + "_1024"}: the build of a kernel whose private arrays
     * hold a row of {@code coordinates}; IllegalArgumentException beyond {@link #MAX_COORDINATES}.
     */
    public static String kernelVariant(String base, int coordinates) {
        if (coordinates > MAX_COORDINATES)
            throw new IllegalArgumentException("q: the OpenCL/CUDA kernels hold at most " + MAX_COORDINATES
                    + " coordinates per row in private memory, got " + coordinates + " (the CPU backend has no such limit)");
        return base + "_" + (coordinates <= SMALL_COORDINATES ? SMALL_COORDINATES : MAX_COORDINATES);
    }
}
