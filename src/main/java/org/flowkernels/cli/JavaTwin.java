package org.flowkernels.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.flowkernels.SnippetException;
import org.flowkernels.io.FormatException;
import org.flowkernels.physics.UserPotential;

/**
 * A snippet's Java twin given on the command line as a .java file: compiled in memory with the
 * JDK's compiler and loaded, so that {@code sample custom} and {@code simulate custom} run on
 * the CPU backend too. The file holds one public class of its own name with a no-argument
 * constructor that implements {@link UserPotential.Function}. A compile error is a
 * {@link SnippetException} at the file's line.
 */
final class JavaTwin {
    private JavaTwin() {}

    static UserPotential.Function load(Path file) throws IOException {
        String source = Files.readString(file, StandardCharsets.UTF_8);
        String name = file.getFileName().toString();
        if (!name.endsWith(".java")) throw new FormatException(file, "expected a .java file holding the Java twin");
        String className = name.substring(0, name.length() - 5);
        String pkg = packageOf(source);
        String binary = pkg.isEmpty() ? className : pkg + "." + className;
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null)
            throw new IllegalStateException("--java: this Java runtime has no compiler (a JRE or a trimmed image); run the tool "
                    + "with a JDK, or without --java on an OpenCL or CUDA backend");
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Map<String, byte[]> classes = new HashMap<>();
        StandardJavaFileManager standard = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8);
        var manager = new ForwardingJavaFileManager<>(standard) {
            @Override
            public JavaFileObject getJavaFileForOutput(Location location, String cls, JavaFileObject.Kind kind, FileObject sibling) {
                return new SimpleJavaFileObject(URI.create("mem:///" + cls.replace('.', '/') + kind.extension), kind) {
                    @Override
                    public java.io.OutputStream openOutputStream() {
                        return new java.io.ByteArrayOutputStream() {
                            @Override
                            public void close() {
                                classes.put(cls, toByteArray());
                            }
                        };
                    }
                };
            }
        };
        JavaFileObject unit = new SimpleJavaFileObject(URI.create("string:///" + name), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) { return source; }
        };
        List<String> options = List.of("-classpath", classPath(), "-proc:none", "-Xlint:none");
        boolean ok = javac.getTask(null, manager, diagnostics, options, null, List.of(unit)).call();
        if (!ok) {
            StringBuilder log = new StringBuilder();
            Diagnostic<? extends JavaFileObject> first = null;
            for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                log.append(name).append(':').append(d.getLineNumber()).append(": ").append(d.getKind().toString().toLowerCase(Locale.ROOT))
                        .append(": ").append(d.getMessage(Locale.ROOT)).append('\n');
                if (first == null && d.getKind() == Diagnostic.Kind.ERROR) first = d;
            }
            throw new SnippetException(name, first == null ? 0 : (int) first.getLineNumber(),
                    "error: " + (first == null ? "javac failed"
                    : String.join("; ", first.getMessage(Locale.ROOT).lines().map(String::trim).toList())), log.toString());
        }
        ClassLoader loader = new ClassLoader(JavaTwin.class.getClassLoader()) {
            @Override
            protected Class<?> findClass(String cls) throws ClassNotFoundException {
                byte[] b = classes.get(cls);
                if (b == null) throw new ClassNotFoundException(cls);
                return defineClass(cls, b, 0, b.length);
            }
        };
        try {
            Class<?> c = loader.loadClass(binary);
            if (!UserPotential.Function.class.isAssignableFrom(c))
                throw new SnippetException(name, 0, "class " + binary + " does not implement org.flowkernels.physics.UserPotential.Function", "");
            return (UserPotential.Function) c.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new SnippetException(name, 0, "cannot make a " + binary + " with its public no-argument constructor: " + e, "");
        }
    }

    private static String packageOf(String source) {
        var m = java.util.regex.Pattern.compile("(?m)^\\s*package\\s+([\\w.]+)\\s*;").matcher(source);
        return m.find() ? m.group(1) : "";
    }

    /** The class path that holds the library (the tool's jar, or the classes folder in tests). */
    private static String classPath() {
        String cp = System.getProperty("java.class.path", "");
        try {
            var where = UserPotential.class.getProtectionDomain().getCodeSource();
            if (where != null) cp = Path.of(where.getLocation().toURI()) + java.io.File.pathSeparator + cp;
        } catch (java.net.URISyntaxException | RuntimeException e) {
            // the class path alone
        }
        return cp;
    }
}
