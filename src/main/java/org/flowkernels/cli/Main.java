package org.flowkernels.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The flowkernels command-line tool: {@code bin/flowkernels <command> [options]}. */
@Command(name = "flowkernels", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"GPU kernels for the numerics of generative models in physics: Langevin sampling, Hamiltonian "
                + "dynamics, coupling and continuous normalizing flows, on CUDA, OpenCL or the Java CPU backend.",
                "Run `flowkernels COMMAND --help` for a command's options and the files it writes."},
        subcommands = {DevicesCommand.class, DemoCommand.class, SampleCommand.class, SimulateCommand.class,
                FlowCommand.class, CnfCommand.class, TrainCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the tool with the standard streams and returns its exit code. */
    public static int run(String... args) {
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** Runs the tool, printing to {@code out} and {@code err}, and returns its exit code (tests call this). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        // The library logs which backend it picked; the commands say so themselves.
        Logger.getLogger("org.flowkernels").setLevel(Level.WARNING);
        Errors errors = new Errors();
        CommandLine cl = new CommandLine(new Main()).setOut(out).setErr(err)
                .setExecutionExceptionHandler(errors).setParameterExceptionHandler(errors)
                .setCaseInsensitiveEnumValuesAllowed(true);
        withExitCodes(cl);
        try {
            return cl.execute(args);
        } finally {
            out.flush();
            err.flush();
            Interrupt.release();
        }
    }

    /** --version: the version Maven built, from flowkernels.properties (filtered with ${project.version} at the build). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("/org/flowkernels/flowkernels.properties")) {
                if (in == null) throw new IOException("flowkernels.properties is missing from the class path (a broken build)");
                p.load(in);
            }
            return new String[] {"flowkernels " + p.getProperty("version")};
        }
    }

    /** Every command's --help ends with what it writes (its footer), then the exit codes. */
    private static void withExitCodes(CommandLine cl) {
        cl.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(Errors.EXIT_CODES);
        List<String> sections = new ArrayList<>(cl.getHelpSectionKeys());
        List<String> exitCodes = List.of(CommandLine.Model.UsageMessageSpec.SECTION_KEY_EXIT_CODE_LIST_HEADING,
                CommandLine.Model.UsageMessageSpec.SECTION_KEY_EXIT_CODE_LIST);
        sections.removeAll(exitCodes);
        sections.addAll(exitCodes);
        cl.setHelpSectionKeys(sections);
        for (CommandLine sub : cl.getSubcommands().values()) withExitCodes(sub);
    }
}
