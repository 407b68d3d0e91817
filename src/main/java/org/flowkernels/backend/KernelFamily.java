package org.flowkernels.backend;

import java.util.function.Function;
import org.flowkernels.Backend;
import org.flowkernels.backend.cpu.CpuBackend;
import org.flowkernels.backend.device.DeviceBackend;

/**
 * A group of kernels behind one interface {@code K} (the MLP's, the coupling layers', ...),
 * implemented twice: in plain Java for the CPU backend, and once for both GPU runtimes
 * (OpenCL and CUDA launch the same kernel bodies through {@link DeviceBackend}). Each backend
 * creates a family's implementation once and keeps it: {@code backend.kernels(FAMILY)}.
 */
public final class KernelFamily<K> {
    private final String name;
    private final Function<CpuBackend, K> cpu;
    private final Function<DeviceBackend, K> device;

    private KernelFamily(String name, Function<CpuBackend, K> cpu, Function<DeviceBackend, K> device) {
        this.name = name;
        this.cpu = cpu;
        this.device = device;
    }

    public static <K> KernelFamily<K> of(String name, Function<CpuBackend, K> cpu, Function<DeviceBackend, K> device) {
        return new KernelFamily<>(name, cpu, device);
    }

    public K createFor(Backend backend) {
        if (backend instanceof CpuBackend c) return cpu.apply(c);
        if (backend instanceof DeviceBackend d) return device.apply(d);
        throw new IllegalArgumentException("kernel family " + name + ": unknown backend type " + backend.getClass().getName());
    }

    @Override
    public String toString() { return name; }
}
