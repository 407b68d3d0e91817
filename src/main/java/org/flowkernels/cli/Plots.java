package org.flowkernels.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.ImageIO;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * PNG plots of the CLI's results, drawn with XChart (headless): panels of lines stacked in one
 * image, and a 2-D density with its colour bar. Every axis gets {@link Ticks}' short labels.
 */
final class Plots {
    static {
        System.setProperty("java.awt.headless", "true");
        // ImageIO's default file cache registers a shutdown hook per image, which fails while a Ctrl-C shutdown
        // waits for the results to be written; the plots are small, so encode them in memory.
        ImageIO.setUseCache(false);
    }

    static final int WIDTH = 800;
    private static final Color[] DENSITY_COLOURS = {Color.WHITE, new Color(0x3b6fd1), new Color(0x0b1e5b)};
    private static final Color REFERENCE = new Color(0xc0392b), MARK = Color.GRAY;

    private Plots() {}

    /**
     * One chart: lines against a shared x, horizontal reference levels (dashed, across the
     * panel) and vertical marks (dotted, across the lines' range). Axes whose values are far
     * from 1 are scaled by a power of ten, which the axis title states.
     */
    static final class Panel {
        private final String title, xLabel, yLabel;
        private final double[] x;
        private final Map<String, double[]> lines = new LinkedHashMap<>();
        private final Map<String, Double> levels = new LinkedHashMap<>(), marks = new LinkedHashMap<>();

        Panel(String title, String xLabel, String yLabel, double[] x) {
            this.title = title;
            this.xLabel = xLabel;
            this.yLabel = yLabel;
            this.x = x;
        }

        Panel line(String name, double[] y) {
            lines.put(name, y);
            return this;
        }

        Panel level(String name, double y) {
            levels.put(name, y);
            return this;
        }

        Panel mark(String name, double atX) {
            marks.put(name, atX);
            return this;
        }

        XYChart chart(int width, int height) {
            double[] xr = range(x), yr = range(lines.values().toArray(double[][]::new));
            for (double v : levels.values()) yr = new double[] {Math.min(yr[0], v), Math.max(yr[1], v)};
            for (double v : marks.values()) xr = new double[] {Math.min(xr[0], v), Math.max(xr[1], v)};
            int ex = Ticks.exponent(xr[0], xr[1]), ey = Ticks.exponent(yr[0], yr[1]);
            double sx = Math.pow(10, -ex), sy = Math.pow(10, -ey);
            XYChart c = new XYChartBuilder().width(width).height(height).title(title).xAxisTitle(xLabel + Ticks.scaleNote(ex))
                    .yAxisTitle(yLabel + Ticks.scaleNote(ey)).build();
            style(c, (xr[1] - xr[0]) * sx, (yr[1] - yr[0]) * sy);
            c.getStyler().setLegendVisible(lines.size() + levels.size() + marks.size() > 1);
            double[] xs = scaled(x, sx);
            boolean first = true;
            for (var l : lines.entrySet()) {
                double[] ys = scaled(l.getValue(), sy), xsHere = xs;
                // XChart labels an axis whose values are all equally spaced at every k-th value (ticks at t = 268, 536,
                // ... or, for y values within 1e-4 of each other, at raw data values with 16 digits). One point more,
                // off the grid and with y = NaN (not drawn), makes it choose round ticks instead.
                if (first && xs.length > 1) {
                    xsHere = Arrays.copyOf(xs, xs.length + 1);
                    xsHere[xs.length] = (xs[0] + xs[1]) / 2;
                    ys = Arrays.copyOf(ys, ys.length + 1);
                    ys[xs.length] = Double.NaN;
                }
                c.addSeries(l.getKey(), xsHere, ys).setMarker(SeriesMarkers.NONE);
                first = false;
            }
            for (var l : levels.entrySet())
                referenceLine(c.addSeries(l.getKey(), new double[] {xr[0] * sx, xr[1] * sx}, new double[] {l.getValue() * sy, l.getValue() * sy}),
                        REFERENCE, SeriesLines.DASH_DASH);
            double[] yLines = range(lines.values().toArray(double[][]::new));
            for (var m : marks.entrySet())
                referenceLine(c.addSeries(m.getKey(), new double[] {m.getValue() * sx, m.getValue() * sx}, new double[] {yLines[0] * sy, yLines[1] * sy}),
                        MARK, SeriesLines.DOT_DOT);
            return c;
        }
    }

