package org.flowkernels.backend.cuda;

import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.atomic.AtomicInteger;
import jcuda.jcublas.cublasHandle;
import org.flowkernels.FlowKernelsException;
import org.junit.jupiter.api.Test;

/** The CUDA backend's limits that need no GPU to check: the driver version, the grid size, the cuBLAS handle. */
class CudaLimitsTest {
    @Test
    void anOlderDriverIsRefusedNamingBothVersions() {
        String m = CudaDevices.driverMismatch(12040, 13000);
        assertNotNull(m, "a CUDA 12.4 driver cannot run kernels built with CUDA 13.0");
        assertTrue(m.contains("driver supports CUDA 12.4"), m);
        assertTrue(m.contains("built with CUDA 13.0"), m);
        assertTrue(m.contains("update the driver"), m);
        assertNotNull(CudaDevices.driverMismatch(13000, 13010), "13.0 driver, kernels from 13.1");
    }

    @Test
    void aDriverAsNewOrNewerOrAnUnknownBuildIsAccepted() {
        assertNull(CudaDevices.driverMismatch(13000, 13000));
        assertNull(CudaDevices.driverMismatch(13020, 13000));
        assertNull(CudaDevices.driverMismatch(14000, 13000));
        assertNull(CudaDevices.driverMismatch(12040, 0), "no flowkernels.fatbin.cuda: nothing to compare");
    }

    @Test
    void versionsAsTheDriverCountsThem() {
        assertEquals("12.4", CudaDevices.version(12040));
        assertEquals("13.0", CudaDevices.version(13000));
        assertEquals("11.8", CudaDevices.version(11080));
        assertEquals("12.10", CudaDevices.version(12100), "a two-digit minor");
        assertEquals(13000, CudaDevices.parseVersion("13000\n"));
        assertEquals(12040, CudaDevices.parseVersion(" 12040 "));
        assertEquals(0, CudaDevices.parseVersion(""));
        assertEquals(0, CudaDevices.parseVersion("13.0"));
        assertEquals(0, CudaDevices.parseVersion("13"), "not 1000 major + 10 minor");
    }

    /** build-fatbin writes the version beside the fatbin, in the form the check reads. */
    @Test
    void theBuiltFatbinCarriesItsCudaVersion() {
        if (CudaDevices.fatbin() == null) {
            assertEquals(0, CudaDevices.fatbinCudaVersion(), "no fatbin, no version");
            System.out.println("[cuda] no fatbin built here (nvcc not found): its version file is not checked");
            return;
        }
        int v = CudaDevices.fatbinCudaVersion();
        assertTrue(v >= 12000 && v % 10 == 0, "flowkernels.fatbin.cuda holds nvcc's release as 1000 major + 10 minor, got " + v);
    }

    @Test
    void aGridBeyondCudasLimitsIsRefusedNotWrapped() {
        assertArrayEquals(new int[] {1 << 23, 1}, CudaBackend.grid("k", new long[] {1L << 31}, new int[] {256}));
        assertArrayEquals(new int[] {4, 65535}, CudaBackend.grid("k", new long[] {64, 65535L * 4}, new int[] {16, 4}));
        FlowKernelsException e = assertThrows(FlowKernelsException.class,
                () -> CudaBackend.grid("philox_fill", new long[] {(1L << 31) * 256}, new int[] {256}));
        assertTrue(e.getMessage().contains("philox_fill") && e.getMessage().contains("2147483648 x 1 blocks"), e.getMessage());
        e = assertThrows(FlowKernelsException.class, () -> CudaBackend.grid("k2", new long[] {16, 65536L * 4}, new int[] {16, 4}));
        assertTrue(e.getMessage().contains("1 x 65536 blocks of 16 x 4"), e.getMessage());
    }

    @Test
    void theCublasHandleIsReleasedOnceAndNotUsedAfterwards() {
        AtomicInteger destroyed = new AtomicInteger(), current = new AtomicInteger();
        cublasHandle h = new cublasHandle();
        CublasGemm g = new CublasGemm("cuda:7", current::incrementAndGet, h, x -> {
            assertSame(h, x);
            assertEquals(1, current.get(), "the context is made current before cublasDestroy");
            destroyed.incrementAndGet();
        });
        g.close();
        g.close();
        assertEquals(1, destroyed.get(), "cublasDestroy runs once");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> g.xwt(null, null, 0, null, 1, 1, 1));
        assertTrue(e.getMessage().contains("cuda:7") && e.getMessage().contains("released"), e.getMessage());
    }
}
