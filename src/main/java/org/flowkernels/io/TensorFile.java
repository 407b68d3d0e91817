package org.flowkernels.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.flowkernels.Check;

/**
 * The named arrays of a weight file (safetensors, .npz, or one .npy), read into memory as
 * float32. Entries of other types (integers, booleans, ...) are listed with their type and
 * shape but hold no data: asking for one is an error, so a file with, say, a PyTorch
 * {@code num_batches_tracked} counter still loads.
 */
public final class TensorFile {
    /**
     * One named array.
     *
     * @param dtype the type in the file ("F32", "F64", "I64", "<f8", ...)
     * @param array the values as float32, or null when the type is not a floating-point one
     */
    public record Entry(String name, String dtype, int[] shape, FloatArray array) {}

    private final Path file;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    TensorFile(Path file, Map<String, Entry> entries, Map<String, String> metadata) {
        this.file = file;
        this.entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** Reads a file by its extension: .safetensors, .npz, or .npy (one array, named after the file without .npy). */
    public static TensorFile read(Path file) throws IOException {
        Check.notNull(file, "file");
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".safetensors")) return Safetensors.read(file);
        if (name.endsWith(".npz")) return Npz.read(file);
        if (name.endsWith(".npy")) {
            String stem = file.getFileName().toString();
            stem = stem.substring(0, stem.length() - 4);
            return new TensorFile(file, Map.of(stem, Npy.entry(file, stem)), Map.of());
        }
        throw new FormatException(file, "unknown weight file type: expected a name ending in .safetensors, .npz or .npy");
    }

    public Path file() { return file; }

    /** Entry names in file order. */
    public Set<String> names() { return entries.keySet(); }

    public boolean contains(String name) { return entries.containsKey(name); }

    public Entry entry(String name) throws FormatException {
        Entry e = entries.get(name);
        if (e == null) {
            String have = entries.size() <= 12 ? String.join(", ", entries.keySet())
                    : String.join(", ", entries.keySet().stream().limit(12).toList()) + ", ... (" + entries.size() + " in all)";
            throw new FormatException(file, "missing tensor '" + name + "' (the file has: " + (have.isEmpty() ? "no tensors" : have) + ")");
        }
        return e;
    }

    /** The array named {@code name}, as float32. */
    public FloatArray get(String name) throws FormatException {
        Entry e = entry(name);
        if (e.array() == null)
            throw new FormatException(file, "tensor '" + name + "' has dtype " + e.dtype()
                    + ": expected a floating-point type (F32, or F64, F16, BF16 converted to float32)");
        return e.array();
    }

    /** The array named {@code name}, which must have exactly the given shape. */
    public FloatArray get(String name, int... shape) throws FormatException {
        FloatArray a = get(name);
        if (!Arrays.equals(a.shape(), shape))
            throw new FormatException(file, "tensor '" + name + "': expected shape " + Arrays.toString(shape) + ", got "
                    + Arrays.toString(a.shape()));
        return a;
    }

    /** The safetensors {@code __metadata__} (empty for NumPy files). */
    public Map<String, String> metadata() { return metadata; }

    @Override
    public String toString() { return "TensorFile[" + file + ", " + entries.size() + " tensors]"; }
}
