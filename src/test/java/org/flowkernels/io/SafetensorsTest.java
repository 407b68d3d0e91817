package org.flowkernels.io;

import static org.flowkernels.io.SafetensorsWriter.*;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.flowkernels.testing.Fresh;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.function.Executable;

class SafetensorsTest {
    @TempDir
    Path dir;

    Path write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    @Test
    void readsWhatAnIndependentWriterWrote() throws IOException {
        // F16 0x3c00 = 1, 0xc000 = -2, 0x0001 = 2^-24 (subnormal), 0x7c00 = inf; BF16 0x3f80 = 1, 0xc0a0 = -5
        byte[] file = new SafetensorsWriter().metadata("{\"format\":\"pt\"}")
                .add("layers.0.net.0.weight", "F32", new int[] {2, 3}, f32(1, -2, 3.5f, 0, 1e-30f, -7))
                .add("f64", "F64", new int[] {4}, f64(0.1, -0.0, 1.0 / 3, 2.5))
                .add("f16", "F16", new int[] {4}, i16(0x3c00, 0xc000, 0x0001, 0x7c00))
                .add("bf16", "BF16", new int[] {2}, i16(0x3f80, 0xc0a0))
                .add("steps", "I64", new int[] {2}, i64(7, 8))
                .add("scalar", "F32", new int[] {}, f32(42))
                .add("empty", "F32", new int[] {0, 5}, new byte[0]).bytes();
        TensorFile t = Safetensors.read(write("a.safetensors", file));
        assertEquals(Map.of("format", "pt"), t.metadata());
        assertEquals(java.util.List.of("layers.0.net.0.weight", "f64", "f16", "bf16", "steps", "scalar", "empty"), t.names().stream().toList());
        assertArrayEquals(new float[] {1, -2, 3.5f, 0, 1e-30f, -7}, t.get("layers.0.net.0.weight", 2, 3).data());
        assertArrayEquals(new float[] {0.1f, -0f, (float) (1.0 / 3), 2.5f}, t.get("f64", 4).data());
        assertArrayEquals(new float[] {1, -2, 0x1p-24f, Float.POSITIVE_INFINITY}, t.get("f16").data());
        assertArrayEquals(new float[] {1, -5}, t.get("bf16").data());
        assertArrayEquals(new float[] {42}, t.get("scalar").data());
        assertEquals(0, t.get("scalar").rank());
        assertArrayEquals(new int[] {0, 5}, t.get("empty").shape());
        assertEquals("I64", t.entry("steps").dtype());
        assertArrayEquals(new int[] {2}, t.entry("steps").shape());
        assertEquals(t.get("f16"), TensorFile.read(t.file()).get("f16"), "TensorFile.read picks the format by extension");
    }

    @Test
    void writesWhatItReadsAndWhatTheFormatSays() throws IOException {
        Fresh f = new Fresh("safetensors-roundtrip");
        Map<String, FloatArray> arrays = new LinkedHashMap<>();
        arrays.put("a", FloatArray.of(f.gaussian(12, 1), 3, 4));
        arrays.put("b.weight", FloatArray.of(f.gaussian(5, 1), 5));
        arrays.put("c", FloatArray.of(f.gaussian(24, 1), 2, 3, 4));
        arrays.put("scalar", FloatArray.of(new float[] {1.5f}));
        arrays.put("empty", FloatArray.of(new float[0], 0, 7));
        Path p = dir.resolve("w.safetensors");
        Safetensors.write(p, arrays, Map.of("producer", "test"));
        TensorFile t = Safetensors.read(p);
        assertEquals(arrays.keySet().stream().toList(), t.names().stream().toList());
        for (var e : arrays.entrySet()) assertEquals(e.getValue(), t.get(e.getKey()), e.getKey() + ", " + f.seed());
        assertEquals(Map.of("producer", "test"), t.metadata());
        byte[] bytes = Files.readAllBytes(p);
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8, "data starts 8-byte aligned");
        String header = new String(bytes, 8, (int) n, java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(header.contains("\"a\":{\"dtype\":\"F32\",\"shape\":[3,4],\"data_offsets\":[0,48]}"), header);
        assertEquals(8 + n + 4 * (12 + 5 + 24 + 1), bytes.length);
        // the first tensor's bytes are its floats, little-endian
        assertEquals(arrays.get("a").data()[0], ByteBuffer.wrap(bytes, (int) (8 + n), 4).order(ByteOrder.LITTLE_ENDIAN).getFloat());
    }

    /** Reading {@code bytes} fails with a FormatException naming the file and containing {@code problem}. */
    void rejects(byte[] bytes, String problem) throws IOException {
        Path p = write("bad.safetensors", bytes);
        FormatException e = assertThrows(FormatException.class, () -> Safetensors.read(p), problem);
        assertTrue(e.getMessage().startsWith(p.toString()) && e.getMessage().contains(problem), e.getMessage());
    }

