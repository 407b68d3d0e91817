package org.flowkernels.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.flowkernels.Check;

/**
 * NumPy's .npz: a zip archive of .npy files, one per array, named {@code NAME.npy}; what
 * {@code numpy.savez} (stored) and {@code numpy.savez_compressed} (deflated) write. Both
 * compressions are read (zip64 too); each member is read as {@link Npy} does, and must hold
 * exactly the bytes its header declares. Writing stores the members uncompressed, as
 * {@code numpy.savez} does.
 */
public final class Npz {
    private Npz() {}

    public static TensorFile read(Path file) throws IOException {
        Check.notNull(file, "file");
        Map<String, TensorFile.Entry> entries = new LinkedHashMap<>();
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw new FormatException(file, "not a valid zip archive (truncated, or not an .npz file): " + e.getMessage(), e);
        }
        try (zip) {
            Enumeration<? extends ZipEntry> all = zip.entries();
            while (all.hasMoreElements()) {
                ZipEntry z = all.nextElement();
                if (z.isDirectory()) continue;
                if (!z.getName().endsWith(".npy"))
                    throw new FormatException(file, "member '" + z.getName() + "' is not an .npy file");
                String name = z.getName().substring(0, z.getName().length() - 4);
                try (InputStream in = zip.getInputStream(z)) {
                    entries.put(name, Npy.read(in, z.getSize(), file, name, "'" + name + "': "));
                } catch (ZipException e) {
                    throw new FormatException(file, "member '" + z.getName() + "' is corrupt: " + e.getMessage(), e);
                }
            }
        }
        return new TensorFile(file, entries, Map.of());
    }

    /** Writes the arrays as float32 members NAME.npy, uncompressed (numpy.savez's layout). */
    public static void write(Path file, Map<String, FloatArray> arrays) throws IOException {
        Check.notNull(file, "file");
        Check.notNull(arrays, "arrays");
        for (var e : arrays.entrySet()) {
            Check.notNull(e.getValue(), "arrays['" + e.getKey() + "']");
            if (e.getKey() == null || e.getKey().isEmpty())
                throw new IllegalArgumentException("array name: expected a non-empty name, got '" + e.getKey() + "'");
        }
        AtomicFile.write(file, out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
            for (var e : arrays.entrySet()) {
                // a stored member needs its size and CRC before its data: a first pass computes them
                CRC32 crc = new CRC32();
                CountingSink sink = new CountingSink();
                Npy.write(new CheckedOutputStream(sink, crc), e.getValue());
                ZipEntry z = new ZipEntry(e.getKey() + ".npy");
                z.setMethod(ZipEntry.STORED);
                z.setSize(sink.count);
                z.setCompressedSize(sink.count);
                z.setCrc(crc.getValue());
                zip.putNextEntry(z);
                Npy.write(zip, e.getValue());
                zip.closeEntry();
            }
            zip.finish();
        });
    }

    private static final class CountingSink extends OutputStream {
        long count;

        @Override public void write(int b) { count++; }

        @Override public void write(byte[] b, int off, int len) { count += len; }
    }
}
