package org.flowkernels.io;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flowkernels.Check;
import org.flowkernels.Tensor;

/**
 * NumPy's .npy format: the magic {@code \x93NUMPY}, a version (1.0, 2.0 or 3.0), the header
 * length (2 bytes little-endian in 1.0, 4 bytes in 2.0 and 3.0), a Python dict literal
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }} padded with spaces, then
 * the raw data.
 *
 * <p>Read: descr '<f4' natively; '<f8' (NumPy's default), '<f2' converted to float32; the
 * big-endian forms ('>f4', ...) byte-swapped; other dtypes rejected with their descr. A
 * Fortran-order array is reordered into C order, so the result always reads row-major.
 * The data must fill the rest of the file exactly. Write: version 1.0 (2.0 when the header
 * needs it), '<f4', C order, the header padded to a multiple of 64 bytes as NumPy does.
 */
public final class Npy {
    private Npy() {}

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** Larger than any real header (NumPy itself refuses headers over 10,000 bytes by default). */
    private static final int MAX_HEADER = 1 << 20;

    /** Reads one float array (float16/32/64 in the file). */
    public static FloatArray read(Path file) throws IOException {
        TensorFile.Entry e = entry(file, "array");
        if (e.array() == null)
            throw new FormatException(file, "dtype '" + e.dtype() + "': expected a float array ('<f4', or '<f8', '<f2' converted to float32)");
        return e.array();
    }