    /** Panels stacked top to bottom in one PNG, each {@code height} pixels tall and {@link #WIDTH} wide. */
    static void save(Path file, int height, Panel... panels) throws IOException {
        BufferedImage image = new BufferedImage(WIDTH, height * panels.length, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        for (int i = 0; i < panels.length; i++) {
            Graphics2D part = (Graphics2D) g.create(0, i * height, WIDTH, height);
            panels[i].chart(WIDTH, height).paint(part, WIDTH, height);
            part.dispose();
        }
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    /**
     * A histogram of {@code values} on {@code bins} equal bins over a range symmetric about 0 (the
     * trap's centre), each value weighing {@code weight} per unit length.
     */
    static void histogram(Path file, String title, String xLabel, String yLabel, double[] values, double weight, int bins)
            throws IOException {
        double[] range = symmetric(values, values);
        double w = (range[1] - range[0]) / bins;
        double[] centre = new double[bins], density = new double[bins];
        for (double v : values) density[bin(v, range[0], w, bins)] += weight / w;
        for (int b = 0; b < bins; b++) centre[b] = range[0] + (b + 0.5) * w;
        save(file, 500, new Panel(title, xLabel, yLabel, centre).line(yLabel, density));
    }

    /**
     * The density of the points (xs[i], ys[i]), each weighing {@code weight} per unit area, on a
     * square grid of bins x bins over a square symmetric about 0; equal scales on both axes, and
     * a colour bar titled {@code colourLabel}. XChart draws the frame, title and axes; the cells
     * and the colour bar are painted over it, because XChart's heat map labels every bin and
     * gives its colour scale no title.
     */
    static void density(Path file, String title, String colourLabel, double[] xs, double[] ys, double weight, int bins)
            throws IOException {
        double[] range = symmetric(xs, ys);
        double lo = range[0], hi = range[1], w = (hi - lo) / bins, max = 0;
        double[][] cells = new double[bins][bins];
        for (int i = 0; i < xs.length; i++) cells[bin(xs[i], lo, w, bins)][bin(ys[i], lo, w, bins)] += weight / (w * w);
        for (double[] column : cells) for (double v : column) max = Math.max(max, v);

        int height = 700, bar = 150, chartWidth = WIDTH - bar;
        Panel axes = new Panel(title, "x", "y", new double[] {lo, hi}).line("frame", new double[] {lo, hi});
        XYChart c = axes.chart(chartWidth, height);
        XYSeries frame = c.getSeriesMap().get("frame");
        frame.setLineStyle(SeriesLines.NONE);
        c.getStyler().setPlotGridLinesVisible(false);
        c.getStyler().setXAxisMin(lo).setXAxisMax(hi).setYAxisMin(lo).setYAxisMax(hi);
        // equal scales: paint once to learn the plot's size, then narrow (or widen) the chart to make it square
        Graphics2D probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        c.paint(probe, chartWidth, height);
        probe.dispose();
        double plotWidth = c.getScreenXFromChart(hi) - c.getScreenXFromChart(lo), plotHeight = c.getScreenYFromChart(lo) - c.getScreenYFromChart(hi);
        chartWidth = (int) Math.round(chartWidth - plotWidth + plotHeight);

        BufferedImage image = new BufferedImage(chartWidth + bar, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(c.getStyler().getChartBackgroundColor());
        g.fillRect(0, 0, image.getWidth(), height);
        c.paint(g, chartWidth, height);
        for (int bx = 0; bx < bins; bx++)
            for (int by = 0; by < bins; by++) {
                if (cells[bx][by] == 0) continue;
                int x0 = (int) Math.round(c.getScreenXFromChart(lo + bx * w)), x1 = (int) Math.round(c.getScreenXFromChart(lo + (bx + 1) * w));
                int y0 = (int) Math.round(c.getScreenYFromChart(lo + (by + 1) * w)), y1 = (int) Math.round(c.getScreenYFromChart(lo + by * w));
                g.setColor(colour(cells[bx][by] / max));
                g.fillRect(x0, y0, x1 - x0, y1 - y0);
            }
        int top = (int) Math.round(c.getScreenYFromChart(hi)), bottom = (int) Math.round(c.getScreenYFromChart(lo));
        colourBar(g, c, chartWidth + 10, top, bottom, max, colourLabel);
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    /** A vertical colour scale from 0 (bottom) to max (top) at x, with round ticks and a title along its right side. */
    private static void colourBar(Graphics2D g, XYChart c, int x, int top, int bottom, double max, String label) {
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        int width = 22;
        for (int y = top; y <= bottom; y++) {
            g.setColor(colour((bottom - y) / (double) (bottom - top)));
            g.drawLine(x, y, x + width, y);
        }
        g.setColor(Color.DARK_GRAY);
        g.setStroke(new BasicStroke(1));
        g.drawRect(x, top, width, bottom - top);
        Font tickFont = c.getStyler().getAxisTickLabelsFont();
        g.setFont(tickFont);
        FontMetrics fm = g.getFontMetrics();
        double step = Ticks.step(max, 5);
        int labelsWidth = 0;
        for (double v = 0; v <= max * (1 + 1e-9); v += step) {
            int y = (int) Math.round(bottom - v / max * (bottom - top));
            String text = Ticks.label(v, max);
            g.drawLine(x + width, y, x + width + 4, y);
            g.drawString(text, x + width + 7, y + fm.getAscent() / 2 - 1);
            labelsWidth = Math.max(labelsWidth, fm.stringWidth(text));
        }
        g.setFont(c.getStyler().getAxisTitleFont());
        fm = g.getFontMetrics();
        AffineTransform saved = g.getTransform();
        g.translate(x + width + 7 + labelsWidth + 8 + fm.getAscent(), (top + bottom) / 2.0);
        g.rotate(Math.PI / 2);
        g.drawString(label, -fm.stringWidth(label) / 2, 0);
        g.setTransform(saved);
    }

    /** The linear colour scale of the density: white at 0, blue, dark blue at 1. */
    private static Color colour(double f) {
        f = Math.max(0, Math.min(1, f)) * (DENSITY_COLOURS.length - 1);
        int i = Math.min((int) f, DENSITY_COLOURS.length - 2);
        double t = f - i;
        Color a = DENSITY_COLOURS[i], b = DENSITY_COLOURS[i + 1];
        return new Color((int) Math.round(a.getRed() + t * (b.getRed() - a.getRed())),
                (int) Math.round(a.getGreen() + t * (b.getGreen() - a.getGreen())),
                (int) Math.round(a.getBlue() + t * (b.getBlue() - a.getBlue())));
    }

    private static void style(XYChart c, double xSpan, double ySpan) {
        // below the plot, so that stacked panels share their x positions
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS).setLegendLayout(Styler.LegendLayout.Horizontal);
        c.getStyler().setXAxisTickMarkSpacingHint(90);
        c.getStyler().setYAxisTickMarkSpacingHint(45);
        c.getStyler().setxAxisTickLabelsFormattingFunction(v -> Ticks.label(v, xSpan));
        c.getStyler().setyAxisTickLabelsFormattingFunction(v -> Ticks.label(v, ySpan));
    }

    private static void referenceLine(XYSeries s, Color colour, BasicStroke line) {
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(colour);
        s.setLineStyle(line);
    }

    /** [min, max] of the finite values of the arrays; [0, 1] if there are none. */
    private static double[] range(double[]... arrays) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (double[] a : arrays)
            for (double v : a)
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
        return lo <= hi ? new double[] {lo, hi} : new double[] {0, 1};
    }

    private static double[] scaled(double[] a, double s) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) out[i] = a[i] * s;
        return out;
    }

    /** [lo, hi] covering both arrays, symmetric about 0 (the trap's centre), never empty. */
    private static double[] symmetric(double[] a, double[] b) {
        double m = 0;
        for (double v : a) m = Math.max(m, Math.abs(v));
        for (double v : b) m = Math.max(m, Math.abs(v));
        if (!(m > 0) || Double.isInfinite(m)) m = 1;
        return new double[] {-m, m};
    }

    private static int bin(double v, double lo, double w, int bins) {
        return Math.max(0, Math.min(bins - 1, (int) ((v - lo) / w)));
    }
}
