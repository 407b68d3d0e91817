package org.flowkernels.flow;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.flowkernels.Backend;
import org.flowkernels.Backends;
import org.flowkernels.Tensor;
import org.flowkernels.io.Fixtures;
import org.flowkernels.io.FloatArray;
import org.flowkernels.io.FormatException;
import org.flowkernels.io.Npz;
import org.flowkernels.io.SafetensorsWriter;
import org.flowkernels.io.TensorFile;
import org.flowkernels.nn.Activation;
import org.flowkernels.nn.Mlp;
import org.flowkernels.testing.BackendTest;
import org.flowkernels.testing.Compare;
import org.flowkernels.testing.Fresh;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model directories: flow.json plus weights under PyTorch state_dict names. */
class FlowFormatTest {
    @TempDir
    Path dir;

    @BackendTest
    void theNumpyModelReproducesNumpysOwnForwardPass(Backend backend) throws IOException {
        CouplingFlow flow = CouplingFlow.load(Fixtures.path("realnvp"));
        assertEquals(6, flow.dim());
        assertEquals(5, flow.layers().size());
        TensorFile expected = TensorFile.read(Fixtures.path("realnvp/expected.npz"));
        FloatArray z = expected.get("z", 7, 6), x = expected.get("x", 7, 6), ld = expected.get("logdet", 7);
        // make_fixtures.py computed x in float64 from float32-exact weights and inputs: what
        // remains is our float32 arithmetic (CouplingFlowTest.TOL)
        try (CouplingFlowModule m = flow.on(backend); Tensor zt = z.toTensor(backend); FlowResult r = m.forward(zt);
             FlowResult back = m.inverse(r.output())) {
            Compare.close(r.output().toArray(), CouplingFlowTest.toDouble(x.data()), CouplingFlowTest.TOL, "x on " + backend.name());
            Compare.close(r.logDet().toArray(), CouplingFlowTest.toDouble(ld.data()), CouplingFlowTest.TOL, "log-det on " + backend.name());
            Compare.close(back.output().toArray(), CouplingFlowTest.toDouble(z.data()), CouplingFlowTest.ROUND_TRIP_TOL, "z on " + backend.name());
        }
    }

    /** Copies the fixture model's flow.json into a fresh directory, edited by {@code edit}. */
    Path model(String name, Consumer<JsonObject> edit) throws IOException {
        Path d = Files.createDirectories(dir.resolve(name));
        JsonObject json = JsonParser.parseString(Files.readString(Fixtures.path("realnvp/flow.json"))).getAsJsonObject();
        edit.accept(json);
        Files.writeString(d.resolve("flow.json"), json.toString());
        return d;
    }

    static Map<String, FloatArray> fixtureWeights() throws IOException {
        TensorFile w = TensorFile.read(Fixtures.path("realnvp/weights.npz"));
        Map<String, FloatArray> m = new LinkedHashMap<>();
        for (String n : w.names()) m.put(n, w.get(n));
        return m;
    }

    @Test
    void safetensorsAndNpzGiveTheSameFlow() throws IOException {
        Path npz = model("npz", j -> {});
        Files.copy(Fixtures.path("realnvp/weights.npz"), npz.resolve("weights.npz"));
        Path st = model("st", j -> {});
        SafetensorsWriter w = new SafetensorsWriter();
        fixtureWeights().forEach((n, a) -> {
            // half the tensors as float64, as torch would save a .double() model
            double[] d = new double[a.size()];
            for (int i = 0; i < d.length; i++) d[i] = a.data()[i];
            if (n.hashCode() % 2 == 0) w.add(n, "F64", a.shape(), SafetensorsWriter.f64(d));
            else w.add(n, "F32", a.shape(), SafetensorsWriter.f32(a.data()));
        });
        Files.write(st.resolve("model.safetensors"), w.bytes());
        assertSameFlow(CouplingFlow.load(npz), CouplingFlow.load(st));
    }

