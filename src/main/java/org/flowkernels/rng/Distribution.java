package org.flowkernels.rng;

import org.flowkernels.spi.Contract;

/** What a Philox word becomes; the codes are spi.Contract's DIST_*. */
public enum Distribution {
    /** Uniform in the open interval (0, 1). */
    UNIFORM(Contract.DIST_UNIFORM),
    /** Standard normal, by Box-Muller on pairs of words. */
    NORMAL(Contract.DIST_NORMAL),
    /** +1 or -1 with probability 1/2 each. */
    RADEMACHER(Contract.DIST_RADEMACHER);

    public final int code;

    Distribution(int code) { this.code = code; }
}
