/* common.h: small device functions every kernel family shares, over the codes of the
 * generated contract.h (included first). */
#ifndef FK_COMMON_H
#define FK_COMMON_H

/* The hidden-layer nonlinearity phi (an ACT_* code). */
FN REAL fk_activate(REAL x, int act) {
    return act == ACT_TANH ? tanh(x) : act == ACT_RELU ? fmax(x, RC(0.0)) : x;
}

/* d phi / d pre-activation, written in terms of the activation's output y = phi(x):
 * what forward-mode tangents need without keeping the pre-activation. */
FN REAL fk_activate_slope(REAL y, int act) {
    return act == ACT_TANH ? RC(1.0) - y * y : act == ACT_RELU ? (y > RC(0.0) ? RC(1.0) : RC(0.0)) : RC(1.0);
}

/* log N(z; 0, I) of a point in D dimensions with sum of squares ss: the one definition
 * (coupling flows' base density, the CNF's log-density). */
FN REAL fk_log_normal(REAL ss, int D) {
    return RC(-0.5) * (ss + (REAL)D * LOG_2PI);
}

#endif /* FK_COMMON_H */
