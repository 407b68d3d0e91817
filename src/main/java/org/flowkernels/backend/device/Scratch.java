package org.flowkernels.backend.device;

import java.util.ArrayList;
import java.util.List;
import org.flowkernels.spi.Buffer;
import org.flowkernels.spi.Memory;

/**
 * The scratch buffers of one kernel-family call, taken from the backend's cache of device
 * buffers ({@link Cache}) and given back when the call ends:
 * <pre>{@code try (Scratch s = dev.scratch()) { Buffer h = s.floats(n * width); ... } }</pre>
 * A call that runs every step of a solve or every layer of a flow thus allocates nothing once
 * the cache is warm, where an allocate/free pair per call costs a cuMemAlloc and a cuMemFree
 * (which synchronises the device) or their OpenCL twins. A buffer may be longer than asked;
 * its contents are undefined (NaN when the test suite's poison is on, as for a fresh one).
 * Not thread-safe: one call, one thread; the cache behind it is.
 */
public final class Scratch implements AutoCloseable {
    private final Cache cache;
    private final List<Buffer> taken = new ArrayList<>();

    Scratch(Cache cache) { this.cache = cache; }

    /** A FLOAT32 buffer of at least {@code length} elements (at least one). */
    public Buffer floats(long length) {
        return take(Buffer.Type.FLOAT32, length);
    }

    /** An INT32 buffer of at least {@code length} elements (at least one). */
    public Buffer ints(long length) {
        return take(Buffer.Type.INT32, length);
    }

    /** A FLOAT32 buffer holding a copy of data from element 0. */
    public Buffer upload(float[] data) {
        Buffer b = floats(data.length);
        cache.memory.write(b, 0, data, 0, data.length);
        return b;
    }

    /** An INT32 buffer holding a copy of data from element 0. */
    public Buffer upload(int[] data) {
        Buffer b = ints(data.length);
        cache.memory.write(b, 0, data, 0, data.length);
        return b;
    }

    private Buffer take(Buffer.Type type, long length) {
        if (length < 0) throw new IllegalArgumentException("length: expected >= 0, got " + length);
        Buffer b = cache.take(type, Math.max(1, length));
        taken.add(b);
        return b;
    }

    /** Gives every buffer back to the cache. */
    @Override
    public void close() {
        for (Buffer b : taken) cache.give(b);
        taken.clear();
    }

    /**
     * A backend's idle scratch buffers. Taking one is best fit among the idle buffers of the
     * type (at most twice the length asked, so a small request does not pin a large buffer),
     * else a new allocation; giving one back keeps it, most recent last, and then frees the
     * least recently given while the idle buffers hold more than {@link #maxIdleBytes} bytes or
     * number more than {@link #MAX_IDLE}.
     *
     * <p>Ordering on the device: a buffer given back may still be read by kernels in flight. That
     * is safe because each device backend issues every kernel, copy and library GEMM on one
     * in-order queue (OpenCL) or the legacy default stream (CUDA): whoever takes the buffer next
     * issues its work after those kernels. A backend that used several queues or streams would
     * have to give buffers back with an event.
     *
     * <p>Leak accounting: {@link Memory#live()} counts the cache's idle buffers (they are
     * allocated), so {@link DeviceBackend#liveAllocations()} subtracts them: an operation that
     * gives back all it took leaves the count where it found it, however much the cache keeps;
     * one that leaks a tensor, or keeps a scratch buffer without giving it back, is still seen.
     */
    static final class Cache {
        /** Idle buffers kept at most, whatever their size. */
        static final int MAX_IDLE = 32;

        final Memory memory;
        private final long maxIdleBytes;
        private final List<Buffer> idle = new ArrayList<>();
        private long idleBytes;

        Cache(Memory memory, long maxIdleBytes) {
            this.memory = memory;
            this.maxIdleBytes = maxIdleBytes;
        }

        Buffer take(Buffer.Type type, long length) {
            Buffer found = null;
            synchronized (this) {
                int best = -1;
                for (int i = 0; i < idle.size(); i++) {
                    Buffer b = idle.get(i);
                    if (b.type() == type && b.length() >= length && b.length() <= 2 * length
                            && (best < 0 || b.length() < idle.get(best).length())) best = i;
                }
                if (best >= 0) {
                    found = idle.remove(best);
                    idleBytes -= bytes(found);
                }
            }
            if (found == null) return memory.allocate(type, length); // poisoned when asked, like any allocation
            if (Memory.poisonRequested()) memory.fill(found, Memory.POISON_BITS);
            return found;
        }

        synchronized void give(Buffer b) {
            if (b.isFreed()) return;
            idle.add(b);
            idleBytes += bytes(b);
            while (!idle.isEmpty() && (idleBytes > maxIdleBytes || idle.size() > MAX_IDLE)) {
                Buffer old = idle.remove(0);
                idleBytes -= bytes(old);
                memory.free(old);
            }
        }

        /** Frees every idle buffer. */
        synchronized void clear() {
            for (Buffer b : idle) memory.free(b);
            idle.clear();
            idleBytes = 0;
        }

        /** Allocations live on the device less the idle ones held here (consistent: frees of idle buffers happen under this lock). */
        synchronized long liveOutsideCache() {
            return memory.live() - idle.size();
        }

        synchronized int idleCount() { return idle.size(); }

        synchronized long idleBytes() { return idleBytes; }

        private static long bytes(Buffer b) {
            return 4 * Math.max(1, b.length());
        }
    }
}
