package org.flowkernels.backend.device;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flowkernels.SnippetException;
import org.flowkernels.spi.PotentialSpec;
import org.flowkernels.spi.Snippet;
import org.flowkernels.spi.UserFieldKernels;

/**
 * The kernel program for a user's snippet, for OpenCL and CUDA alike: the library's program
 * ({@link KernelSource}) with FK_USER_POTENTIAL defined and include/user-code.h replaced by the
 * user's bodies, each wrapped in the function include/user.h expects, its parameters declared as
 * {@code const REAL} locals and a {@code #line} marker before it so that the compiler's messages
 * carry the user's file and line. Also reads those messages back ({@link #failure}) and the
 * bounds-checked build's record of the first out-of-range index ({@link #violation}).
 *
 * @param key    what the build depends on (the backends cache programs by it)
 * @param source the whole program text
 */
public record UserProgram(String key, String source, Snippet snippet, List<String> bodies) {
    /** The functions a potential's bodies become (name, C signature up to the body). */
    private static final Map<String, String> POTENTIAL = Map.of(
            "energy", "FN REAL fk_user_energy(const REAL* fk_x, int dim, GLOBAL const REAL* fk_p)",
            "gradient", "FN void fk_user_gradient(const REAL* fk_x, int dim, GLOBAL const REAL* fk_p, REAL* fk_g)",
            "pair_energy", "FN REAL fk_user_pair_energy(REAL r2, GLOBAL const REAL* fk_p)",
            "pair_force", "FN REAL fk_user_pair_force(REAL r2, GLOBAL const REAL* fk_p)",
            "one_body", "FN REAL fk_user_one_body(const REAL* fk_x, int dim, GLOBAL const REAL* fk_p)",
            "one_body_gradient", "FN void fk_user_one_body_gradient(const REAL* fk_x, int dim, GLOBAL const REAL* fk_p, REAL* fk_g)");

    /** The functions a vector field's bodies become. */
    private static final Map<String, String> FIELD = Map.of(
            "velocity", "FN void fk_user_velocity(const REAL* fk_x, REAL t, int dim, GLOBAL const REAL* fk_p, REAL* fk_v)",
            "jvp", "FN void fk_user_jvp(const REAL* fk_x, REAL t, int dim, GLOBAL const REAL* fk_p, const REAL* fk_e, REAL* fk_jv)");

    /** The order the functions are written in (the wrappers call them after). */
    private static final List<String> ORDER = List.of("energy", "gradient", "pair_energy", "pair_force", "one_body", "one_body_gradient");

    /** The file the generated code lives in, for the compiler. */
    static final String CODE_FILE = "include/user-code.h";

    /** Checked-build violation codes: body index times this, plus the line. */
    private static final int BODY_STRIDE = 1_000_000;

    /** The program for user potential {@code u}, whose kernels get its parameters (and two ints after them). */
    static UserProgram potential(PotentialSpec.User u) {
        Snippet s = u.snippet();
        StringBuilder code = new StringBuilder();
        code.append("#define FK_USER_PARAMS ").append(s.parameters().size()).append('\n');
        if (u.pairs()) code.append("#define FK_USER_PAIRS ").append(u.particleDim()).append('\n');
        if (s.has("one_body")) code.append("#define FK_USER_ONE_BODY 1\n");
        List<String> bodies = bodies(u);
        for (int b = 0; b < bodies.size(); b++) function(code, s, bodies.get(b), POTENTIAL.get(bodies.get(b)), b + 1);
        String defines = "#define FK_USER_POTENTIAL 1\n" + (u.boundsChecked() ? "#define FK_USER_DEBUG 1\n" : "");
        String source = defines + KernelSource.program(Map.of(CODE_FILE, code.toString()));
        checkParameters(s, source);
        return new UserProgram(key(u), source, s, bodies);
    }

    /** The program for a user's vector field (user_field.cl's kernel), whose kernel gets its parameters and two ints after them. */
    static UserProgram field(UserFieldKernels.Field f) {
        Snippet s = f.snippet();
        StringBuilder code = new StringBuilder();
        code.append("#define FK_USER_PARAMS ").append(s.parameters().size()).append('\n');
        if (s.has("jvp")) code.append("#define FK_USER_JVP 1\n");
        List<String> bodies = bodies(f);
        for (int b = 0; b < bodies.size(); b++) function(code, s, bodies.get(b), FIELD.get(bodies.get(b)), b + 1);
        String defines = "#define FK_USER_FIELD 1\n" + (f.boundsChecked() ? "#define FK_USER_DEBUG 1\n" : "");
        String source = defines + KernelSource.program(Map.of(CODE_FILE, code.toString()));
        checkParameters(s, source);
        return new UserProgram(key(f), source, s, bodies);
    }

    static String key(UserFieldKernels.Field f) {
        return f.snippet().key() + "\u0000field\u0000debug=" + f.boundsChecked();
    }

