package org.flowkernels.backend.cuda;

import java.util.ArrayList;
import java.util.List;
import org.flowkernels.Backend;
import org.flowkernels.BackendProvider;
import org.flowkernels.DeviceInfo;

/** CUDA devices ("cuda:N", "cuda" = cuda:0) through JCuda's driver API, running the fatbin nvcc built. */
public final class CudaProvider implements BackendProvider {
    private volatile List<CudaDevices.Found> found = List.of();

    @Override public String kind() { return "cuda"; }

    @Override public int rank() { return 0; }

    @Override
    public Discovery discover() {
        try {
            found = CudaDevices.discover();
            List<DeviceInfo> infos = new ArrayList<>();
            for (var f : found) infos.add(f.info());
            if (infos.isEmpty()) return new Discovery(infos, "no CUDA device");
            String driver = CudaDevices.driverMismatch();
            if (driver != null) return new Discovery(infos, driver);
            if (CudaDevices.fatbin() == null)
                return new Discovery(infos, "kernels were not built (nvcc was not found when the library was built)");
            return new Discovery(infos, "");
        } catch (LinkageError e) {
            String m = e.getMessage() + " " + (e.getCause() == null ? "" : e.getCause().getMessage());
            return new Discovery(List.of(), m.contains("libcuda") || m.contains("JCudaDriver")
                    ? "libcuda.so.1 not found (no NVIDIA driver)" : "JCuda could not be loaded: " + firstLine(e));
        } catch (RuntimeException e) {
            return new Discovery(List.of(), "cuInit failed: " + firstLine(e));
        }
    }

    @Override
    public Backend open(int index) {
        return new CudaBackend(found.get(index), CudaDevices.fatbin(), CudaDevices.lmemFatbin());
    }

    private static String firstLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.lines().findFirst().orElse(m).trim();
    }
}
