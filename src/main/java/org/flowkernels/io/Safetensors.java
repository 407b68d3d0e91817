package org.flowkernels.io;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flowkernels.Check;

/**
 * Hugging Face safetensors: an 8-byte little-endian header length N, N bytes of JSON
 * ({@code {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
 * "__metadata__": {"k": "v"}}}), then the tensors' raw little-endian bytes, offsets counted
 * from the end of the header. What {@code safetensors.torch.save_file(model.state_dict(), f)}
 * writes.
 *
 * <p>Reading checks the whole layout before it reads a byte of data: the header fits the
 * file, every tensor's offsets lie inside the data and match its dtype and shape, and the
 * tensors tile the data without holes or overlaps (as the reference implementation requires).
 * F32 is read as is; F64, F16 and BF16 are converted to float32; other dtypes are listed but
 * hold no data ({@link TensorFile}). Writing produces F32 tensors.
 */
public final class Safetensors {
    private Safetensors() {}

    /** The reference implementation's limit; a larger header is a corrupt or hostile file. */
    static final long MAX_HEADER = 100L << 20;

    private static final Map<String, Integer> DTYPE_BYTES = Map.ofEntries(
            Map.entry("BOOL", 1), Map.entry("U8", 1), Map.entry("I8", 1), Map.entry("F8_E5M2", 1), Map.entry("F8_E4M3", 1),
            Map.entry("I16", 2), Map.entry("U16", 2), Map.entry("F16", 2), Map.entry("BF16", 2),
            Map.entry("I32", 4), Map.entry("U32", 4), Map.entry("F32", 4),
            Map.entry("I64", 8), Map.entry("U64", 8), Map.entry("F64", 8));

    private record Header(String name, String dtype, int[] shape, long count, long begin, long end) {}

    public static TensorFile read(Path file) throws IOException {
        Check.notNull(file, "file");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) throw new FormatException(file, "truncated: " + size + " bytes, shorter than the 8-byte header length");
            long n = readFully(ch, 0, 8, file).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (n < 0 || n > size - 8)
                throw new FormatException(file, "header length " + Long.toUnsignedString(n) + " is larger than the file allows ("
                        + (size - 8) + " bytes after the length field): truncated or not a safetensors file");
            if (n > MAX_HEADER) throw new FormatException(file, "header length " + n + " exceeds the " + MAX_HEADER + "-byte limit");
            if (n < 2) throw new FormatException(file, "header length " + n + " is too short for a JSON object");
            String json = utf8(readFully(ch, 8, (int) n, file), file);
            if (!json.startsWith("{")) throw new FormatException(file, "header does not start with '{': not a safetensors file");
            Map<String, String> metadata = new LinkedHashMap<>();
            List<Header> headers = parseHeader(json, file, metadata);
            long dataStart = 8 + n, dataLength = size - dataStart;
            checkLayout(headers, dataLength, file);

