package org.flowkernels.backend.cuda;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * ci/gpu-check runs where no one watches and device time is scarce: its test selections must
 * name existing contract tests (a renamed method would fail the sanitizer phases there), cover
 * every kernel family, and the scripts must parse. The run itself is tried without a GPU by
 * running ci/gpu-pack and ci/gpu-check here (they skip the CUDA phases loudly).
 */
class GpuCheckScriptTest {
    private static final Path SCRIPT = Path.of("ci/gpu-check");

    static List<String> selection(String name) throws IOException {
        Matcher m = Pattern.compile(name + "=\\$\\{" + name + ":-\"([^\"]*)\"\\}").matcher(Files.readString(SCRIPT));
        assertTrue(m.find(), "ci/gpu-check sets a default " + name);
        return Arrays.stream(m.group(1).trim().split("\\s+")).toList();
    }

    @Test
    void everySelectedTestIsAContractTestThatExists() throws IOException {
        for (String name : List.of("MEMCHECK_TESTS", "RACECHECK_TESTS"))
            for (String t : selection(name)) {
                assertTrue(t.matches("[a-z.]+\\.[A-Z]\\w*#\\w+"), name + ": '" + t + "' is package.Class#method");
                String file = t.substring(0, t.indexOf('#')).replace('.', '/') + ".java", method = t.substring(t.indexOf('#') + 1);
                Path src = Path.of("src/test/java/org/flowkernels", file);
                if (!Files.exists(src)) src = Path.of("bench/src/test/java/org/flowkernels", file);
                assertTrue(Files.exists(src), name + ": " + t + " has no source under src/test or bench/src/test");
                String text = Files.readString(src, StandardCharsets.UTF_8);
                assertTrue(Pattern.compile("@BackendTest\\s+void\\s+" + method + "\\(Backend \\w+\\)").matcher(text).find(),
                        name + ": " + t + " is not a @BackendTest method taking only the Backend (the selector's signature)");
            }
    }

    @Test
    void memcheckCoversEveryKernelFamilyAndRacecheckTheFamiliesWithBarriers() throws IOException {
        String memcheck = String.join(" ", selection("MEMCHECK_TESTS")), racecheck = String.join(" ", selection("RACECHECK_TESTS"));
        for (String family : List.of("rng.PhiloxTest#", "nn.MlpTest#", "flow.CouplingFlowTest#", "ode.OdeContractTest#fusedAndPerStep",
                "physics.HamiltonianTest#", "physics.PotentialTest#", "sample.LangevinTest#", "sample.HmcTest#",
                "train.TrainKernelsContractTest#"))
            assertTrue(memcheck.contains(family), "memcheck runs a test of " + family);
        // the kernels with shared memory and barriers: linear_forward, ode_solve_fused, langevin_score_fused, langevin_merge
        for (String family : List.of("nn.MlpTest#", "ode.OdeContractTest#fusedAndPerStep", "sample.LangevinTest#scoreNetworks",
                "sample.LangevinTest#statistics", "physics.PotentialTest#", "physics.HamiltonianTest#", "sample.LangevinTest#everyDeviceLayout",
                "train.TrainKernelsContractTest#passAndGradient"))
            assertTrue(racecheck.contains(family), "racecheck runs a test of " + family);
    }

    @Test
    void theScriptsParse() throws Exception {
        for (String s : List.of("ci/gpu-check", "ci/gpu-pack", ".ci/run", "ci/install-test-deps", "native-kernels/cuda/build-fatbin",
                "native-kernels/cuda/lmem-source", "native-kernels/cuda/ptxas-table")) {
            Process p = new ProcessBuilder("bash", "-n", s).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), s + " does not parse: " + out);
        }
    }
}
