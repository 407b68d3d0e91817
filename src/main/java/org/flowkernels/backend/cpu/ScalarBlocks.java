package org.flowkernels.backend.cpu;

import java.util.Arrays;
import org.flowkernels.spi.Contract;
import org.flowkernels.spi.Philox4x32;

/**
 * {@link BlockOps} as plain Java loops, the innermost over the block's samples so that C2 can
 * vectorise what it will. Runs where the Vector API does not (no incubator module, or vectors
 * narrower than 256 bits), and is the reference the vector paths are tested against.
 */
class ScalarBlocks implements BlockOps {
    @Override
    public String description() { return "plain Java loops"; }

    /** Four outputs per pass, so each activation loaded feeds four multiply-adds. */
    @Override
    public void layer(float[] p, int wOff, int bOff, int in, int out, float[] a, float[] z, int act) {
        int o = 0;
        for (; o + 4 <= out; o += 4) {
            int z0 = o * B, z1 = z0 + B, z2 = z1 + B, z3 = z2 + B;
            float b0 = p[bOff + o], b1 = p[bOff + o + 1], b2 = p[bOff + o + 2], b3 = p[bOff + o + 3];
            for (int s = 0; s < B; s++) {
                z[z0 + s] = b0;
                z[z1 + s] = b1;
                z[z2 + s] = b2;
                z[z3 + s] = b3;
            }
            int w0 = wOff + o * in, w1 = w0 + in, w2 = w1 + in, w3 = w2 + in;
            for (int k = 0; k < in; k++) {
                float c0 = p[w0 + k], c1 = p[w1 + k], c2 = p[w2 + k], c3 = p[w3 + k];
                int ak = k * B;
                for (int s = 0; s < B; s++) {
                    float v = a[ak + s];
                    z[z0 + s] += c0 * v;
                    z[z1 + s] += c1 * v;
                    z[z2 + s] += c2 * v;
                    z[z3 + s] += c3 * v;
                }
            }
        }
        for (; o < out; o++) {
            int zo = o * B, wo = wOff + o * in;
            float bo = p[bOff + o];
            for (int s = 0; s < B; s++) z[zo + s] = bo;
            for (int k = 0; k < in; k++) {
                float c = p[wo + k];
                int ak = k * B;
                for (int s = 0; s < B; s++) z[zo + s] += c * a[ak + s];
            }
        }
        activate(z, out * B, act);
    }

    @Override
    public void activate(float[] z, int n, int act) {
        switch (act) {
            case Contract.ACT_TANH -> { for (int i = 0; i < n; i++) z[i] = FastMath.tanh(z[i]); }
            case Contract.ACT_RELU -> { for (int i = 0; i < n; i++) z[i] = Math.max(z[i], 0f); }
            default -> { }
        }
    }

    @Override
    public void affine(float[] state, float[] o, float[] acc, int[] trans, boolean inverse, float sign) {
        int dt = trans.length;
        for (int j = 0; j < dt; j++) {
            int x = trans[j] * B, ls = j * B, t = (dt + j) * B;
            if (inverse)
                for (int s = 0; s < B; s++) state[x + s] = (state[x + s] - o[t + s]) * (float) Math.exp(-o[ls + s]);
            else
                for (int s = 0; s < B; s++) state[x + s] = state[x + s] * (float) Math.exp(o[ls + s]) + o[t + s];
            for (int s = 0; s < B; s++) acc[s] += sign * o[ls + s];
        }
    }

    @Override
    public void weightGradient(float[][] dy, float[] aT, int blocks, int in, int out, float[] w, int wOff) {
        weightGradient(dy, aT, blocks, in, w, wOff, 0, out, 0, in);
    }

