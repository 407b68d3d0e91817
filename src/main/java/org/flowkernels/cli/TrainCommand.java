package org.flowkernels.cli;

import picocli.CommandLine.Command;

/** {@code train}: fit a coupling flow by gradient steps. */
@Command(name = "train", mixinStandardHelpOptions = true, subcommands = {TrainCoulomb.class, TrainData.class},
        description = "Train a RealNVP coupling flow: to a Boltzmann density by the variational free energy (coulomb), or to "
                + "samples by maximum likelihood (data). Runs on the CPU backend (the device kernels are issue 11's next step).")
final class TrainCommand extends CommandGroup {}
