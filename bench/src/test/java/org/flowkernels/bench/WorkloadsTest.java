package org.flowkernels.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.flowkernels.Backend;
import org.flowkernels.BackendStatus;
import org.flowkernels.Backends;
import org.flowkernels.DeviceInfo;
import org.flowkernels.spi.Memory;
import org.junit.jupiter.api.Test;

/** The registry is consistent with the benchmarks compiled into the jar and with WORKLOADS.md. */
class WorkloadsTest {
    @Test
    void idsAndBenchmarksAreUnique() {
        Set<String> ids = new HashSet<>(), benches = new HashSet<>();
        for (Workload w : Workloads.ALL) {
            assertTrue(ids.add(w.id().toLowerCase()), "duplicate id " + w.id());
            assertTrue(benches.add(w.benchmark()), "two workloads measured by " + w.benchmark());
            assertTrue(w.cpuBatch() > 0 && w.gpuBatch() >= w.cpuBatch(), w.id() + ": batches " + w.cpuBatch() + " / " + w.gpuBatch());
            assertTrue(w.items(w.cpuBatch()) >= w.cpuBatch(), w.id() + ": items per operation");
        }
    }

    @Test
    void everyCompiledBenchmarkHasAnEntry() throws Exception {
        Set<String> inJar = Suite.benchmarksInJar();
        assertFalse(inJar.isEmpty(), "META-INF/BenchmarkList is missing: JMH's annotation processor did not run");
        for (String b : inJar)
            assertTrue(Workloads.byBenchmark(b).isPresent(), "benchmark " + b + " has no entry in Workloads.ALL");
        for (String id : new String[] {"peak-fma", "transfer-h2d", "transfer-d2h", "philox-normal", "mlp-w1", "W1-sample", "W1-density",
                "W3-leapfrog", "W3-rk4", "W4-ula", "W4-mala", "train-w1", "train-w1-vfe"})
            assertTrue(inJar.contains(Workloads.byId(id).orElseThrow().benchmarkName()), id + "'s benchmark is not compiled");
    }

    @Test
    void flopCountsAgreeWithTheModels() {
        assertEquals(MlpForwardBench.CONDITIONER.flopsPerSample(), Workloads.W1_CONDITIONER_FLOPS);
        // WORKLOADS.md: "about 1.44 MFLOP per sample per direction"
        assertEquals(1.44e6, Workloads.byId("W1-sample").orElseThrow().flopsPerItem(), 0.01e6);
        assertEquals(CouplingBench.W1.flopsPerSample(), Workloads.byId("W1-sample").orElseThrow().flopsPerItem());
        assertEquals(CouplingBench.W1.flopsPerSample(), Workloads.byId("W1-density").orElseThrow().flopsPerItem());
        assertEquals(16384L * 64 * 10_000, Workloads.byId("W3-leapfrog").orElseThrow().items(16384));
        // a training step: the pass and backward's two products (inputs, weights) per layer
        assertEquals(3 * CouplingBench.W1.flopsPerSample(), Workloads.byId("train-w1").orElseThrow().flopsPerItem());
    }

    @Test
    void batchFollowsTheDeviceTypeUnlessGiven() {
        Workload w = Workloads.byId("mlp-w1").orElseThrow();
        Backend cpu = Backends.cpu();
        assertEquals(16384, w.batchFor(cpu, "auto"));
        assertEquals(1 << 20, w.batchFor(cpu, "gpu"));
        assertEquals(1000, w.batchFor(cpu, "1000"));
        assertEquals(1 << 20, w.batchFor(new FakeGpu(), "auto"));
        var e = assertThrows(IllegalArgumentException.class, () -> w.batchFor(cpu, "0"));
        assertTrue(e.getMessage().startsWith("batch: expected"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> w.batchFor(cpu, "lots"));
    }

    @Test
    void backendNamesMatchAsTheRunScriptDocuments() {
        assertTrue(Suite.matches("opencl", "opencl:1"));
        assertTrue(Suite.matches("cuda", "cuda"));
        assertTrue(Suite.matches("cuda:0", "cuda:0"));
        assertFalse(Suite.matches("cuda:0", "cuda:1"));
        assertFalse(Suite.matches("cpu", "cuda:0"));
    }

    /** Only its device type matters to batchFor. */
    private static final class FakeGpu extends Backend {
        @Override public String name() { return "fake"; }

        @Override public DeviceInfo device() { return new DeviceInfo("fake", DeviceInfo.Type.GPU, "", 1, 0, ""); }

        @Override public Memory memory() { throw new UnsupportedOperationException(); }
    }
}
