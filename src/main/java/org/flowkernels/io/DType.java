package org.flowkernels.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/** The floating-point element types the readers convert to float32. */
enum DType {
    F16(2), BF16(2), F32(4), F64(8);

    final int bytes;

    DType(int bytes) { this.bytes = bytes; }

    /**
     * Reads {@code count} elements from {@code in} in the given byte order into a new float
     * array, in chunks (memory stays bounded by the array itself). A short stream is a
     * truncated file; a float64 value beyond float32's range is an error, not an infinity.
     */
    float[] read(InputStream in, int count, ByteOrder order, Path file, String what) throws IOException {
        float[] out = new float[count];
        int chunk = Math.max(1, Math.min(count, (1 << 16) / bytes));
        byte[] buf = new byte[chunk * bytes];
        for (int done = 0; done < count; ) {
            int m = Math.min(chunk, count - done), want = m * bytes;
            int got = in.readNBytes(buf, 0, want);
            if (got < want)
                throw new FormatException(file, what + ": truncated: expected " + (long) count * bytes + " data bytes, the file ends after "
                        + ((long) done * bytes + got));
            ByteBuffer b = ByteBuffer.wrap(buf, 0, want).order(order);
            for (int i = 0; i < m; i++) out[done + i] = next(b, file, what, done + i);
            done += m;
        }
        return out;
    }

    private float next(ByteBuffer b, Path file, String what, int index) throws FormatException {
        switch (this) {
            case F16: return halfToFloat(b.getShort());
            case BF16: return Float.intBitsToFloat((b.getShort() & 0xffff) << 16);
            case F32: return b.getFloat();
            default:
                double d = b.getDouble();
                float f = (float) d;
                if (Double.isFinite(d) && !Float.isFinite(f))
                    throw new FormatException(file, what + ": float64 value " + d + " at element " + index
                            + " is beyond float32's range");
                return f;
        }
    }

    /** Float32 values, little-endian, in chunks. */
    static void writeF32(OutputStream out, float[] data) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < data.length; ) {
            b.clear();
            while (i < data.length && b.remaining() >= 4) b.putFloat(data[i++]);
            out.write(b.array(), 0, b.position());
        }
    }

    /** IEEE 754 binary16 to float32 (exact: every half is a float). */
    static float halfToFloat(short h) {
        int sign = (h & 0x8000) << 16, exp = (h >>> 10) & 0x1f, mant = h & 0x3ff;
        if (exp == 0x1f) return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13)); // inf, NaN
        if (exp == 0) { // zero or subnormal: mant 2^-24
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }
}
