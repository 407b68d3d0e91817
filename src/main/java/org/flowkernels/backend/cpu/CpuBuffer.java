package org.flowkernels.backend.cpu;

import org.flowkernels.spi.AbstractBuffer;

/** CPU "device" memory: a Java array. Exactly one of {@code floats} and {@code ints} is set. */
final class CpuBuffer extends AbstractBuffer {
    final float[] floats;
    final int[] ints;

    CpuBuffer(Type type, int length) {
        super(type, length);
        this.floats = type == Type.FLOAT32 ? new float[length] : null;
        this.ints = type == Type.INT32 ? new int[length] : null;
    }
}
