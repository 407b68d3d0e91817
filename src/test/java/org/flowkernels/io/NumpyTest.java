package org.flowkernels.io;

import static org.flowkernels.io.SafetensorsTest.assertProblem;
import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.flowkernels.Backend;
import org.flowkernels.Backends;
import org.flowkernels.Tensor;
import org.flowkernels.testing.Fresh;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** .npy and .npz: the fixtures numpy wrote (src/test/resources/fixtures/make_fixtures.py), round trips, bad files. */
class NumpyTest {
    @TempDir
    Path dir;

    /** ((arange(12) - 5.5) / 8).reshape(3, 4), as make_fixtures.py writes it. */
    static float[] a32() {
        float[] v = new float[12];
        for (int i = 0; i < 12; i++) v[i] = (i - 5.5f) / 8;
        return v;
    }

    @Test
    void readsNumpysSavezAndSavezCompressed() throws IOException {
        for (String name : new String[] {"arrays.npz", "arrays_compressed.npz"}) {
            TensorFile t = TensorFile.read(Fixtures.path(name));
            assertArrayEquals(a32(), t.get("a32", 3, 4).data(), name);
            float[] lin = new float[10];
            for (int i = 0; i < 10; i++) lin[i] = (float) (-1.0 + 2.0 * i / 9);
            assertArrayEquals(lin, t.get("a64", 2, 5).data(), 1e-7f, name + ": float64 converted");
            assertArrayEquals(new float[] {0.5f, -2, 65504, 0x1p-24f, 3 * 0x1p-24f, Float.POSITIVE_INFINITY, -0f},
                    t.get("a16", 7).data(), name + ": float16 converted exactly");
            float[] c = new float[24];
            for (int i = 0; i < 24; i++) c[i] = i;
            assertArrayEquals(c, t.get("fortran", 2, 3, 4).data(), name + ": Fortran order read into C order");
            assertArrayEquals(new float[] {0, 1, 2, 3, 4}, t.get("big", 5).data(), name + ": big-endian");
            assertArrayEquals(new float[] {3.25f}, t.get("scalar").data(), name);
            assertEquals(0, t.get("scalar").rank());
            assertArrayEquals(new int[] {0, 3}, t.get("empty").shape());
            assertEquals("<i8", t.entry("ints").dtype());
            assertProblem(() -> t.get("ints"), t.file(), "tensor 'ints' has dtype <i8");
        }
    }

