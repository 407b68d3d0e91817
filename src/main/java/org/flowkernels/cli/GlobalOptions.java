package org.flowkernels.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.flowkernels.Backend;
import org.flowkernels.Backends;
import picocli.CommandLine.Option;

/** Options every computing subcommand takes (a picocli mixin). */
public final class GlobalOptions {
    @Option(names = "--backend", paramLabel = "NAME",
            description = "cpu, opencl, opencl:N, cuda or cuda:N (default: the best available; FLOWKERNELS_BACKEND also selects one)")
    String backend;

    @Option(names = "--precision", paramLabel = "P", defaultValue = "float32",
            description = "arithmetic precision on the device; the kernels support float32 (default: ${DEFAULT-VALUE})")
    String precision;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "out",
            description = "folder for the .npy and .png results (created if missing; default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--debug", description = "print stack traces of errors")
    boolean debug;

    /** The backend asked for, or the best one; fails with the reason if it is not available. */
    public Backend backend() {
        if (!"float32".equalsIgnoreCase(precision.trim()))
            throw new IllegalArgumentException("--precision: expected float32 (the only precision the kernels run in), got '"
                    + precision + "'");
        return backend != null ? Backends.get(backend) : Backends.best();
    }

    /** The output folder, created. */
    public Path outDir() {
        try {
            return Files.createDirectories(out);
        } catch (IOException e) {
            throw new UncheckedIOException("--out: cannot create " + out + ": " + e.getMessage(), e);
        }
    }
}
