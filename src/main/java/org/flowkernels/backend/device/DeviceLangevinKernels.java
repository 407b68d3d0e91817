package org.flowkernels.backend.device;

import org.flowkernels.spi.Buffer;
import org.flowkernels.spi.LangevinKernels;
import org.flowkernels.spi.Network;

/**
 * Langevin chains on OpenCL and CUDA: native-kernels/langevin.cl, every step of a launch in one
 * kernel. A built-in potential's drift runs in the particle-parallel layout of
 * {@link DevicePotentialKernels.Layout} (a chain per group of work-items), a user's potential
 * a chain per work-item in its snippet's program (user_potential.cl). A score network within
 * the fused kernel's reach (widths up to {@link #FUSED_SCORE_WIDTH}, and weights plus a tile of
 * chains within the device's local memory: {@link MlpTile}) is evaluated inside it, a tile of
 * chains per work-group; a larger one goes through the MLP kernels
 * ({@link DeviceNnKernels#linear}, one launch per layer per step) and a one-step update kernel.
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
        Buffer prm = dev.upload(p.potential());
        try {
            String kind = c.mala() ? "_mala" : "_ula";
            if (p.potential().user() != null) { // a snippet sees the whole configuration: a chain per work-item
                dev.launch(dev.program(p.potential()), new Kernels.UserLangevinPotential(common(c, l, l.first(), l.steps()),
                        p.potential().kind(), prm, p.beta()), kind + DevicePotentialKernels.variant(c.dim()), c.count(), dev.workGroup());
                dev.checkUser(p.potential(), prm);
            } else {
                DevicePotentialKernels.Layout at = layout(c, p);
                dev.launch(new Kernels.LangevinPotential(common(c, l, l.first(), l.steps()), p.potential().kind(), prm, p.beta(),
                        at.sdim(), at.lanes(), at.local()), kind + at.suffix(), at.workItems(), at.workGroup());
            }
        } finally {
            dev.memory().free(prm);
        }
    }

    /** The layout of langevin_potential for these chains: two position buffers, three sums (MALA's). */
    private DevicePotentialKernels.Layout layout(Chains c, PotentialDrift p) {
        return DevicePotentialKernels.Layout.of(p.potential(), c.dim(), c.count(), 2, 3, "x0");
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
        PotentialDrift p = (PotentialDrift) d;
        String kind = c.mala() ? "_mala" : "_ula";
        if (p.potential().user() != null) {
            dev.program(p.potential()); // the snippet is built now, before the run
            return dev.name() + ": fused kernel user_langevin_potential" + kind + DevicePotentialKernels.variant(c.dim())
                    + " (the user's potential inside the kernel, a chain per work-item, its state in private memory)";
        }
        DevicePotentialKernels.Layout at = layout(c, p);
        return dev.name() + ": fused kernel langevin_potential" + kind + at.suffix()
                + " (the potential inside the kernel; " + at.describe() + ")";
    }
}
