package org.flowkernels;

import static org.junit.jupiter.api.Assertions.*;

import org.flowkernels.testing.BackendTest;
import org.flowkernels.testing.Fresh;

class TensorTest {
    @BackendTest
    void roundTripsThroughTheDevice(Backend backend) {
        Fresh f = new Fresh("tensor" + backend.name());
        for (int[] s : new int[][] {{1, 1}, {3, 7}, {1000, 3}, {65537, 1}}) {
            float[] data = f.gaussian(s[0] * s[1], 3.0);
            try (Tensor t = backend.tensor(data, s[0], s[1])) {
                assertArrayEquals(data, t.toArray(), f.seed());
                assertEquals(s[0], t.rows());
                assertEquals(s[1], t.cols());
                assertSame(backend, t.backend());
            }
        }
        try (Tensor z = backend.zeros(5, 3)) {
            assertArrayEquals(new float[15], z.toArray());
        }
        float[][] rows = {{1, 2}, {3, 4}, {5, 6}};
        try (Tensor t = backend.tensor(rows)) {
            assertArrayEquals(rows, t.toRows());
        }
    }

    @BackendTest
    void closeReleasesAndForbidsUse(Backend backend) {
        long before = backend.liveAllocations();
        Tensor t = backend.zeros(10, 10);
        assertEquals(before + 1, backend.liveAllocations());
        t.close();
        t.close();
        assertEquals(before, backend.liveAllocations());
        assertTrue(t.isClosed());
        var e = assertThrows(IllegalStateException.class, t::toArray);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> t.copyFrom(new float[100]));
    }

    @BackendTest
    void theCleanerReleasesForgottenTensors(Backend backend) throws InterruptedException {
        long before = backend.liveAllocations();
        for (int i = 0; i < 10; i++) backend.zeros(4, 4); // never closed
        long deadline = System.currentTimeMillis() + 10_000;
        while (backend.liveAllocations() > before && System.currentTimeMillis() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertEquals(before, backend.liveAllocations(), "the Cleaner should have freed unreachable tensors");
    }

    @BackendTest
    void badShapesAreRejected(Backend backend) {
        var e = assertThrows(IllegalArgumentException.class, () -> backend.tensor(new float[5], 2, 3));
        assertTrue(e.getMessage().contains("2 * 3 = 6") && e.getMessage().contains("got 5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> backend.empty(-1, 3));
        assertThrows(IllegalArgumentException.class, () -> backend.empty(3, -1));
        assertThrows(IllegalArgumentException.class, () -> backend.tensor(null, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> backend.tensor(new float[][] {{1, 2}, {3}}));
        try (Tensor t = backend.zeros(2, 2)) {
            assertThrows(IllegalArgumentException.class, () -> t.copyFrom(new float[3]));
        }
    }

    @BackendTest
    void emptyTensors(Backend backend) {
        try (Tensor t = backend.zeros(0, 5)) {
            assertEquals(0, t.toArray().length);
        }
    }
}
