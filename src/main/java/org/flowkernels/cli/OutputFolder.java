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

    /** The folder, created, with the list of what is written into it. */
    Outputs open() throws IOException {
        return new Outputs(Files.createDirectories(out));
    }
}
