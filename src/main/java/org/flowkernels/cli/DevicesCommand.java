package org.flowkernels.cli;

import java.util.concurrent.Callable;
import org.flowkernels.BackendStatus;
import org.flowkernels.Backends;
import picocli.CommandLine.Command;

/** Lists every backend, the device behind it, and why any is unavailable. */
@Command(name = "devices", mixinStandardHelpOptions = true,
        description = "List every backend, the device behind it, and why any is unavailable.")
final class DevicesCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        for (BackendStatus s : Backends.available()) {
            if (s.available()) System.out.printf("%-10s available    %s%n", s.name(), s.device());
            else System.out.printf("%-10s unavailable  %s%n", s.name(), s.reason());
        }
        String asked = Backends.requested();
        System.out.println();
        System.out.println(asked != null ? "FLOWKERNELS_BACKEND / flowkernels.backend asks for: " + asked
                : "best available (what the library picks by default): " + Backends.best().name());
        return 0;
    }
}
