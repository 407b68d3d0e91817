package org.flowkernels.backend.cpu;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import org.flowkernels.Backends;
import org.flowkernels.FlowKernelsException;
import org.flowkernels.spi.Buffer;
import org.junit.jupiter.api.Test;

/**
 * The CPU backend's memory is the Java heap: a tensor larger than the heap fails with a
 * FlowKernelsException naming the bytes, not a bare OutOfMemoryError. Tried in a child JVM
 * with a 64 MiB heap, so the result does not depend on this machine's memory and this JVM's
 * heap is never filled.
 */
class CpuMemoryTest {
    @Test
    void anAllocationLargerThanTheHeapNamesTheBytes() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx64m", "-cp", org.flowkernels.testing.ChildJvm.classPath(),
                CpuMemoryTest.class.getName()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), log);
        assertTrue(log.startsWith("cpu backend: cannot allocate 400000000 bytes (100000000 FLOAT32 values): the Java heap is at most "),
                log);
    }

    /** The child side: 10^8 floats (400 MB) into a 64 MiB heap; prints the exception's message. */
    public static void main(String[] args) {
        try {
            Backends.cpu().memory().allocate(Buffer.Type.FLOAT32, 100_000_000);
            System.out.println("allocated 400 MB in a 64 MiB heap?");
            System.exit(2);
        } catch (FlowKernelsException e) {
            assertInstanceOf(OutOfMemoryError.class, e.getCause());
            System.out.println(e.getMessage());
        }
    }
}
