package org.flowkernels.backend.cpu;

import org.flowkernels.spi.LangevinKernels;

/**
 * Langevin chains on the CPU: blocks of {@link MlpBlock#B} = 32 chains, each block run through
 * all the launch's steps by one thread with its state in cache, stored coordinate-major
 * ({@code x[c * B + s]}) so that the innermost loops run over the chains and vectorize. The
 * drift of a block is {@link CpuLangevinBlock.BlockDrift}; the step, the accept/reject, the
 * adaptation and the statistics are in {@link CpuLangevinBlock}.
 */
final class CpuLangevinKernels implements LangevinKernels {
    private final CpuBackend cpu;

    CpuLangevinKernels(CpuBackend cpu) { this.cpu = cpu; }

    @Override
    public void run(Chains chains, Launch launch) {
        run(chains, launch, 0);
    }

    /** A launch of Langevin steps (leapfrogSteps 0) or of HMC iterations of that many leapfrog steps. */
    void run(Chains chains, Launch launch, int leapfrogSteps) {
        int blocks = (chains.count() + MlpBlock.B - 1) / MlpBlock.B;
        cpu.parallelFor(blocks, 1, (b0, b1) -> {
            CpuLangevinBlock block = new CpuLangevinBlock(chains, launch, drift(chains, launch), beta(chains), leapfrogSteps,
                    cpu.blocks());
            for (int b = b0; b < b1; b++) block.run(b * MlpBlock.B);
        });
    }

    private CpuLangevinBlock.BlockDrift drift(Chains chains, Launch launch) {
        Drift d = chains.drift();
        if (d instanceof PotentialDrift p) return CpuLangevinBlock.potential(p.potential(), chains.dim(), p.beta(), cpu.blocks());
        if (d instanceof ScoreDrift s) return CpuLangevinBlock.score(s.net(), chains.dim(), launch.sigma(), cpu.blocks());
        throw new IllegalArgumentException("drift: no CPU implementation of " + d);
    }

    /** β of a potential drift (ln π = −βV); unused by a score drift. */
    private static float beta(Chains chains) {
        return chains.drift() instanceof PotentialDrift p ? p.beta() : 0f;
    }

    @Override
    public double[] merge(Chains chains, long samples) {
        float[] mean = CpuBackend.floats(chains.mean()), m2 = CpuBackend.floats(chains.m2());
        int count = chains.count(), cols = chains.columns();
        double[] out = new double[2 * cols];
        for (int c = 0; c < cols; c++) {
            int row = c * count;
            double sum = 0;
            for (int i = 0; i < count; i++) sum += mean[row + i];
            double m = sum / count, q = 0;
            for (int i = 0; i < count; i++) {
                double d = mean[row + i] - m;
                q += m2[row + i] + samples * d * d;
            }
            out[c] = m;
            out[cols + c] = q;
        }
        return out;
    }

    @Override
    public String path(Chains chains) {
        if (chains.drift() instanceof PotentialDrift p) CpuPotential.of(p.potential(), chains.dim(), cpu.blocks()); // rejects what cannot run here
        String drift = chains.drift() instanceof ScoreDrift ? "score MLP per block (MlpBlock)" : "potential per block (CpuPotential)";
        return "cpu: fused, blocks of " + BlockOps.B + " chains, " + cpu.threads() + " threads, " + cpu.blocks().description()
                + "; drift: " + drift;
    }
}
