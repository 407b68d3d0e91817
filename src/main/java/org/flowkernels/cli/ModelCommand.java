package org.flowkernels.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** What {@code sample} and {@code logprob} of {@code flow} and {@code cnf} share: the model they load, and where it runs. */
abstract class ModelCommand implements Callable<Integer> {
    /** {@code flow} or {@code cnf}: which loader reads the directory. */
    @ParentCommand
    DensityModel.Family family;

    @Mixin
    GlobalOptions global;

    @Mixin
    OutputFolder output;

    @Option(names = "--model", paramLabel = "DIR", required = true, description = "the model directory (see the parent command's --help)")
    Path model;
}
