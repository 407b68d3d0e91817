package org.flowkernels.testing;

import java.util.Arrays;
import org.flowkernels.physics.UserPotential;

/**
 * User-defined models for the tests, each as a kernel snippet with its Java twin, and a float64
 * reference written independently of both: what a user would write, in the two forms.
 */
public final class UserModels {
    private UserModels() {}

    /** V = Σ_c h (x_c² − 1)² + tilt x_c: a tilted double well per coordinate (its minima near ±1). */
    public static final String WELL_ENERGY = """
            REAL v = RC(0.0);
            for (int c = 0; c < dim; c++) {
                REAL u = X(c) * X(c) - RC(1.0);
                v += h * u * u + tilt * X(c);
            }
            return v;
            """, WELL_GRADIENT = """
            for (int c = 0; c < dim; c++)
                G(c) = RC(4.0) * h * X(c) * (X(c) * X(c) - RC(1.0)) + tilt;
            """;

    public static UserPotential doubleWell(double h, double tilt) {
        return UserPotential.snippet("tilted-well", WELL_ENERGY, WELL_GRADIENT).withParameter("h", h).withParameter("tilt", tilt)
                .withJava((n, m, x, p, energy, gradient) -> {
                    float hh = p[0], t = p[1];
                    Arrays.fill(energy, 0, m, 0f);
                    for (int c = 0; c < n; c++)
                        for (int s = 0; s < m; s++) {
                            int i = c * m + s;
                            float q = x[i], u = q * q - 1;
                            energy[s] += hh * u * u + t * q;
                            gradient[i] = 4 * hh * q * u + t;
                        }
                });
    }

    public static double wellValue(double h, double tilt, double q) {
        double u = q * q - 1;
        return h * u * u + tilt * q;
    }

    public static double wellSlope(double h, double tilt, double q) {
        return 4 * h * q * (q * q - 1) + tilt;
    }

    /**
     * A Morse cluster in a harmonic trap: Σ_{i<j} D (1 − e^{−a(r − r0)})² + Σ_i k |r_i|², particles
     * in {@code dim} dimensions; pair_force = −φ'(r)/r = −2 D a e (1 − e) / r with e = e^{−a(r − r0)}.
     */
    public static final String MORSE_ENERGY = """
            REAL e = exp(-a * (sqrt(r2) - r0));
            return D * (RC(1.0) - e) * (RC(1.0) - e);
            """, MORSE_FORCE = """
            REAL r = sqrt(r2), e = exp(-a * (r - r0));
            return RC(-2.0) * D * a * e * (RC(1.0) - e) / r;
            """, TRAP_ENERGY = """
            REAL s = RC(0.0);
            for (int k = 0; k < dim; k++) s += X(k) * X(k);
            return kt * s;
            """, TRAP_GRADIENT = """
            for (int k = 0; k < dim; k++) G(k) = RC(2.0) * kt * X(k);
            """;

    public static UserPotential morse(int dim, double depth, double a, double r0, double trap) {
        return UserPotential.pairs("morse", dim, MORSE_ENERGY, MORSE_FORCE).withOneBody(TRAP_ENERGY, TRAP_GRADIENT)
                .withParameter("D", depth).withParameter("a", a).withParameter("r0", r0).withParameter("kt", trap)
                .withJava((n, m, x, p, energy, gradient) -> {
                    float dd = p[0], aa = p[1], rr = p[2], kt = p[3];
                    int np = n / dim;
                    Arrays.fill(energy, 0, m, 0f);
                    for (int i = 0; i < n * m; i++) {
                        energy[i % m] += kt * x[i] * x[i];
                        gradient[i] = 2 * kt * x[i];
                    }
                    for (int i = 0; i < np; i++)
                        for (int j = i + 1; j < np; j++)
                            for (int s = 0; s < m; s++) {
                                float r2 = 0;
                                for (int k = 0; k < dim; k++) {
                                    float d = x[(i * dim + k) * m + s] - x[(j * dim + k) * m + s];
                                    r2 += d * d;
                                }
                                float r = (float) Math.sqrt(r2), e = (float) Math.exp(-aa * (r - rr));
                                energy[s] += dd * (1 - e) * (1 - e);
                                float w = -2 * dd * aa * e * (1 - e) / r;
                                for (int k = 0; k < dim; k++) {
                                    float d = x[(i * dim + k) * m + s] - x[(j * dim + k) * m + s];
                                    gradient[(i * dim + k) * m + s] -= w * d;
                                    gradient[(j * dim + k) * m + s] += w * d;
                                }
                            }
                });
    }

    /** The Morse cluster's V and (into g) ∇V in float64, pair by pair. */
    public static double morseValue(int dim, double depth, double a, double r0, double trap, double[] q, double[] g) {
        int np = q.length / dim;
        double v = 0;
        Arrays.fill(g, 0);
        for (int c = 0; c < q.length; c++) {
            v += trap * q[c] * q[c];
            g[c] = 2 * trap * q[c];
        }
        for (int i = 0; i < np; i++)
            for (int j = i + 1; j < np; j++) {
                double r2 = 0;
                for (int k = 0; k < dim; k++) r2 += Math.pow(q[i * dim + k] - q[j * dim + k], 2);
                double r = Math.sqrt(r2), e = Math.exp(-a * (r - r0));
                v += depth * (1 - e) * (1 - e);
                double dphi = 2 * depth * a * e * (1 - e); // φ'(r)
                for (int k = 0; k < dim; k++) {
                    double u = (q[i * dim + k] - q[j * dim + k]) / r;
                    g[i * dim + k] += dphi * u;
                    g[j * dim + k] -= dphi * u;
                }
            }
        return v;
    }

    /**
     * Null when {@code backend} runs kernel snippets; else why not (the CUDA backend without NVRTC:
     * JCuda 12.0.0 needs libnvrtc.so.12), for a test to skip with. The CPU backend runs Java twins only.
     */
    public static String whySnippetsCannotRun(org.flowkernels.Backend backend) {
        if (backend.name().equals("cpu")) return "the CPU backend runs Java twins, it compiles no snippet";
        UserPotential probe = UserPotential.snippet("probe", "return X(0);", "G(0) = RC(1.0);");
        try (org.flowkernels.Tensor q = backend.tensor(new float[] {1f}, 1, 1); org.flowkernels.Tensor e = probe.energy(q)) {
            return null;
        } catch (org.flowkernels.FlowKernelsException e) {
            if (e.getMessage().contains("NVRTC is not available")) return e.getMessage();
            throw e;
        }
    }
}
