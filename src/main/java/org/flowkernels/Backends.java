package org.flowkernels;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the backends of this machine and hands them out. The kinds of backend are
 * {@link BackendProvider}s found through {@link ServiceLoader}; discovery never throws because
 * a runtime is missing: each provider turns a missing library or driver into a reason, once.
 * Each backend is created once per process and shared.
 *
 * <p>Names: {@code cpu}; {@code opencl:N} (OpenCL devices of all platforms, in platform
 * order) and {@code opencl} (the first OpenCL GPU, else opencl:0); {@code cuda:N} and
 * {@code cuda} (= cuda:0). The environment variable {@code FLOWKERNELS_BACKEND} or the system
 * property {@code flowkernels.backend} (which wins) makes {@link #best()} return the named
 * backend, and fail if it is not available: never a silent substitute.
 */
public final class Backends {
    private static final System.Logger LOG = System.getLogger("org.flowkernels");
    private static final Map<String, Backend> OPEN = new ConcurrentHashMap<>();
    private static volatile List<Kind> kinds;

    private Backends() {}

    /** A provider and what it found. */
    private record Kind(BackendProvider provider, BackendProvider.Discovery found) {
        String name(int i) { return provider.name(i); }
    }

    private static List<Kind> kinds() {
        List<Kind> k = kinds;
        if (k == null) {
            synchronized (Backends.class) {
                if (kinds == null) {
                    // listed in the order of registration (cpu, opencl, cuda); best() goes by rank
                    List<Kind> found = new ArrayList<>();
                    for (BackendProvider p : ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader()))
                        found.add(new Kind(p, p.discover()));
                    kinds = List.copyOf(found);
                }
                k = kinds;
            }
        }
        return k;
    }

    private static Kind kind(String kind) {
        for (Kind k : kinds()) if (k.provider().kind().equals(kind)) return k;
        return null;
    }

    /** Every backend of this machine, with whether it works and, when not, why. */
    public static List<BackendStatus> available() {
        List<BackendStatus> out = new ArrayList<>();
        for (Kind k : kinds()) {
            List<DeviceInfo> devices = k.found().devices();
            if (devices.isEmpty()) out.add(new BackendStatus(k.provider().kind(), false, k.found().reason(), null));
            for (int i = 0; i < devices.size(); i++)
                out.add(new BackendStatus(k.name(i), k.found().usable(), k.found().reason(), devices.get(i)));
        }
        return out;
    }

    /** The Java CPU backend (always there). */
    public static Backend cpu() {
        return get("cpu");
    }

    /**
     * The backend with this name ({@code cpu}, {@code opencl}, {@code opencl:N}, {@code cuda},
     * {@code cuda:N}). Throws IllegalArgumentException for an unknown name and
     * IllegalStateException, with the reason, for one that is not available here.
     */
    public static Backend get(String name) {
        Check.notNull(name, "backend name");
        String n = name.trim().toLowerCase(Locale.ROOT);
        int colon = n.indexOf(':');
        Kind k = kind(colon < 0 ? n : n.substring(0, colon));
        if (k == null) {
            List<String> names = new ArrayList<>();
            for (Kind x : kinds()) names.add(x.provider().kind());
            throw new IllegalArgumentException("backend: expected one of " + String.join(", ", names)
                    + " (with :N for a device number), got '" + name + "'");
        }
        if (!k.found().usable())
            throw new IllegalStateException("backend " + n + " is not available: " + k.found().reason());
        List<DeviceInfo> devices = k.found().devices();
        int i = colon < 0 ? k.provider().defaultDevice(devices) : index(n, devices.size());
        return OPEN.computeIfAbsent(k.name(i), key -> k.provider().open(i));
    }

    private static int index(String name, int count) {
        String digits = name.substring(name.indexOf(':') + 1);
        int i;
        try {
            i = Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("backend: expected a device number after ':', got '" + name + "'");
        }
        if (i < 0 || i >= count)
            throw new IllegalStateException("backend " + name + " is not available: there " + (count == 1 ? "is 1 device" : "are " + count + " devices")
                    + " of that kind (numbered from 0)");
        return i;
    }

    /** The name asked for by the system property flowkernels.backend or FLOWKERNELS_BACKEND, or null. */
    public static String requested() {
        String p = System.getProperty("flowkernels.backend");
        if (p != null && !p.isBlank()) return p.trim();
        String e = System.getenv("FLOWKERNELS_BACKEND");
        return e != null && !e.isBlank() ? e.trim() : null;
    }

    /**
     * The backend asked for by name (see {@link #requested()}), else the fastest one here:
     * CUDA, then an OpenCL GPU, then the Java CPU backend. The choice is logged. An automatic
     * choice that fails to start (a driver that cannot load the kernels) is logged as a warning
     * and the next one is tried; a requested one that fails throws.
     */
    public static Backend best() {
        String asked = requested();
        if (asked != null) {
            Backend b = get(asked);
            LOG.log(System.Logger.Level.INFO, "flowkernels: using backend " + b + " (requested)");
            return b;
        }
        List<Kind> byRank = new ArrayList<>(kinds());
        byRank.sort(Comparator.comparingInt(x -> x.provider().rank()));
        for (Kind k : byRank) {
            if (!k.found().usable()) continue;
            List<DeviceInfo> devices = k.found().devices();
            for (int i = 0; i < devices.size(); i++) {
                if (!k.provider().automatic(devices.get(i))) continue;
                try {
                    Backend b = get(k.name(i));
                    LOG.log(System.Logger.Level.INFO, "flowkernels: using backend " + b);
                    return b;
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "flowkernels: backend " + k.name(i) + " failed to start, trying the next: "
                            + e.getMessage());
                }
            }
        }
        Backend b = cpu();
        LOG.log(System.Logger.Level.INFO, "flowkernels: using backend " + b + " (no GPU backend available)");
        return b;
    }
}
