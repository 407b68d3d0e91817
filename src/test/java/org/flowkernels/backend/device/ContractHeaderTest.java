package org.flowkernels.backend.device;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.flowkernels.flow.ScaleBound;
import org.flowkernels.nn.Activation;
import org.flowkernels.physics.Integrator;
import org.flowkernels.physics.Potential;
import org.flowkernels.rng.Distribution;
import org.flowkernels.spi.Contract;
import org.junit.jupiter.api.Test;

/** The numbers Java and the kernels share are defined once, in spi.Contract, and reach C only through contract.h. */
class ContractHeaderTest {
    /** The header the build wrote for nvcc is what this code generates now: a stale one would put old codes in the fatbin. */
    @Test
    void theBuiltHeaderIsTheGeneratedOne() throws IOException {
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("org/flowkernels/kernels/" + ContractHeader.PATH)) {
            assertNotNull(in, ContractHeader.PATH + " is on the classpath (the build's contract-header step writes it)");
            assertEquals(ContractHeader.text(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** No kernel source #defines a contract name itself: the generated header is the only definition in C. */
    @Test
    void noKernelSourceDefinesAContractName() throws IOException {
        Set<String> names = new TreeSet<>();
        for (Class<?> c : List.of(Contract.class, DeviceLimits.class))
            for (Field f : ContractHeader.constants(c)) names.add(f.getName());
        Pattern define = Pattern.compile("^\\s*#\\s*define\\s+([A-Za-z_][A-Za-z0-9_]*)", Pattern.MULTILINE);
        List<Path> sources;
        try (Stream<Path> files = Files.walk(Path.of("native-kernels"))) {
            sources = files.filter(p -> p.toString().matches(".*\\.(cl|h|cu)$")).toList();
        }
        assertFalse(sources.isEmpty(), "the test runs from the project root and finds native-kernels/");
        for (Path p : sources) {
            Matcher m = define.matcher(Files.readString(p));
            while (m.find()) assertFalse(names.contains(m.group(1)), p + " defines " + m.group(1) + ", a contract name");
        }
        String text = ContractHeader.text();
        for (String n : names) assertTrue(text.contains("#define " + n + " "), n + " is in the header");
    }

    /** Each enum that hands a code to the kernels covers its Contract family, one value per code. */
    @Test
    void theEnumsCoverTheirContractCodes() throws IllegalAccessException {
        assertCovers("ACT_", Arrays.stream(Activation.values()).map(a -> a.code));
        assertCovers("DIST_", Arrays.stream(Distribution.values()).map(d -> d.code));
        assertCovers("SCALE_", Arrays.stream(ScaleBound.Kind.values()).map(k -> k.code));
        assertCovers("INTEGRATOR_", Arrays.stream(Integrator.values()).map(i -> i.code));
        assertCovers("POT_", Stream.of(Potential.harmonic(1), Potential.diagonalHarmonic(1), Potential.fputBeta(1, Potential.Ends.FIXED),
                Potential.coulombGas(2), Potential.lennardJones(2), Potential.doubleWell(1, 1),
                org.flowkernels.physics.UserPotential.java("user", (n, m, x, p, e, g) -> {})).map(Potential::kind));
    }

    private static void assertCovers(String prefix, Stream<Integer> codes) throws IllegalAccessException {
        List<Integer> java = codes.sorted().toList();
        List<Integer> contract = new java.util.ArrayList<>();
        for (Field f : ContractHeader.constants(Contract.class)) if (f.getName().startsWith(prefix)) contract.add(f.getInt(null));
        contract.sort(null);
        assertEquals(contract, java, prefix + "* codes of spi.Contract against the enum's: " + java.stream().map(String::valueOf)
                .collect(Collectors.joining(", ")));
    }
}
