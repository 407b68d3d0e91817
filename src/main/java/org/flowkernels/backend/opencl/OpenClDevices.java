package org.flowkernels.backend.opencl;

import static org.jocl.CL.*;

import java.util.ArrayList;
import java.util.List;
import org.flowkernels.DeviceInfo;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/** Finds the OpenCL devices of every platform, numbered in platform order: "opencl:N". */
public final class OpenClDevices {
    private OpenClDevices() {}

    /** One device found by {@link #discover()}. */
    public record Found(int index, cl_platform_id platform, cl_device_id device, DeviceInfo info) {}

    /**
     * Every OpenCL device. Throws LinkageError when libOpenCL cannot be loaded and
     * CLException when the ICD loader finds no platform; {@link org.flowkernels.Backends}
     * turns both into a reason.
     */
    public static List<Found> discover() {
        CL.setExceptionsEnabled(true);
        int[] n = new int[1];
        clGetPlatformIDs(0, null, n);
        cl_platform_id[] platforms = new cl_platform_id[n[0]];
        clGetPlatformIDs(platforms.length, platforms, null);
        List<Found> found = new ArrayList<>();
        for (cl_platform_id p : platforms) {
            int[] m = new int[1];
            try {
                clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, 0, null, m);
            } catch (org.jocl.CLException e) {
                continue; // CL_DEVICE_NOT_FOUND on this platform
            }
            cl_device_id[] devices = new cl_device_id[m[0]];
            clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, devices.length, devices, null);
            for (cl_device_id d : devices) found.add(new Found(found.size(), p, d, describe(p, d)));
        }
        return found;
    }

    static DeviceInfo describe(cl_platform_id p, cl_device_id d) {
        long type = infoLong(d, CL_DEVICE_TYPE);
        DeviceInfo.Type t = (type & CL_DEVICE_TYPE_GPU) != 0 ? DeviceInfo.Type.GPU
                : (type & CL_DEVICE_TYPE_CPU) != 0 ? DeviceInfo.Type.CPU : DeviceInfo.Type.ACCELERATOR;
        return new DeviceInfo(infoString(d, CL_DEVICE_NAME), t, infoString(d, CL_DEVICE_VENDOR),
                infoInt(d, CL_DEVICE_MAX_COMPUTE_UNITS), infoLong(d, CL_DEVICE_GLOBAL_MEM_SIZE),
                platformString(p, CL_PLATFORM_NAME) + ", " + infoString(d, CL_DEVICE_VERSION) + ", driver "
                        + infoString(d, CL_DRIVER_VERSION));
    }

    static String infoString(cl_device_id d, int param) {
        long[] size = new long[1];
        clGetDeviceInfo(d, param, 0, null, size);
        byte[] buf = new byte[(int) size[0]];
        clGetDeviceInfo(d, param, buf.length, Pointer.to(buf), null);
        return new String(buf, 0, Math.max(0, buf.length - 1)).trim();
    }

    static String platformString(cl_platform_id p, int param) {
        long[] size = new long[1];
        clGetPlatformInfo(p, param, 0, null, size);
        byte[] buf = new byte[(int) size[0]];
        clGetPlatformInfo(p, param, buf.length, Pointer.to(buf), null);
        return new String(buf, 0, Math.max(0, buf.length - 1)).trim();
    }

    static long infoLong(cl_device_id d, int param) {
        long[] v = new long[1];
        clGetDeviceInfo(d, param, Sizeof.cl_long, Pointer.to(v), null);
        return v[0];
    }

    static long infoSize(cl_device_id d, int param) {
        long[] v = new long[1];
        clGetDeviceInfo(d, param, Sizeof.size_t, Pointer.to(v), null);
        return v[0];
    }

    static int infoInt(cl_device_id d, int param) {
        int[] v = new int[1];
        clGetDeviceInfo(d, param, Sizeof.cl_uint, Pointer.to(v), null);
        return v[0];
    }
}