    static List<String> bodies(UserFieldKernels.Field f) {
        return f.snippet().has("jvp") ? List.of("velocity", "jvp") : List.of("velocity");
    }

    /** What a user potential's build depends on: the snippet, its form, the check. */
    static String key(PotentialSpec.User u) {
        return u.snippet().key() + "\u0000pairs=" + u.particleDim() + "\u0000debug=" + u.boundsChecked();
    }

    /** The bodies of the potential's form that its program compiles, in order (their numbers are 1, 2, ...). */
    static List<String> bodies(PotentialSpec.User u) {
        List<String> out = new ArrayList<>();
        for (String name : ORDER)
            if (u.snippet().has(name) && (name.startsWith("one_body") || u.pairs() == name.startsWith("pair"))) out.add(name);
        return out;
    }

    /** One body as a function: the signature and the parameter locals on one line, the #line marker, the body. */
    private static void function(StringBuilder code, Snippet s, String name, String signature, int index) {
        Snippet.Body b = s.body(name);
        code.append("#define FK_USER_BODY ").append(index).append('\n');
        code.append(signature).append(" {");
        List<String> p = s.parameters();
        for (int k = 0; k < p.size(); k++)
            code.append(" const REAL ").append(p.get(k)).append(" = fk_p[").append(k).append("]; (void)").append(p.get(k)).append(';');
        code.append('\n').append("#line ").append(b.line()).append(" \"").append(quote(s.label(name))).append("\"\n");
        code.append(b.text());
        if (!b.text().endsWith("\n")) code.append('\n');
        code.append("}\n#undef FK_USER_BODY\n#line 1 \"").append(CODE_FILE).append("\"\n");
    }

    private static String quote(String label) {
        return label.replace("\\", "/").replace("\"", "'");
    }

    private static final Pattern DEFINE = Pattern.compile("(?m)^\\s*#\\s*define\\s+([A-Za-z_][A-Za-z0-9_]*)");

    /** A parameter named like one of the program's macros would be replaced by it: say so before the compiler does. */
    private static void checkParameters(Snippet s, String source) {
        Set<String> macros = new LinkedHashSet<>();
        Matcher m = DEFINE.matcher(source);
        while (m.find()) macros.add(m.group(1));
        for (String p : s.parameters())
            if (macros.contains(p))
                throw new SnippetException(s.file(), 0, "parameter '" + p + "' has the name of a macro of the kernels; rename it", "");
    }

    private static final Pattern CLANG = Pattern.compile("^(.*?):(\\d+):(?:\\d+:)?\\s*(?:fatal )?error:\\s*(.*)$");
    private static final Pattern NVRTC = Pattern.compile("^(.*?)\\((\\d+)\\):\\s*(?:catastrophic )?error:?\\s*(.*)$");
    private static final Pattern POCL = Pattern.compile("^(?:fatal )?error:\\s*(.*?):(\\d+):(?:\\d+:)?\\s*(.*)$");

    /**
     * The compiler's log as one {@link SnippetException}: its first line names the first error in
     * one of the user's bodies (file and line as the user knows them), else the first error at all,
     * and the whole log follows.
     */
    public SnippetException failure(String compiler, String log) {
        Set<String> labels = new LinkedHashSet<>();
        for (String b : bodies) labels.add(snippet.label(b));
        String[] first = null;
        for (String line : log.split("\r?\n")) {
            Matcher m = CLANG.matcher(line.trim());
            if (!m.matches()) m = POCL.matcher(line.trim());
            if (!m.matches()) m = NVRTC.matcher(line.trim());
            if (!m.matches()) continue;
            String file = m.group(1).trim();
            for (String l : labels)
                if (file.endsWith(quote(l))) return new SnippetException(l, Integer.parseInt(m.group(2)), "error: " + m.group(3), log);
            if (first == null) first = new String[] {file, m.group(2), m.group(3)};
        }
        if (first != null)
            return new SnippetException(snippet.file(), 0, compiler + " failed in the library's code around the snippet ("
                    + first[0] + ":" + first[1] + ": " + first[2] + ")", log);
        return new SnippetException(snippet.file(), 0, compiler + " failed (no error line in its log)", log);
    }

    /** The bounds-checked build's record (code, index) of a snippet compiled with these bodies (numbered from 1), as the
     *  exception to throw, or null when there was none. */
    static SnippetException violation(Snippet snippet, List<String> bodies, int code, int index) {
        if (code == 0) return null;
        int where = Math.abs(code), body = where / BODY_STRIDE, line = where % BODY_STRIDE;
        String name = body >= 1 && body <= bodies.size() ? bodies.get(body - 1) : "?";
        String array = code > 0 ? (name.equals("jvp") ? "X or E" : "X") : switch (name) {
            case "velocity" -> "V";
            case "jvp" -> "JV";
            default -> "G";
        };
        return new SnippetException(snippet.label(name), line, array + "(" + index + ") in '" + name
                + "': index out of range 0 .. dim - 1 (bounds-checked build)", "");
    }
}
