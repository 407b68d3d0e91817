/* potentials.cl: energies and gradients of a batch of configurations (include/potentials.h).
 *
 * potential_evaluate_CAP: x [rows, n] row-major, n <= CAP; one work-item per row copies the
 * row into private memory, writes energy[row] = V(x_row) and, when want_grad != 0,
 * grad[row, :] = dV/dx. Built for CAP = 64 and 1024 (the private arrays have a compile-time
 * size; DevicePotentialKernels picks the smallest that fits). Launch: 1-D, `rows` work-items
 * rounded up to the work-group; the tail is guarded. */

#define POTENTIAL_EVALUATE(CAP)                                                                 \
KERNEL void potential_evaluate_##CAP(POTENTIAL_EVALUATE_ARGS) {                               \
    int r = GID(0);                                                                             \
    if (r >= rows) return;                                                                      \
    REAL q[CAP], g[CAP];                                                                        \
    for (int c = 0; c < n; c++) q[c] = x[(long)r * n + c];                                      \
    energy[r] = potential_value_grad(kind, prm, q, g, n);                                       \
    if (want_grad)                                                                              \
        for (int c = 0; c < n; c++) grad[(long)r * n + c] = g[c];                               \
}

#if FK_ALLOW_LMEM
POTENTIAL_EVALUATE(64)
POTENTIAL_EVALUATE(1024)
#endif
