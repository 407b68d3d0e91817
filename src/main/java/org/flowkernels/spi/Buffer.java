package org.flowkernels.spi;

/**
 * A block of memory on a backend: {@code length} elements of float32 or int32. The handle
 * kernel implementations pass to their kernels; users see tensors.
 * Created and freed through {@link Memory}.
 */
public interface Buffer {
    enum Type { FLOAT32, INT32 }

    Type type();

    long length();

    /** True once {@link Memory#free(Buffer)} has run; a freed buffer must not reach a kernel. */
    boolean isFreed();
}
