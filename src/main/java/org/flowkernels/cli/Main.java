package org.flowkernels.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The flowkernels command-line tool: {@code bin/flowkernels <command> [options]}. */
@Command(name = "flowkernels", mixinStandardHelpOptions = true, version = "flowkernels 0.1.0",
        description = "GPU kernels for the numerics of generative models in physics.",
        subcommands = {DevicesCommand.class, DemoCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {
    @Override
    public Integer call() {
        CommandLine.usage(this, System.out);
        return 0;
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the tool and returns its exit code (tests call this). */
    public static int run(String... args) {
        // The library logs which backend it picked; the tool says so itself.
        java.util.logging.Logger.getLogger("org.flowkernels").setLevel(java.util.logging.Level.WARNING);
        return new CommandLine(new Main()).setExecutionExceptionHandler(new Errors()).execute(args);
    }
}
