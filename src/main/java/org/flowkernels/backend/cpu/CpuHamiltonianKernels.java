package org.flowkernels.backend.cpu;

import org.flowkernels.spi.Contract;
import org.flowkernels.spi.HamiltonianKernels;

/**
 * Hamiltonian integrators on the CPU. Trajectories go in blocks of {@link CpuPotential#B},
 * transposed to coordinate-major (q[c * B + s]) so that every loop runs over the block and
 * vectorizes; a block stays in L1/L2 for all the steps of a launch, then is written back.
 * Blocks run in parallel. Same step formulas, in the same float32 order, as hamiltonian.cl.
 */
final class CpuHamiltonianKernels implements HamiltonianKernels {
    private final CpuBackend cpu;

    CpuHamiltonianKernels(CpuBackend cpu) { this.cpu = cpu; }

    @Override
    public Prepared prepare(Run run) {
        return new Prepared() {
            @Override
            public void advance(int start, int steps) {
                int B = CpuPotential.B, batch = run.q().rows();
                cpu.parallelFor((batch + B - 1) / B, 1, (b0, b1) -> {
                    Block block = new Block(run, cpu.blocks());
                    for (int b = b0; b < b1; b++) block.advance(b * B, Math.min(B, batch - b * B), start, steps);
                });
            }

            @Override
            public void close() {}
        };
    }

    /** One thread's working set: a block of trajectories and its scratch. */
    private static final class Block {
        private static final int B = CpuPotential.B;
        private final Run run;
        private final int n, records;
        private final float dt;
        private final float[] invMass;
        private final CpuPotential potential;
        private final float[] q, p, g, e = new float[B], h0 = new float[B], err = new float[B];
        private final float[] qs, ps, qa, pa; // RK4 stages
        private final BlockOps ops;
        private final float[] qAll, pAll, energies, snapQ, snapP, maxError;
        private int s0, nb;

        Block(Run run, BlockOps ops) {
            this.run = run;
            this.ops = ops;
            n = run.q().cols();
            records = run.records();
            dt = run.dt();
            invMass = run.inverseMasses();
            potential = CpuPotential.of(run.potential(), n, ops);
            q = new float[n * B];
            p = new float[n * B];
            g = new float[n * B];
            boolean rk4 = run.integrator() == Contract.INTEGRATOR_RK4;
            qs = rk4 ? new float[n * B] : null;
            ps = rk4 ? new float[n * B] : null;
            qa = rk4 ? new float[n * B] : null;
            pa = rk4 ? new float[n * B] : null;
            qAll = CpuBackend.floats(run.q());
            pAll = CpuBackend.floats(run.p());
            energies = CpuBackend.floats(run.energies());
            snapQ = run.snapshotsQ() == null ? null : CpuBackend.floats(run.snapshotsQ());
            snapP = run.snapshotsP() == null ? null : CpuBackend.floats(run.snapshotsP());
            maxError = CpuBackend.floats(run.maxError());
        }

        void advance(int s0, int nb, int start, int steps) {
            this.s0 = s0;
            this.nb = nb;
            MlpBlock.load(qAll, s0, nb, n, q);
            MlpBlock.load(pAll, s0, nb, n, p);
            if (start == 0) {
                record(0);
            } else {
                for (int s = 0; s < nb; s++) {
                    h0[s] = energies[(s0 + s) * records];
                    err[s] = maxError[s0 + s];
                }
            }
            if (run.integrator() == Contract.INTEGRATOR_RK4) rk4(start, steps);
            else splitting(start, steps);
            MlpBlock.store(q, s0, nb, n, qAll);
            MlpBlock.store(p, s0, nb, n, pAll);
            System.arraycopy(err, 0, maxError, s0, nb);
        }

        /** Leapfrog (one drift of weight 1) or Yoshida (three), kicks of neighbouring drifts merged. */
        private void splitting(int start, int steps) {
            float[] w = run.integrator() == Contract.INTEGRATOR_LEAPFROG ? new float[] {1f}
                    : new float[] {(float) Contract.YOSHIDA_W1, (float) Contract.YOSHIDA_W0, (float) Contract.YOSHIDA_W1};
            potential.evaluate(q, g, null);
            float pending = 0; // the half kick owed by the last drift
            for (int j = 0; j < steps; j++) {
                for (float wi : w) {
                    float kick = (pending + 0.5f * wi) * dt, drift = wi * dt;
                    if (!potential.kickDriftGradient(q, p, g, invMass, kick, drift)) {
                        ops.kickDrift(q, p, g, invMass, kick, drift, n);
                        potential.evaluate(q, g, null);
                    }
                    pending = 0.5f * wi;
                }
                int k = start + j + 1;
                boolean rec = k % run.every() == 0;
                if (rec || j == steps - 1) {
                    ops.kickDrift(q, p, g, invMass, pending * dt, 0, n);
                    pending = 0;
                    if (rec) record(k / run.every());
                }
            }
        }

        /** Classic RK4 on (q' = p/m, p' = -dV/dq); qa, pa accumulate k1 + 2 k2 + 2 k3. */
        private void rk4(int start, int steps) {
            float half = 0.5f * dt, sixth = dt / 6;
            for (int j = 0; j < steps; j++) {
                potential.evaluate(q, g, null);
                ops.rk4Stage(q, p, g, invMass, p, qa, pa, qs, ps, half, true, n);
                potential.evaluate(qs, g, null);
                ops.rk4Stage(q, p, g, invMass, ps, qa, pa, qs, ps, half, false, n);
                potential.evaluate(qs, g, null);
                ops.rk4Stage(q, p, g, invMass, ps, qa, pa, qs, ps, dt, false, n);
                potential.evaluate(qs, g, null);
                ops.rk4Finish(q, p, g, invMass, qa, pa, ps, sixth, n);
                int k = start + j + 1;
                if (k % run.every() == 0) record(k / run.every());
            }
        }

        /** H of the block into record k, the snapshots, and the running energy error. */
        private void record(int k) {
            potential.evaluate(q, null, e);
            for (int c = 0; c < n; c++) {
                float hm = 0.5f * invMass[c];
                for (int s = 0; s < B; s++) e[s] += hm * p[c * B + s] * p[c * B + s];
            }
            for (int s = 0; s < nb; s++) {
                int row = s0 + s;
                energies[row * records + k] = e[s];
                if (k == 0) {
                    h0[s] = e[s];
                    err[s] = 0;
                } else {
                    float d = Math.abs(e[s] - h0[s]);
                    if (h0[s] != 0) d /= Math.abs(h0[s]);
                    if (!(d <= err[s])) err[s] = d; // a NaN energy stays NaN
                }
                if (snapQ != null) {
                    long at = ((long) row * records + k) * n;
                    for (int c = 0; c < n; c++) {
                        snapQ[(int) (at + c)] = q[c * B + s];
                        snapP[(int) (at + c)] = p[c * B + s];
                    }
                }
            }
        }
    }
}
