package org.flowkernels.backend.device;

import org.flowkernels.spi.Buffer;
import org.flowkernels.spi.Matrix;
import org.flowkernels.spi.PotentialKernels;
import org.flowkernels.spi.PotentialSpec;

/**
 * Potentials on OpenCL and CUDA: native-kernels/potentials.cl over include/potentials.h. Its
 * {@link Layout} serves every device family whose kernels evaluate a built-in potential (the
 * Hamiltonian integrators, the Langevin chains); a user's potential runs a configuration per
 * work-item in its snippet's program (user_potential.cl, {@link #variant}).
 */
final class DevicePotentialKernels implements PotentialKernels {
    private final DeviceBackend dev;

    DevicePotentialKernels(DeviceBackend dev) { this.dev = dev; }

    @Override
    public void evaluate(PotentialSpec v, Matrix q, Matrix energy, Matrix gradient) {
        Buffer prm = dev.upload(v);
        try {
            Kernels.PotentialRun run = new Kernels.PotentialRun(q, q.rows(), q.cols(), v.kind(), prm, energy,
                    gradient != null ? gradient : energy, gradient != null ? 1 : 0);
            if (v.user() != null) { // a snippet sees the whole configuration: a row per work-item, in its own program
                dev.launch(dev.program(v), new Kernels.UserPotentialEvaluate(run), variant(q.cols()), q.rows(), dev.workGroup());
                dev.checkUser(v, prm);
            } else {
                Layout at = Layout.of(v, q.cols(), q.rows(), 1, 1, "q");
                at.launch(dev, new Kernels.PotentialEvaluate(run, at.sdim(), at.lanes(), at.local()));
            }
        } finally {
            dev.memory().free(prm);
        }
    }

    /**
     * "_64" or "_1024": the build of a kernel that keeps a whole row of {@code coordinates} per
     * work-item (a user's potential, HMC: include/potentials_whole.h); IllegalArgumentException
     * beyond WHOLE_MAX_COORDS.
     */
    static String variant(int coordinates) {
        if (coordinates > DeviceLimits.WHOLE_MAX_COORDS)
            throw new IllegalArgumentException("q: the OpenCL/CUDA kernels of a user's potential and of HMC hold at most "
                    + DeviceLimits.WHOLE_MAX_COORDS + " coordinates per row in private memory, got " + coordinates
                    + " (the CPU backend has no such limit)");
        return "_" + (coordinates <= DeviceLimits.WHOLE_SMALL_COORDS ? DeviceLimits.WHOLE_SMALL_COORDS : DeviceLimits.WHOLE_MAX_COORDS);
    }

    /**
     * How a batch of configurations maps onto the particle-parallel kernels (include/potentials.h):
     * a configuration of {@code sites} sites of {@code sdim} coordinates (a particle, or
     * POT_SITE_COORDS coordinates of a potential without particles) per {@code lanes}
     * work-items (a power of two), each holding K sites (1 in the _single build, POT_STRIDE in
     * the _strided one), {@code perGroup} configurations in a work-group of
     * {@code lanes * perGroup}, local memory for {@code buffers} rows of positions per
     * configuration and {@code planes} sums.
     *
     * @param suffix "_single" or "_strided": the build that runs it
     */
    record Layout(String suffix, boolean particles, int sdim, int sites, int lanes, int perGroup, long rows, long localBytes) {
        /** The most sites (particles, groups of POT_SITE_COORDS coordinates) a row may have on the device. */
        static final int MAX_SITES = DeviceLimits.POT_LANES * DeviceLimits.POT_STRIDE;

        /**
         * The layout of {@code rows} configurations of {@code n} coordinates of potential v;
         * IllegalArgumentException naming {@code name} beyond {@link #MAX_SITES} particles or
         * POT_MAX_COORDS coordinates. Work-groups are always POT_LANES work-items, whatever the
         * lanes: a GPU runs 256 well, and PoCL compiles a kernel once per work-group size
         * (seconds each for these), so one size keeps it to once.
         */
        static Layout of(PotentialSpec v, int n, long rows, int buffers, int planes, String name) {
            int dim = v.particleDim(), sdim = dim > 0 ? dim : DeviceLimits.POT_SITE_COORDS, sites = (n + sdim - 1) / sdim;
            if (dim > 0 && sites > MAX_SITES)
                throw new IllegalArgumentException(name + ": the OpenCL/CUDA kernels hold at most " + MAX_SITES
                        + " particles per row, got " + sites + " particles of " + dim + " coordinates"
                        + " (the CPU backend has no such limit)");
            if (n > DeviceLimits.POT_MAX_COORDS)
                throw new IllegalArgumentException(name + ": the OpenCL/CUDA kernels hold at most " + DeviceLimits.POT_MAX_COORDS
                        + " coordinates per row, got " + n + " (the CPU backend has no such limit)");
            boolean single = sites <= DeviceLimits.POT_LANES;
            int perLane = single ? 1 : DeviceLimits.POT_STRIDE;
            int lanes = ceilPow2((sites + perLane - 1) / perLane);
            int perGroup = DeviceLimits.POT_LANES / lanes;
            long local = 4L * ((long) perGroup * buffers * n + (long) planes * perGroup * lanes);
            return new Layout(single ? "_single" : "_strided", dim > 0, sdim, sites, lanes, perGroup, rows, local);
        }

        static int ceilPow2(int x) {
            return x <= 1 ? 1 : Integer.highestOneBit(x - 1) << 1;
        }

        int workGroup() { return lanes * perGroup; }

        Kernels.LocalBytes local() { return new Kernels.LocalBytes(localBytes); }

        /** Work-items of the whole launch: every configuration's lanes, rounded up to whole work-groups. */
        long workItems() { return (rows + perGroup - 1) / perGroup * workGroup(); }

        /** Launches the kernel built for this layout (name + suffix) over the batch. */
        void launch(DeviceBackend dev, Kernels.Args args) {
            dev.launch(args, suffix, workItems(), workGroup());
        }

        /** The layout in words, for a run's path. */
        String describe() {
            String sites = particles ? "particle" : "group of " + sdim + " coordinates";
            String each = suffix.equals("_single") ? "one " + sites
                    : "up to " + DeviceLimits.POT_STRIDE + " " + (particles ? "particles" : "groups of " + sdim + " coordinates");
            return (perGroup > 1 ? perGroup + " configurations" : "one configuration") + " per work-group of " + workGroup()
                    + ", " + each + " per work-item in registers, positions in local memory";
        }
    }
}
