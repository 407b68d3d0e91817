package org.flowkernels.backend.cpu;

import org.flowkernels.spi.Contract;

/** log N(z; 0, I), the one definition the CPU kernels use (the device's is fk_log_normal in include/common.h). */
final class Gaussian {
    private Gaussian() {}

    /** log N(z; 0, I) of a point in {@code dim} dimensions with Σ z² = {@code sumSquares}. */
    static double logDensity(double sumSquares, int dim) {
        return -0.5 * (sumSquares + dim * Contract.LOG_2PI);
    }
}
