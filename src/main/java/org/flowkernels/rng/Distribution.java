package org.flowkernels.rng;

/** What a Philox word becomes; the codes match DIST_* in native-kernels/include/philox.h. */
public enum Distribution {
    /** Uniform in the open interval (0, 1). */
    UNIFORM(0),
    /** Standard normal, by Box-Muller on pairs of words. */
    NORMAL(1),
    /** +1 or -1 with probability 1/2 each. */
    RADEMACHER(2);

    public final int code;

    Distribution(int code) { this.code = code; }
}
