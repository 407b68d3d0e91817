package org.flowkernels.backend.cuda;

import static jcuda.driver.JCudaDriver.*;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.JCudaDriver;
import org.flowkernels.DeviceInfo;
import org.flowkernels.FlowKernelsException;
import org.flowkernels.backend.device.KernelSource;

/** Finds the CUDA devices ("cuda:N") and the fatbin nvcc built into the jar. */
public final class CudaDevices {
    private CudaDevices() {}

    public static final String FATBIN = KernelSource.ROOT + "flowkernels.fatbin";

    public record Found(int index, DeviceInfo info) {}

    /**
     * Every CUDA device. Throws LinkageError when the JCuda driver library or libcuda.so.1
     * cannot be loaded, and jcuda.CudaException when cuInit fails (no device, driver too old);
     * {@link org.flowkernels.Backends} turns both into a reason.
     */
    public static List<Found> discover() {
        JCudaDriver.setExceptionsEnabled(true);
        cuInit(0);
        int[] count = new int[1];
        cuDeviceGetCount(count);
        int[] driver = new int[1];
        cuDriverGetVersion(driver);
        List<Found> found = new ArrayList<>();
        for (int i = 0; i < count[0]; i++) {
            CUdevice d = new CUdevice();
            cuDeviceGet(d, i);
            byte[] name = new byte[256];
            cuDeviceGetName(name, name.length, d);
            long[] mem = new long[1];
            cuDeviceTotalMem(mem, d);
            int sms = attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
            int major = attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
            int minor = attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
            int clockKhz = attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_CLOCK_RATE);
            String n = new String(name).trim().replace("\0", "");
            found.add(new Found(i, new DeviceInfo(n, DeviceInfo.Type.GPU, "NVIDIA", sms, mem[0],
                    "compute capability " + major + "." + minor + ", " + clockKhz / 1000 + " MHz, driver API "
                            + driver[0] / 1000 + "." + driver[0] % 1000 / 10)));
        }
        return found;
    }

    static int attribute(CUdevice d, int attribute) {
        int[] v = new int[1];
        cuDeviceGetAttribute(v, attribute, d);
        return v[0];
    }

    /** The fatbin's bytes, or null when nvcc did not build it. */
    public static byte[] fatbin() {
        try (InputStream in = CudaDevices.class.getClassLoader().getResourceAsStream(FATBIN)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new FlowKernelsException("reading " + FATBIN + ": " + e.getMessage(), e);
        }
    }
}
