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
                            + version(driver[0]))));
        }
        return found;
    }

    static int attribute(CUdevice d, int attribute) {
        int[] v = new int[1];
        cuDeviceGetAttribute(v, attribute, d);
        return v[0];
    }

    /** The CUDA version nvcc wrote beside the fatbin (1000 major + 10 minor, like cuDriverGetVersion), or 0 if unknown. */
    static int fatbinCudaVersion() {
        try (InputStream in = CudaDevices.class.getResourceAsStream("/" + FATBIN + ".cuda")) {
            return in == null ? 0 : Integer.parseInt(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).trim());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /**
     * Why the driver cannot run the fatbin, or null: a driver older than the CUDA release that
     * built the kernels rejects their PTX and may reject their SASS, and cuModuleLoadData would
     * only say CUDA_ERROR_UNSUPPORTED_PTX_VERSION.
     */
    static String driverMismatch() {
        int[] driver = new int[1];
        cuDriverGetVersion(driver);
        int built = fatbinCudaVersion();
        if (built == 0 || driver[0] >= built) return null;
        return "the NVIDIA driver supports CUDA " + version(driver[0]) + ", but the kernels were built with CUDA " + version(built)
                + " (update the driver, or build the library with nvcc " + version(driver[0]) + " or older)";
    }

    static String version(int v) {
        return v / 1000 + "." + v % 1000 / 10;
    }

    /** The fatbin's bytes, or null when nvcc did not build it. */
    public static byte[] fatbin() {
        try (InputStream in = CudaDevices.class.getResourceAsStream("/" + FATBIN)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new FlowKernelsException("reading " + FATBIN + ": " + e.getMessage(), e);
        }
    }
}
