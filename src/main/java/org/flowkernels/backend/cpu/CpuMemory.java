package org.flowkernels.backend.cpu;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.flowkernels.FlowKernelsException;
import org.flowkernels.spi.AbstractBuffer;
import org.flowkernels.spi.Buffer;
import org.flowkernels.spi.Memory;

/** Memory of the CPU backend: Java arrays, so copies are plain array copies. */
final class CpuMemory implements Memory {
    private final AtomicLong live = new AtomicLong();

    @Override
    public Buffer allocate(Buffer.Type type, long length) {
        if (length < 0 || length > Integer.MAX_VALUE - 8)
            throw new IllegalArgumentException("length: expected 0 .. " + (Integer.MAX_VALUE - 8)
                    + " elements on the CPU backend, got " + length);
        CpuBuffer b;
        try {
            b = new CpuBuffer(type, (int) length);
        } catch (OutOfMemoryError e) {
            // The heap is the CPU backend's device memory: say so like a device would, not with a bare OutOfMemoryError.
            throw new FlowKernelsException("cpu backend: cannot allocate " + 4 * length + " bytes (" + length + " " + type
                    + " values): the Java heap is at most " + Runtime.getRuntime().maxMemory() + " bytes (java -Xmx)", e);
        }
        if (Memory.poisonRequested()) fill(b, POISON_BITS);
        live.incrementAndGet();
        return b;
    }

    private static CpuBuffer cpu(Buffer b, long offset, long n, String what) {
        CpuBuffer c = (CpuBuffer) b;
        c.checkRange(offset, n, what);
        return c;
    }

    @Override
    public void write(Buffer dst, long dstOffset, float[] src, int srcOffset, int length) {
        System.arraycopy(src, srcOffset, cpu(dst, dstOffset, length, "write").floats, (int) dstOffset, length);
    }

    @Override
    public void write(Buffer dst, long dstOffset, int[] src, int srcOffset, int length) {
        System.arraycopy(src, srcOffset, cpu(dst, dstOffset, length, "write").ints, (int) dstOffset, length);
    }

    @Override
    public void read(Buffer src, long srcOffset, float[] dst, int dstOffset, int length) {
        System.arraycopy(cpu(src, srcOffset, length, "read").floats, (int) srcOffset, dst, dstOffset, length);
    }

    @Override
    public void read(Buffer src, long srcOffset, int[] dst, int dstOffset, int length) {
        System.arraycopy(cpu(src, srcOffset, length, "read").ints, (int) srcOffset, dst, dstOffset, length);
    }

    @Override
    public void fill(Buffer dst, int bits) {
        CpuBuffer c = cpu(dst, 0, dst.length(), "fill");
        if (c.floats != null) Arrays.fill(c.floats, Float.intBitsToFloat(bits));
        else Arrays.fill(c.ints, bits);
    }

    @Override
    public void copy(Buffer src, long srcOffset, Buffer dst, long dstOffset, long length) {
        CpuBuffer s = cpu(src, srcOffset, length, "copy"), d = cpu(dst, dstOffset, length, "copy");
        if (s.type() != d.type()) throw new IllegalArgumentException("copy: " + s.type() + " into " + d.type());
        Object from = s.floats != null ? s.floats : s.ints, to = d.floats != null ? d.floats : d.ints;
        System.arraycopy(from, (int) srcOffset, to, (int) dstOffset, (int) length);
    }

    @Override
    public void free(Buffer buffer) {
        if (((AbstractBuffer) buffer).markFreed()) live.decrementAndGet();
    }

    @Override
    public long live() { return live.get(); }

    @Override
    public void synchronize() {}
}
