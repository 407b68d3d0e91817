/* user.h: user-defined potentials (org.flowkernels.physics.UserPotential) inside the library's
 * kernels, through potential_value_grad's case POT_USER (include/potentials.h).
 *
 * The library's own program has no user code: FK_USER_POTENTIAL is not defined and this file adds
 * nothing. For a user's snippet the backend builds the whole program once more (one build per
 * distinct snippet, cached), with FK_USER_POTENTIAL defined (and FK_USER_DEBUG for the
 * bounds-checked build), and with user-code.h replaced by the functions that
 * backend/device/UserProgram writes around the user's bodies:
 *
 *   FK_USER_PARAMS              the number of parameters
 *   whole configuration:
 *     FN REAL fk_user_energy(const REAL* fk_x, int dim, GLOBAL const REAL* fk_p)
 *     FN void fk_user_gradient(const REAL* fk_x, int dim, GLOBAL const REAL* fk_p, REAL* fk_g)
 *   pairs (FK_USER_PAIRS, the particles' dimension 1..3):
 *     FN REAL fk_user_pair_energy(REAL r2, GLOBAL const REAL* fk_p)    phi(r)
 *     FN REAL fk_user_pair_force(REAL r2, GLOBAL const REAL* fk_p)     -phi'(r)/r
 *     and with FK_USER_ONE_BODY fk_user_one_body(x, dim, fk_p), fk_user_one_body_gradient(x, dim, fk_p, g)
 *   a vector field (FK_USER_FIELD instead of FK_USER_POTENTIAL; user_field.cl's kernel):
 *     FN void fk_user_velocity(const REAL* fk_x, REAL t, int dim, GLOBAL const REAL* fk_p, REAL* fk_v)
 *     and with FK_USER_JVP FN void fk_user_jvp(fk_x, t, dim, fk_p, const REAL* fk_e, REAL* fk_jv)
 *
 * Every body starts with its parameters as `const REAL NAME = fk_p[k];` and then a #line marker, so
 * the compiler's messages carry the user's file and line. Bodies read the configuration through
 * X(i) and write the gradient through G(i) (zeroed before the gradient body runs); a field's
 * bodies write V(i) and JV(i) and read the tangent through E(i).
 *
 * Bounds check (FK_USER_DEBUG): X(i), G(i), V(i), E(i), JV(i) check 0 <= i < dim; the first
 * violation's place (FK_USER_BODY, the body's number, times 1000000 plus the line; negative for a
 * write) and index are stored in the two ints after the parameters, fk_p[FK_USER_PARAMS] and the next (the
 * host uploads them as zeros and reads them back after the launch), and the access goes to
 * element 0 instead, so the kernel runs on to its end. The parameter buffer is the kernel's
 * `const` prm: only this check writes through it.
 */
#ifndef FK_USER_H
#define FK_USER_H
#if defined(FK_USER_POTENTIAL) || defined(FK_USER_FIELD)

#ifdef FK_OPENCL
#define FK_USER_CAS(p, cmp, val) atomic_cmpxchg((volatile GLOBAL int*)(p), (cmp), (val))
#else
#define FK_USER_CAS(p, cmp, val) atomicCAS((int*)(p), (cmp), (val))
#endif

#ifdef FK_USER_DEBUG
FN int fk_user_index(int i, int dim, int where, GLOBAL const REAL* fk_p, int params) {
    if (i >= 0 && i < dim) return i;
    GLOBAL int* err = (GLOBAL int*)(fk_p + params);
    if (FK_USER_CAS(err, 0, where) == 0) err[1] = i;
    return 0;
}
/* the record: (body number * 1000000 + line), negative for G */
#define X(i) fk_x[fk_user_index((i), dim, FK_USER_BODY * 1000000 + __LINE__, fk_p, FK_USER_PARAMS)]
#define G(i) fk_g[fk_user_index((i), dim, -(FK_USER_BODY * 1000000 + __LINE__), fk_p, FK_USER_PARAMS)]
#define V(i) fk_v[fk_user_index((i), dim, -(FK_USER_BODY * 1000000 + __LINE__), fk_p, FK_USER_PARAMS)]
#define JV(i) fk_jv[fk_user_index((i), dim, -(FK_USER_BODY * 1000000 + __LINE__), fk_p, FK_USER_PARAMS)]
#define E(i) fk_e[fk_user_index((i), dim, FK_USER_BODY * 1000000 + __LINE__, fk_p, FK_USER_PARAMS)]
#else
#define X(i) fk_x[(i)]
#define G(i) fk_g[(i)]
#define V(i) fk_v[(i)]
#define JV(i) fk_jv[(i)]
#define E(i) fk_e[(i)]
#endif

#include "user-code.h"
/* the access macros belong to the user's bodies only: the rest of the program keeps the names */
#undef X
#undef G
#undef V
#undef JV
#undef E

#ifdef FK_USER_POTENTIAL

/* V(q) of the user's potential; g[0 .. n-1] = dV/dq. */
FN REAL fk_user_value_grad(GLOBAL const REAL* fk_p, const REAL* q, REAL* g, int n) {
    for (int c = 0; c < n; c++) g[c] = RC(0.0);
#ifdef FK_USER_PAIRS
    const int D = FK_USER_PAIRS;
    int np = n / D;
    REAL v = RC(0.0);
#ifdef FK_USER_ONE_BODY
    for (int i = 0; i < np; i++) {
        v += fk_user_one_body(q + i * D, D, fk_p);
        fk_user_one_body_gradient(q + i * D, D, fk_p, g + i * D);
    }
#endif
    for (int i = 0; i < np; i++)
        for (int j = i + 1; j < np; j++) {
            REAL d[3], r2 = RC(0.0);
            for (int c = 0; c < D; c++) {
                d[c] = q[i * D + c] - q[j * D + c];
                r2 += d[c] * d[c];
            }
            v += fk_user_pair_energy(r2, fk_p);
            REAL w = fk_user_pair_force(r2, fk_p); /* particle i feels w d, so dV/dr_i = -w d */
            for (int c = 0; c < D; c++) {
                g[i * D + c] -= w * d[c];
                g[j * D + c] += w * d[c];
            }
        }
    return v;
#else
    fk_user_gradient(q, n, fk_p, g);
    return fk_user_energy(q, n, fk_p);
#endif
}

#endif /* FK_USER_POTENTIAL */
#endif /* FK_USER_POTENTIAL || FK_USER_FIELD */
#endif /* FK_USER_H */
