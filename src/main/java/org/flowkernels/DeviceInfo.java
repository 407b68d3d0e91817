package org.flowkernels;

/**
 * What stands behind a backend: the device's name, kind and size, for listings and for the
 * benchmark reports (which name the device a figure was measured on).
 *
 * @param name         the device name as its driver reports it
 * @param type         CPU, GPU or ACCELERATOR
 * @param vendor       the vendor string
 * @param computeUnits cores (CPU), compute units (OpenCL) or streaming multiprocessors (CUDA)
 * @param memoryBytes  global memory, or the JVM's maximum heap for the Java CPU backend
 * @param details      driver / runtime version and anything else worth a line
 */
public record DeviceInfo(String name, Type type, String vendor, int computeUnits, long memoryBytes, String details) {
    public enum Type { CPU, GPU, ACCELERATOR }

    @Override
    public String toString() {
        return String.format("%s (%s, %s, %d units, %.1f GiB; %s)", name, type, vendor, computeUnits,
                memoryBytes / (1024.0 * 1024 * 1024), details);
    }
}
