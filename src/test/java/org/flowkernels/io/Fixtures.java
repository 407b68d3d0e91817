package org.flowkernels.io;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** The files under src/test/resources/fixtures (made by fixtures/make_fixtures.py). */
public final class Fixtures {
    private Fixtures() {}

    public static Path path(String name) {
        try {
            return Path.of(Fixtures.class.getResource("/fixtures/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("test fixture " + name + " is not on the classpath", e);
        }
    }
}