    static void assertSameFlow(CouplingFlow a, CouplingFlow b) {
        assertEquals(a.dim(), b.dim());
        assertEquals(a.layers().size(), b.layers().size());
        for (int k = 0; k < a.layers().size(); k++) {
            FlowLayer la = a.layers().get(k), lb = b.layers().get(k);
            assertEquals(la.getClass(), lb.getClass(), "layer " + k);
            if (la instanceof Permutation) assertEquals(la, lb, "layer " + k);
            if (la instanceof Coupling ca && lb instanceof Coupling cb) {
                assertEquals(ca.mask(), cb.mask(), "mask of layer " + k);
                assertEquals(ca.mask().kind(), cb.mask().kind(), "mask kind of layer " + k);
                assertEquals(ca.scaleBound(), cb.scaleBound(), "scale bound of layer " + k);
                assertEquals(ca.conditioner().activation(), cb.conditioner().activation(), "activation of layer " + k);
                assertArrayEquals(ca.conditioner().widths(), cb.conditioner().widths(), "widths of layer " + k);
                assertArrayEquals(ca.conditioner().packedParameters(), cb.conditioner().packedParameters(), "weights of layer " + k);
            }
        }
    }

    @Test
    void saveThenLoadGivesTheSameFlowInBothFormats() throws IOException {
        Fresh f = new Fresh("flow-save");
        List<FlowLayer> layers = new ArrayList<>();
        layers.add(AffineCoupling.random(Mask.checkerboard(3, 4, 1), f.nextLong(), 9));
        layers.add(Permutation.random(12, f.nextLong()));
        layers.add(CouplingFlowTest.withBound(AffineCoupling.random(Mask.even(12), f.nextLong(), 5, 6), ScaleBound.softClamp(2.5)));
        layers.add(new AdditiveCoupling(Mask.of(Permutation.random(12, f.nextLong()).indices(), 5),
                Mlp.random(f.nextLong(), Activation.RELU, 5, 4, 7)));
        layers.add(CouplingFlowTest.withBound(AffineCoupling.random(Mask.secondHalf(12), f.nextLong()), ScaleBound.NONE));
        CouplingFlow flow = new CouplingFlow(layers);
        for (String weights : new String[] {"model.safetensors", "weights.npz"}) {
            Path d = dir.resolve(weights.replace('.', '_'));
            flow.save(d, weights);
            assertTrue(Files.exists(d.resolve(weights)));
            CouplingFlow back = CouplingFlow.load(d);
            assertSameFlow(flow, back);
            assertTrue(TensorFile.read(d.resolve(weights)).contains("layers.3.net.2.weight"), "layer 3's second linear at net.2");
        }
        flow.save(dir.resolve("default"));
        assertTrue(Files.exists(dir.resolve("default/model.safetensors")), "save(dir) writes safetensors");
        assertThrows(IllegalArgumentException.class, () -> flow.save(dir.resolve("x"), "weights.pt"));
    }

