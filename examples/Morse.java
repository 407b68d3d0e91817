import org.flowkernels.physics.UserPotential;

/** The Java twin of morse.cl (particles in 2-D): V and its gradient for a block of m configurations. */
public class Morse implements UserPotential.Function {
    static final int DIM = 2;

    @Override
    public void evaluate(int n, int m, float[] x, float[] p, float[] energy, float[] gradient) {
        float depth = p[0], a = p[1], r0 = p[2], k = p[3];
        java.util.Arrays.fill(energy, 0, m, 0f);
        for (int i = 0; i < n * m; i++) { // the trap: k |r_i|^2
            energy[i % m] += k * x[i] * x[i];
            gradient[i] = 2 * k * x[i];
        }
        for (int i = 0; i < n / DIM; i++)
            for (int j = i + 1; j < n / DIM; j++)
                for (int s = 0; s < m; s++) {
                    float dx = x[(i * DIM) * m + s] - x[(j * DIM) * m + s], dy = x[(i * DIM + 1) * m + s] - x[(j * DIM + 1) * m + s];
                    float r = (float) Math.sqrt(dx * dx + dy * dy), e = (float) Math.exp(-a * (r - r0));
                    energy[s] += depth * (1 - e) * (1 - e);
                    float w = -2 * depth * a * e * (1 - e) / r; // -phi'(r) / r
                    gradient[(i * DIM) * m + s] -= w * dx;
                    gradient[(j * DIM) * m + s] += w * dx;
                    gradient[(i * DIM + 1) * m + s] -= w * dy;
                    gradient[(j * DIM + 1) * m + s] += w * dy;
                }
    }
}
