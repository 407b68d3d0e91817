package org.flowkernels.backend.cpu;

/**
 * Whether the CPU kernels may use the Vector API. It is an incubator module in Java 17: the
 * JVM must be started with {@code --add-modules jdk.incubator.vector}. Without it (or with
 * {@code -Dflowkernels.cpu.simd=false}) the kernels run as plain loops, and
 * {@link #description()} says so.
 */
final class Simd {
    private Simd() {}

    /** True when the Vector API module is in the boot layer and not switched off. */
    static final boolean ENABLED = !"false".equals(System.getProperty("flowkernels.cpu.simd"))
            && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    /** Which block operations run, and why those. */
    static String description(BlockOps blocks) {
        if (blocks instanceof VectorBlocks) return "SIMD: " + blocks.description();
        if (ENABLED) return "SIMD: off (the Vector API is present, but this machine's vectors are not 256 or 512 bits wide)";
        if ("false".equals(System.getProperty("flowkernels.cpu.simd"))) return "SIMD: off (flowkernels.cpu.simd=false)";
        return "SIMD: off (start the JVM with --add-modules jdk.incubator.vector)";
    }
}
