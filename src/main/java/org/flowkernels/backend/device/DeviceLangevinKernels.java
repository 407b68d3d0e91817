package org.flowkernels.backend.device;

import org.flowkernels.spi.Buffer;
import org.flowkernels.spi.LangevinKernels;
import org.flowkernels.spi.Network;

/**
 * Langevin chains on OpenCL and CUDA: native-kernels/langevin.cl, every step of a launch in one
 * kernel. A score network within the fused kernel's reach (widths up to
 * {@link #FUSED_SCORE_WIDTH}, and weights plus a tile of chains within the device's local
 * memory: {@link MlpTile}) is evaluated inside it, a tile of chains per work-group; a larger
 * one goes through the MLP kernels ({@link DeviceNnKernels#linear}, one launch per layer per
 * step) and a one-step update kernel.
 */
final class DeviceLangevinKernels implements LangevinKernels {
    /**
     * The widest layer of the fused score kernel: a layer of a tile of chains lives in local
     * memory, and beyond 128 units the per-step GEMMs serve better.
     */
    static final int FUSED_SCORE_WIDTH = 128;

    private final DeviceBackend dev;
    private final DeviceNnKernels nn;

    DeviceLangevinKernels(DeviceBackend dev, DeviceNnKernels nn) {
        this.dev = dev;
        this.nn = nn;
    }

    @Override
    public void run(Chains chains, Launch launch) {
        Drift d = chains.drift();
        if (d instanceof PotentialDrift p) {
            potential(chains, launch, p);
        } else if (d instanceof ScoreDrift s) {
            if (fused(s.net(), chains.dim())) scoreFused(chains, launch, s.net());
            else scorePerStep(chains, launch, s.net());
        } else {
            throw new IllegalArgumentException("drift: no device implementation of " + d);
        }
    }

    private void potential(Chains c, Launch l, PotentialDrift p) {
        Object program = dev.program(p.potential()); // a user's potential: its snippet's program
        Buffer prm = dev.upload(p.potential());
        try {
            dev.launch(program, new Kernels.LangevinPotential(common(c, l, l.first(), l.steps()), p.potential().kind(), prm, p.beta()),
                    potentialKernel(c), c.count(), dev.workGroup());
            dev.checkUser(p.potential(), prm);
        } finally {
            dev.memory().free(prm);
        }
    }

    /** "_ula_64", "_mala_1024", ...: the build of langevin_potential that runs these chains. */
    private static String potentialKernel(Chains c) {
        return (c.mala() ? "_mala" : "_ula") + DevicePotentialKernels.variant(c.dim());
    }

    /** Per-chain REALs of the fused kernel besides the layer: the state and four flags. */
    private static int perChain(int dim) {
        return dim + 4;
    }

    private boolean fused(Network net, int dim) {
        return net.maxWidth() <= FUSED_SCORE_WIDTH
                && MlpTile.misfit(net.widths(), 1, perChain(dim), dev.localMemoryBytes(), MlpTile.group(dev)) == null;
    }

    /** The arguments every Langevin kernel takes, for steps [first, first + steps). */
    static Kernels.LgvCommon common(Chains c, Launch l, int first, int steps) {
        return new Kernels.LgvCommon(c.states(), c.count(), c.dim(), c.columns(), c.epsilon(), c.dual(), c.accepted(), c.mean(),
                c.m2(), c.firstNonFinite(), l.snapshots(), (int) c.seed(), (int) (c.seed() >>> 32), first, steps, l.adaptEnd(),
                l.target(), l.adaptMu(), l.statsStart(), l.statsEvery(), l.snapEvery(), l.snapBase(), l.snapCount());
    }

    private void scoreFused(Chains c, Launch l, Network mlp) {
        int chains = c.count();
        MlpTile tile = MlpTile.choose(mlp.widths(), 1, perChain(c.dim()), chains, dev.localMemoryBytes(), MlpTile.group(dev));
        try (Scratch s = dev.scratch()) {
            Buffer widths = s.upload(mlp.widths());
            long tiles = (chains + tile.tile() - 1) / tile.tile();
            dev.launch(new Kernels.LangevinScoreFused(common(c, l, l.first(), l.steps()), l.sigma(), mlp.parameters(), widths,
                    mlp.depth(), mlp.activation(), tile.tile(), new Kernels.LocalBytes(tile.localBytes())), "",
                    tiles * tile.group(), tile.group());
        }
    }

    /** Per step: concat(x, σ) → MLP layer launches → the update kernel (which also writes the next input). */
    private void scorePerStep(Chains c, Launch l, Network mlp) {
        int chains = c.count(), n = c.dim(), L = mlp.depth(), hidden = mlp.maxHidden();
        try (Scratch s = dev.scratch()) {
            Buffer inp = s.floats((long) chains * (n + 1)), score = s.floats((long) chains * n);
            Buffer[] tmp = new Buffer[L > 1 ? Math.min(2, L - 1) : 0];
            for (int k = 0; k < tmp.length; k++) tmp[k] = s.floats((long) chains * hidden);
            RowTeams teams = RowTeams.of(dev, (n + 3) / 4); // a lane per Philox block of four coordinates
            dev.launch(new Kernels.LangevinScoreConcat(c.states(), inp, chains, n, l.sigma()), (long) chains * (n + 1));
            for (int t = l.first(); t < l.first() + l.steps(); t++) {
                nn.forward(mlp, inp, score, tmp, chains);
                teams.launch(dev, new Kernels.LangevinScoreStep(common(c, l, t, 1), score, inp, teams.lanes(), teams.red()), chains);
            }
        }
    }

    @Override
    public double[] merge(Chains c, long samples) {
        int cols = c.columns(), wg = Integer.highestOneBit(dev.workGroup()); // the tree reduction halves a power of two
        Buffer out = dev.memory().allocate(Buffer.Type.FLOAT32, 2L * cols);
        try {
            dev.launch(new Kernels.LangevinMerge(c.mean(), c.m2(), c.count(), cols, (float) samples, out,
                    new Kernels.LocalBytes(4L * wg)), "", (long) cols * wg, wg);
            float[] host = new float[2 * cols];
            dev.memory().read(out, 0, host, 0, host.length);
            double[] merged = new double[host.length];
            for (int k = 0; k < host.length; k++) merged[k] = host[k];
            return merged;
        } finally {
            dev.memory().free(out);
        }
    }

    @Override
    public String path(Chains c) {
        Drift d = c.drift();
        if (d instanceof ScoreDrift s) {
            Network mlp = s.net();
            return fused(mlp, c.dim())
                    ? dev.name() + ": fused kernel langevin_score_fused (the score MLP inside the kernel, a tile of chains per "
                    + "work-group with its " + mlp.parameterCount() + " weights in local memory)"
                    : dev.name() + ": per-step path (the score MLP through DeviceNnKernels.linear, " + mlp.depth()
                    + " launches per step, then langevin_score_step; the net, widths " + java.util.Arrays.toString(mlp.widths())
                    + " with " + mlp.parameterCount() + " parameters, exceeds the fused kernel's " + FUSED_SCORE_WIDTH
                    + " units per layer or its " + dev.localMemoryBytes() + " bytes of local memory)";
        }
        if (d instanceof PotentialDrift p) dev.program(p.potential()); // a user's snippet is built now, before the run
        return dev.name() + ": fused kernel langevin_potential" + potentialKernel(c)
                + " (the potential inside the kernel, the state in private memory)";
    }
}
