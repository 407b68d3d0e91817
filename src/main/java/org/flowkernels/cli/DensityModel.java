package org.flowkernels.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.flowkernels.Backend;
import org.flowkernels.Tensor;

/**
 * A generative model the {@code flow} and {@code cnf} commands load from a model directory and
 * run on a backend: samples with their log-density, and the log-density of given points.
 */
interface DensityModel extends AutoCloseable {
    /** A command that loads one kind of model (the parent of the {@code sample} and {@code logprob} subcommands). */
    interface Family {
        /** The model directory at {@code dir} on {@code backend}; the loader's FormatException when it is malformed. */
        DensityModel load(Path dir, Backend backend) throws IOException;
    }

    /** x [n, dim] and log q(x) [n, 1], the caller's to close, and how they were computed (may be empty). */
    record Drawn(Tensor x, Tensor logQ, String how) implements AutoCloseable {
        @Override
        public void close() {
            try {
                x.close();
            } finally {
                logQ.close();
            }
        }
    }

    /** log p(x) [n, 1], the caller's to close, and how it was computed (may be empty). */
    record Scored(Tensor logP, String how) implements AutoCloseable {
        @Override
        public void close() { logP.close(); }
    }

    int dim();

    /** The model in words. */
    String describe();

    /** n samples with Philox seed {@code seed}. */
    Drawn sample(int n, long seed);

    /** log p of the rows of x [n, dim] (finite); {@code probeSeed}: the seed of random trace probes, where the model has them. */
    Scored logProb(Tensor x, OptionalLong probeSeed);

    @Override
    void close();
}
