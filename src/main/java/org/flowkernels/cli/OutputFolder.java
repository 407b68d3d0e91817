package org.flowkernels.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The --out option of the commands that write files (a picocli mixin). */
final class OutputFolder {
    @Option(names = "--out", paramLabel = "DIR", defaultValue = "out",
            description = "folder for the .npy and .png results, created if missing; files of the same name are replaced "
                    + "(default: ${DEFAULT-VALUE})")
    Path out;

    /**
     * The folder, created now (so a --out that cannot be made fails before the run, not after
     * it), with the list of what is written into it. Closing it removes again the folders this
     * call created if nothing was written: a failed run leaves no empty folder behind.
     */
    Outputs open() throws IOException {
        Path created = null; // the outermost folder that is missing
        for (Path p = out.toAbsolutePath().normalize(); p != null && Files.notExists(p); p = p.getParent()) created = p;
        return new Outputs(Files.createDirectories(out), created);
    }
}
