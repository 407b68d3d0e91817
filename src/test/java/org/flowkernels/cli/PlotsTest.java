package org.flowkernels.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;

/** The plots' tick labels are short and round, and the PNGs come out at their sizes (no pixels compared). */
class PlotsTest {
    @TempDir
    Path tmp;

    @Test
    void labelsAreRoundedToTheAxisAndShort() {
        assertEquals("0.3", Ticks.label(0.1 + 0.2, 1));
        assertEquals("0", Ticks.label(-0.0, 1));
        assertEquals("0", Ticks.label(1e-17, 1));
        assertEquals("0.25", Ticks.label(0.25, 1));
        assertEquals("-2.5", Ticks.label(-2.5, 10));
        assertEquals("12,000", Ticks.label(12000, 40000));
        assertEquals("16.8829", Ticks.label(16.882900000000001, 3e-4));
        assertEquals("1.2", Ticks.label(1.2000000000000002, 1.2));
        // every tick of a round step on axes from 1e-3 to 1e5 wide, near 0 or offset by up to 1000 spans: a label of at
        // most 9 characters that reads back as the tick, and no two ticks alike
        for (int e = -3; e <= 5; e++)
            for (double mantissa : new double[] {1, 2.3, 7.7})
                for (double offset : new double[] {0, -0.37, 3.1, 1000}) {
                    double span = mantissa * Math.pow(10, e), lo = offset * span, step = Ticks.step(span, 8);
                    if (Ticks.exponent(lo, lo + span) != 0) continue; // shown scaled, as the next test checks
                    Set<String> seen = new HashSet<>();
                    for (double t = Math.ceil(lo / step) * step; t <= lo + span; t += step) {
                        String label = Ticks.label(t, span);
                        String what = "tick " + t + " of [" + lo + ", " + (lo + span) + "]: '" + label + "'";
                        assertTrue(label.length() <= 9, what);
                        assertEquals(t, Double.parseDouble(label.replace(",", "")), step * 1e-6, what);
                        assertTrue(seen.add(label), what + " twice");
                    }
                }
    }

    @Test
    void axesFarFromOneAreScaledByAPowerOfTen() {
        assertEquals(-4, Ticks.exponent(0, 1.2e-4));
        assertEquals(-7, Ticks.exponent(-3e-7, 1e-7));
        assertEquals(6, Ticks.exponent(0, 2.5e6));
        assertEquals(0, Ticks.exponent(0, 999_999));
        assertEquals(0, Ticks.exponent(-1e-3, 0));
        assertEquals(0, Ticks.exponent(0, 0));
        assertEquals(" (x 1e-4)", Ticks.scaleNote(-4));
        assertEquals("", Ticks.scaleNote(0));
        assertEquals(500, Ticks.step(4000, 8));
        assertEquals(0.2, Ticks.step(1, 5), 1e-15);
        assertEquals(5, Ticks.step(25, 5));
        assertEquals(2, Ticks.step(7.5, 5));
    }

    /**
     * The labels XChart asks for, drawn: an RK4 energy error (0 .. 1.2e-4, drifting) against
     * t = 0, 4, 8, ..., 4000, where XChart on its own labels every 67th record (t = 268, 536, ...)
     * and the y axis with 16-digit values. Now the x ticks are round and every label is short.
     */
    @Test
    void xChartAsksForRoundTicksAndGetsShortLabels() {
        double[] t = new double[1001], err = new double[1001];
        for (int k = 0; k < t.length; k++) {
            t[k] = 4.0 * k;
            err[k] = 1.2e-4 * k / 1000 + 2e-6 * Math.sin(k);
        }
        XYChart c = new Plots.Panel("rk4", "t", "|dH/H|", t).line("error", err).chart(Plots.WIDTH, 500);
        assertTrue(c.getYAxisTitle().endsWith("(x 1e-4)"), c.getYAxisTitle());
        List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        c.getStyler().setxAxisTickLabelsFormattingFunction(record(c.getStyler().getxAxisTickLabelsFormattingFunction(), xs, labels));
        c.getStyler().setyAxisTickLabelsFormattingFunction(record(c.getStyler().getyAxisTickLabelsFormattingFunction(), ys, labels));
        c.paint(new BufferedImage(Plots.WIDTH, 500, BufferedImage.TYPE_INT_RGB).createGraphics(), Plots.WIDTH, 500);
        assertTrue(!xs.isEmpty() && !ys.isEmpty(), "XChart asked for no labels");
        for (double x : xs) assertEquals(0, Math.IEEEremainder(x, 100), 1e-9, "x tick " + x + " in " + xs.subList(0, Math.min(20, xs.size())));
        for (String l : labels) assertTrue(l.length() <= 6, "label '" + l + "'");
        // XChart also formats the axis ends (to size the labels) and candidate ticks beyond them, which it drops
        long xTicks = xs.stream().filter(v -> v >= 0 && v <= 4000).distinct().count();
        long yTicks = ys.stream().filter(v -> v >= 0 && v <= 1.2).distinct().count();
        assertTrue(xTicks <= 10 && yTicks <= 14, "a few ticks: " + xs + ", " + ys);
    }

    static Function<Double, String> record(Function<Double, String> format, List<Double> values, List<String> labels) {
        return v -> {
            String l = format.apply(v);
            values.add(v);
            labels.add(l);
            return l;
        };
    }

    @Test
    void pngsHaveTheirSizes() throws IOException {
        Assumptions.assumeTrue(Outputs.CAN_DRAW, "no java.desktop in this runtime");
        double[] x = {0, 1, 2, 3}, y = {3, 1, 2, 0};
        Path stacked = tmp.resolve("stacked.png");
        Plots.save(stacked, 330, new Plots.Panel("a", "x", "y", x).line("y", y).level("level", 1.5).mark("mark", 1),
                new Plots.Panel("b", "x", "y", x).line("y", y));
        BufferedImage image = ImageIO.read(stacked.toFile());
        assertEquals(Plots.WIDTH, image.getWidth());
        assertEquals(2 * 330, image.getHeight());

        double[] xs = new double[1000], ys = new double[1000];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = Math.cos(i) * (i % 7) / 7;
            ys[i] = Math.sin(i) * (i % 7) / 7;
        }
        Path density = tmp.resolve("density.png");
        Plots.density(density, "density", "particles per unit area", xs, ys, 0.01, 40);
        image = ImageIO.read(density.toFile());
        assertEquals(700, image.getHeight());
        // the chart narrows to a square plot, then 150 pixels of colour bar
        assertTrue(image.getWidth() > 600 && image.getWidth() < 900, "width " + image.getWidth());

        Path histogram = tmp.resolve("histogram.png");
        Plots.histogram(histogram, "histogram", "x", "per unit length", xs, 0.01, 60);
        image = ImageIO.read(histogram.toFile());
        assertEquals(Plots.WIDTH, image.getWidth());
        assertEquals(500, image.getHeight());
    }
}
