package org.flowkernels.backend.cuda;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * NVRTC's availability, testable without a GPU: where JCuda's binding cannot load libnvrtc.so.12,
 * the reason is exactly that, naming what the machine has instead (CUDA 13: libnvrtc.so.13).
 * The snippets' contract tests run on CUDA wherever it loads (UserSnippetTest, UserPotentialTest).
 */
class NvrtcTest {
    @Test
    void aMissingLibraryIsNamedWithWhatIsInstalledInstead() {
        UnsatisfiedLinkError e = new UnsatisfiedLinkError("Error while loading native library \"JNvrtc-12.0.0-linux-x86_64\"");
        e.initCause(new UnsatisfiedLinkError("libnvrtc.so.12: cannot open shared object file: No such file or directory"));
        assertEquals("libnvrtc.so.12 not found (JCuda 12.0.0's NVRTC binding needs it; this machine has libnvrtc.so.13 (CUDA 13), "
                + "which JCuda 12.0.0 cannot use)", Nvrtc.describe(e, List.of("libnvrtc.so.13")));
        assertEquals("libnvrtc.so.12 not found (JCuda 12.0.0's NVRTC binding needs it; no libnvrtc.so.* was found on the library path)",
                Nvrtc.describe(e, List.of()));
    }

    @Test
    void theInstalledVersionsAreFoundBySoname(@TempDir Path dir) throws IOException {
        Files.createFile(dir.resolve("libnvrtc.so.13.0.48"));
        Files.createFile(dir.resolve("libnvrtc.so.13"));
        Files.createFile(dir.resolve("libnvrtc-builtins.so.13.0"));
        assertEquals(List.of("libnvrtc.so.13"), Nvrtc.found(List.of(dir.toString(), dir.resolve("missing").toString())));
    }

    /** On this machine: NVRTC either loads, or the reason is the one-line statement above (never a stack trace). */
    @Test
    void thisMachinesAnswerIsOneLine() {
        String why = Nvrtc.unavailableReason();
        if (why == null) return; // NVRTC loads here: the CUDA snippet tests run
        assertFalse(why.contains("\n"), why);
        assertTrue(why.startsWith("libnvrtc.so.12 not found (") || why.startsWith("JCuda's NVRTC binding could not be loaded: "), why);
        System.out.println("[NvrtcTest] NVRTC: " + why);
    }
}
