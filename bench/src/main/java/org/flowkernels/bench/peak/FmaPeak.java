package org.flowkernels.bench.peak;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.flowkernels.Backend;
import org.flowkernels.Check;
import org.flowkernels.Tensor;
import org.flowkernels.backend.cpu.CpuBackend;
import org.flowkernels.backend.device.DeviceBackend;

/**
 * The arithmetic peak a backend reaches in practice, measured with a kernel that does nothing
 * but fused multiply-adds: item i runs {@link #CHAINS} independent chains
 * {@code x <- a x + b} for {@code iters} steps, chain k starting at ((i + k) mod 64) / 64, and
 * writes the chains' sum (native-kernels/peak.cl on OpenCL and CUDA, a Java loop on the CPU).
 * The benchmark report divides each workload's GFLOP/s by this figure.
 */
public interface FmaPeak {

    /** Independent chains per item: enough to cover the FMA latency on every target. */
    int CHAINS = 8;

    /** out [n, 1]: out[i] = sum over k of chain k of item i after {@code iters} steps. */
    void run(Tensor out, int iters, float a, float b);

    /** How this backend runs the chains (Vector API lanes, an OpenCL or CUDA kernel). */
    String path();

    /** FLOPs per item: one multiply and one add per chain and step. */
    static long flopsPerItem(int iters) {
        return 2L * CHAINS * iters;
    }

    /** Checks the arguments, then runs the chains on the tensor's backend. */
    static void compute(Tensor out, int iters, float a, float b) {
        Check.notNull(out, "out");
        Check.tensor(out, out.backend(), 1, "out");
        Check.nonNegative(iters, "iters");
        Check.finite(a, "a");
        Check.finite(b, "b");
        on(out.backend()).run(out, iters, a, b);
    }

    /** The chains on a backend: a benchmark's own kernel, outside the library's families. */
    static FmaPeak on(Backend backend) {
        return Made.BY_BACKEND.computeIfAbsent(backend, b -> b instanceof CpuBackend c ? new CpuFmaPeak(c)
                : new DeviceFmaPeak((DeviceBackend) b));
    }

    /** One per backend, made on first use. */
    final class Made {
        private Made() {}

        static final Map<Backend, FmaPeak> BY_BACKEND = new ConcurrentHashMap<>();
    }

    /** Where chain k of item i starts. */
    static float start(int i, int k) {
        return ((i + k) & 63) * 0.015625f;
    }
}
