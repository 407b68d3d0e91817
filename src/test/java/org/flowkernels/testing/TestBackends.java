package org.flowkernels.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.flowkernels.Backend;
import org.flowkernels.BackendStatus;
import org.flowkernels.Backends;

/**
 * The backends the contract suite runs on: every one {@link Backends#available()} lists,
 * started once. A backend that is listed as available but fails to start (an OpenCL build
 * error, a fatbin the driver rejects) is a failure, never a skip. The system property
 * {@code flowkernels.require} (e.g. "cpu,opencl") names kinds that must be present;
 * {@code flowkernels.test.only} restricts the suite to some kinds (the second surefire run,
 * which tests the CPU backend's plain-Java path without the Vector API, uses it).
 */
public final class TestBackends {
    private TestBackends() {}

    /** A backend to test, or why there is none. */
    public record Entry(String name, String kind, Backend backend, String reason, boolean broken) {}

    private static volatile Map<String, Entry> entries;

    public static Map<String, Entry> entries() {
        Map<String, Entry> e = entries;
        if (e == null) {
            synchronized (TestBackends.class) {
                if (entries == null) entries = discover();
                e = entries;
            }
        }
        return e;
    }

    private static Map<String, Entry> discover() {
        Map<String, Entry> out = new LinkedHashMap<>();
        Set<String> only = kinds("flowkernels.test.only");
        for (BackendStatus s : Backends.available()) {
            String kind = s.name().contains(":") ? s.name().substring(0, s.name().indexOf(':')) : s.name();
            if (!only.isEmpty() && !only.contains(kind)) continue;
            if (!s.available()) {
                out.put(s.name(), new Entry(s.name(), kind, null, s.reason(), false));
                continue;
            }
            try {
                out.put(s.name(), new Entry(s.name(), kind, Backends.get(s.name()), "", false));
            } catch (RuntimeException ex) {
                out.put(s.name(), new Entry(s.name(), kind, null, "failed to start: " + ex.getMessage(), true));
            }
        }
        System.out.println("[flowkernels tests] backends: " + out.values().stream()
                .map(en -> en.name() + (en.backend() != null ? " (" + en.backend().device().name() + ")" : " (unavailable: "
                        + en.reason() + ")")).collect(Collectors.joining("; ")));
        return out;
    }

    /** Kinds named by -Dflowkernels.require (e.g. "cpu,opencl"), within those the run covers. */
    public static Set<String> requiredKinds() {
        Set<String> required = kinds("flowkernels.require"), only = kinds("flowkernels.test.only");
        if (!only.isEmpty()) required.retainAll(only);
        return required;
    }

    private static Set<String> kinds(String property) {
        String r = System.getProperty(property, "");
        return Arrays.stream(r.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .collect(Collectors.toCollection(java.util.HashSet::new));
    }

    /** The started backends. */
    public static List<Backend> started() {
        List<Backend> out = new ArrayList<>();
        for (Entry e : entries().values()) if (e.backend() != null) out.add(e.backend());
        return out;
    }
}
