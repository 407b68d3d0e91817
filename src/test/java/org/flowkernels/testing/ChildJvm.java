package org.flowkernels.testing;

import java.io.File;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/** For tests that start a second JVM: a class path that sees what this test sees. */
public final class ChildJvm {
    private ChildJvm() {}

    /**
     * java.class.path plus the URLs of the class loaders above the test's: under Maven the
     * first is everything, under the JUnit console launcher (ci/gpu-check) the test and main
     * classes are only in the launcher's own class loader.
     */
    public static String classPath() {
        Set<String> entries = new LinkedHashSet<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) if (!e.isEmpty()) entries.add(e);
        for (ClassLoader l = ChildJvm.class.getClassLoader(); l != null; l = l.getParent())
            if (l instanceof URLClassLoader u)
                for (URL url : u.getURLs())
                    try {
                        entries.add(Path.of(url.toURI()).toString());
                    } catch (URISyntaxException | IllegalArgumentException e) {
                        // not a file: a child JVM could not use it anyway
                    }
        return String.join(File.pathSeparator, entries);
    }
}