    static void assertProblem(Path dir, Path file, String problem) {
        FormatException e = assertThrows(FormatException.class, () -> CouplingFlow.load(dir), problem);
        assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains(problem), e.getMessage());
    }

    Path withWeights(String name, Consumer<JsonObject> edit, Consumer<Map<String, FloatArray>> weights) throws IOException {
        Path d = model(name, edit);
        Map<String, FloatArray> w = fixtureWeights();
        weights.accept(w);
        Npz.write(d.resolve("weights.npz"), w);
        return d;
    }

    @Test
    void badWeightsNameTheFileAndTheTensor() throws IOException {
        Path d = withWeights("missing", j -> {}, w -> w.remove("layers.2.net.2.bias"));
        assertProblem(d, d.resolve("weights.npz"), "missing tensor 'layers.2.net.2.bias'");
        d = withWeights("transposed", j -> {}, w -> {
            FloatArray a = w.get("layers.0.net.0.weight");
            w.put("layers.0.net.0.weight", FloatArray.of(a.data(), a.shape()[1], a.shape()[0]));
        });
        assertProblem(d, d.resolve("weights.npz"), "tensor 'layers.0.net.0.weight': expected shape [8, 3], got [3, 8]");
        d = withWeights("extra", j -> {}, w -> w.put("layers.1.perm", FloatArray.of(new float[6], 6)));
        assertProblem(d, d.resolve("weights.npz"), "tensors the flow does not use (check the names against layers.K.net.J.weight): layers.1.perm");
        d = withWeights("hidden", j -> j.getAsJsonArray("layers").get(0).getAsJsonObject().add("hidden", ints(9)), w -> {});
        assertProblem(d, d.resolve("weights.npz"), "tensor 'layers.0.net.0.weight': expected shape [9, 3], got [8, 3]");
    }

    static JsonArray ints(int... v) {
        JsonArray a = new JsonArray();
        for (int x : v) a.add(x);
        return a;
    }

    static JsonObject layer(JsonObject j, int k) {
        return j.getAsJsonArray("layers").get(k).getAsJsonObject();
    }

    @Test
    void badDescriptionsNameTheFieldAndTheProblem() throws IOException {
        String[][] cases = {
            {"format", "format: expected \"flowkernels.coupling_flow\", got \"something\""},
            {"version", "version: expected 1, got 2"},
            {"type", "layers[3].type: expected affine, additive or permutation, got \"spline\""},
            {"kind", "layers[0].mask.kind: expected half, alternating, checkerboard or indices, got \"stripes\""},
            {"condition_on", "layers[2].mask.condition_on: expected \"even\" or \"odd\", got \"first\""},
            {"lattice", "layers[3].mask: a 3 x 3 lattice has 9 sites, expected dim = 6"},
            {"permutation", "layers[1]: permutation: not a permutation of 0..5: index 3 appears twice (positions 1 and 5) and index 4 is missing"},
            {"indices", "layers[4]: mask (conditioning then transformed indices): expected indices in 0..5, got 6 at position 1"},
            {"bound", "layers[2].scale_bound: expected tanh, none or soft_clamp, got \"sigmoid\""},
            {"clamp", "layers[2].clamp: missing"},
            {"activation", "layers[0]: activation: expected identity, tanh or relu, got 'gelu'"},
            {"dim", "dim: expected an integer, got \"six\""},
        };
        for (String[] c : cases) {
            Path d = model(c[0], j -> {
                switch (c[0]) {
                    case "format" -> j.addProperty("format", "something");
                    case "version" -> j.addProperty("version", 2);
                    case "type" -> layer(j, 3).addProperty("type", "spline");
                    case "kind" -> layer(j, 0).getAsJsonObject("mask").addProperty("kind", "stripes");
                    case "condition_on" -> layer(j, 2).getAsJsonObject("mask").addProperty("condition_on", "first");
                    case "lattice" -> layer(j, 3).getAsJsonObject("mask").addProperty("rows", 3);
                    case "permutation" -> layer(j, 1).add("indices", ints(5, 3, 1, 0, 2, 3));
                    case "indices" -> layer(j, 4).getAsJsonObject("mask").add("conditioning", ints(4, 6));
                    case "bound" -> layer(j, 2).addProperty("scale_bound", "sigmoid");
                    case "clamp" -> layer(j, 2).remove("clamp");
                    case "activation" -> layer(j, 0).addProperty("activation", "gelu");
                    default -> j.addProperty("dim", "six");
                }
            });
            Files.copy(Fixtures.path("realnvp/weights.npz"), d.resolve("weights.npz"));
            assertProblem(d, d.resolve("flow.json"), c[1]);
        }
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertProblem(empty, empty, "not a model directory: no flow.json");
        Path noWeights = model("noweights", j -> {});
        assertProblem(noWeights, noWeights, "no weights: expected model.safetensors or weights.npz");
        Path both = model("both", j -> {});
        Files.copy(Fixtures.path("realnvp/weights.npz"), both.resolve("weights.npz"));
        Files.write(both.resolve("model.safetensors"), new byte[8]);
        assertProblem(both, both.resolve("flow.json"), "both model.safetensors and weights.npz are present");
        Path notJson = model("notjson", j -> {});
        Files.writeString(notJson.resolve("flow.json"), "{\"format\": ");
        assertProblem(notJson, notJson.resolve("flow.json"), "not valid JSON");
    }

    @Test
    void aLoadedFlowRunsOnTheCpu() throws IOException {
        CouplingFlow flow = CouplingFlow.load(Fixtures.path("realnvp"));
        try (CouplingFlowModule m = flow.on(Backends.cpu()); FlowSample s = m.sample(10, 1)) {
            assertEquals(10, s.x().rows());
        }
    }
}
