package org.flowkernels.bench.report;

import java.util.Locale;

/** Numbers as the report prints them: three significant digits with an SI prefix. */
final class Format {
    private Format() {}

    static final String[] PREFIX = {"", "k", "M", "G", "T", "P"};

    /** "1.23 M samples/s", "5.40 GB/s", "1.10 TFLOP/s": unit symbols take the prefix directly. */
    static String rate(double value, String item) {
        if (!Double.isFinite(value)) return "–";
        int p = 0;
        double v = value;
        while (Math.abs(v) >= 1000 && p < PREFIX.length - 1) {
            v /= 1000;
            p++;
        }
        boolean symbol = isSymbol(item);
        String number = String.format(Locale.ROOT, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
        return symbol ? number + " " + PREFIX[p] + item + "/s" : number + (p == 0 ? "" : " " + PREFIX[p]) + " " + item + "/s";
    }

    /** Units that take an SI prefix directly (GB/s) rather than as a word (M samples/s). */
    static boolean isSymbol(String item) {
        return item.equals("B") || item.equals("FLOP");
    }

    static String percent(double fraction) {
        if (!Double.isFinite(fraction)) return "–";
        double p = 100 * fraction;
        return String.format(Locale.ROOT, p >= 10 ? "%.0f %%" : p >= 1 ? "%.1f %%" : "%.2f %%", p);
    }

    /** JMH's error as a percentage of the score. */
    static String plusMinus(double error, double value) {
        if (!Double.isFinite(error) || !(value > 0)) return "–";
        return "± " + percent(error / value);
    }

    static String number(double v) {
        if (!Double.isFinite(v)) return "–";
        if (v == 0) return "0";
        double a = Math.abs(v);
        return a >= 1e5 || a < 1e-3 ? String.format(Locale.ROOT, "%.2e", v)
                : String.format(Locale.ROOT, a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : "%.3g", v);
    }

    static String ratio(double r) {
        if (!Double.isFinite(r)) return "–";
        return String.format(Locale.ROOT, r >= 10 ? "%.0f×" : "%.2f×", r);
    }

    static String gflops(double g) {
        if (!Double.isFinite(g)) return "–";
        return String.format(Locale.ROOT, g >= 100 ? "%.0f" : g >= 10 ? "%.1f" : "%.2f", g);
    }

    static String bytes(long b) {
        return String.format(Locale.ROOT, "%.0f GiB", b / (1024.0 * 1024 * 1024));
    }

    static String batch(int b) {
        return String.format(Locale.ROOT, "%,d", b);
    }
}
