package org.flowkernels.flow;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.flowkernels.io.FloatArray;
import org.flowkernels.io.FormatException;
import org.flowkernels.io.ModelDirectory;
import org.flowkernels.io.TensorFile;
import org.flowkernels.nn.Activation;
import org.flowkernels.nn.Mlp;

/**
 * A model directory: {@code flow.json} describes the layers, the weights file holds the
 * conditioners under PyTorch state_dict names. Layer k's conditioner, an nn.Sequential of
 * nn.Linear and activation modules, has its j-th linear layer at {@code layers.k.net.(2j)}
 * ({@code .weight} [out, in], {@code .bias} [out]); k counts every layer, permutations too
 * (as an nn.ModuleList would). README.md, "Weights from PyTorch and NumPy", has the format.
 */
final class FlowFormat {
    private FlowFormat() {}

    static final String DESCRIPTION = "flow.json", SAFETENSORS = ModelDirectory.SAFETENSORS;
    static final String FORMAT = "flowkernels.coupling_flow";
    static final int VERSION = 1;

    /** The state_dict name of linear layer j of layer k's conditioner. */
    static String tensorName(int layer, int linear, String what) {
        return "layers." + layer + ".net." + 2 * linear + "." + what;
    }

    static CouplingFlow load(Path dir) throws IOException {
        ModelDirectory in = ModelDirectory.read(dir, DESCRIPTION);
        in.expect(FORMAT, VERSION);
        JsonObject root = in.root();
        Path json = in.description();
        int dim = in.integer(root, "dim", "");
        if (dim < 2) throw new FormatException(json, "dim: expected >= 2, got " + dim);
        TensorFile weights = in.weights();
        JsonArray layers = in.array(root, "layers", "");
        Set<String> used = new HashSet<>();
        List<FlowLayer> out = new ArrayList<>();
        for (int k = 0; k < layers.size(); k++) {
            String at = "layers[" + k + "]";
            JsonObject l = in.object(layers.get(k), at);
            try {
                out.add(layer(l, k, dim, weights, used, in, at));
            } catch (IllegalArgumentException e) {
                throw new FormatException(json, at + ": " + e.getMessage(), e);
            }
        }
        if (out.isEmpty()) throw new FormatException(json, "layers: expected at least one layer");
        ModelDirectory.requireAllUsed(weights, used, "flow", "layers.K.net.J.weight");
        return new CouplingFlow(out);
    }

    private static FlowLayer layer(JsonObject l, int k, int dim, TensorFile weights, Set<String> used, ModelDirectory in, String at)
            throws FormatException {
        String type = in.string(l, "type", at);
        if (type.equals("permutation")) return Permutation.of(in.ints(l, "indices", at));
        if (!type.equals("affine") && !type.equals("additive"))
            throw new FormatException(in.description(), at + ".type: expected affine, additive or permutation, got \"" + type + "\"");
        Mask mask = mask(in.object(l.get("mask"), at + ".mask"), dim, in, at + ".mask");
        int[] hidden = l.has("hidden") ? in.ints(l, "hidden", at) : new int[0];
        Activation act = Activation.parse(l.has("activation") ? in.string(l, "activation", at) : "tanh");
        boolean affine = type.equals("affine");
        int[] widths = AffineCoupling.widths(mask.conditioningCount(), hidden,
                affine ? 2 * mask.transformedCount() : mask.transformedCount());
        List<Mlp.Layer> linears = new ArrayList<>();
        for (int j = 0; j + 1 < widths.length; j++) {
            String w = tensorName(k, j, "weight"), b = tensorName(k, j, "bias");
            linears.add(new Mlp.Layer(widths[j], widths[j + 1], weights.get(w, widths[j + 1], widths[j]).data(),
                    weights.get(b, widths[j + 1]).data()));
            used.add(w);
            used.add(b);
        }
        Mlp net = new Mlp(linears, act);
        if (!affine) return new AdditiveCoupling(mask, net);
        String bound = l.has("scale_bound") ? in.string(l, "scale_bound", at) : "tanh";
        ScaleBound sb = switch (bound) {
            case "tanh" -> ScaleBound.TANH;
            case "none" -> ScaleBound.NONE;
            case "soft_clamp" -> ScaleBound.softClamp(in.number(l, "clamp", at));
            default -> throw new FormatException(in.description(), at + ".scale_bound: expected tanh, none or soft_clamp, got \"" + bound + "\"");
        };
        return new AffineCoupling(mask, net, sb);
    }

