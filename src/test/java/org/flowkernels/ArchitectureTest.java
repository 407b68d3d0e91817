package org.flowkernels;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.*;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dependency rule of DESIGN.md, checked on the compiled classes: api → spi ← backends;
 * operations → api, spi; no package imports a backend; no cycle between packages.
 */
class ArchitectureTest {
    private static final String[] OPERATIONS = {"org.flowkernels.nn..", "org.flowkernels.flow..", "org.flowkernels.ode..",
            "org.flowkernels.physics..", "org.flowkernels.sample..", "org.flowkernels.rng..", "org.flowkernels.io..", "org.flowkernels.train.."};

    private static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("/bench/")).importPackages("org.flowkernels");
        assertTrue(main.size() > 100, "the library's classes were imported: " + main.size());
    }

    @Test
    void noCycleBetweenPackages() {
        slices().matching("org.flowkernels.(**)").should().beFreeOfCycles().check(main);
    }

    @Test
    void theSpiDependsOnNothingOfTheLibrary() {
        noClasses().that().resideInAPackage("org.flowkernels.spi..").should().dependOnClassesThat()
                .resideOutsideOfPackages("org.flowkernels.spi..", "java..").check(main);
    }

    @Test
    void theApiSeesOnlyTheSpi() {
        noClasses().that().resideInAPackage("org.flowkernels").should().dependOnClassesThat()
                .resideInAnyPackage(concat(OPERATIONS, "org.flowkernels.backend..", "org.flowkernels.cli..")).check(main);
    }

    @Test
    void operationsNeverNameABackend() {
        noClasses().that().resideInAnyPackage(OPERATIONS).should().dependOnClassesThat()
                .resideInAnyPackage("org.flowkernels.backend..", "org.flowkernels.cli..").check(main);
    }

    @Test
    void backendsNeverNameAnOperation() {
        noClasses().that().resideInAPackage("org.flowkernels.backend..").should().dependOnClassesThat()
                .resideInAnyPackage(concat(OPERATIONS, "org.flowkernels.cli..")).check(main);
    }

    /** module-info exports the API and the SPI, not the backends or the command-line tool. */
    @Test
    void theModuleExportsTheApiAndNotTheBackends() throws IOException {
        ModuleDescriptor m = ModuleFinder.of(Path.of("target/classes")).find("org.flowkernels").orElseThrow().descriptor();
        Set<String> exported = m.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
        assertTrue(exported.containsAll(Set.of("org.flowkernels", "org.flowkernels.spi", "org.flowkernels.flow",
                "org.flowkernels.ode", "org.flowkernels.sample")), exported.toString());
        assertTrue(exported.stream().noneMatch(p -> p.startsWith("org.flowkernels.backend") || p.startsWith("org.flowkernels.cli")),
                exported.toString());
        assertEquals(Set.of("org.flowkernels.backend.cpu.CpuProvider", "org.flowkernels.backend.opencl.OpenClProvider",
                "org.flowkernels.backend.cuda.CudaProvider"), Set.copyOf(m.provides().iterator().next().providers()));
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
