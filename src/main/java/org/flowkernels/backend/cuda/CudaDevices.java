package org.flowkernels.backend.cuda;

import static jcuda.driver.JCudaDriver.*;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
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
    /** The kernels allowed local memory (native-kernels/include/lmem.h); absent when there are none. */
    public static final String FATBIN_LMEM = KernelSource.ROOT + "flowkernels-lmem.fatbin";

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
            return in == null ? 0 : parseVersion(new String(in.readAllBytes(), StandardCharsets.US_ASCII));
        } catch (IOException e) {
            return 0;
        }
    }

    /** The text of flowkernels.fatbin.cuda ("13000\n"), or 0 when it is not a plausible version. */
    static int parseVersion(String text) {
        try {
            int v = Integer.parseInt(text.trim());
            return v >= 1000 && v < 100_000 ? v : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Why this machine's driver cannot run the fatbin, or null. */
    static String driverMismatch() {
        int[] driver = new int[1];
        cuDriverGetVersion(driver);
        return driverMismatch(driver[0], fatbinCudaVersion());
    }

    /**
     * Why a driver for CUDA {@code driver} cannot run kernels built with CUDA {@code built}
     * (both as cuDriverGetVersion counts them), or null: an older driver rejects their PTX and
     * may reject their SASS, and cuModuleLoadData would only say CUDA_ERROR_UNSUPPORTED_PTX_VERSION.
     * An unknown build version (0) is not a mismatch.
     */
    static String driverMismatch(int driver, int built) {
        if (built == 0 || driver >= built) return null;
        return "the NVIDIA driver supports CUDA " + version(driver) + ", but the kernels were built with CUDA " + version(built)
                + " (update the driver, or build the library with nvcc " + version(driver) + " or older)";
    }

    /** 12040 -> "12.4". */
    static String version(int v) {
        return v / 1000 + "." + v % 1000 / 10;
    }

    /** The fatbin's bytes, or null when nvcc did not build it. */
    public static byte[] fatbin() { return resource(FATBIN); }

    /** The second module's bytes, or null when there is none (no kernel is allowed local memory, or no nvcc). */
    public static byte[] lmemFatbin() { return resource(FATBIN_LMEM); }

    private static byte[] resource(String path) {
        try (InputStream in = CudaDevices.class.getResourceAsStream("/" + path)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new FlowKernelsException("reading " + path + ": " + e.getMessage(), e);
        }
    }
}