    @Test
    void badFilesAreRejectedWithTheFileAndTheProblem() throws IOException {
        rejects(new byte[5], "shorter than the 8-byte header length");
        byte[] huge = file("{}", new byte[0]);
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 40);
        rejects(huge, "header length 1099511627776 is larger than the file allows");
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1L);
        rejects(huge, "header length 18446744073709551615");
        rejects(file("[1, 2]", new byte[0]), "does not start with '{'");
        rejects(file("{\"a\": {\"dtype\": \"F32\", ", new byte[0]), "not valid JSON");
        rejects(file("{\"a\": {dtype: 'F32'}}", new byte[0]), "not valid JSON");
        rejects(new SafetensorsWriter().entry("a", "F32", new int[] {2, 3}, 0, 24).raw(new byte[20]).bytes(),
                "tensor 'a': data_offsets [0, 24] lie outside the 20 data bytes");
        rejects(new SafetensorsWriter().add("a", "F32", new int[] {2, 3}, new byte[20]).bytes(), "span 20 bytes, expected 24 for F32 of shape [2, 3]");
        rejects(new SafetensorsWriter().entry("a", "F32", new int[] {1}, 0, 4).entry("b", "F32", new int[] {1}, 8, 12)
                .raw(new byte[12]).bytes(), "tensor 'b' starts at data byte 8, expected 4 (a hole in the data)");
        rejects(new SafetensorsWriter().entry("a", "F32", new int[] {2}, 0, 8).entry("b", "F32", new int[] {1}, 4, 8)
                .raw(new byte[8]).bytes(), "overlaps");
        rejects(new SafetensorsWriter().add("a", "F32", new int[] {1}, f32(1)).raw(new byte[4]).bytes(),
                "the tensors cover 4 data bytes but the file holds 8");
        rejects(new SafetensorsWriter().add("a", "Q4", new int[] {1}, f32(1)).bytes(), "unknown dtype 'Q4'");
        rejects(new SafetensorsWriter().entry("a", "F32", new int[] {1}, -4, 0).bytes(), "non-negative integers");
        rejects(new SafetensorsWriter().entry("a", "F32", new int[] {1}, 0, 4).entry("a", "F32", new int[] {1}, 4, 8)
                .raw(new byte[8]).bytes(), "names 'a' twice");
        rejects(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}", new byte[8]), "non-negative integers");
        rejects(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", new byte[8]), "too large");
        rejects(file("{\"__metadata__\":{\"k\":1}}", new byte[0]), "__metadata__.k: expected a string");
    }

    @Test
    void missingTensorsWrongDtypesAndWrongShapesNameTheTensor() throws IOException {
        Path p = write("m.safetensors", new SafetensorsWriter().add("w", "F32", new int[] {2, 3}, f32(1, 2, 3, 4, 5, 6))
                .add("n", "I64", new int[] {1}, i64(3)).bytes());
        TensorFile t = Safetensors.read(p);
        assertProblem(() -> t.get("nope"), p, "missing tensor 'nope' (the file has: w, n)");
        assertProblem(() -> t.get("n"), p, "tensor 'n' has dtype I64: expected a floating-point type");
        assertProblem(() -> t.get("w", 3, 2), p, "tensor 'w': expected shape [3, 2], got [2, 3]");
    }

    static void assertProblem(Executable call, Path file, String problem) {
        FormatException e = assertThrows(FormatException.class, call);
        assertEquals(file + ": ", e.getMessage().substring(0, file.toString().length() + 2), e.getMessage());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
    }

    @Test
    void everyTruncationIsAFormatExceptionAndNothingIsReadOutOfBounds() throws IOException {
        byte[] good = new SafetensorsWriter().metadata("{\"a\":\"b\"}").add("x", "F32", new int[] {3}, f32(1, 2, 3))
                .add("y", "F64", new int[] {2}, f64(4, 5)).bytes();
        Safetensors.read(write("good.safetensors", good));
        for (int cut = 0; cut < good.length; cut++) {
            Path p = write("cut.safetensors", Arrays.copyOf(good, cut));
            assertThrows(FormatException.class, () -> Safetensors.read(p), "cut at " + cut + " of " + good.length);
        }
    }

    @Test
    void corruptBytesGiveAFormatExceptionOrAValidFileNeverAnotherError() throws IOException {
        Fresh f = new Fresh("safetensors-fuzz");
        byte[] good = new SafetensorsWriter().add("x", "F32", new int[] {2, 2}, f32(1, 2, 3, 4)).add("y", "BF16", new int[] {3}, i16(1, 2, 3)).bytes();
        for (int i = 0; i < 300; i++) {
            byte[] bad = good.clone();
            int at = f.nextInt(bad.length);
            bad[at] = (byte) f.nextInt(256);
            Path p = write("fuzz.safetensors", bad);
            try {
                Safetensors.read(p);
            } catch (FormatException expected) {
                // fine: a corrupt file named as such
            } catch (Exception other) {
                fail("byte " + at + " = " + bad[at] + ": " + other + ", " + f.seed());
            }
        }
    }
}
