package org.flowkernels.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flowkernels.spi.Snippet;

/**
 * A user's kernel snippet file, as {@code sample custom} and {@code UserPotential.load} read it.
 * Two spellings of the same content:
 * <pre>
 * // morse.cl: any text before the first section is a comment
 * //! parameters D=1 a=1.5 r0=1
 * //! dim 3
 * //! pair_energy
 * REAL e = exp(-a * (sqrt(r2) - r0));
 * return D * (1 - e) * (1 - e);
 * //! pair_force
 * ...
 * </pre>
 * A line {@code //! NAME} opens the body NAME (one of {@code allowed}), which runs to the next
 * such line; {@code //! parameters} declares the parameters with their default values, in order;
 * {@code //! dim D} gives a pair potential's particle dimension. The .json spelling is one object
 * with the bodies as strings under their names, "parameters" an object of numbers and "dim" a
 * number. Compiler messages then point at the .cl file's own lines, or at "FILE.json (NAME)" and
 * the line within the string.
 *
 * @param snippet    the bodies (with the parameter names)
 * @param parameters the declared parameters and their defaults, in order
 * @param dim        the declared particle dimension, or 0
 */
public record SnippetFile(Snippet snippet, Map<String, Double> parameters, int dim) {
    private static final Pattern DIRECTIVE = Pattern.compile("^\\s*//!\\s*(\\w+)\\s*(.*?)\\s*$");
    private static final Pattern ASSIGN = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)\\s*=\\s*(\\S+)");

    /** Reads a .cl or .json snippet file whose bodies are among {@code allowed}. */
    public static SnippetFile read(Path file, Set<String> allowed) throws IOException {
        String text;
        try {
            text = Files.readString(file);
        } catch (CharacterCodingException e) {
            throw new FormatException(file, "not UTF-8 text", e);
        }
        String name = file.getFileName().toString();
        if (name.toLowerCase(Locale.ROOT).endsWith(".json")) return json(file, name, text, allowed);
        return sections(file, name, text, allowed);
    }

    private static SnippetFile sections(Path file, String name, String text, Set<String> allowed) throws FormatException {
        String[] lines = text.split("\r?\n", -1);
        Map<String, Snippet.Body> bodies = new LinkedHashMap<>();
        Map<String, Double> parameters = new LinkedHashMap<>();
        int dim = 0;
        String open = null;
        int openLine = 0;
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            Matcher m = DIRECTIVE.matcher(lines[i]);
            if (!m.matches()) {
                if (open != null) body.append(lines[i]).append('\n');
                continue;
            }
            String key = m.group(1), rest = m.group(2);
            int line = i + 1;
            if (key.equals("parameters")) {
                Matcher a = ASSIGN.matcher(rest);
                int end = 0;
                while (a.find()) {
                    if (!rest.substring(end, a.start()).isBlank()) throw error(file, line, "expected NAME=VALUE pairs, got '" + rest + "'");
                    parameters.put(a.group(1), number(file, line, a.group(1), a.group(2)));
                    end = a.end();
                }
                if (!rest.substring(end).isBlank()) throw error(file, line, "expected NAME=VALUE pairs, got '" + rest + "'");
                continue;
            }
            if (key.equals("dim")) {
                dim = (int) (double) number(file, line, "dim", rest);
                continue;
            }
            if (!allowed.contains(key)) throw error(file, line, "unknown section '" + key + "' (expected one of " + allowed
                    + ", parameters or dim)");
            if (!rest.isEmpty()) throw error(file, line, "expected nothing after //! " + key + ", got '" + rest + "'");
            if (open != null) bodies.put(open, new Snippet.Body(body.toString(), openLine));
            if (bodies.containsKey(key)) throw error(file, line, "section '" + key + "' appears twice");
            open = key;
            openLine = line + 1;
            body.setLength(0);
        }
        if (open != null) bodies.put(open, new Snippet.Body(body.toString(), Math.max(1, openLine)));
        if (bodies.isEmpty()) throw new FormatException(file, "no '//! NAME' section (expected some of " + allowed + ")");
        return new SnippetFile(snippet(file, name, bodies, parameters), parameters, dim);
    }

    private static SnippetFile json(Path file, String name, String text, Set<String> allowed) throws FormatException {
        JsonObject root;
        try (JsonReader r = new JsonReader(new StringReader(text))) {
            r.setStrictness(Strictness.STRICT);
            JsonElement e = JsonParser.parseReader(r);
            if (!e.isJsonObject()) throw new FormatException(file, "expected a JSON object, got " + e);
            root = e.getAsJsonObject();
        } catch (IOException | RuntimeException e) {
            throw new FormatException(file, "not valid JSON: " + e.getMessage(), e);
        }
        Map<String, Snippet.Body> bodies = new LinkedHashMap<>();
        Map<String, Double> parameters = new LinkedHashMap<>();
        int dim = 0;
        for (Map.Entry<String, JsonElement> e : root.entrySet()) {
            String key = e.getKey();
            JsonElement v = e.getValue();
            if (key.equals("parameters")) {
                if (!v.isJsonObject()) throw new FormatException(file, "parameters: expected an object of numbers, got " + v);
                for (Map.Entry<String, JsonElement> p : v.getAsJsonObject().entrySet()) {
                    if (!p.getValue().isJsonPrimitive() || !p.getValue().getAsJsonPrimitive().isNumber())
                        throw new FormatException(file, "parameters." + p.getKey() + ": expected a number, got " + p.getValue());
                    parameters.put(p.getKey(), p.getValue().getAsDouble());
                }
            } else if (key.equals("dim")) {
                if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber())
                    throw new FormatException(file, "dim: expected a number, got " + v);
                dim = v.getAsInt();
            } else if (allowed.contains(key)) {
                if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString())
                    throw new FormatException(file, key + ": expected the body as a string, got " + v);
                bodies.put(key, new Snippet.Body(v.getAsString(), 1));
            } else if (!key.equals("name") && !key.equals("description")) {
                throw new FormatException(file, "unknown key '" + key + "' (expected some of " + allowed + ", parameters, dim, name, description)");
            }
        }
        if (bodies.isEmpty()) throw new FormatException(file, "no body (expected some of " + allowed + ")");
        // a JSON string has no line of the file: messages name the key and the line within the string
        return new SnippetFile(snippet(file, name, bodies, parameters), parameters, dim);
    }

    private static Snippet snippet(Path file, String name, Map<String, Snippet.Body> bodies, Map<String, Double> parameters)
            throws FormatException {
        try {
            return new Snippet(name, bodies, List.copyOf(parameters.keySet()));
        } catch (IllegalArgumentException e) {
            throw new FormatException(file, e.getMessage());
        }
    }

    private static double number(Path file, int line, String what, String text) throws FormatException {
        try {
            double v = Double.parseDouble(text.trim());
            if (!Double.isFinite(v)) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw error(file, line, what + ": expected a finite number, got '" + text + "'");
        }
    }

    private static FormatException error(Path file, int line, String problem) {
        return new FormatException(Path.of(file + ":" + line), problem);
    }
}
