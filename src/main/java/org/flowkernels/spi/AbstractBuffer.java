package org.flowkernels.spi;

import java.util.concurrent.atomic.AtomicBoolean;

/** The bookkeeping every backend's buffer shares: type, length and a free-once flag. */
public abstract class AbstractBuffer implements Buffer {
    private final Type type;
    private final long length;
    private final AtomicBoolean freed = new AtomicBoolean();

    protected AbstractBuffer(Type type, long length) {
        this.type = type;
        this.length = length;
    }

    @Override public Type type() { return type; }
    @Override public long length() { return length; }
    @Override public boolean isFreed() { return freed.get(); }

    /** True for exactly one caller: the one that must release the memory. */
    public boolean markFreed() { return freed.compareAndSet(false, true); }

    /** Throws unless [offset, offset + n) lies inside this buffer and it is not freed. */
    public void checkRange(long offset, long n, String what) {
        if (isFreed()) throw new IllegalStateException(what + ": the buffer was already freed");
        if (offset < 0 || n < 0 || offset + n > length)
            throw new IndexOutOfBoundsException(what + ": elements [" + offset + ", " + (offset + n)
                    + ") outside a buffer of " + length);
    }
}
