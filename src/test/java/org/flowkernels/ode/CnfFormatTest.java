package org.flowkernels.ode;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.flowkernels.Backend;
import org.flowkernels.flow.FlowSample;
import org.flowkernels.io.FloatArray;
import org.flowkernels.io.FormatException;
import org.flowkernels.io.Npz;
import org.flowkernels.nn.Activation;
import org.flowkernels.nn.Mlp;
import org.flowkernels.testing.BackendTest;
import org.flowkernels.testing.Compare;
import org.flowkernels.testing.Fresh;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** cnf.json and its weights: round trips, a directory written as a PyTorch user would, and errors. */
class CnfFormatTest {
    @TempDir
    Path tmp;

    private static void assertSameFlow(Cnf want, Cnf got) {
        assertEquals(want.solve(), got.solve());
        assertEquals(want.field().getClass(), got.field().getClass());
        assertEquals(want.field().timeInput(), got.field().timeInput());
        Mlp a = want.field().network(), b = got.field().network();
        assertArrayEquals(a.widths(), b.widths());
        assertEquals(a.activation(), b.activation());
        assertArrayEquals(a.packedParameters(), b.packedParameters());
    }

    @Test
    void roundTrips() throws IOException {
        Fresh f = new Fresh("cnf-format");
        Cnf[] flows = {
            new Cnf(VectorField.mlp(Mlp.random(f.nextLong(), Activation.TANH, 3, 64, 64, 2), true), Solve.rk4(0, 1, 100)),
            new Cnf(VectorField.mlp(Mlp.random(f.nextLong(), Activation.RELU, 5, 7, 5), false),
                    Solve.of(Solver.MIDPOINT, 0.5, -1.25, 7).trace(Trace.gaussian(3)).seed(-42L)),
            new Cnf(VectorField.linear(3, f.gaussian(9, 1), f.gaussian(3, 1)),
                    Solve.of(Solver.EULER, 0, 2, 9).trace(Trace.rademacher(1)).seed(Long.MAX_VALUE)),
        };
        for (int i = 0; i < flows.length; i++)
            for (String weights : new String[] {"model.safetensors", "weights.npz"}) {
                Path dir = tmp.resolve("flow" + i + weights);
                flows[i].save(dir, weights);
                assertTrue(Files.exists(dir.resolve("cnf.json")) && Files.exists(dir.resolve(weights)));
                assertSameFlow(flows[i], Cnf.load(dir));
            }
    }

    /** The files a PyTorch user writes: numpy.savez of the state_dict, a hand-written cnf.json. */
    @BackendTest
    void loadsWhatAPyTorchUserWrites(Backend backend) throws IOException {
        Fresh f = new Fresh("cnf-format-user" + backend.name());
        Mlp mlp = Mlp.random(f.nextLong(), Activation.TANH, 3, 16, 16, 2);
        Map<String, FloatArray> stateDict = new LinkedHashMap<>();
        for (int j = 0; j < mlp.depth(); j++) {
            Mlp.Layer l = mlp.layers().get(j);
            stateDict.put("net." + 2 * j + ".weight", FloatArray.of(l.weight(), l.out(), l.in()));
            stateDict.put("net." + 2 * j + ".bias", FloatArray.of(l.bias(), l.out()));
        }
        Path dir = Files.createDirectories(tmp.resolve("user"));
        Npz.write(dir.resolve("weights.npz"), stateDict);
        Files.writeString(dir.resolve("cnf.json"), """
                {"format": "flowkernels.cnf", "version": 1, "dim": 2, "hidden": [16, 16], "steps": 12,
                 "trace": "rademacher", "seed": 5}
                """);
        Cnf loaded = Cnf.load(dir);
        Cnf built = new Cnf(VectorField.mlp(mlp, true), Solve.rk4(0, 1, 12).trace(Trace.rademacher(1)).seed(5));
        assertSameFlow(built, loaded);
        try (CnfModule a = loaded.on(backend); CnfModule b = built.on(backend);
             FlowSample sa = a.sample(33, 9); FlowSample sb = b.sample(33, 9)) {
            Compare.close(sa.logQ().toArray(), OdeReference.doubles(sb.logQ().toArray()), 1e-6, "log q on " + backend.name());
        }
    }

    @Test
    void badDirectoriesNameTheFileAndTheField() throws IOException {
        Cnf good = new Cnf(VectorField.mlp(Mlp.random(1, Activation.TANH, 3, 4, 2), true), Solve.rk4(0, 1, 4));
        Path base = tmp.resolve("good");
        good.save(base, "weights.npz");
        String json = Files.readString(base.resolve("cnf.json"));
        Object[][] edits = {
            {"\"steps\": 4", "\"steps\": 0", "steps: expected > 0, got 0"},
            {"\"steps\": 4,", "", "steps: missing"},
            {"\"solver\": \"rk4\"", "\"solver\": \"rk5\"", "solver: expected euler, midpoint or rk4, got \"rk5\""},
            {"\"trace\": \"exact\"", "\"trace\": \"hutch\"", "trace: expected exact, rademacher or gaussian"},
            {"\"t1\": 1.0", "\"t1\": 0.0", "t1: expected a time different from t0"},
            {"\"format\": \"flowkernels.cnf\"", "\"format\": \"flowkernels.coupling_flow\"", "format: expected \"flowkernels.cnf\""},
            {"\"hidden\": [\n    4\n  ]", "\"hidden\": [5]", "tensor 'net.0.weight': expected shape [5, 3], got [4, 3]"},
            {"\"activation\": \"tanh\"", "\"activation\": \"gelu\"", "activation: expected identity, tanh or relu"},
            {"\"field\": \"mlp\"", "\"field\": \"linear\"", "time_input: a linear field has none"},
        };
        for (Object[] e : edits) {
            assertTrue(json.contains((String) e[0]), "fixture lacks " + e[0] + " in " + json);
            Path dir = Files.createDirectories(tmp.resolve("bad" + Integer.toHexString(e[2].hashCode())));
            Files.copy(base.resolve("weights.npz"), dir.resolve("weights.npz"));
            Files.writeString(dir.resolve("cnf.json"), json.replace((String) e[0], (String) e[1]));
            var ex = assertThrows(FormatException.class, () -> Cnf.load(dir));
            assertTrue(ex.getMessage().contains((String) e[2]) && ex.getMessage().contains(dir.toString()), ex.getMessage());
        }
        // a tensor the field does not use
        Path extra = Files.createDirectories(tmp.resolve("extra"));
        Files.writeString(extra.resolve("cnf.json"), json);
        Map<String, FloatArray> t = new LinkedHashMap<>();
        Mlp net = good.field().network();
        for (int j = 0; j < net.depth(); j++) {
            t.put("net." + 2 * j + ".weight", FloatArray.of(net.layers().get(j).weight(), net.width(j + 1), net.width(j)));
            t.put("net." + 2 * j + ".bias", FloatArray.of(net.layers().get(j).bias(), net.width(j + 1)));
        }
        t.put("net.9.weight", FloatArray.of(new float[1], 1));
        Npz.write(extra.resolve("weights.npz"), t);
        var ex = assertThrows(FormatException.class, () -> Cnf.load(extra));
        assertTrue(ex.getMessage().contains("tensors the field does not use (check the names against net.J.weight): net.9.weight"),
                ex.getMessage());
        assertThrows(FormatException.class, () -> Cnf.load(tmp.resolve("nowhere")));
        assertThrows(IllegalArgumentException.class, () -> good.save(tmp.resolve("x"), "weights.pt"));
    }
}
