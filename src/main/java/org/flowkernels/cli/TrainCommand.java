package org.flowkernels.cli;

import picocli.CommandLine.Command;

/** {@code train}: fit a coupling flow by gradient steps. */
@Command(name = "train", mixinStandardHelpOptions = true, subcommands = {TrainCoulomb.class, TrainData.class},
        description = "Train a RealNVP coupling flow: to a Boltzmann density by the variational free energy (coulomb), or to "
                + "samples by maximum likelihood (data). Runs on every backend (float32).")
final class TrainCommand extends CommandGroup {}
