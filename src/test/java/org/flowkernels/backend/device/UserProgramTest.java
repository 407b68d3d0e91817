package org.flowkernels.backend.device;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.flowkernels.SnippetException;
import org.flowkernels.physics.UserPotential;
import org.flowkernels.spi.PotentialSpec;
import org.flowkernels.testing.UserModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The program text built for a user's snippet, for CUDA without a GPU: nvcc (where installed)
 * must compile it as NVRTC would (the same front end and dialect; unoptimized, -Xcicc -O0, which
 * checks the text in a second instead of ten), every form and the
 * bounds-checked build; and a snippet with an error must come back at the user's line from nvcc's
 * "file(line): error" messages, the format NVRTC's log shares.
 */
class UserProgramTest {
    @TempDir
    Path dir;

    private static Path nvcc() {
        for (String p : new String[] {"/usr/local/cuda/bin/nvcc", "/usr/bin/nvcc"})
            if (Files.isExecutable(Path.of(p))) return Path.of(p);
        return null;
    }

    private record Run(int exit, String log) {}

    private Run compile(UserProgram p) throws IOException, InterruptedException {
        Path nvcc = nvcc();
        assumeTrue(nvcc != null, "nvcc is not installed: the CUDA text of user programs is not compiled here");
        String only = System.getProperty("flowkernels.test.only", "");
        assumeTrue(only.isEmpty() || only.contains("cuda"), "this run tests only " + only);
        Path src = dir.resolve("user.cu");
        Files.writeString(src, p.source(), StandardCharsets.UTF_8);
        Process proc = new ProcessBuilder(nvcc.toString(), "-std=c++17", "-ptx", "-arch=compute_80", "-Xcicc", "-O0", "-o", dir.resolve("user.ptx").toString(),
                src.toString()).redirectErrorStream(true).start();
        String log = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(proc.waitFor(300, TimeUnit.SECONDS), "nvcc finished");
        return new Run(proc.exitValue(), log);
    }

    private static PotentialSpec.User user(UserPotential v) {
        return v.spec().user();
    }

    @Test
    void everyFormCompilesAsCuda() throws Exception {
        for (UserPotential v : new UserPotential[] {UserModels.doubleWell(1, 0.2), UserModels.morse(3, 1, 1.5, 1, 0.5).withBoundsCheck(),
                UserModels.morse(2, 1, 1.5, 1, 0.5)}) {
            Run r = compile(UserProgram.potential(user(v)));
            assertEquals(0, r.exit(), v + ":\n" + r.log());
        }
    }

    @Test
    void aCudaCompileErrorComesBackAtTheUsersLine() throws Exception {
        UserPotential v = UserPotential.snippet("typo", "REAL v = X(0);\nreturn v * w;\n", "G(0) = RC(1.0);").withParameter("a", 1);
        UserProgram p = UserProgram.potential(user(v));
        Run r = compile(p);
        assertNotEquals(0, r.exit(), r.log());
        SnippetException e = p.failure("nvcc", r.log());
        assertEquals("<typo> (energy)", e.file(), r.log());
        assertEquals(2, e.line(), r.log());
        assertTrue(e.getMessage().lines().findFirst().orElseThrow().contains("\"w\""), e.getMessage());
    }

    @Test
    void aParameterNamedLikeAKernelMacroIsRefused() {
        UserPotential v = UserModels.doubleWell(1, 0).withParameter("NOISE_STREAM", 1);
        SnippetException e = assertThrows(SnippetException.class, () -> UserProgram.potential(user(v)));
        assertTrue(e.getMessage().contains("'NOISE_STREAM'"), e.getMessage());
    }
}