            Map<String, TensorFile.Entry> entries = new LinkedHashMap<>();
            for (Header h : headers) {
                DType t = supported(h.dtype());
                FloatArray array = null;
                if (t != null) {
                    ch.position(dataStart + h.begin());
                    InputStream in = Channels.newInputStream(ch);
                    array = new FloatArray(h.shape(), t.read(in, (int) h.count(), ByteOrder.LITTLE_ENDIAN, file,
                            "tensor '" + h.name() + "'"));
                }
                entries.put(h.name(), new TensorFile.Entry(h.name(), h.dtype(), h.shape(), array));
            }
            return new TensorFile(file, entries, metadata);
        }
    }

    private static DType supported(String dtype) {
        return switch (dtype) {
            case "F32" -> DType.F32;
            case "F64" -> DType.F64;
            case "F16" -> DType.F16;
            case "BF16" -> DType.BF16;
            default -> null;
        };
    }

    private static ByteBuffer readFully(FileChannel ch, long position, int length, Path file) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            if (ch.read(b, position + b.position()) < 0)
                throw new FormatException(file, "truncated: the file ends at byte " + (position + b.position()));
        }
        return b.flip();
    }

    private static String utf8(ByteBuffer b, Path file) throws FormatException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(b).toString();
        } catch (CharacterCodingException e) {
            throw new FormatException(file, "header is not valid UTF-8", e);
        }
    }

    private static List<Header> parseHeader(String json, Path file, Map<String, String> metadata) throws FormatException {
        List<Header> out = new ArrayList<>();
        try (JsonReader r = new JsonReader(new StringReader(json))) {
            r.setStrictness(Strictness.STRICT);
            r.beginObject();
            java.util.Set<String> seen = new java.util.HashSet<>();
            while (r.hasNext()) {
                String name = r.nextName();
                if (!seen.add(name)) throw new FormatException(file, "header names '" + name + "' twice");
                JsonElement v = JsonParser.parseReader(r);
                if (name.equals("__metadata__")) parseMetadata(v, file, metadata);
                else out.add(parseEntry(name, v, file));
            }
            r.endObject();
            if (r.peek() != JsonToken.END_DOCUMENT) throw new FormatException(file, "header has data after its JSON object");
        } catch (FormatException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new FormatException(file, "header is not valid JSON: " + e.getMessage(), e);
        }
        return out;
    }

    private static void parseMetadata(JsonElement v, Path file, Map<String, String> metadata) throws FormatException {
        if (!v.isJsonObject()) throw new FormatException(file, "__metadata__: expected an object of strings, got " + v);
        for (var e : v.getAsJsonObject().entrySet()) {
            if (!e.getValue().isJsonPrimitive() || !e.getValue().getAsJsonPrimitive().isString())
                throw new FormatException(file, "__metadata__." + e.getKey() + ": expected a string, got " + e.getValue());
            metadata.put(e.getKey(), e.getValue().getAsString());
        }
    }

    private static Header parseEntry(String name, JsonElement v, Path file) throws FormatException {
        String what = "tensor '" + name + "'";
        if (!v.isJsonObject()) throw new FormatException(file, what + ": expected an object, got " + v);
        JsonObject o = v.getAsJsonObject();
        JsonElement dt = o.get("dtype");
        if (dt == null || !dt.isJsonPrimitive() || !dt.getAsJsonPrimitive().isString())
            throw new FormatException(file, what + ": expected a string \"dtype\", got " + dt);
        String dtype = dt.getAsString();
        if (!DTYPE_BYTES.containsKey(dtype))
            throw new FormatException(file, what + ": unknown dtype '" + dtype + "' (expected one of " + DTYPE_BYTES.keySet() + ")");
        long[] shapeL = longs(o.get("shape"), -1, file, what + ".shape");
        long[] off = longs(o.get("data_offsets"), 2, file, what + ".data_offsets");
        int[] shape = new int[shapeL.length];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shapeL[i] > Integer.MAX_VALUE) throw new FormatException(file, what + ": dimension " + shapeL[i] + " is too large");
            shape[i] = (int) shapeL[i];
            count = multiply(count, shapeL[i], file, what);
        }
        if (count > Integer.MAX_VALUE - 8)
            throw new FormatException(file, what + ": " + count + " elements do not fit a Java array");
        return new Header(name, dtype, shape, count, off[0], off[1]);
    }

    private static long multiply(long a, long b, Path file, String what) throws FormatException {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw new FormatException(file, what + ": shape has more than 2^63 elements");
        }
    }

    /** A JSON array of non-negative integers (of the given length, unless -1). */
    private static long[] longs(JsonElement v, int length, Path file, String what) throws FormatException {
        if (v == null || !v.isJsonArray() || (length >= 0 && v.getAsJsonArray().size() != length))
            throw new FormatException(file, what + ": expected an array of " + (length >= 0 ? length + " " : "")
                    + "non-negative integers, got " + v);
        JsonArray a = v.getAsJsonArray();
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            JsonElement e = a.get(i);
            try {
                if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) throw new ArithmeticException();
                out[i] = new BigDecimal(e.getAsString()).longValueExact();
                if (out[i] < 0) throw new ArithmeticException();
            } catch (ArithmeticException | NumberFormatException x) {
                throw new FormatException(file, what + ": expected non-negative integers, got " + e + " at position " + i);
            }
        }
        return out;
    }

    /** Offsets inside the data, sizes matching dtype and shape, tensors tiling the data exactly. */
    private static void checkLayout(List<Header> headers, long dataLength, Path file) throws FormatException {
        for (Header h : headers) {
            String what = "tensor '" + h.name() + "'";
            if (h.begin() > h.end() || h.end() > dataLength)
                throw new FormatException(file, what + ": data_offsets [" + h.begin() + ", " + h.end() + "] lie outside the "
                        + dataLength + " data bytes of the file (truncated?)");
            long bytes = multiply(h.count(), DTYPE_BYTES.get(h.dtype()), file, what);
            if (h.end() - h.begin() != bytes)
                throw new FormatException(file, what + ": data_offsets [" + h.begin() + ", " + h.end() + "] span "
                        + (h.end() - h.begin()) + " bytes, expected " + bytes + " for " + h.dtype() + " of shape "
                        + java.util.Arrays.toString(h.shape()));
        }
        List<Header> sorted = new ArrayList<>(headers);
        sorted.sort(Comparator.comparingLong(Header::begin).thenComparingLong(Header::end));
        long at = 0;
        for (Header h : sorted) {
            if (h.begin() != at)
                throw new FormatException(file, "tensor '" + h.name() + "' starts at data byte " + h.begin() + ", expected " + at
                        + (h.begin() < at ? " (it overlaps the tensor before it)" : " (a hole in the data)"));
            at = h.end();
        }
        if (at != dataLength)
            throw new FormatException(file, "the tensors cover " + at + " data bytes but the file holds " + dataLength);
    }

    /** Writes float32 tensors (in map order) and string metadata. */
    public static void write(Path file, Map<String, FloatArray> tensors, Map<String, String> metadata) throws IOException {
        Check.notNull(file, "file");
        Check.notNull(tensors, "tensors");
        Check.notNull(metadata, "metadata");
        JsonObject header = new JsonObject();
        if (!metadata.isEmpty()) {
            JsonObject m = new JsonObject();
            metadata.forEach((k, v) -> m.addProperty(Check.notNull(k, "metadata key"), Check.notNull(v, "metadata[" + k + "]")));
            header.add("__metadata__", m);
        }
        long offset = 0;
        for (var e : tensors.entrySet()) {
            String name = Check.notNull(e.getKey(), "tensor name");
            FloatArray a = Check.notNull(e.getValue(), "tensors['" + name + "']");
            if (name.isEmpty() || name.equals("__metadata__"))
                throw new IllegalArgumentException("tensor name: expected a non-empty name other than __metadata__, got '" + name + "'");
            JsonObject t = new JsonObject();
            t.addProperty("dtype", "F32");
            JsonArray shape = new JsonArray();
            for (int d : a.shape()) shape.add(d);
            t.add("shape", shape);
            JsonArray off = new JsonArray();
            off.add(new JsonPrimitive(offset));
            offset += 4L * a.size();
            off.add(new JsonPrimitive(offset));
            t.add("data_offsets", off);
            header.add(name, t);
        }
        StringBuilder json = new StringBuilder(new GsonBuilder().disableHtmlEscaping().create().toJson(header));
        // pad with spaces so the data starts 8-byte aligned, as the reference writer does
        while (json.toString().getBytes(StandardCharsets.UTF_8).length % 8 != 0) json.append(' ');
        byte[] head = json.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFile.write(file, out -> {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(head.length).array());
            out.write(head);
            for (FloatArray a : tensors.values()) DType.writeF32(out, a.data());
        });
    }
}
