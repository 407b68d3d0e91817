package org.flowkernels.io;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What every model directory shares (the coupling flows' flow.json, the continuous flows'
 * cnf.json): a JSON description, read strictly, with typed access to its fields whose errors
 * name the file and the field, and one weights file, {@code model.safetensors} or
 * {@code weights.npz} (or the file a {@code "weights"} entry names), under PyTorch
 * state_dict names.
 */
public final class ModelDirectory {
    public static final String SAFETENSORS = "model.safetensors", NPZ = "weights.npz";

    private final Path dir, description;
    private final JsonObject root;

    private ModelDirectory(Path dir, Path description, JsonObject root) {
        this.dir = dir;
        this.description = description;
        this.root = root;
    }

    /** Reads {@code dir/descriptionName}: UTF-8 text holding one strict JSON object. */
    public static ModelDirectory read(Path dir, String descriptionName) throws IOException {
        Path json = dir.resolve(descriptionName);
        String text;
        try {
            text = Files.readString(json);
        } catch (NoSuchFileException e) {
            throw new FormatException(dir, "not a model directory: no " + descriptionName);
        } catch (CharacterCodingException e) {
            throw new FormatException(json, "not UTF-8 text", e);
        }
        try (JsonReader r = new JsonReader(new StringReader(text))) {
            r.setStrictness(Strictness.STRICT);
            JsonElement e = JsonParser.parseReader(r);
            if (!e.isJsonObject()) throw new FormatException(json, "expected a JSON object, got " + e);
            return new ModelDirectory(dir, json, e.getAsJsonObject());
        } catch (RuntimeException e) {
            throw new FormatException(json, "not valid JSON: " + e.getMessage(), e);
        }
    }

    public Path dir() { return dir; }

    /** The description file. */
    public Path description() { return description; }

    public JsonObject root() { return root; }

    /** A problem with the description, naming its file. */
    public FormatException error(String problem) {
        return new FormatException(description, problem);
    }

    /** The root's "format" and "version" are these. */
    public void expect(String format, int version) throws FormatException {
        String f = string(root, "format", "");
        if (!f.equals(format)) throw error("format: expected \"" + format + "\", got \"" + f + "\"");
        int v = integer(root, "version", "");
        if (v != version) throw error("version: expected " + version + ", got " + v);
    }

    /**
     * The weights: the file the "weights" entry names, else the one of model.safetensors and
     * weights.npz present. Every floating-point tensor must hold finite values only.
     */
    public TensorFile weights() throws IOException {
        TensorFile weights;
        if (root.has("weights")) {
            weights = TensorFile.read(dir.resolve(string(root, "weights", "")));
        } else {
            boolean st = Files.exists(dir.resolve(SAFETENSORS)), npz = Files.exists(dir.resolve(NPZ));
            if (st && npz) throw error("both " + SAFETENSORS + " and " + NPZ + " are present: name one in \"weights\"");
            if (!st && !npz) throw new FormatException(dir, "no weights: expected " + SAFETENSORS + " or " + NPZ + " (or a \"weights\" entry)");
            weights = TensorFile.read(dir.resolve(st ? SAFETENSORS : NPZ));
        }
        requireFinite(weights);
        return weights;
    }

    /**
     * A NaN or an infinity in a weight (a diverged training run, say) would make every output
     * NaN without a word: name the tensor and the first such value.
     */
    private static void requireFinite(TensorFile weights) throws FormatException {
        for (String name : weights.names()) {
            FloatArray a = weights.entry(name).array();
            if (a == null) continue; // an integer or boolean entry: not a weight
            float[] v = a.data();
            for (int i = 0; i < v.length; i++)
                if (!Float.isFinite(v[i]))
                    throw new FormatException(weights.file(), "tensor '" + name + "': expected finite values, got " + v[i] + " at index "
                            + i + " (" + Arrays.toString(unravel(i, a.shape())) + " of shape " + Arrays.toString(a.shape()) + ")");
        }
    }

