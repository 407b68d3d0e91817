package org.flowkernels.cli;

import picocli.CommandLine.Command;

/** {@code sample}: Markov chain Monte Carlo of physical systems. */
@Command(name = "sample", mixinStandardHelpOptions = true, subcommands = {SampleCoulomb.class, SampleCustom.class},
        description = "Sample the Boltzmann distribution of a physical system with Langevin dynamics (ULA or MALA) or HMC.")
final class SampleCommand extends CommandGroup {}
