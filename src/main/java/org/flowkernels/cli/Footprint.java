package org.flowkernels.cli;

import java.util.Locale;
import org.flowkernels.Backend;
import org.flowkernels.Backends;

/**
 * The memory a run will hold, estimated from the sizes asked for before anything is
 * allocated, and checked against what there is: the backend's memory for its tensors, the
 * Java heap for the arrays on the host (on the CPU backend the tensors are Java arrays too).
 * A run that cannot fit is a usage error naming the option, not an OutOfMemoryError and a
 * stack trace, possibly an hour in. Sizes are doubles: products of three int options
 * overflow a long.
 */
final class Footprint {
    /** The most elements a Java array holds (the VM reserves a few header words). */
    static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    private double device, host, largestArray;

    /** {@code bytes} in tensors on the backend. */
    Footprint device(double bytes) {
        device += bytes;
        return this;
    }

    /** {@code bytes} in Java arrays on the host. */
    Footprint host(double bytes) {
        host += bytes;
        return this;
    }

    /** One Java array of {@code values} float32 values on the host. */
    Footprint array(double values) {
        largestArray = Math.max(largestArray, values);
        return host(4 * values);
    }

    /**
     * Throws IllegalArgumentException, {@code option: sizes need about X ..., more than ...;
     * remedy}, if the run does not fit on {@code backend}.
     */
    void check(Backend backend, String option, String sizes, String remedy) {
        double heap = Runtime.getRuntime().maxMemory();
        String heapLimit = "the " + gib(heap) + " the Java heap may grow to (java -Xmx; bin/flowkernels takes it in "
                + "FLOWKERNELS_JAVA_OPTS)";
        if (backend == Backends.cpu()) {
            if (device + host > heap)
                throw new IllegalArgumentException(option + ": " + sizes + " need about " + gib(device + host) + " (" + gib(device)
                        + " of tensors on cpu, " + gib(host) + " of arrays for the results), more than " + heapLimit + "; " + remedy);
        } else {
            long memory = backend.device().memoryBytes();
            if (device > memory)
                throw new IllegalArgumentException(option + ": " + sizes + " need about " + gib(device) + " on " + backend.name()
                        + ", more than its " + gib(memory) + " of memory; " + remedy);
            if (host > heap)
                throw new IllegalArgumentException(option + ": " + sizes + " need about " + gib(host) + " of arrays on the host for "
                        + "the results, more than " + heapLimit + "; " + remedy);
        }
        if (largestArray > MAX_ARRAY)
            throw new IllegalArgumentException(option + ": " + sizes + " make an array of " + String.format(Locale.ROOT, "%.3g",
                    largestArray) + " values, more than one Java array holds (" + MAX_ARRAY + "); " + remedy);
    }

    static String gib(double bytes) {
        return bytes >= 1L << 30 ? String.format(Locale.ROOT, "%.1f GiB", bytes / (1L << 30))
                : String.format(Locale.ROOT, "%.0f MiB", bytes / (1 << 20));
    }
}
