package org.flowkernels.bench.report;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Vendor FP32 peaks (non-tensor-core, dense, at boost clock) of the GPUs we expect to meet,
 * matched on the device name the driver reports. The report prints them beside the measured
 * FMA peak, labelled as datasheet figures; CPUs have no entry (their peak depends on the SKU's
 * AVX clocks, which the name does not tell).
 */
public final class Datasheet {
    /** @param fp32Tflops the vendor's FP32 figure; @param model the product it belongs to */
    public record Entry(Pattern name, double fp32Tflops, String model) {}

    /** Most specific first: "H200 NVL" before "H200". */
    private static final List<Entry> GPUS = List.of(
            entry("H200 NVL", 60, "NVIDIA H200 NVL"),
            entry("H200", 67, "NVIDIA H200 SXM"),
            entry("H100 NVL", 60, "NVIDIA H100 NVL"),
            entry("H100 PCIe", 51, "NVIDIA H100 PCIe"),
            entry("H100", 67, "NVIDIA H100 SXM"),
            entry("A100", 19.5, "NVIDIA A100"),
            entry("L40S", 91.6, "NVIDIA L40S"),
            entry("\\bL4\\b", 30.3, "NVIDIA L4"),
            entry("\\bA10\\b", 31.2, "NVIDIA A10"),
            entry("\\bT4\\b", 8.1, "NVIDIA T4"),
            entry("V100-SXM2", 15.7, "NVIDIA V100 SXM2"),
            entry("V100-PCIE", 14, "NVIDIA V100 PCIe"));

    private Datasheet() {}

    private static Entry entry(String regex, double tflops, String model) {
        return new Entry(Pattern.compile(regex, Pattern.CASE_INSENSITIVE), tflops, model);
    }

    public static Optional<Entry> forDevice(String deviceName) {
        if (deviceName == null) return Optional.empty();
        return GPUS.stream().filter(e -> e.name().matcher(deviceName).find()).findFirst();
    }
}
