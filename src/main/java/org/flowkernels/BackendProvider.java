package org.flowkernels;

import java.util.List;

/**
 * One kind of backend (the Java CPU, OpenCL, CUDA), as {@link Backends} finds it: a
 * {@link java.util.ServiceLoader} provider, so that this package never names a backend's
 * classes. For backend implementations; users call {@link Backends}.
 */
public interface BackendProvider {
    /** "cpu", "opencl", "cuda": the prefix of the backends' names. */
    String kind();

    /** Backends.best() tries kinds in increasing rank (CUDA 0, OpenCL 1, the CPU last). */
    int rank();

    /**
     * The devices of this kind on this machine, or why there are none; never throws for a
     * missing runtime (a missing native library is a reason, not an error).
     */
    Discovery discover();

    /** The name of device i: {@code kind + ":" + i}, or the bare kind for a single-device kind. */
    default String name(int index) { return kind() + ":" + index; }

    /** The device a bare kind name ("opencl", "cuda") means. */
    default int defaultDevice(List<DeviceInfo> devices) { return 0; }

    /** Whether {@link Backends#best()} may pick this device without being asked to. */
    default boolean automatic(DeviceInfo device) { return true; }

    /** Starts device i (once per process: Backends keeps it). */
    Backend open(int index);

    /**
     * What {@link #discover()} found.
     *
     * @param devices the devices, in index order
     * @param reason  why none can be used, or why the ones found cannot (empty when they can)
     */
    record Discovery(List<DeviceInfo> devices, String reason) {
        public Discovery {
            devices = List.copyOf(devices);
        }

        public boolean usable() { return !devices.isEmpty() && reason.isEmpty(); }
    }
}
