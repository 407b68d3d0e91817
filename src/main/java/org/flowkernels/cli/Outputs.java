package org.flowkernels.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.flowkernels.io.FloatArray;
import org.flowkernels.io.Npy;

/** The files a command writes into its --out folder, listed for the user once written. */
final class Outputs {
    interface Plot {
        void write(Path file) throws IOException;
    }

    /** PNGs need AWT (module java.desktop); a trimmed runtime (a jlink image) may lack it. */
    static final boolean CAN_DRAW = ModuleLayer.boot().findModule("java.desktop").isPresent();

    private final Path dir;
    private final List<String> written = new ArrayList<>(), skipped = new ArrayList<>();

    Outputs(Path dir) { this.dir = dir; }

    /** A float32 .npy file of the given shape (row-major data). */
    void npy(String name, float[] data, int... shape) throws IOException {
        Npy.write(dir.resolve(name), FloatArray.of(data, shape));
        written.add(name + " " + Arrays.toString(shape));
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
}
