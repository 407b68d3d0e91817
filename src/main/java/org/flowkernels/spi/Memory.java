package org.flowkernels.spi;

/**
 * Raw memory of one backend, for tensors and for kernel implementations that need scratch or
 * integer buffers. Offsets and lengths count elements. All methods are thread-safe. Reads
 * block until the data is on the host (and so until the kernels writing it have finished).
 */
public interface Memory {
    /** A new buffer. When the system property {@code flowkernels.poison} is true (the test
     *  suite sets it) its contents are NaN (floats) or 0x7fc00000 (ints), so an element that a
     *  kernel forgets to write fails any comparison with a reference. */
    Buffer allocate(Buffer.Type type, long length);

    void write(Buffer dst, long dstOffset, float[] src, int srcOffset, int length);

    void write(Buffer dst, long dstOffset, int[] src, int srcOffset, int length);

    void read(Buffer src, long srcOffset, float[] dst, int dstOffset, int length);

    void read(Buffer src, long srcOffset, int[] dst, int dstOffset, int length);

    /** Sets every element to the bit pattern of {@code bits} (a float's raw bits or an int). */
    void fill(Buffer dst, int bits);

    void copy(Buffer src, long srcOffset, Buffer dst, long dstOffset, long length);

    /** Releases the buffer; a second call does nothing. Safe from any thread (the Cleaner). */
    void free(Buffer buffer);

    /** Buffers allocated and not yet freed: what the leak tests watch. */
    long live();

    /** Waits until every kernel and copy issued so far has finished. */
    void synchronize();

    /** A new FLOAT32 buffer holding a copy of {@code data}; the caller frees it. */
    default Buffer upload(float[] data) {
        Buffer b = allocate(Buffer.Type.FLOAT32, data.length);
        try {
            write(b, 0, data, 0, data.length);
        } catch (RuntimeException e) {
            free(b);
            throw e;
        }
        return b;
    }

    /** A new INT32 buffer holding a copy of {@code data}; the caller frees it. */
    default Buffer upload(int[] data) {
        Buffer b = allocate(Buffer.Type.INT32, data.length);
        try {
            write(b, 0, data, 0, data.length);
        } catch (RuntimeException e) {
            free(b);
            throw e;
        }
        return b;
    }

    static boolean poisonRequested() {
        return Boolean.getBoolean("flowkernels.poison");
    }

    int POISON_BITS = 0x7fc00000;
}
