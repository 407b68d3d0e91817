package org.flowkernels.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.flowkernels.io.FloatArray;
import org.flowkernels.io.Npy;

/**
 * The files a command writes into its --out folder, listed for the user once written. Close
 * it when the command ends: if nothing was written (the run failed) the folders that
 * {@link OutputFolder#open} created are removed.
 */
final class Outputs implements AutoCloseable {
    interface Plot {
        void write(Path file) throws IOException;
    }

    /** PNGs need AWT (module java.desktop); a trimmed runtime (a jlink image) may lack it. */
    static final boolean CAN_DRAW = ModuleLayer.boot().findModule("java.desktop").isPresent();

    private final Path dir, created;
    private final List<String> written = new ArrayList<>(), skipped = new ArrayList<>();

    /** {@code created}: the outermost folder of {@code dir}'s path that this run made, or null. */
    Outputs(Path dir, Path created) {
        this.dir = dir;
        this.created = created;
    }

    /** A float32 .npy file of the given shape (row-major data). */
    void npy(String name, float[] data, int... shape) throws IOException {
        Npy.write(dir.resolve(name), FloatArray.of(data, shape));
        written.add(name + " " + Arrays.toString(shape));
    }

    /** The folder, for a writer of its own (a model directory's files), which then lists what it wrote with {@link #wrote}. */
    Path dir() { return dir; }

    void wrote(String... names) {
        for (String n : names) if (!written.contains(n)) written.add(n);
    }

    void png(String name, Plot plot) throws IOException {
        if (!CAN_DRAW) {
            skipped.add(name);
            return;
        }
        plot.write(dir.resolve(name));
        written.add(name);
    }

    void report(PrintWriter out) {
        out.println("wrote " + dir + ": " + String.join(", ", written));
        if (!skipped.isEmpty())
            out.println("not drawn: " + String.join(", ", skipped) + " (this Java runtime has no java.desktop module, which "
                    + "PNG plots need)");
    }

    /** Removes the folders this run created, innermost first, if nothing was written; a folder that is not empty stays. */
    @Override
    public void close() {
        if (created == null || !written.isEmpty()) return;
        try {
            for (Path p = dir.toAbsolutePath().normalize(); p.startsWith(created); p = p.getParent()) Files.delete(p);
        } catch (IOException e) {
            // not empty (someone else wrote there) or not ours to remove: leave it; the run's own error is what matters
        }
    }
}