    @Test
    void writtenFilesGetTheUsualPermissions(@TempDir Path dir) throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Path plain = Files.write(dir.resolve("plain.bin"), new byte[1]), npy = dir.resolve("x.npy");
        Npy.write(npy, new FloatArray(new int[] {2}, new float[] {1, 2}));
        // the umask's permissions, as for any file (not a temporary file's owner-only ones)
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(npy));
    }

    @Test
    void readsFormatVersions2And3() throws IOException {
        for (String name : new String[] {"v2.npy", "v3.npy"}) {
            byte[] b = Files.readAllBytes(Fixtures.path(name));
            assertEquals(name.charAt(1) - '0', b[6], "the fixture really is version " + name.charAt(1));
            FloatArray a = Npy.read(Fixtures.path(name));
            assertArrayEquals(new int[] {3, 4}, a.shape());
            assertArrayEquals(a32(), a.data(), name);
        }
    }

    @Test
    void npyRoundTripsEveryRankWithNumpysHeaderLayout() throws IOException {
        Fresh f = new Fresh("npy-roundtrip");
        for (int[] shape : new int[][] {{}, {0}, {5}, {3, 4}, {2, 3, 4}, {1, 1000}}) {
            int n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
            FloatArray a = FloatArray.of(f.gaussian(n, 1), shape);
            Path p = dir.resolve("a.npy");
            Npy.write(p, a);
            assertEquals(a, Npy.read(p), Arrays.toString(shape) + ", " + f.seed());
            byte[] b = Files.readAllBytes(p);
            int hlen = ByteBuffer.wrap(b, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort();
            assertEquals(1, b[6], "version 1.0");
            assertEquals(0, (10 + hlen) % 64, "data 64-byte aligned, as numpy writes");
            String header = new String(b, 10, hlen, StandardCharsets.ISO_8859_1);
            String tuple = shape.length == 1 ? "(" + shape[0] + ",)" : Arrays.toString(shape).replace('[', '(').replace(']', ')');
            assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': " + tuple + ", }"), header);
            assertTrue(header.endsWith("\n"), header);
            assertEquals(10 + hlen + 4L * n, b.length);
        }
    }

    @Test
    void tensorsAreWrittenAsRowMajorArrays() throws IOException {
        Backend cpu = Backends.cpu();
        try (Tensor t = cpu.tensor(new float[] {1, 2, 3, 4, 5, 6}, 2, 3)) {
            Path p = dir.resolve("t.npy");
            Npy.write(p, t);
            FloatArray a = Npy.read(p);
            assertArrayEquals(new int[] {2, 3}, a.shape());
            try (Tensor back = a.toTensor(cpu)) {
                assertArrayEquals(t.toArray(), back.toArray());
                assertEquals(2, back.rows());
            }
        }
    }

    @Test
    void npzRoundTrips() throws IOException {
        Fresh f = new Fresh("npz-roundtrip");
        Map<String, FloatArray> arrays = new LinkedHashMap<>();
        arrays.put("layers.0.net.0.weight", FloatArray.of(f.gaussian(6, 1), 3, 2));
        arrays.put("x", FloatArray.of(f.gaussian(10000, 1), 100, 100));
        arrays.put("s", FloatArray.of(new float[] {7}));
        Path p = dir.resolve("w.npz");
        Npz.write(p, arrays);
        TensorFile t = Npz.read(p);
        assertEquals(arrays.keySet().stream().toList(), t.names().stream().toList());
        for (var e : arrays.entrySet()) assertEquals(e.getValue(), t.get(e.getKey()), e.getKey() + ", " + f.seed());
    }

    /** An .npy file with the given header dict and data bytes (version 1.0). */
    static byte[] npy(String dict, byte[] data) {
        byte[] h = (dict + "\n").getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(10 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) h.length).put(h).put(data);
        return b.array();
    }

    void rejects(byte[] bytes, String problem) throws IOException {
        Path p = dir.resolve("bad.npy");
        Files.write(p, bytes);
        assertProblem(() -> Npy.read(p), p, problem);
    }

    @Test
    void badNpyFilesAreRejectedWithTheFileAndTheProblem() throws IOException {
        byte[] four = SafetensorsWriter.f32(1, 2, 3, 4);
        rejects(new byte[3], "truncated: 3 bytes");
        rejects("PK\3\4abcdefgh".getBytes(StandardCharsets.ISO_8859_1), "not an .npy file (bad magic)");
        byte[] v4 = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", four);
        v4[6] = 4;
        rejects(v4, "unsupported .npy version 4.0");
        byte[] longHeader = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", four);
        longHeader[8] = (byte) 0xff;
        longHeader[9] = (byte) 0x7f;
        rejects(longHeader, "header length 32767 is larger than the file allows");
        rejects(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", Arrays.copyOf(four, 12)),
                "truncated: shape [4] of '<f4' needs 16 data bytes, the file holds 12");
        rejects(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", four), "trailing bytes");
        rejects(npy("{'descr': '<i4', 'fortran_order': False, 'shape': (4,), }", four), "dtype '<i4': expected a float array");
        rejects(npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (4,), }", four), "malformed header");
        rejects(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-4,), }", four), "malformed header");
        rejects(npy("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (4,), }", four), "malformed header");
        rejects(npy("{'descr': '<f4', 'shape': (4,), }", four), "expected True or False for 'fortran_order'");
        rejects(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (65536, 65536), }", four), "does not fit a Java array");
        byte[] overflow = npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", SafetensorsWriter.f64(1e300));
        rejects(overflow, "float64 value 1.0E300 at element 0 is beyond float32's range");
    }

    @Test
    void everyTruncatedNpyIsAFormatException() throws IOException {
        byte[] good = npy("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2), }", SafetensorsWriter.f64(1, 2, 3, 4));
        Path ok = dir.resolve("ok.npy");
        Files.write(ok, good);
        assertArrayEquals(new float[] {1, 3, 2, 4}, Npy.read(ok).data(), "Fortran [[1, 3], [2, 4]] read in C order");
        for (int cut = 0; cut < good.length; cut++) {
            Path p = dir.resolve("cut.npy");
            Files.write(p, Arrays.copyOf(good, cut));
            assertThrows(FormatException.class, () -> Npy.read(p), "cut at " + cut);
        }
    }

    @Test
    void badNpzFilesAreRejectedWithTheFileAndTheProblem() throws IOException {
        Path good = Fixtures.path("arrays.npz");
        byte[] bytes = Files.readAllBytes(good);
        Path cut = dir.resolve("cut.npz");
        for (int len : new int[] {0, 10, bytes.length / 2, bytes.length - 1}) {
            Files.write(cut, Arrays.copyOf(bytes, len));
            assertProblem(() -> Npz.read(cut), cut, "not a valid zip archive");
        }
        Path shortMember = dir.resolve("short.npz");
        Files.write(shortMember, zip("w.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (8,), }", new byte[12])));
        assertProblem(() -> Npz.read(shortMember), shortMember, "'w': truncated: shape [8] of '<f4' needs 32 data bytes, the file holds 12");
        Path notNpy = dir.resolve("other.npz");
        Files.write(notNpy, zip("readme.txt", "hello".getBytes(StandardCharsets.US_ASCII)));
        assertProblem(() -> Npz.read(notNpy), notNpy, "member 'readme.txt' is not an .npy file");
        Path unknown = dir.resolve("w.bin");
        Files.write(unknown, bytes);
        assertProblem(() -> TensorFile.read(unknown), unknown, "unknown weight file type");
    }

    static byte[] zip(String name, byte[] content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            z.putNextEntry(new ZipEntry(name));
            z.write(content);
            z.closeEntry();
        }
        return out.toByteArray();
    }
}
