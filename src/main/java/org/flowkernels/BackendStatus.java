package org.flowkernels;

/**
 * One line of {@link Backends#available()}: a backend's name, whether it can be used here and,
 * when not, why (one line, e.g. "libcuda.so.1 not found (no NVIDIA driver)").
 *
 * @param name      the name {@link Backends#get(String)} takes: "cpu", "opencl:0", "cuda:0", or
 *                  the bare kind ("opencl", "cuda") when no device of that kind was found
 * @param available whether {@link Backends#get(String)} would succeed for this name
 * @param reason    why it is not available; empty when it is
 * @param device    the device behind it, or null when none was found
 */
public record BackendStatus(String name, boolean available, String reason, DeviceInfo device) {
    @Override
    public String toString() {
        return available ? name + ": " + device : name + ": unavailable: " + reason;
    }
}
