package org.flowkernels.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.flowkernels.SnippetException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Turns an error into one line on stderr, {@code flowkernels <command>: <what went wrong>},
 * and an exit code; the stack trace only with --debug. Both kinds go through here: the
 * parser's (an unknown option, a value that is not a number) and the command's.
 */
final class Errors implements IExecutionExceptionHandler, IParameterExceptionHandler {
    static final int OK = 0, FAILURE = 1, USAGE = CommandLine.ExitCode.USAGE, UNAVAILABLE = 3, BAD_FILE = 4;

    /** The exit codes as every command's --help lists them. */
    static final Map<String, String> EXIT_CODES = exitCodes();

    private static Map<String, String> exitCodes() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(" " + OK, "success");
        m.put(" " + FAILURE, "the computation failed (a device error, a chain that became non-finite)");
        m.put(" " + USAGE, "bad usage: an unknown option or backend name, a value that is not a number or out of range");
        m.put(" " + UNAVAILABLE, "the backend asked for is not available on this machine (`flowkernels devices` says why)");
        m.put(" " + BAD_FILE, "an input file is missing, unreadable or malformed, or an output file cannot be written; a custom "
                + "potential that does not compile, indexes out of its row, disagrees with its Java twin or returns NaN");
        m.put(" 130", "stopped by Ctrl-C (143: by SIGTERM); sample and simulate first write the results computed so far");
        return m;
    }

    @Override
    public int handleParseException(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        cmd.getErr().println(prefix(cmd) + e.getMessage() + " (see " + cmd.getCommandSpec().qualifiedName() + " --help)");
        if (contains(args, "--debug")) e.printStackTrace(cmd.getErr());
        cmd.getErr().flush();
        return USAGE;
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
        cmd.getErr().println(prefix(cmd) + message(e));
        if (parsed.originalArgs().contains("--debug")) e.printStackTrace(cmd.getErr());
        cmd.getErr().flush();
        return exitCode(e);
    }

    static int exitCode(Throwable e) {
        if (e instanceof SnippetException) return BAD_FILE; // the user's code: a compile error, an index out of range, a twin that disagrees
        if (e instanceof IOException || e instanceof UncheckedIOException) return BAD_FILE;
        if (e instanceof IllegalArgumentException) return USAGE;
        if (e instanceof IllegalStateException && String.valueOf(e.getMessage()).contains("not available")) return UNAVAILABLE;
        return FAILURE;
    }

    /** The first line of the message; file-system exceptions (whose message is only the path) say what happened. */
    static String message(Throwable e) {
        if (e instanceof UncheckedIOException u && u.getCause() != null && u.getMessage() == null) e = u.getCause();
        String m = e.getMessage();
        if (e instanceof NoSuchFileException f) m = f.getFile() + ": no such file or directory";
        else if (e instanceof AccessDeniedException f) m = f.getFile() + ": permission denied";
        else if (e instanceof NotDirectoryException f) m = f.getFile() + ": not a directory";
        else if (e instanceof FileAlreadyExistsException f) m = f.getFile() + ": exists and is not a directory";
        if (m == null || m.isBlank()) m = e.getClass().getSimpleName();
        return m.lines().findFirst().orElse(m);
    }

    private static String prefix(CommandLine cmd) {
        return cmd.getCommandSpec().qualifiedName() + ": ";
    }

    private static boolean contains(String[] args, String flag) {
        for (String a : args) if (a.equals(flag)) return true;
        return false;
    }
}