    /** Rows [o0, o1) and columns [i0, i1) of {@link #weightGradient}, as axpys along W's rows (the vector path's edges too). */
    static void weightGradient(float[][] dy, float[] aT, int blocks, int in, float[] w, int wOff, int o0, int o1, int i0, int i1) {
        for (int o = o0; o < o1; o++) {
            int row = wOff + o * in;
            Arrays.fill(w, row + i0, row + i1, 0f);
            for (int b = 0; b < blocks; b++)
                for (int s = 0; s < B; s++) {
                    float c = dy[b][o * B + s];
                    int at = (b * B + s) * in;
                    for (int i = i0; i < i1; i++) w[row + i] += c * aT[at + i];
                }
        }
    }

    @Override
    public void affineBackward(float[] g, float[] o, float[] before, float[] dLogDet, int[] trans, boolean inverse, float[] dy) {
        int dt = trans.length;
        for (int j = 0; j < dt; j++) {
            int x = trans[j] * B, ls = j * B, t = (dt + j) * B;
            for (int s = 0; s < B; s++) {
                float gx = g[x + s], ge = gx * (float) Math.exp(inverse ? -o[ls + s] : o[ls + s]);
                g[x + s] = ge;
                if (inverse) {
                    dy[t + s] = -ge;
                    dy[ls + s] = -(ge * (before[ls + s] - o[t + s])) - dLogDet[s];
                } else {
                    dy[t + s] = gx;
                    dy[ls + s] = ge * before[ls + s] + dLogDet[s];
                }
            }
        }
    }

    @Override
    public void rk4Stage(float[] q, float[] p, float[] g, float[] invMass, float[] pStage, float[] qa, float[] pa, float[] qs,
                         float[] ps, float a, boolean first, int n) {
        for (int c = 0; c < n; c++) {
            float m = invMass[c];
            for (int i = c * B; i < (c + 1) * B; i++) {
                float kq = m * pStage[i], kp = -g[i];
                qa[i] = first ? kq : qa[i] + 2 * kq;
                pa[i] = first ? kp : pa[i] + 2 * kp;
                qs[i] = q[i] + a * kq;
                ps[i] = p[i] + a * kp;
            }
        }
    }

    @Override
    public void rk4Finish(float[] q, float[] p, float[] g, float[] invMass, float[] qa, float[] pa, float[] ps, float sixth, int n) {
        for (int c = 0; c < n; c++) {
            float m = invMass[c];
            for (int i = c * B; i < (c + 1) * B; i++) {
                q[i] += sixth * (qa[i] + m * ps[i]);
                p[i] += sixth * (pa[i] - g[i]);
            }
        }
    }

    @Override
    public void kickDrift(float[] q, float[] p, float[] g, float[] invMass, float kick, float drift, int n) {
        for (int c = 0; c < n; c++) {
            float dm = drift * invMass[c];
            for (int i = c * B; i < (c + 1) * B; i++) {
                float pv = p[i] - kick * g[i];
                p[i] = pv;
                q[i] += dm * pv;
            }
        }
    }

    /** Bond forces of the bonds left of each particle, then dV/dq_i = f(left of i) − f(right of i). */
    @Override
    public void chain(float[] q, float[] p, float[] g, float[] invMass, float kick, float drift, int n, float k, float a, float b,
                      boolean periodic) {
        if (p != null) kickDrift(q, p, g, invMass, kick, drift, n);
        int last = (n - 1) * B;
        for (int s = 0; s < B; s++) {
            float r = q[s] - (periodic ? q[last + s] : 0f);
            g[s] = r * (k + r * (a + b * r));
        }
        for (int i = B; i < n * B; i += B)
            for (int s = 0; s < B; s++) {
                float r = q[i + s] - q[i - B + s];
                g[i + s] = r * (k + r * (a + b * r));
            }
        for (int i = 0; i < last; i += B)
            for (int s = 0; s < B; s++) g[i + s] -= g[i + B + s];
        // the bond right of the last particle: particle 0's left bond (periodic) or the wall
        for (int s = 0; s < B; s++) {
            float r = periodic ? q[s] - q[last + s] : -q[last + s];
            g[last + s] -= r * (k + r * (a + b * r));
        }
    }

