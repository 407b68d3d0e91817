package org.flowkernels.spi;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A user's device code in the kernel dialect (include/dialect.h: REAL, RC(x), the math
 * functions of OpenCL C and CUDA): the bodies of the functions a kernel calls, each with the
 * file and line it starts at, so that a compiler message points at the user's own text, and
 * the names of the scalar parameters the bodies read (each is a {@code const REAL} of that
 * name inside every body, set from the run's values).
 *
 * <p>Bodies, by name (include/user.h declares the functions around them):
 * <pre>
 * energy            REAL energy(x, dim, params): V of one configuration X(0) .. X(dim - 1)
 * gradient          void gradient(x, dim, params, grad): G(c) = dV/dx_c (G starts at zero)
 * pair_energy       REAL pair_energy(r2): the energy φ(r) of a pair at squared distance r2
 * pair_force        REAL pair_force(r2): −φ'(r)/r, so that particle i feels pair_force(r2) (r_i − r_j)
 * one_body          REAL one_body(x, dim, params): an external energy of one particle X(0) .. X(dim − 1)
 * one_body_gradient void one_body_gradient(...): G(k) = its gradient
 * velocity          void velocity(x, t, dim, params, v): V(c) = v_c(x, t)
 * jvp               void jvp(x, t, dim, params, e, jv): JV(c) = Σ_k ∂v_c/∂x_k E(k)
 * </pre>
 * Bodies read coordinates only through X(i) (and tangents through E(i)) and write through
 * G(i), V(i), JV(i): in the bounds-checked (debug) build those macros check the index.
 *
 * @param file       the name the compiler's messages give (a file name, or "&lt;name&gt;" for code given as strings)
 * @param bodies     body text by function name, each with its first line in {@code file}
 * @param parameters the parameter names, in the order of the values the kernels receive
 */
public record Snippet(String file, Map<String, Body> bodies, List<String> parameters) {
    /** One function body: its text, and the line of {@code file} on which the text begins. */
    public record Body(String text, int line) {
        public Body {
            if (text == null) throw new IllegalArgumentException("body: expected text, got null");
            if (line < 1) throw new IllegalArgumentException("line: expected >= 1, got " + line);
        }
    }

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** Names a parameter may not take: C and OpenCL keywords, the snippet's own names and macros. */
    private static final java.util.Set<String> RESERVED = java.util.Set.of("auto", "break", "case", "char", "const",
            "continue", "default", "do", "double", "else", "enum", "extern", "float", "for", "goto", "if", "inline", "int",
            "long", "register", "restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch",
            "typedef", "union", "unsigned", "void", "volatile", "while", "half", "uint", "bool", "true", "false",
            "kernel", "global", "local", "constant", "private", "X", "G", "V", "E", "JV", "dim", "r2", "t", "REAL", "RC",
            "FN", "GLOBAL", "LOCAL", "KERNEL");

    public Snippet {
        if (file == null || file.isBlank()) throw new IllegalArgumentException("file: expected a name, got '" + file + "'");
        if (bodies == null || bodies.isEmpty()) throw new IllegalArgumentException("bodies: expected at least one function body, got none");
        bodies = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(bodies));
        parameters = List.copyOf(parameters);
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (String p : parameters) {
            if (!IDENTIFIER.matcher(p).matches())
                throw new IllegalArgumentException(file + ": parameter '" + p + "' is not a C identifier");
            if (RESERVED.contains(p) || p.startsWith("fk_") || p.startsWith("FK_"))
                throw new IllegalArgumentException(file + ": parameter '" + p + "' is a reserved name (a C keyword, one of the "
                        + "snippet's own names X, G, V, E, JV, dim, r2, t, or an fk_/FK_ name)");
            if (!seen.add(p)) throw new IllegalArgumentException(file + ": parameter '" + p + "' is declared twice");
        }
    }

    /** Whether the body {@code name} is there. */
    public boolean has(String name) {
        return bodies.containsKey(name);
    }

    public Body body(String name) {
        Body b = bodies.get(name);
        if (b == null) throw new IllegalArgumentException(file + ": no '" + name + "' body (it has " + bodies.keySet() + ")");
        return b;
    }

    /**
     * Where messages place body {@code name}: the file itself for a .cl or .h file of sections (its
     * lines are the file's), else "FILE (NAME)" (a body from a JSON string or a Java string, whose
     * lines count from its own start).
     */
    public String label(String name) {
        return file.endsWith(".cl") || file.endsWith(".h") ? file : file + " (" + name + ")";
    }

    /** Everything the compiled program depends on, for a backend's cache of built programs. */
    public String key() {
        StringBuilder s = new StringBuilder(file).append('\u0000').append(parameters).append('\u0000');
        for (Map.Entry<String, Body> e : bodies.entrySet())
            s.append(e.getKey()).append('@').append(e.getValue().line()).append('\u0000').append(e.getValue().text()).append('\u0000');
        return s.toString();
    }
}
