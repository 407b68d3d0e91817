package org.flowkernels.backend.cpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import org.flowkernels.Backend;
import org.flowkernels.DeviceInfo;
import org.flowkernels.spi.Buffer;
import org.flowkernels.spi.CouplingKernels;
import org.flowkernels.spi.HamiltonianKernels;
import org.flowkernels.spi.HmcKernels;
import org.flowkernels.spi.LangevinKernels;
import org.flowkernels.spi.Matrix;
import org.flowkernels.spi.Memory;
import org.flowkernels.spi.NnKernels;
import org.flowkernels.spi.OdeKernels;
import org.flowkernels.spi.PotentialKernels;
import org.flowkernels.spi.RngKernels;
import org.flowkernels.spi.TrainKernels;
import org.flowkernels.spi.UserFieldKernels;

/**
 * The pure-Java backend: tensors are Java arrays, kernels are Java loops run in parallel over
 * the batch on a private ForkJoinPool (one thread per core; system property
 * {@code flowkernels.cpu.threads} overrides). Always available.
 */
public final class CpuBackend extends Backend {
    private final CpuMemory memory = new CpuMemory();
    private final BlockOps blocks;
    private final int threads;
    private final ForkJoinPool pool;
    private final DeviceInfo device;

    public CpuBackend() {
        this(defaultThreads());
    }

    /** One thread per core, unless the system property flowkernels.cpu.threads says otherwise. */
    static int defaultThreads() {
        return Integer.getInteger("flowkernels.cpu.threads", Runtime.getRuntime().availableProcessors());
    }

    /** The device behind a CPU backend of this many threads. */
    static DeviceInfo describe(int threads, BlockOps blocks) {
        return new DeviceInfo(cpuModel(), DeviceInfo.Type.CPU, System.getProperty("java.vendor"), threads,
                Runtime.getRuntime().maxMemory(), "Java " + Runtime.version() + ", " + threads + " threads, "
                + Simd.description(blocks));
    }

    public CpuBackend(int threads) {
        this(threads, BlockOps.CHOSEN);
    }

    /** With the block operations given (tests run the contract on both implementations). */
    CpuBackend(int threads, BlockOps blocks) {
        if (threads < 1) throw new IllegalArgumentException("threads: expected >= 1, got " + threads);
        this.threads = threads;
        this.blocks = blocks;
        this.pool = new ForkJoinPool(threads, p -> {
            var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setDaemon(true);
            t.setName("flowkernels-cpu-" + t.getPoolIndex());
            return t;
        }, null, false);
        this.device = describe(threads, blocks);
        register(RngKernels.class, () -> new CpuRngKernels(this));
        register(NnKernels.class, () -> new CpuNnKernels(this));
        register(CouplingKernels.class, () -> new CpuCouplingKernels(this));
        register(OdeKernels.class, () -> new CpuOdeKernels(this));
        register(PotentialKernels.class, () -> new CpuPotentialKernels(this));
        register(HamiltonianKernels.class, () -> new CpuHamiltonianKernels(this));
        register(LangevinKernels.class, () -> new CpuLangevinKernels(this));
        register(HmcKernels.class, () -> new CpuHmcKernels(this));
        register(UserFieldKernels.class, () -> new CpuUserFieldKernels(this));
        register(TrainKernels.class, () -> new CpuTrainKernels(this));
    }

    @Override public String name() { return "cpu"; }

    @Override public DeviceInfo device() { return device; }

    @Override public Memory memory() { return memory; }

    public int threads() { return threads; }

    /** The block operations the kernels of this backend run (chosen once). */
    BlockOps blocks() { return blocks; }

    /** Whether the kernels run in Vector API lanes (else plain loops), and why, in words. */
    public boolean vectorized() { return blocks instanceof VectorBlocks; }

    public String vectorization() { return Simd.description(blocks); }

    /** The float array behind a matrix of this backend. */
    public static float[] floats(Matrix m) {
        return floats(m.buffer());
    }

    public static float[] floats(Buffer b) {
        CpuBuffer c = (CpuBuffer) b;
        if (c.floats == null) throw new IllegalArgumentException("expected a float32 buffer, got " + b.type());
        return c.floats;
    }

    public static int[] ints(Buffer b) {
        CpuBuffer c = (CpuBuffer) b;
        if (c.ints == null) throw new IllegalArgumentException("expected an int32 buffer, got " + b.type());
        return c.ints;
    }

    /** A body run over a half-open range of indices. */
    @FunctionalInterface
    public interface Range {
        void run(int from, int to);
    }

    /**
     * Runs {@code body} over [0, n) in chunks of at least {@code grain} indices, spread over the
     * backend's threads; returns when all are done, rethrowing the first failure.
     */
    public void parallelFor(int n, int grain, Range body) {
        if (n <= 0) return;
        int chunks = (int) Math.min((long) threads * 4, (n + (long) grain - 1) / Math.max(1, grain));
        if (chunks <= 1 || threads == 1) {
            body.run(0, n);
            return;
        }
        List<ForkJoinTask<?>> tasks = new ArrayList<>(chunks);
        for (int c = 0; c < chunks; c++) {
            int from = (int) ((long) n * c / chunks), to = (int) ((long) n * (c + 1) / chunks);
            tasks.add(ForkJoinTask.adapt(() -> body.run(from, to)));
        }
        if (ForkJoinTask.inForkJoinPool() && ForkJoinTask.getPool() == pool) ForkJoinTask.invokeAll(tasks);
        else pool.invoke(ForkJoinTask.adapt(() -> ForkJoinTask.invokeAll(tasks)));
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo")))
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through
        }
        return System.getProperty("os.arch") + " CPU";
    }
}