    /** The file as a named entry, its array null if the dtype is not a float one. */
    static TensorFile.Entry entry(Path file, String name) throws IOException {
        Check.notNull(file, "file");
        long size = Files.size(file);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return read(in, size, file, name, "");
        }
    }

    /**
     * Reads an .npy stream of exactly {@code size} bytes (−1: unknown; the stream must then
     * end with the data). Non-float dtypes come back with a null array and their data unread.
     * {@code what} prefixes the messages (an .npz member's "'name': ").
     */
    static TensorFile.Entry read(InputStream in, long size, Path file, String name, String what) throws IOException {
        byte[] pre = in.readNBytes(8);
        if (pre.length < 8 || !Arrays.equals(Arrays.copyOf(pre, 6), MAGIC))
            throw new FormatException(file, what + (pre.length < 8 ? "truncated: " + pre.length + " bytes" : "not an .npy file (bad magic)"));
        int major = pre[6] & 0xff, minor = pre[7] & 0xff;
        if (major < 1 || major > 3 || minor != 0)
            throw new FormatException(file, what + "unsupported .npy version " + major + "." + minor + " (expected 1.0, 2.0 or 3.0)");
        int lenBytes = major == 1 ? 2 : 4;
        byte[] lb = in.readNBytes(lenBytes);
        if (lb.length < lenBytes) throw new FormatException(file, what + "truncated in the header length");
        long hlen = lenBytes == 2 ? ByteBuffer.wrap(lb).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xffff
                : ByteBuffer.wrap(lb).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
        long headerEnd = 8 + lenBytes + hlen;
        if (hlen > MAX_HEADER || (size >= 0 && headerEnd > size))
            throw new FormatException(file, what + "header length " + hlen + " is larger than the file allows"
                    + (size >= 0 ? " (" + size + " bytes)" : ""));
        byte[] hb = in.readNBytes((int) hlen);
        if (hb.length < hlen) throw new FormatException(file, what + "truncated in the header");
        String header = new String(hb, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Map<String, Object> dict = parseDict(header.strip(), file, what);

        Object descr = dict.get("descr"), fortran = dict.get("fortran_order"), shapeO = dict.get("shape");
        if (!(descr instanceof String d)) throw new FormatException(file, what + "header: expected a string 'descr', got " + descr);
        if (!(fortran instanceof Boolean fortranOrder))
            throw new FormatException(file, what + "header: expected True or False for 'fortran_order', got " + fortran);
        if (!(shapeO instanceof long[] shapeL)) throw new FormatException(file, what + "header: expected a tuple 'shape', got " + shapeO);
        int[] shape = new int[shapeL.length];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shapeL[i] > Integer.MAX_VALUE) throw new FormatException(file, what + "dimension " + shapeL[i] + " is too large");
            shape[i] = (int) shapeL[i];
            count *= shapeL[i];
            if (count > Integer.MAX_VALUE - 8) throw new FormatException(file, what + "shape " + Arrays.toString(shapeL) + " does not fit a Java array");
        }
        int itemSize = itemSize(d);
        if (itemSize < 0) throw new FormatException(file, what + "unsupported descr '" + d + "'");
        long dataBytes = count * itemSize;
        if (size >= 0 && headerEnd + dataBytes != size)
            throw new FormatException(file, what + (headerEnd + dataBytes > size ? "truncated" : "trailing bytes") + ": shape "
                    + Arrays.toString(shape) + " of '" + d + "' needs " + dataBytes + " data bytes, the file holds " + (size - headerEnd));
        DType type = dtype(d);
        if (type == null) return new TensorFile.Entry(name, d, shape, null); // listed, not read
        ByteOrder order = d.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : d.charAt(0) == '=' ? ByteOrder.nativeOrder() : ByteOrder.LITTLE_ENDIAN;
        float[] data = type.read(in, (int) count, order, file, what.isEmpty() ? "data" : what.substring(0, what.length() - 2));
        if (size < 0 && in.read() >= 0)
            throw new FormatException(file, what + "trailing bytes after the " + dataBytes + " data bytes of shape " + Arrays.toString(shape));
        if (fortranOrder) data = fortranToC(data, shape);
        return new TensorFile.Entry(name, d, shape, new FloatArray(shape, data));
    }

    /** Bytes per element of a simple descr such as '<f4', '|u1', '>i8'; -1 if it is not one. */
    private static int itemSize(String d) {
        if (d.length() < 3 || "<>|=".indexOf(d.charAt(0)) < 0 || "biufcmMSUV".indexOf(d.charAt(1)) < 0) return -1;
        try {
            int n = Integer.parseInt(d.substring(2));
            return d.charAt(1) == 'U' ? 4 * n : n;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static DType dtype(String d) {
        if (d.charAt(0) == '|') return null;
        return switch (d.substring(1)) {
            case "f2" -> DType.F16;
            case "f4" -> DType.F32;
            case "f8" -> DType.F64;
            default -> null;
        };
    }

    /** Element (i0, ..., ik) sits at Σ i_j · stride_j with stride_0 = 1 in Fortran order. */
    static float[] fortranToC(float[] f, int[] shape) {
        if (shape.length < 2) return f;
        float[] c = new float[f.length];
        int rank = shape.length;
        int[] idx = new int[rank];
        long[] stride = new long[rank];
        stride[0] = 1;
        for (int j = 1; j < rank; j++) stride[j] = stride[j - 1] * shape[j - 1];
        for (int i = 0; i < c.length; i++) {
            long at = 0;
            for (int j = 0; j < rank; j++) at += idx[j] * stride[j];
            c[i] = f[(int) at];
            for (int j = rank - 1; j >= 0 && ++idx[j] == shape[j]; j--) idx[j] = 0; // C order: last index fastest
        }
        return c;
    }

    /** The header's dict literal: string keys; values a string, True/False, or a tuple of integers. */
    private static Map<String, Object> parseDict(String s, Path file, String what) throws FormatException {
        Map<String, Object> out = new LinkedHashMap<>();
        int[] at = {0};
        try {
            expect(s, at, '{');
            while (true) {
                skipSpace(s, at);
                if (s.charAt(at[0]) == '}') break;
                String key = string(s, at);
                expect(s, at, ':');
                skipSpace(s, at);
                char c = s.charAt(at[0]);
                Object v;
                if (c == '\'' || c == '"') v = string(s, at);
                else if (s.startsWith("True", at[0])) { v = Boolean.TRUE; at[0] += 4; }
                else if (s.startsWith("False", at[0])) { v = Boolean.FALSE; at[0] += 5; }
                else if (c == '(') v = tuple(s, at);
                else throw new IllegalArgumentException("unexpected '" + c + "' in the value of '" + key + "'");
                out.put(key, v);
                skipSpace(s, at);
                if (s.charAt(at[0]) == ',') at[0]++;
                else if (s.charAt(at[0]) != '}') throw new IllegalArgumentException("expected ',' or '}' at " + at[0]);
            }
            at[0]++;
            skipSpace(s, at);
            if (at[0] != s.length()) throw new IllegalArgumentException("text after the dict");
        } catch (IllegalArgumentException | StringIndexOutOfBoundsException e) {
            throw new FormatException(file, what + "malformed header " + s + ": " + e.getMessage());
        }
        return out;
    }

    private static long[] tuple(String s, int[] at) {
        expect(s, at, '(');
        List<Long> v = new ArrayList<>();
        while (true) {
            skipSpace(s, at);
            if (s.charAt(at[0]) == ')') break;
            int start = at[0];
            while (Character.isDigit(s.charAt(at[0]))) at[0]++;
            if (start == at[0]) throw new IllegalArgumentException("expected a non-negative integer at " + start);
            v.add(Long.parseLong(s.substring(start, at[0])));
            if (s.charAt(at[0]) == 'L') at[0]++; // Python 2's long literals
            skipSpace(s, at);
            if (s.charAt(at[0]) == ',') at[0]++;
            else if (s.charAt(at[0]) != ')') throw new IllegalArgumentException("expected ',' or ')' at " + at[0]);
        }
        at[0]++;
        return v.stream().mapToLong(Long::longValue).toArray();
    }

    private static String string(String s, int[] at) {
        skipSpace(s, at);
        char q = s.charAt(at[0]);
        if (q != '\'' && q != '"') throw new IllegalArgumentException("expected a quoted string at " + at[0]);
        int end = s.indexOf(q, at[0] + 1);
        if (end < 0) throw new IllegalArgumentException("unterminated string");
        String v = s.substring(at[0] + 1, end);
        at[0] = end + 1;
        return v;
    }

    private static void expect(String s, int[] at, char c) {
        skipSpace(s, at);
        if (s.charAt(at[0]) != c) throw new IllegalArgumentException("expected '" + c + "' at " + at[0]);
        at[0]++;
    }

    private static void skipSpace(String s, int[] at) {
        while (at[0] < s.length() && Character.isWhitespace(s.charAt(at[0]))) at[0]++;
    }

    /** Writes a float32 array ('<f4', C order). */
    public static void write(Path file, FloatArray array) throws IOException {
        Check.notNull(file, "file");
        Check.notNull(array, "array");
        AtomicFile.write(file, out -> write(out, array));
    }

    /** Writes a tensor's contents as a [rows, cols] float32 array. */
    public static void write(Path file, Tensor tensor) throws IOException {
        write(file, FloatArray.of(tensor));
    }

    static void write(OutputStream out, FloatArray a) throws IOException {
        StringBuilder shape = new StringBuilder("(");
        for (int i = 0; i < a.rank(); i++) shape.append(i > 0 ? ", " : "").append(a.shape()[i]);
        if (a.rank() == 1) shape.append(',');
        shape.append(')');
        StringBuilder h = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }");
        int lenBytes = h.length() + 1 + 10 > 65535 ? 4 : 2;
        while ((6 + 2 + lenBytes + h.length() + 1) % 64 != 0) h.append(' ');
        h.append('\n');
        byte[] hb = h.toString().getBytes(StandardCharsets.ISO_8859_1);
        out.write(MAGIC);
        out.write(new byte[] {(byte) (lenBytes == 2 ? 1 : 2), 0});
        ByteBuffer len = ByteBuffer.allocate(lenBytes).order(ByteOrder.LITTLE_ENDIAN);
        if (lenBytes == 2) len.putShort((short) hb.length);
        else len.putInt(hb.length);
        out.write(len.array());
        out.write(hb);
        DType.writeF32(out, a.data());
    }
}
