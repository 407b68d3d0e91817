package org.flowkernels.testing;

import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.ArgumentsProvider;

/** One argument per backend of this machine: the backend, or null where there is none (the
 *  {@link BackendGuard} then skips or fails that invocation, with the reason). */
public final class AvailableBackends implements ArgumentsProvider {
    @Override
    public Stream<? extends Arguments> provideArguments(ExtensionContext context) {
        return TestBackends.entries().values().stream().map(e -> Arguments.of(Named.of(e.name(), e.backend())));
    }
}
