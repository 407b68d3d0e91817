package org.flowkernels.cli;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.Locale;

/**
 * Axis numbers for the plots: short tick labels in a fixed format, whatever the data. Values
 * far from 1 (below 10⁻³ or from 10⁶ up) are shown in a power of ten that goes into the axis
 * title, "(x 1e-5)", so that a tick reads 1.2 rather than 0.0000120000000000001.
 */
final class Ticks {
    private Ticks() {}

    /** The power of ten to show an axis spanning [lo, hi] in: 0 when its largest |value| is in
     *  [10⁻³, 10⁶) or 0, else that value's decimal exponent. */
    static int exponent(double lo, double hi) {
        double m = Math.max(Math.abs(lo), Math.abs(hi));
        if (!(m > 0) || !Double.isFinite(m) || (m >= 1e-3 && m < 1e6)) return 0;
        return (int) Math.floor(Math.log10(m));
    }

    /** " (x 1e-5)" for exponent -5, "" for 0: what an axis title gains when its values are scaled. */
    static String scaleNote(int exponent) {
        return exponent == 0 ? "" : " (x 1e" + exponent + ")";
    }

    /**
     * A tick value as a label, rounded to a hundredth of the axis span (finer than any tick
     * step the charts use), trailing zeros dropped, thousands grouped: 0.30000000000000004 on an
     * axis of span 1 reads "0.3", 12000 reads "12,000", -0 reads "0".
     */
    static String label(double value, double span) {
        if (!Double.isFinite(value)) return "";
        double resolution = span > 0 && Double.isFinite(span) ? span / 100 : Math.max(Math.abs(value), 1) / 100;
        int decimals = Math.max(0, Math.min(15, (int) Math.ceil(-Math.log10(resolution))));
        BigDecimal rounded = BigDecimal.valueOf(value).setScale(decimals, RoundingMode.HALF_EVEN).stripTrailingZeros();
        if (rounded.signum() == 0) return "0";
        DecimalFormat f = new DecimalFormat("#,##0", DecimalFormatSymbols.getInstance(Locale.ROOT));
        f.setMinimumFractionDigits(Math.max(0, rounded.scale()));
        f.setMaximumFractionDigits(Math.max(0, rounded.scale()));
        return f.format(rounded);
    }

    /** A round step, 1, 2 or 5 times a power of ten, that cuts span into about {@code count} intervals. */
    static double step(double span, int count) {
        double raw = span / count, unit = Math.pow(10, Math.floor(Math.log10(raw))), r = raw / unit;
        return unit * (r < 1.5 ? 1 : r < 3.5 ? 2 : r < 7.5 ? 5 : 10);
    }
}
