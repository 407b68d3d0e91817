package org.flowkernels.backend.device;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flowkernels.FlowKernelsException;

/**
 * The kernel program as one string, for OpenCL: native-kernels/flowkernels.cl with its
 * {@code #include "..."} lines replaced by the files they name (read from the classpath,
 * where a .cl file has no include path), each file once, with {@code #line} markers so that
 * a build log points at the original file and line. nvcc reads the same files directly.
 */
public final class KernelSource {
    public static final String ROOT = "org/flowkernels/kernels/";
    public static final String PROGRAM = "flowkernels.cl";
    private static final Pattern INCLUDE = Pattern.compile("^\\s*#\\s*include\\s+\"([^\"]+)\"\\s*$");
    private static volatile String program;

    private KernelSource() {}

    /** The joined program (cached). */
    public static String program() {
        String p = program;
        if (p == null) {
            StringBuilder out = new StringBuilder();
            append(PROGRAM, new HashSet<>(), Map.of(), out);
            program = p = out.toString();
        }
        return p;
    }

    /**
     * The joined program with some files' text replaced (path relative to native-kernels/ →
     * text): how a user's snippet takes the place of include/user-code.h ({@link UserProgram}).
     */
    public static String program(Map<String, String> replaced) {
        StringBuilder out = new StringBuilder();
        append(PROGRAM, new HashSet<>(), replaced, out);
        return out.toString();
    }

    private static void append(String path, Set<String> seen, Map<String, String> replaced, StringBuilder out) {
        if (!seen.add(path)) return;
        String text = replaced.containsKey(path) ? replaced.get(path) : path.equals(ContractHeader.PATH) ? ContractHeader.text() : read(path);
        String dir = path.contains("/") ? path.substring(0, path.lastIndexOf('/') + 1) : "";
        String[] lines = text.split("\n", -1);
        out.append("#line 1 \"").append(path).append("\"\n");
        for (int i = 0; i < lines.length; i++) {
            Matcher m = INCLUDE.matcher(lines[i]);
            if (m.matches()) {
                append(normalize(dir + m.group(1)), seen, replaced, out);
                out.append("#line ").append(i + 2).append(" \"").append(path).append("\"\n");
            } else {
                out.append(lines[i]).append('\n');
            }
        }
    }

    private static String normalize(String path) {
        var parts = new java.util.ArrayDeque<String>();
        for (String s : path.split("/")) {
            if (s.isEmpty() || s.equals(".")) continue;
            if (s.equals("..")) parts.pollLast();
            else parts.addLast(s);
        }
        return String.join("/", parts);
    }

    private static String read(String path) {
        // Class.getResourceAsStream reads this module's own resources, also on the module path
        try (InputStream in = KernelSource.class.getResourceAsStream("/" + ROOT + path)) {
            if (in == null) throw new FlowKernelsException("kernel source " + ROOT + path + " is not on the classpath");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new FlowKernelsException("reading kernel source " + ROOT + path + ": " + e.getMessage(), e);
        }
    }
}
