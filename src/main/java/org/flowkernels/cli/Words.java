package org.flowkernels.cli;

import java.util.Locale;

/** Numbers and counts as the commands print them. */
final class Words {
    private Words() {}

    /** 100 rather than 100.0; other values as Java prints them (shortest round-trip form). */
    static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    /** "1 trajectory", "16 trajectories". */
    static String count(long n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }

    static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
