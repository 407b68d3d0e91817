package org.flowkernels.io;

import java.io.IOException;
import java.nio.file.Path;

/** A weight or array file that cannot be read as what it claims to be; the message names the file and the problem. */
public class FormatException extends IOException {
    private final transient Path file;

    public FormatException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public FormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The file at fault. */
    public Path file() { return file; }
}
