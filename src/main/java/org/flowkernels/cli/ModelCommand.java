package org.flowkernels.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.flowkernels.Backend;
import org.flowkernels.flow.Flow;
import org.flowkernels.io.FormatException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** What {@code sample} and {@code logprob} of {@code flow} and {@code cnf} share: the model they load, and where it runs. */
abstract class ModelCommand implements Callable<Integer> {
    /** A command that loads one kind of model (the parent of the {@code sample} and {@code logprob} subcommands). */
    interface Loader {
        /** The model directory at {@code dir} on {@code backend}; the loader's FormatException when it is malformed. */
        Flow load(Path dir, Backend backend) throws IOException;
    }

    /** {@code flow} or {@code cnf}: which loader reads the directory. */
    @ParentCommand
    Loader loader;

    @Mixin
    GlobalOptions global;

    @Mixin
    OutputFolder output;

    @Option(names = "--model", paramLabel = "DIR", required = true, description = "the model directory (see the parent command's --help)")
    Path model;

    /** The model in --model on {@code backend}. */
    Flow load(Backend backend) throws IOException {
        // The loader would name a file inside it ("flow.json: Not a directory"): say what --model expects.
        if (Files.exists(model) && !Files.isDirectory(model))
            throw new FormatException(model, "not a directory: --model expects a model directory (the description and the weights "
                    + "file, see the parent command's --help)");
        return loader.load(model, backend);
    }
}
