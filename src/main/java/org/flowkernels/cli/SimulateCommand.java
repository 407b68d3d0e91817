package org.flowkernels.cli;

import picocli.CommandLine.Command;

/** {@code simulate}: Hamiltonian dynamics. */
@Command(name = "simulate", mixinStandardHelpOptions = true, subcommands = {SimulateChain.class, SimulateCustom.class},
        description = "Integrate Hamiltonian dynamics of a batch of trajectories.")
final class SimulateCommand extends CommandGroup {}
