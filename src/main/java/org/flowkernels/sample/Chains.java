package org.flowkernels.sample;

import org.flowkernels.Backend;
import org.flowkernels.Tensor;
import org.flowkernels.spi.Buffer;
import org.flowkernels.spi.LangevinKernels;
import org.flowkernels.spi.Memory;

/**
 * The device-side state of a batch of Langevin chains, what the Langevin kernels read and
 * write ({@link #spec()}). Per-chain columns are coordinate-major ({@code [column][chain]}), so that a device's
 * neighbouring work-items (chains) touch neighbouring addresses and a CPU block of chains reads
 * contiguous runs.
 */
final class Chains implements AutoCloseable {
    private final Backend backend;
    private final Drift drift;
    private final boolean mala;
    private final int count, n, cols;
    private final long seed;
    private final Tensor states;
    private final Buffer epsilon, dual, accepted, mean, m2, firstNonFinite;
    private final LangevinKernels.Chains spec;

    Chains(Backend backend, Drift drift, boolean mala, Tensor x0, long seed, boolean energy) {
        this.backend = backend;
        this.drift = drift;
        this.mala = mala;
        this.count = x0.rows();
        this.n = x0.cols();
        this.cols = n + (energy ? 1 : 0);
        this.seed = seed;
        Memory mem = backend.memory();
        Tensor s = null;
        Buffer[] b = new Buffer[6];
        try {
            s = backend.empty(count, n);
            mem.copy(x0.buffer(), 0, s.buffer(), 0, (long) count * n);
            b[0] = mem.allocate(Buffer.Type.FLOAT32, count);
            b[1] = mem.allocate(Buffer.Type.FLOAT32, 2L * count);
            b[2] = mem.allocate(Buffer.Type.INT32, count);
            b[3] = mem.allocate(Buffer.Type.FLOAT32, (long) cols * count);
            b[4] = mem.allocate(Buffer.Type.FLOAT32, (long) cols * count);
            b[5] = mem.allocate(Buffer.Type.INT32, count);
            mem.fill(b[1], 0);
            mem.fill(b[2], 0);
            mem.fill(b[3], 0);
            mem.fill(b[4], 0);
            mem.fill(b[5], -1);
        } catch (RuntimeException e) {
            if (s != null) s.close();
            for (Buffer x : b) if (x != null) mem.free(x);
            throw e;
        }
        states = s;
        epsilon = b[0];
        dual = b[1];
        accepted = b[2];
        mean = b[3];
        m2 = b[4];
        firstNonFinite = b[5];
        spec = new LangevinKernels.Chains(drift.kernelDrift(), mala, count, n, cols, seed, states, epsilon, dual, accepted,
                mean, m2, firstNonFinite);
    }

    /** The chains as the kernels see them. */
    LangevinKernels.Chains spec() { return spec; }

    public Backend backend() { return backend; }

    public Drift drift() { return drift; }

    /** MALA (accept/reject) rather than ULA. */
    public boolean mala() { return mala; }

    /** Number of chains. */
    public int count() { return count; }

    /** Coordinates per chain. */
    public int dim() { return n; }

    /** Columns of the statistics and snapshots: the coordinates, then the energy when the drift has one. */
    public int columns() { return cols; }

    public boolean hasEnergy() { return cols > n; }

    public long seed() { return seed; }

    /** The chains' current states [count, n], row-major. */
    public Tensor states() { return states; }

    /** Each chain's step size ε [count]. */
    public Buffer epsilon() { return epsilon; }

    /** Dual-averaging state [2, count]: H̄ of each chain, then ln ε̄. */
    public Buffer dual() { return dual; }

    /** Accepted proposals of each chain during the sampling steps [count], int32. */
    public Buffer accepted() { return accepted; }

    /** Welford running means [cols, count] and sums of squared deviations [cols, count]. */
    public Buffer mean() { return mean; }

    public Buffer m2() { return m2; }

    /** The first step at which each chain's proposal was not finite, or -1 [count], int32. */
    public Buffer firstNonFinite() { return firstNonFinite; }

    @Override
    public void close() {
        states.close();
        Memory mem = backend.memory();
        for (Buffer b : new Buffer[] {epsilon, dual, accepted, mean, m2, firstNonFinite}) mem.free(b);
    }
}
