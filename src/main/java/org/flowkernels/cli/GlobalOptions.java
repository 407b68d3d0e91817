package org.flowkernels.cli;

import java.io.PrintWriter;
import org.flowkernels.Backend;
import org.flowkernels.Backends;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Options every command that computes takes (a picocli mixin), and the command's output streams. */
public final class GlobalOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--backend", paramLabel = "NAME",
            description = "cpu, opencl, opencl:N, cuda or cuda:N (default: the best available, CUDA, then an OpenCL GPU, "
                    + "then cpu; the environment variable FLOWKERNELS_BACKEND also names one)")
    String backend;

    @Option(names = "--precision", paramLabel = "P", defaultValue = "float32",
            description = "arithmetic precision; the kernels run in float32 only, anything else is an error (default: ${DEFAULT-VALUE})")
    String precision;

    @Option(names = "--debug", description = "print the stack trace of an error")
    boolean debug;

    /** The backend asked for, or the best one; fails with the reason if it is not available. */
    public Backend backend() {
        checkPrecision();
        return backend != null ? Backends.get(backend) : Backends.best();
    }

    void checkPrecision() {
        if (!"float32".equalsIgnoreCase(precision.trim()))
            throw new IllegalArgumentException("--precision: expected float32 (the only precision the kernels run in), got '"
                    + precision + "'");
    }

    PrintWriter out() { return spec.commandLine().getOut(); }

    PrintWriter err() { return spec.commandLine().getErr(); }
}
