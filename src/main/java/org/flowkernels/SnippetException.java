package org.flowkernels;

/**
 * A user's code failed: a kernel snippet that does not compile, that indexes out of its arrays
 * (caught by the bounds-checked build), or that disagrees with its Java twin. The message's
 * first line names the snippet's file and line ({@code morse.cl:7: error: ...}); the rest of it
 * holds the compiler's whole log, where there is one ({@link #log()}).
 */
public class SnippetException extends FlowKernelsException {
    private final String file;
    private final int line;
    private final String log;

    /**
     * @param file    the snippet's file (or label), as its messages name it
     * @param line    the line in it, or 0 where the problem has no line
     * @param problem one line: what went wrong
     * @param log     the compiler's whole log, or ""
     */
    public SnippetException(String file, int line, String problem, String log) {
        super(file + (line > 0 ? ":" + line : "") + ": " + problem + (log == null || log.isEmpty() ? "" : "\n" + log));
        this.file = file;
        this.line = line;
        this.log = log == null ? "" : log;
    }

    public String file() { return file; }

    /** The line in {@link #file()}, or 0. */
    public int line() { return line; }

    /** The compiler's log ("" when the problem did not come from a compiler). */
    public String log() { return log; }
}
