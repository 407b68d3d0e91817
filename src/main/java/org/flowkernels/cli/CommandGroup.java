package org.flowkernels.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command that only groups subcommands ({@code sample coulomb}): run alone, it says which exist. */
abstract class CommandGroup implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getErr().println(spec.qualifiedName() + ": expected a subcommand: "
                + String.join(", ", spec.subcommands().keySet()) + " (see " + spec.qualifiedName() + " --help)");
        return Errors.USAGE;
    }
}
