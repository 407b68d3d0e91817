package org.flowkernels.ode;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
import org.flowkernels.rng.Distribution;

/**
 * A continuous flow's model directory: {@code cnf.json} describes the field and the solve,
 * the weights file holds the field's network as a PyTorch {@code nn.Sequential} named
 * {@code net} of nn.Linear and activation modules, so linear layer j is
 * {@code net.(2j).weight} [out, in] and {@code net.(2j).bias} [out]. README.md,
 * "Continuous flows", has the format.
 */
final class CnfFormat {
    private CnfFormat() {}

    static final String DESCRIPTION = "cnf.json", FORMAT = "flowkernels.cnf";
    static final int VERSION = 1;

    static String tensorName(int linear, String what) {
        return "net." + 2 * linear + "." + what;
    }

    static Cnf load(Path dir) throws IOException {
        ModelDirectory in = ModelDirectory.read(dir, DESCRIPTION);
        in.expect(FORMAT, VERSION);
        JsonObject root = in.root();
        int dim = in.integer(root, "dim", "");
        if (dim < 1) throw in.error("dim: expected >= 1, got " + dim);
        String kind = root.has("field") ? in.string(root, "field", "") : "mlp";
        if (!kind.equals("mlp") && !kind.equals("linear")) throw in.error("field: expected \"mlp\" or \"linear\", got \"" + kind + "\"");
        boolean linear = kind.equals("linear");
        for (String key : new String[] {"time_input", "hidden", "activation"})
            if (linear && root.has(key)) throw in.error(key + ": a linear field has none");
        boolean time = !linear && (!root.has("time_input") || in.bool(root, "time_input", ""));
        int[] hidden = root.has("hidden") ? in.ints(root, "hidden", "") : new int[0];
        Activation act = linear ? Activation.IDENTITY : activation(in, root);
        try {
            TensorFile weights = in.weights();
            int[] widths = new int[hidden.length + 2];
            widths[0] = dim + (time ? 1 : 0);
            System.arraycopy(hidden, 0, widths, 1, hidden.length);
            widths[widths.length - 1] = dim;
            Set<String> used = new HashSet<>();
            List<Mlp.Layer> layers = new ArrayList<>();
            for (int j = 0; j + 1 < widths.length; j++) {
                if (widths[j + 1] < 1) throw in.error("hidden[" + j + "]: expected >= 1, got " + widths[j + 1]);
                String w = tensorName(j, "weight"), b = tensorName(j, "bias");
                layers.add(new Mlp.Layer(widths[j], widths[j + 1], weights.get(w, widths[j + 1], widths[j]).data(),
                        weights.get(b, widths[j + 1]).data()));
                used.add(w);
                used.add(b);
            }
            ModelDirectory.requireAllUsed(weights, used, "field", "net.J.weight");
            VectorField field = linear ? new LinearField(dim, layers.get(0).weight(), layers.get(0).bias())
                    : new MlpField(new Mlp(layers, act), time);
            return new Cnf(field, solve(in, root));
        } catch (IllegalArgumentException e) {
            throw new FormatException(in.description(), e.getMessage(), e);
        }
    }

    private static Activation activation(ModelDirectory in, JsonObject root) throws FormatException {
        try {
            return Activation.parse(root.has("activation") ? in.string(root, "activation", "") : "tanh");
        } catch (IllegalArgumentException e) {
            throw in.error(e.getMessage());
        }
    }

    private static Solve solve(ModelDirectory in, JsonObject root) throws FormatException {
        String s = root.has("solver") ? in.string(root, "solver", "") : "rk4";
        Solver solver = Arrays.stream(Solver.values()).filter(v -> name(v).equals(s)).findFirst()
                .orElseThrow(() -> in.error("solver: expected euler, midpoint or rk4, got \"" + s + "\""));
        double t0 = root.has("t0") ? in.number(root, "t0", "") : 0, t1 = root.has("t1") ? in.number(root, "t1", "") : 1;
        int steps = in.integer(root, "steps", "");
        String t = root.has("trace") ? in.string(root, "trace", "") : "exact";
        Trace trace = switch (t) {
            case "exact" -> Trace.exact();
            case "rademacher", "gaussian" -> new Trace.Hutchinson(t.equals("gaussian") ? Distribution.NORMAL : Distribution.RADEMACHER,
                    root.has("probes") ? in.integer(root, "probes", "") : 1);
            default -> throw in.error("trace: expected exact, rademacher or gaussian, got \"" + t + "\"");
        };
        long seed = root.has("seed") ? in.longInteger(root, "seed", "") : 0;
        return Solve.of(solver, t0, t1, steps).trace(trace).seed(seed);
    }

    private static String name(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    static void save(Cnf cnf, Path dir, String weightsFile) throws IOException {
        ModelDirectory.checkWeightsName(weightsFile);
        VectorField field = cnf.field();
        Mlp net = field.network();
        JsonObject root = new JsonObject();
        root.addProperty("format", FORMAT);
        root.addProperty("version", VERSION);
        root.addProperty("dim", field.dim());
        if (field instanceof LinearField) {
            root.addProperty("field", "linear");
        } else {
            root.addProperty("field", "mlp");
            root.addProperty("time_input", field.timeInput());
            int[] w = net.widths();
            root.add("hidden", ModelDirectory.ints(Arrays.copyOfRange(w, 1, w.length - 1)));
            root.addProperty("activation", name(net.activation()));
        }
        Solve s = cnf.solve();
        root.addProperty("solver", name(s.solver()));
        root.addProperty("t0", s.t0());
        root.addProperty("t1", s.t1());
        root.addProperty("steps", s.steps());
        if (s.trace() instanceof Trace.Hutchinson hu) {
            root.addProperty("trace", hu.probe() == Distribution.NORMAL ? "gaussian" : "rademacher");
            root.addProperty("probes", hu.probes());
        } else {
            root.addProperty("trace", "exact");
        }
        root.addProperty("seed", s.seed());
        root.addProperty("weights", weightsFile);
        Map<String, FloatArray> tensors = new LinkedHashMap<>();
        for (int j = 0; j < net.depth(); j++) {
            Mlp.Layer l = net.layers().get(j);
            tensors.put(tensorName(j, "weight"), FloatArray.of(l.weight(), l.out(), l.in()));
            tensors.put(tensorName(j, "bias"), FloatArray.of(l.bias(), l.out()));
        }
        ModelDirectory.write(dir, DESCRIPTION, root, weightsFile, tensors);
    }
}
