package org.flowkernels.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns an error into one clear line on stderr and an exit code (a stack trace only with
 * --debug). Exit codes: 2 bad usage or argument (picocli's own, and IllegalArgumentException:
 * an unknown backend name, a bad number), 3 a backend that is not available here, 4 an input
 * file that cannot be read or is malformed, 1 anything else (a device error).
 */
final class Errors implements IExecutionExceptionHandler {
    static final int USAGE = CommandLine.ExitCode.USAGE, UNAVAILABLE = 3, BAD_FILE = 4, FAILURE = 1;

    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
        boolean debug = parsed.originalArgs().contains("--debug");
        Throwable cause = e;
        cmd.getErr().println("flowkernels " + commandName(cmd) + ": " + message(cause));
        if (debug) cause.printStackTrace(cmd.getErr());
        return exitCode(cause);
    }

    static int exitCode(Throwable e) {
        if (e instanceof IOException || e instanceof UncheckedIOException) return BAD_FILE;
        if (e instanceof IllegalArgumentException) return USAGE;
        if (e instanceof IllegalStateException && String.valueOf(e.getMessage()).contains("not available")) return UNAVAILABLE;
        return FAILURE;
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) m = e.getClass().getSimpleName();
        return m.lines().findFirst().orElse(m);
    }

    private static String commandName(CommandLine cmd) {
        return cmd.getCommandName();
    }
}
