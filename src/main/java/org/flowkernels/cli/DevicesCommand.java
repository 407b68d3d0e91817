package org.flowkernels.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.flowkernels.BackendStatus;
import org.flowkernels.Backends;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Lists every backend, the device behind it, and why any is unavailable. */
@Command(name = "devices", mixinStandardHelpOptions = true,
        description = {"List every backend (cpu, opencl:N, cuda:N), the device behind it, and why any is unavailable; "
                + "then the backend the other commands use by default.", "Prints only; writes no files."})
final class DevicesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        for (BackendStatus s : Backends.available()) {
            if (s.available()) out.printf("%-10s available    %s%n", s.name(), s.device());
            else out.printf("%-10s unavailable  %s%n", s.name(), s.reason());
        }
        String asked = Backends.requested();
        out.println();
        out.println(asked != null ? "FLOWKERNELS_BACKEND / flowkernels.backend asks for: " + asked
                : "best available (what the library picks by default): " + Backends.best().name());
        return 0;
    }
}
