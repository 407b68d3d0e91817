package org.flowkernels;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.flowkernels.backend.cpu.CpuBackend;
import org.flowkernels.backend.cuda.CudaBackend;
import org.flowkernels.backend.cuda.CudaDevices;
import org.flowkernels.backend.opencl.OpenClBackend;
import org.flowkernels.backend.opencl.OpenClDevices;

/**
 * Finds the backends of this machine and hands them out. Discovery never throws because a
 * runtime is missing: a missing library (a LinkageError) or driver is caught once, remembered,
 * and reported as the backend's reason. Each backend is created once per process and shared.
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
    private static volatile Discovery discovery;

    private Backends() {}

    private record Discovery(List<OpenClDevices.Found> opencl, String openclReason,
                             List<CudaDevices.Found> cuda, String cudaReason) {}

    private static Discovery discovery() {
        Discovery d = discovery;
        if (d == null) {
            synchronized (Backends.class) {
                if (discovery == null) discovery = discover();
                d = discovery;
            }
        }
        return d;
    }

    private static Discovery discover() {
        List<OpenClDevices.Found> cl = List.of();
        String clReason = "";
        try {
            cl = OpenClDevices.discover();
            if (cl.isEmpty()) clReason = "no OpenCL device on any platform";
        } catch (LinkageError e) {
            clReason = "libOpenCL.so.1 could not be loaded (install an ICD loader and a driver, e.g. "
                    + "apt-get install ocl-icd-opencl-dev pocl-opencl-icd): " + firstLine(e);
        } catch (RuntimeException e) {
            clReason = e.getMessage() != null && e.getMessage().contains("PLATFORM_NOT_FOUND")
                    ? "no OpenCL platform (no ICD registered in /etc/OpenCL/vendors)" : "OpenCL discovery failed: " + firstLine(e);
        }
        List<CudaDevices.Found> cu = List.of();
        String cuReason = "";
        try {
            cu = CudaDevices.discover();
            if (cu.isEmpty()) cuReason = "no CUDA device";
            else if (CudaDevices.fatbin() == null)
                cuReason = "kernels were not built (nvcc was not found when the library was built)";
        } catch (LinkageError e) {
            String m = String.valueOf(e.getMessage()) + " " + (e.getCause() == null ? "" : e.getCause().getMessage());
            cuReason = m.contains("libcuda") || m.contains("JCudaDriver")
                    ? "libcuda.so.1 not found (no NVIDIA driver)" : "JCuda could not be loaded: " + firstLine(e);
        } catch (RuntimeException e) {
            cuReason = "cuInit failed: " + firstLine(e);
        }
        return new Discovery(cl, clReason, cu, cuReason);
    }

    private static String firstLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.lines().findFirst().orElse(m).trim();
    }

    /** Every backend of this machine, with whether it works and, when not, why. */
    public static List<BackendStatus> available() {
        Discovery d = discovery();
        List<BackendStatus> out = new ArrayList<>();
        out.add(new BackendStatus("cpu", true, "", cpu().device()));
        if (d.opencl.isEmpty()) out.add(new BackendStatus("opencl", false, d.openclReason, null));
        for (var f : d.opencl) out.add(new BackendStatus("opencl:" + f.index(), true, "", f.info()));
        if (d.cuda.isEmpty()) out.add(new BackendStatus("cuda", false, d.cudaReason, null));
        for (var f : d.cuda)
            out.add(new BackendStatus("cuda:" + f.index(), d.cudaReason.isEmpty(), d.cudaReason, f.info()));
        return out;
    }

    /** The Java CPU backend (always there). */
    public static Backend cpu() {
        return OPEN.computeIfAbsent("cpu", n -> new CpuBackend());
    }

    /**
     * The backend with this name ({@code cpu}, {@code opencl}, {@code opencl:N}, {@code cuda},
     * {@code cuda:N}). Throws IllegalArgumentException for an unknown name and
     * IllegalStateException, with the reason, for one that is not available here.
     */
    public static Backend get(String name) {
        Check.notNull(name, "backend name");
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (n.equals("cpu")) return cpu();
        Discovery d = discovery();
        if (n.equals("opencl") || n.startsWith("opencl:")) {
            if (d.opencl.isEmpty()) throw new IllegalStateException("backend " + n + " is not available: " + d.openclReason);
            int i = n.equals("opencl") ? firstOpenClGpu(d) : index(n, d.opencl.size());
            var found = d.opencl.get(i);
            return OPEN.computeIfAbsent("opencl:" + i, k -> new OpenClBackend(found));
        }
        if (n.equals("cuda") || n.startsWith("cuda:")) {
            if (!d.cudaReason.isEmpty()) throw new IllegalStateException("backend " + n + " is not available: " + d.cudaReason);
            int i = n.equals("cuda") ? 0 : index(n, d.cuda.size());
            var found = d.cuda.get(i);
            return OPEN.computeIfAbsent("cuda:" + i, k -> new CudaBackend(found, CudaDevices.fatbin()));
        }
        throw new IllegalArgumentException("backend: expected cpu, opencl, opencl:N, cuda or cuda:N, got '" + name + "'");
    }

    private static int firstOpenClGpu(Discovery d) {
        for (var f : d.opencl) if (f.info().type() == DeviceInfo.Type.GPU) return f.index();
        return 0;
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
        List<String> candidates = new ArrayList<>();
        Discovery d = discovery();
        if (d.cudaReason.isEmpty()) for (var f : d.cuda) candidates.add("cuda:" + f.index());
        for (var f : d.opencl) if (f.info().type() == DeviceInfo.Type.GPU) candidates.add("opencl:" + f.index());
        for (String c : candidates) {
            try {
                Backend b = get(c);
                LOG.log(System.Logger.Level.INFO, "flowkernels: using backend " + b);
                return b;
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "flowkernels: backend " + c + " failed to start, trying the next: " + e.getMessage());
            }
        }
        Backend b = cpu();
        LOG.log(System.Logger.Level.INFO, "flowkernels: using backend " + b + " (no GPU backend available)");
        return b;
    }
}
