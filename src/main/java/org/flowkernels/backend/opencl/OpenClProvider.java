package org.flowkernels.backend.opencl;

import java.util.ArrayList;
import java.util.List;
import org.flowkernels.Backend;
import org.flowkernels.BackendProvider;
import org.flowkernels.DeviceInfo;

/** OpenCL devices of every platform, in platform order ("opencl:N"); "opencl" is the first GPU. */
public final class OpenClProvider implements BackendProvider {
    private volatile List<OpenClDevices.Found> found = List.of();

    @Override public String kind() { return "opencl"; }

    @Override public int rank() { return 1; }

    @Override
    public Discovery discover() {
        try {
            found = OpenClDevices.discover();
            List<DeviceInfo> infos = new ArrayList<>();
            for (var f : found) infos.add(f.info());
            return new Discovery(infos, found.isEmpty() ? "no OpenCL device on any platform" : "");
        } catch (LinkageError e) {
            return new Discovery(List.of(), "libOpenCL.so.1 could not be loaded (install an ICD loader and a driver, e.g. "
                    + "apt-get install ocl-icd-opencl-dev pocl-opencl-icd): " + firstLine(e));
        } catch (RuntimeException e) {
            return new Discovery(List.of(), e.getMessage() != null && e.getMessage().contains("PLATFORM_NOT_FOUND")
                    ? "no OpenCL platform (no ICD registered in /etc/OpenCL/vendors)" : "OpenCL discovery failed: " + firstLine(e));
        }
    }

    @Override
    public int defaultDevice(List<DeviceInfo> devices) {
        for (int i = 0; i < devices.size(); i++) if (devices.get(i).type() == DeviceInfo.Type.GPU) return i;
        return 0;
    }

    /** An OpenCL CPU device (PoCL) is slower than the Java CPU backend: only GPUs are chosen automatically. */
    @Override public boolean automatic(DeviceInfo device) { return device.type() == DeviceInfo.Type.GPU; }

    @Override public Backend open(int index) { return new OpenClBackend(found.get(index)); }

    static String firstLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.lines().findFirst().orElse(m).trim();
    }
}