    private static Mask mask(JsonObject m, int dim, ModelDirectory in, String at) throws FormatException {
        String kind = in.string(m, "kind", at);
        if (kind.equals("indices")) return Mask.of(dim, in.ints(m, "conditioning", at), in.ints(m, "transformed", at));
        if (!List.of("half", "alternating", "checkerboard").contains(kind))
            throw new FormatException(in.description(), at + ".kind: expected half, alternating, checkerboard or indices, got \"" + kind + "\"");
        String on = in.string(m, "condition_on", at);
        String[] names = kind.equals("half") ? new String[] {"first", "second"} : new String[] {"even", "odd"};
        int parity = on.equals(names[0]) ? 0 : on.equals(names[1]) ? 1 : -1;
        if (parity < 0)
            throw new FormatException(in.description(), at + ".condition_on: expected \"" + names[0] + "\" or \"" + names[1] + "\", got \"" + on + "\"");
        return switch (kind) {
            case "half" -> parity == 0 ? Mask.firstHalf(dim) : Mask.secondHalf(dim);
            case "alternating" -> parity == 0 ? Mask.even(dim) : Mask.odd(dim);
            default -> { // checkerboard
                int rows = in.integer(m, "rows", at), cols = in.integer(m, "cols", at);
                if ((long) rows * cols != dim)
                    throw new FormatException(in.description(), at + ": a " + rows + " x " + cols + " lattice has " + (long) rows * cols
                            + " sites, expected dim = " + dim);
                yield Mask.checkerboard(rows, cols, parity);
            }
        };
    }

    static void save(CouplingFlow flow, Path dir, String weightsFile) throws IOException {
        ModelDirectory.checkWeightsName(weightsFile);
        JsonObject root = new JsonObject();
        root.addProperty("format", FORMAT);
        root.addProperty("version", VERSION);
        root.addProperty("dim", flow.dim());
        root.addProperty("weights", weightsFile);
        JsonArray layers = new JsonArray();
        Map<String, FloatArray> tensors = new LinkedHashMap<>();
        for (int k = 0; k < flow.layers().size(); k++) {
            FlowLayer layer = flow.layers().get(k);
            JsonObject l = new JsonObject();
            if (layer instanceof Permutation p) {
                l.addProperty("type", "permutation");
                l.add("indices", ModelDirectory.ints(p.indices()));
            } else if (layer instanceof Coupling c) {
                l.addProperty("type", c.affine() ? "affine" : "additive");
                l.add("mask", mask(c.mask()));
                Mlp net = c.conditioner();
                int[] w = net.widths();
                l.add("hidden", ModelDirectory.ints(java.util.Arrays.copyOfRange(w, 1, w.length - 1)));
                l.addProperty("activation", net.activation().name().toLowerCase(Locale.ROOT));
                if (c.affine()) {
                    l.addProperty("scale_bound", c.scaleBound().id());
                    if (c.scaleBound().kind() == ScaleBound.Kind.SOFT_CLAMP) l.addProperty("clamp", c.scaleBound().clamp());
                }
                for (int j = 0; j < net.depth(); j++) {
                    Mlp.Layer lin = net.layers().get(j);
                    tensors.put(tensorName(k, j, "weight"), FloatArray.of(lin.weight(), lin.out(), lin.in()));
                    tensors.put(tensorName(k, j, "bias"), FloatArray.of(lin.bias(), lin.out()));
                }
            }
            layers.add(l);
        }
        root.add("layers", layers);
        ModelDirectory.write(dir, DESCRIPTION, root, weightsFile, tensors);
    }

    private static JsonObject mask(Mask m) {
        JsonObject o = new JsonObject();
        o.addProperty("kind", m.kind().name().toLowerCase(Locale.ROOT));
        switch (m.kind()) {
            case HALF -> o.addProperty("condition_on", m.parity() == 0 ? "first" : "second");
            case ALTERNATING -> o.addProperty("condition_on", m.parity() == 0 ? "even" : "odd");
            case CHECKERBOARD -> {
                o.addProperty("rows", m.rows());
                o.addProperty("cols", m.cols());
                o.addProperty("condition_on", m.parity() == 0 ? "even" : "odd");
            }
            case INDICES -> {
                o.add("conditioning", ModelDirectory.ints(m.conditioning()));
                o.add("transformed", ModelDirectory.ints(m.transformed()));
            }
        }
        return o;
    }
}
