package org.flowkernels.backend.device;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import org.flowkernels.Backend;
import org.flowkernels.Tensor;
import org.flowkernels.nn.Activation;
import org.flowkernels.nn.Mlp;
import org.flowkernels.nn.MlpModule;
import org.flowkernels.spi.Buffer;
import org.flowkernels.spi.Contract;
import org.flowkernels.spi.Memory;
import org.flowkernels.testing.Compare;
import org.flowkernels.testing.Fresh;
import org.flowkernels.testing.TestBackends;
import org.flowkernels.testing.Threads;
import org.junit.jupiter.api.Test;

/**
 * The device backends' scratch cache, and the bias kernel only the cuBLAS path launches
 * otherwise: on every device backend of the machine (not contract tests: the CPU backend has
 * neither).
 */
class ScratchTest {
    private static List<DeviceBackend> devices() {
        List<DeviceBackend> out = new ArrayList<>();
        for (Backend b : TestBackends.started()) if (b instanceof DeviceBackend d) out.add(d);
        assumeFalse(out.isEmpty(), "no OpenCL or CUDA backend on this machine");
        return out;
    }

    /** Idle buffers the cache keeps are not a leak of the call that gave them back; a buffer kept
     *  without giving it back is. */
    @Test
    void liveAllocationsCountWhatIsTakenNotWhatIsKept() {
        for (DeviceBackend dev : devices()) liveAllocationsCountWhatIsTakenNotWhatIsKeptOn(dev);
    }

    private static void liveAllocationsCountWhatIsTakenNotWhatIsKeptOn(DeviceBackend dev) {
        Memory mem = dev.memory();
        long before = dev.liveAllocations();
        try (MlpModule m = Mlp.random(1, Activation.TANH, 3, 16, 16, 16, 2).on(dev); Tensor x = dev.zeros(100, 3)) {
            m.forward(x).close();
            assertTrue(dev.idleScratch() >= 2, "the two hidden-layer buffers are kept for reuse: " + dev.idleScratch());
            long allocated = mem.live();
            m.forward(x).close();
            assertEquals(allocated, mem.live(), "a second forward allocates no scratch: it reuses the kept buffers");
        }
        assertEquals(before, dev.liveAllocations(), "live allocations outside the cache");
        assertEquals(mem.live(), dev.liveAllocations() + dev.idleScratch());

        Scratch kept = dev.scratch();
        Buffer b = kept.floats(1000);
        assertEquals(before + 1, dev.liveAllocations(), "a buffer taken and not given back is live");
        kept.close();
        assertEquals(before, dev.liveAllocations());
        try (Scratch again = dev.scratch()) {
            assertSame(b, again.floats(1000), "the same request gets the kept buffer");
            assertNotSame(b, again.floats(400), "a request under half a kept buffer's length gets a new one");
        }
        dev.releaseScratch();
        assertEquals(0, dev.idleScratch());
        assertEquals(before, mem.live(), "releaseScratch frees every kept buffer");
    }

    /** Under the suite's poison, a reused buffer is as NaN as a fresh one, so an element a kernel
     *  forgets to write still fails the comparison instead of showing a previous call's value. */
    @Test
    void aReusedBufferIsPoisonedAgain() {
        for (DeviceBackend dev : devices()) aReusedBufferIsPoisonedAgainOn(dev);
    }

    private static void aReusedBufferIsPoisonedAgainOn(DeviceBackend dev) {
        assumeTrue(Memory.poisonRequested(), "the suite runs with -Dflowkernels.poison=true");
        Buffer first;
        try (Scratch s = dev.scratch()) {
            first = s.floats(64);
            dev.memory().write(first, 0, new float[64], 0, 64);
        }
        try (Scratch s = dev.scratch()) {
            Buffer again = s.floats(64);
            assertSame(first, again);
            float[] got = new float[64];
            dev.memory().read(again, 0, got, 0, 64);
            for (float v : got) assertTrue(Float.isNaN(v), "a reused buffer holds " + v + ", not the poison");
        }
    }

    /** The cache frees the least recently given buffers beyond its byte budget. */
    @Test
    void theCacheKeepsNoMoreThanItsBudget() {
        for (DeviceBackend dev : devices()) theCacheKeepsNoMoreThanItsBudgetOn(dev);
    }

    private static void theCacheKeepsNoMoreThanItsBudgetOn(DeviceBackend dev) {
        Memory mem = dev.memory();
        Scratch.Cache cache = new Scratch.Cache(mem, 4 * 1024);
        long live = mem.live();
        Buffer a = cache.take(Buffer.Type.FLOAT32, 512), b = cache.take(Buffer.Type.FLOAT32, 512),
                c = cache.take(Buffer.Type.FLOAT32, 512);
        assertEquals(live + 3, mem.live());
        cache.give(a);
        cache.give(b);
        cache.give(c);
        assertEquals(2, cache.idleCount(), "two 2 KiB buffers fit 4 KiB");
        assertTrue(a.isFreed(), "the least recently given one went");
        assertEquals(4096, cache.idleBytes());
        assertEquals(live + 2, mem.live());
        Buffer ints = cache.take(Buffer.Type.INT32, 512);
        assertNotSame(b, ints, "an INT32 request never gets a FLOAT32 buffer");
        cache.give(ints);
        cache.clear();
        assertEquals(live, mem.live());
    }

    /** Threads taking and giving at once never share a buffer and leave nothing behind. */
    @Test
    void concurrentCallersNeverShareABuffer() throws Exception {
        for (DeviceBackend dev : devices()) concurrentCallersNeverShareABufferOn(dev);
    }

    private static void concurrentCallersNeverShareABufferOn(DeviceBackend dev) throws Exception {
        long before = dev.liveAllocations();
        Set<Buffer> inUse = ConcurrentHashMap.newKeySet();
        List<Callable<Void>> tasks = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int id = t;
            tasks.add(() -> {
                for (int r = 0; r < 200; r++)
                    try (Scratch s = dev.scratch()) {
                        List<Buffer> mine = List.of(s.floats(100 + (r + id) % 3 * 50), s.ints(7));
                        for (Buffer b : mine) assertTrue(inUse.add(b), "a buffer handed to two callers at once");
                        for (Buffer b : mine) inUse.remove(b);
                    }
                return null;
            });
        }
        Threads.runConcurrently(tasks);
        assertEquals(before, dev.liveAllocations());
    }

    /** bias_activate (the epilogue of a cuBLAS product) on every device, at an odd size, against float64. */
    @Test
    void biasActivateMatchesTheReference() {
        for (DeviceBackend dev : devices()) biasActivateMatchesTheReferenceOn(dev);
    }

    private static void biasActivateMatchesTheReferenceOn(DeviceBackend dev) {
        Fresh f = new Fresh("bias-activate" + dev.name());
        int n = 100_003, out = 37;
        float[] y = f.gaussian(n * out, 2.0), p = f.gaussian(out + 5, 1.0);
        Memory mem = dev.memory();
        Buffer yb = mem.upload(y), pb = mem.upload(p);
        try {
            dev.launch(new Kernels.BiasActivate(yb, pb, 5, n, out, Contract.ACT_TANH), (long) n * out);
            float[] got = new float[n * out];
            mem.read(yb, 0, got, 0, got.length);
            double[] ref = new double[n * out];
            for (int i = 0; i < ref.length; i++) ref[i] = Math.tanh((double) y[i] + p[5 + i % out]);
            Compare.close(got, ref, 1e-6, "bias_activate on " + dev.name() + ", " + f.seed());
        } finally {
            mem.free(yb);
            mem.free(pb);
        }
    }
}
