package org.flowkernels.bench;

import java.util.List;
import java.util.Optional;
import org.flowkernels.bench.peak.FmaPeak;
import org.flowkernels.bench.peak.PeakFmaBench;

/**
 * The benchmark registry: every workload the suite knows, with its unit, its work per
 * operation and its batch sizes. bench/run runs the entries whose benchmark is in the jar and
 * lists the others as not yet benchmarked. To add a workload: write its benchmark class (a
 * {@link WorkloadBench}) and give its entry here the class and method (bench/README.md).
 *
 * <p>The entries for WORKLOADS.md's W1-W4 are written ahead from that file (sizes, units,
 * FLOPs); the engineer who writes the benchmark may rename its class and method here.
 */
public final class Workloads {
    /** The package benchmark names are relative to. */
    public static final String PACKAGE = "org.flowkernels.bench";

    /** FLOPs of one forward pass of the W1 conditioner, 32 -> 256 -> 256 -> 64. */
    public static final long W1_CONDITIONER_FLOPS = 2L * (32 * 256 + 256 * 256 + 256 * 64);

    /** FLOPs per W2-hutch sample as the library computes it: 80 evaluations of the values through
     *  65 -> 256 -> 256 -> 64, the tangent through 256 -> 256 and a 256-long dot, plus W_1 eps and
     *  W_L^T eps once. */
    public static final double W2_HUTCH_FLOPS = 80.0 * 2 * (65 * 256 + 256 * 256 + 256 * 64 + 256 * 256 + 256)
            + 2.0 * (65 * 256 + 256 * 64);

    /** FLOPs per sample of one W1 training step: the pass, and backward's two products per layer (inputs and weights). */
    public static final long W1_TRAIN_FLOPS = 3 * 8 * W1_CONDITIONER_FLOPS;

    public static final List<Workload> ALL = List.of(
            // ---- the peak first: every GFLOP/s of the run is a fraction of it
            Workload.of("peak-fma", "peak.PeakFmaBench.fma",
                            FmaPeak.CHAINS + " independent FMA chains x " + PeakFmaBench.ITERS + " steps per item, no memory traffic: the measured arithmetic peak")
                    .counting("FLOP", b -> b * FmaPeak.flopsPerItem(PeakFmaBench.ITERS)).flopsPerItem(1)
                    .batches(8192, 1 << 22),
            // ---- shared/WORKLOADS.md (benchmarks written with each kernel family)
            Workload.of("W1-sample", "CouplingBench.sample",
                            "RealNVP, D = 64, 8 affine coupling layers: z ~ N(0, I) pushed forward, x and log q(x)")
                    .counting("samples", b -> b).flopsPerItem(8 * W1_CONDITIONER_FLOPS).batches(16384, 1 << 20),
            Workload.of("W1-density", "CouplingBench.density",
                            "RealNVP, D = 64, 8 affine coupling layers: x pulled back, log p(x)")
                    .counting("samples", b -> b).flopsPerItem(8 * W1_CONDITIONER_FLOPS).batches(16384, 1 << 20),
            Workload.of("W2-exact", "CnfBench.exact",
                            "CNF, D = 2, MLP 3->64->64->2, RK4 100 steps, exact trace")
                    .counting("samples", b -> b).flopsPerItem(10.3e6).batches(16384, 1 << 20),
            Workload.of("W2-hutch", "CnfBench.hutchinson",
                            "CNF, D = 64, MLP 65->256->256->64, RK4 20 steps, Hutchinson trace (one Rademacher probe)")
                    // WORKLOADS.md counts 31.5 MFLOP (value and tangent through all three layers, 80
                    // evaluations); the library does 26.4: the probe is fixed, so W_1 eps and W_L^T eps
                    // are computed once and the last layer's tangent is a 256-long dot product
                    .counting("samples", b -> b).flopsPerItem(W2_HUTCH_FLOPS).batches(4096, 262144),
            Workload.of("W3-leapfrog", "HamiltonianBench.leapfrog",
                            "FPUT-beta chain, n = 64, leapfrog dt = 0.01, 10,000 steps")
                    .counting("particle-steps", b -> b * 64L * 10_000).batches(1024, 65536),
            Workload.of("W3-rk4", "HamiltonianBench.rk4",
                            "FPUT-beta chain, n = 64, RK4 dt = 0.01, 10,000 steps")
                    .counting("particle-steps", b -> b * 64L * 10_000).batches(1024, 65536),
            Workload.of("W4-ula", "LangevinBench.ula",
                            "2D Coulomb gas, N = 32, unadjusted Langevin, eps = 1e-3, 1,000 steps")
                    .counting("chain-steps", b -> b * 1_000L).batches(1024, 65536),
            Workload.of("W4-mala", "LangevinBench.mala",
                            "2D Coulomb gas, N = 32, Metropolis-adjusted Langevin, eps = 1e-3, 1,000 steps")
                    .counting("chain-steps", b -> b * 1_000L).batches(1024, 65536),
            // ---- issue 11: training (WORKLOADS.md W5); the train kernels run in float32 on every backend
            Workload.of("train-w1", "TrainBench.maximumLikelihood",
                            "W1 RealNVP, one maximum-likelihood step on x ~ N(0, 1.5^2 I): inverse pass, log-det, backward, Adam")
                    .counting("samples", b -> b).flopsPerItem(W1_TRAIN_FLOPS).batches(16384, 1 << 20).inPrecision("float32"),
            Workload.of("train-w1-vfe", "TrainBench.freeEnergy",
                            "W1 RealNVP, one free-energy step, harmonic H = |x|^2/2, beta = 1: forward pass, log-det, H and dH/dx, backward, Adam")
                    .counting("samples", b -> b).flopsPerItem(W1_TRAIN_FLOPS).batches(16384, 1 << 20).inPrecision("float32"),
            // ---- supporting measurements, last: a run out of time (ci/gpu-check) loses these first
            Workload.of("transfer-h2d", "TransferBench.hostToDevice",
                            "copy a [batch, 64] float32 array from the Java heap into a tensor (Tensor.copyFrom)")
                    .counting("B", b -> b * 64L * Float.BYTES).batches(16384, 1 << 20),
            Workload.of("transfer-d2h", "TransferBench.deviceToHost",
                            "copy a [batch, 64] float32 tensor into a Java array (Tensor.toArray's copy)")
                    .counting("B", b -> b * 64L * Float.BYTES).batches(16384, 1 << 20),
            Workload.of("philox-normal", "PhiloxNormalBench.normal",
                            "standard normals [batch, 64] from Philox4x32-10 with Box-Muller (W1-sample's z)")
                    .counting("normals", b -> b * 64L).batches(16384, 1 << 20),
            Workload.of("mlp-w1", "MlpForwardBench.forward",
                            "MLP 32->256->256->64 tanh forward, [batch, 32] -> [batch, 64]: W1's conditioner, a GEMM-bound proxy until W1 lands")
                    .counting("samples", b -> b).flopsPerItem(W1_CONDITIONER_FLOPS).batches(16384, 1 << 20));

    private Workloads() {}

    public static Optional<Workload> byId(String id) {
        return ALL.stream().filter(w -> w.id().equalsIgnoreCase(id)).findFirst();
    }

    /** The workload a JMH benchmark (fully qualified method name) measures. */
    public static Optional<Workload> byBenchmark(String benchmarkName) {
        return ALL.stream().filter(w -> w.benchmarkName().equals(benchmarkName)).findFirst();
    }
}
