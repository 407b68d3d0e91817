package org.flowkernels.backend.cpu;

/**
 * Whether the CPU kernels may use the Vector API. It is an incubator module in Java 17: the
 * JVM must be started with {@code --add-modules jdk.incubator.vector}. Without it (or with
 * {@code -Dflowkernels.cpu.simd=false}) the kernels run as plain loops, and
 * {@link #description()} says so.
 */
public final class Simd {
    private Simd() {}

    /** True when the Vector API module is in the boot layer and not switched off. */
    public static final boolean ENABLED = !"false".equals(System.getProperty("flowkernels.cpu.simd"))
            && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    public static String description() {
        if (ENABLED) return "SIMD: Vector API, " + VectorMlp.S.vectorBitSize() + "-bit"
                + (MlpBlock.VECTORIZED ? "" : " (no blocked kernel for this width: MLPs run as plain loops)");
        if ("false".equals(System.getProperty("flowkernels.cpu.simd"))) return "SIMD: off (flowkernels.cpu.simd=false)";
        return "SIMD: off (start the JVM with --add-modules jdk.incubator.vector)";
    }
}