    /** The row-major multi-index of flat index i. */
    private static int[] unravel(int i, int[] shape) {
        int[] at = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            at[d] = i % shape[d];
            i /= shape[d];
        }
        return at;
    }

    /** Every tensor of the weights file was used; {@code hint} shows the expected names. */
    public static void requireAllUsed(TensorFile weights, Set<String> used, String what, String hint) throws FormatException {
        List<String> unused = weights.names().stream().filter(n -> !used.contains(n)).toList();
        if (!unused.isEmpty())
            throw new FormatException(weights.file(), "tensors the " + what + " does not use (check the names against " + hint + "): "
                    + String.join(", ", unused.size() > 8 ? unused.subList(0, 8) : unused) + (unused.size() > 8 ? ", ..." : ""));
    }

    /** A weights file name the writers take: it ends in .safetensors or .npz. */
    public static String checkWeightsName(String weightsFile) {
        String lower = weightsFile.toLowerCase(Locale.ROOT);
        if (!lower.endsWith(".safetensors") && !lower.endsWith(".npz"))
            throw new IllegalArgumentException("weightsFile: expected a name ending in .safetensors or .npz, got '" + weightsFile + "'");
        return weightsFile;
    }

    /** Writes {@code dir/descriptionName} and the tensors to {@code dir/weightsFile} (safetensors or npz by its name). */
    public static void write(Path dir, String descriptionName, JsonObject root, String weightsFile, Map<String, FloatArray> tensors)
            throws IOException {
        checkWeightsName(weightsFile);
        Files.createDirectories(dir);
        Path weights = dir.resolve(weightsFile);
        if (weightsFile.toLowerCase(Locale.ROOT).endsWith(".npz")) Npz.write(weights, tensors);
        else Safetensors.write(weights, tensors, Map.of("format", "pt", "producer", "flowkernels"));
        Files.writeString(dir.resolve(descriptionName), new GsonBuilder().setPrettyPrinting().create().toJson(root) + "\n");
    }

    public static JsonArray ints(int[] v) {
        JsonArray a = new JsonArray();
        for (int x : v) a.add(x);
        return a;
    }

    // ---------------------------------------------------------------- typed fields; at = the enclosing path ("" at the root)

    public JsonElement field(JsonObject o, String name, String at) throws FormatException {
        JsonElement e = o.get(name);
        if (e == null || e.isJsonNull()) throw error(path(at, name) + ": missing");
        return e;
    }

    public String string(JsonObject o, String name, String at) throws FormatException {
        JsonElement e = field(o, name, at);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) throw error(path(at, name) + ": expected a string, got " + e);
        return e.getAsString();
    }

    public double number(JsonObject o, String name, String at) throws FormatException {
        JsonElement e = field(o, name, at);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) throw error(path(at, name) + ": expected a number, got " + e);
        return e.getAsDouble();
    }

    public boolean bool(JsonObject o, String name, String at) throws FormatException {
        JsonElement e = field(o, name, at);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean())
            throw error(path(at, name) + ": expected true or false, got " + e);
        return e.getAsBoolean();
    }

    public int integer(JsonObject o, String name, String at) throws FormatException {
        return integer(field(o, name, at), path(at, name));
    }

    public long longInteger(JsonObject o, String name, String at) throws FormatException {
        return exact(field(o, name, at), path(at, name), "a 64-bit integer");
    }

    public int integer(JsonElement e, String what) throws FormatException {
        long v = exact(e, what, "an integer");
        if (v != (int) v) throw error(what + ": expected an integer, got " + e);
        return (int) v;
    }

    private long exact(JsonElement e, String what, String expected) throws FormatException {
        try {
            if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) return new java.math.BigDecimal(e.getAsString()).longValueExact();
        } catch (ArithmeticException | NumberFormatException x) {
            // falls through to the message
        }
        throw error(what + ": expected " + expected + ", got " + e);
    }

    public int[] ints(JsonObject o, String name, String at) throws FormatException {
        JsonArray a = array(o, name, at);
        int[] v = new int[a.size()];
        for (int i = 0; i < v.length; i++) v[i] = integer(a.get(i), path(at, name) + "[" + i + "]");
        return v;
    }

    public JsonArray array(JsonObject o, String name, String at) throws FormatException {
        JsonElement e = field(o, name, at);
        if (!e.isJsonArray()) throw error(path(at, name) + ": expected an array, got " + e);
        return e.getAsJsonArray();
    }

    public JsonObject object(JsonElement e, String at) throws FormatException {
        if (e == null || !e.isJsonObject()) throw error(at + ": expected an object, got " + e);
        return e.getAsJsonObject();
    }

    private static String path(String at, String name) {
        return at.isEmpty() ? name : at + "." + name;
    }
}
