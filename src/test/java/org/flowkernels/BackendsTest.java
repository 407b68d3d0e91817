package org.flowkernels;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.flowkernels.testing.TestBackends;
import org.junit.jupiter.api.Test;

class BackendsTest {
    @Test
    void everyKindIsListedWithAReasonWhenUnavailable() {
        List<BackendStatus> all = Backends.available();
        assertEquals("cpu", all.get(0).name());
        assertTrue(all.get(0).available());
        for (String kind : new String[] {"opencl", "cuda"})
            assertTrue(all.stream().anyMatch(s -> s.name().startsWith(kind)), kind + " is listed");
        for (BackendStatus s : all) {
            if (!s.available()) assertFalse(s.reason().isBlank(), s.name() + " needs a reason");
            System.out.println("[flowkernels] " + s);
        }
    }

    @Test
    void requiredBackendsArePresent() {
        for (String kind : TestBackends.requiredKinds()) {
            boolean present = TestBackends.entries().values().stream()
                    .anyMatch(e -> e.kind().equals(kind) && e.backend() != null);
            assertTrue(present, "flowkernels.require names " + kind + ", which is not available: "
                    + TestBackends.entries().values().stream().filter(e -> e.kind().equals(kind)).map(TestBackends.Entry::reason).toList());
        }
    }

    @Test
    void unknownAndUnavailableNamesAreErrorsNotSubstitutes() {
        var e = assertThrows(IllegalArgumentException.class, () -> Backends.get("tpu"));
        assertTrue(e.getMessage().contains("tpu"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Backends.get("opencl:x"));
        for (BackendStatus s : Backends.available())
            if (!s.available()) {
                var u = assertThrows(IllegalStateException.class, () -> Backends.get(s.name()));
                assertTrue(u.getMessage().contains(s.reason()), u.getMessage());
            }
        assertThrows(IllegalStateException.class, () -> Backends.get("cuda:99"));
        assertThrows(IllegalStateException.class, () -> Backends.get("opencl:99"));
    }

    @Test
    void aRequestedBackendIsHonoured() {
        String old = System.getProperty("flowkernels.backend");
        try {
            System.setProperty("flowkernels.backend", "cpu");
            assertSame(Backends.cpu(), Backends.best());
            System.setProperty("flowkernels.backend", "nonsense");
            assertThrows(IllegalArgumentException.class, Backends::best);
        } finally {
            if (old == null) System.clearProperty("flowkernels.backend");
            else System.setProperty("flowkernels.backend", old);
        }
    }

    @Test
    void namesAreStable() {
        assertSame(Backends.get("cpu"), Backends.get(" CPU "));
        for (BackendStatus s : Backends.available())
            if (s.available()) assertSame(Backends.get(s.name()), Backends.get(s.name()));
    }
}
