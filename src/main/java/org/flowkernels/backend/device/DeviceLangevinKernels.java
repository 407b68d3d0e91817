package org.flowkernels.backend.device;

import org.flowkernels.spi.Buffer;
import org.flowkernels.spi.LangevinKernels;
import org.flowkernels.spi.Memory;
import org.flowkernels.spi.Network;

/**
 * Langevin chains on OpenCL and CUDA: native-kernels/langevin.cl, one work-item per chain and
 * every step of a launch in one kernel. A score network small enough for the fused kernel
 * (widths up to {@link #FUSED_SCORE_WIDTH}, parameters up to {@link #FUSED_SCORE_PARAMETERS},
 * which fit any device's local memory) is evaluated inside it with its weights in local memory;
 * a larger one goes through the MLP kernels ({@link DeviceNnKernels#linear}, one launch per
 * layer per step) and a one-step update kernel.
 */
final class DeviceLangevinKernels implements LangevinKernels {
    /** The widest layer of the fused score kernel, and the widest state (plus one) of the per-step update kernel. */
    static final int FUSED_SCORE_WIDTH = DeviceLimits.LGV_SCORE_WIDTH;
    /** 32 KiB of float parameters: OpenCL's minimum local memory for a GPU. */
    static final int FUSED_SCORE_PARAMETERS = 8192;

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
            if (fused(s.net())) scoreFused(chains, launch, s.net());
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

    private static boolean fused(Network net) {
        return net.maxWidth() <= FUSED_SCORE_WIDTH && net.parameterCount() <= FUSED_SCORE_PARAMETERS;
    }

    /** The arguments every Langevin kernel takes, for steps [first, first + steps). */
    static Kernels.LgvCommon common(Chains c, Launch l, int first, int steps) {
        return new Kernels.LgvCommon(c.states(), c.count(), c.dim(), c.columns(), c.epsilon(), c.dual(), c.accepted(), c.mean(),
                c.m2(), c.firstNonFinite(), l.snapshots(), (int) c.seed(), (int) (c.seed() >>> 32), first, steps, l.adaptEnd(),
                l.target(), l.adaptMu(), l.statsStart(), l.statsEvery(), l.snapEvery(), l.snapBase(), l.snapCount());
    }

    private void scoreFused(Chains c, Launch l, Network mlp) {
        Buffer widths = dev.memory().upload(mlp.widths());
        try {
            dev.launch(new Kernels.LangevinScoreFused(common(c, l, l.first(), l.steps()), l.sigma(), mlp.parameters(), widths,
                    mlp.depth(), mlp.activation(), mlp.parameterCount(), new Kernels.LocalBytes(4L * mlp.parameterCount())),
                    c.count());
        } finally {
            dev.memory().free(widths);
        }
    }

    /** Per step: concat(x, σ) → MLP layer launches → the update kernel (which also writes the next input). */
    private void scorePerStep(Chains c, Launch l, Network mlp) {
        if (c.dim() + 1 > FUSED_SCORE_WIDTH)
            throw new IllegalArgumentException("x0: the OpenCL/CUDA score path holds at most " + (FUSED_SCORE_WIDTH - 1)
                    + " coordinates per chain, got " + c.dim() + " (the CPU backend has no such limit)");
        Memory mem = dev.memory();
        int chains = c.count(), n = c.dim(), L = mlp.depth(), hidden = mlp.maxHidden();
        Buffer inp = null, score = null;
        Buffer[] tmp = new Buffer[L > 1 ? Math.min(2, L - 1) : 0];
        try {
            inp = mem.allocate(Buffer.Type.FLOAT32, (long) chains * (n + 1));
            score = mem.allocate(Buffer.Type.FLOAT32, (long) chains * n);
            for (int k = 0; k < tmp.length; k++) tmp[k] = mem.allocate(Buffer.Type.FLOAT32, (long) chains * hidden);
            dev.launch(new Kernels.LangevinScoreConcat(c.states(), inp, chains, n, l.sigma()), (long) chains * (n + 1));
            for (int t = l.first(); t < l.first() + l.steps(); t++) {
                nn.forward(mlp, inp, score, tmp, chains);
                dev.launch(new Kernels.LangevinScoreStep(common(c, l, t, 1), score, inp), chains);
            }
        } finally {
            if (inp != null) mem.free(inp);
            if (score != null) mem.free(score);
            for (Buffer b : tmp) if (b != null) mem.free(b);
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
            return fused(s.net())
                    ? dev.name() + ": fused kernel langevin_score_fused (the score MLP inside the kernel, its "
                    + mlp.parameterCount() + " weights in local memory)"
                    : dev.name() + ": per-step path (the score MLP through DeviceNnKernels.linear, " + mlp.depth()
                    + " launches per step, then langevin_score_step; the net, widths " + java.util.Arrays.toString(mlp.widths())
                    + " with " + mlp.parameterCount()
                    + " parameters, exceeds the fused kernel's " + FUSED_SCORE_WIDTH + " width / " + FUSED_SCORE_PARAMETERS
                    + " parameters)";
        }
        if (d instanceof PotentialDrift p) dev.program(p.potential()); // a user's snippet is built now, before the run
        return dev.name() + ": fused kernel langevin_potential" + potentialKernel(c)
                + " (the potential inside the kernel, the state in private memory)";
    }
}