    @Override
    public void pairs(float[] q, float[] g, float[] e, int dim, int particles, boolean coulomb, float c, float s2, float trap,
                      float[] scratch) {
        int n = dim * particles, r2 = dim * B, w = r2 + B; // scratch: d [dim][B], r2 [B], w [B]
        // the trap: V = trap |r|^2, g = 2 trap r (zero for Lennard-Jones)
        if (g != null) for (int i = 0; i < n * B; i++) g[i] = 2 * trap * q[i];
        if (e != null) {
            Arrays.fill(e, 0, B, 0f);
            for (int x = 0; x < n; x++)
                for (int s = 0; s < B; s++) e[s] += trap * q[x * B + s] * q[x * B + s];
        }
        for (int i = 0; i < particles; i++)
            for (int j = i + 1; j < particles; j++) {
                Arrays.fill(scratch, r2, r2 + B, 0f);
                for (int x = 0; x < dim; x++) {
                    int qi = (i * dim + x) * B, qj = (j * dim + x) * B;
                    for (int s = 0; s < B; s++) {
                        float d = q[qi + s] - q[qj + s];
                        scratch[x * B + s] = d;
                        scratch[r2 + s] += d * d;
                    }
                }
                // w = -(dV/dr)/r of the pair, and its energy
                for (int s = 0; s < B; s++) {
                    float ws, en;
                    if (coulomb) {
                        float inv = 1f / (float) Math.sqrt(scratch[r2 + s]);
                        en = c * inv;
                        ws = en * inv * inv;
                    } else {
                        float t = s2 / scratch[r2 + s], t6 = t * t * t;
                        ws = 6 * c * (2 * t6 * t6 - t6) / scratch[r2 + s];
                        en = c * (t6 * t6 - t6);
                    }
                    scratch[w + s] = ws;
                    if (e != null) e[s] += en;
                }
                if (g == null) continue;
                for (int x = 0; x < dim; x++) {
                    int gi = (i * dim + x) * B, gj = (j * dim + x) * B;
                    for (int s = 0; s < B; s++) {
                        float f = scratch[w + s] * scratch[x * B + s];
                        g[gi + s] -= f;
                        g[gj + s] += f;
                    }
                }
            }
    }

    @Override
    public void normals(long seed, int chain0, int step, int stream, int n, float[] out) {
        int[] w = new int[4];
        float[] z = new float[4];
        for (int s = 0; s < B; s++)
            for (int blk = 0; blk * 4 < n; blk++) {
                Philox4x32.block(seed, chain0 + s, step, blk, stream, w);
                Philox4x32.normals(w, z);
                for (int k = 0; k < 4 && blk * 4 + k < n; k++) out[(blk * 4 + k) * B + s] = z[k];
            }
    }

    @Override
    public void propose(float[] x, float[] dx, float[] xi, float[] half, float[] root, float[] y, int n, float[] finite) {
        Arrays.fill(finite, 0f);
        for (int c = 0; c < n * B; c += B)
            for (int s = 0; s < B; s++) {
                float v = x[c + s] + half[s] * dx[c + s] + root[s] * xi[c + s];
                y[c + s] = v;
                finite[s] += v * 0f; // NaN once any coordinate is infinite or NaN
            }
    }

    @Override
    public void proposalSums(float[] xi, float[] dx, float[] dy, float[] root, int n, float[] s1, float[] s2) {
        Arrays.fill(s1, 0f);
        Arrays.fill(s2, 0f);
        for (int c = 0; c < n * B; c += B)
            for (int s = 0; s < B; s++) {
                float z = xi[c + s], w = z + 0.5f * root[s] * (dx[c + s] + dy[c + s]);
                s1[s] += z * z;
                s2[s] += w * w;
            }
    }

    @Override
    public void welford(float[] v, int vo, float[] mean, float[] m2, int mo, float invK) {
        for (int s = 0; s < B; s++) {
            float d = v[vo + s] - mean[mo + s], m = mean[mo + s] + d * invK;
            mean[mo + s] = m;
            m2[mo + s] += d * (v[vo + s] - m);
        }
    }
}
