package org.flowkernels.cli;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** PNG plots of the CLI's results, drawn with XChart (headless). */
final class Plots {
    static {
        System.setProperty("java.awt.headless", "true");
        // ImageIO's default file cache registers a shutdown hook per image, which fails while a Ctrl-C shutdown
        // waits for the results to be written; the plots are small, so encode them in memory.
        ImageIO.setUseCache(false);
    }

    private Plots() {}

    /** A line chart of y against x. */
    static void line(Path file, String title, String xLabel, String yLabel, double[] x, double[] y) throws IOException {
        Map<String, double[]> one = new LinkedHashMap<>();
        one.put(yLabel, y);
        lines(file, title, xLabel, yLabel, x, one);
    }

    /** Several lines against the same x, with a legend when there is more than one. */
    static void lines(Path file, String title, String xLabel, String yLabel, double[] x, Map<String, double[]> series)
            throws IOException {
        XYChart c = new XYChartBuilder().width(800).height(500).title(title).xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        c.getStyler().setLegendVisible(series.size() > 1);
        c.getStyler().setXAxisTickMarkSpacingHint(90);
        for (var s : series.entrySet()) c.addSeries(s.getKey(), x, s.getValue()).setMarker(SeriesMarkers.NONE);
        save(c, file);
    }

    /** A histogram of values as a density (counts / (total * bin width)) on {@code bins} equal bins. */
    static void histogram(Path file, String title, String xLabel, double[] values, int bins) throws IOException {
        double[] range = range(values, values);
        double w = (range[1] - range[0]) / bins;
        double[] centre = new double[bins], density = new double[bins];
        for (double v : values) density[bin(v, range[0], w, bins)] += 1 / (values.length * w);
        for (int b = 0; b < bins; b++) centre[b] = range[0] + (b + 0.5) * w;
        line(file, title, xLabel, "density", centre, density);
    }

    /** A 2-D histogram (a heat map of counts) of the points (xs[i], ys[i]) on a square grid of bins x bins. */
    static void histogram2d(Path file, String title, double[] xs, double[] ys, int bins) throws IOException {
        double[] range = range(xs, ys);
        double lo = range[0], w = (range[1] - lo) / bins;
        int[][] counts = new int[bins][bins];
        for (int i = 0; i < xs.length; i++) counts[bin(xs[i], lo, w, bins)][bin(ys[i], lo, w, bins)]++;
        List<Double> centres = new ArrayList<>();
        for (int b = 0; b < bins; b++) centres.add(Math.round((lo + (b + 0.5) * w) * 100) / 100.0);
        List<Number[]> cells = new ArrayList<>();
        for (int bx = 0; bx < bins; bx++)
            for (int by = 0; by < bins; by++) cells.add(new Number[] {bx, by, counts[bx][by]});
        HeatMapChart c = new HeatMapChartBuilder().width(700).height(650).title(title).xAxisTitle("x").yAxisTitle("y").build();
        c.getStyler().setShowValue(false);
        c.getStyler().setRangeColors(new Color[] {Color.WHITE, new Color(0x3b6fd1), new Color(0x0b1e5b)});
        c.getStyler().setXAxisLabelRotation(90);
        c.addSeries("count", centres, centres, cells);
        save(c, file);
    }

    /** [lo, hi] covering both arrays, symmetric about 0 (the trap's centre), never empty. */
    private static double[] range(double[] a, double[] b) {
        double m = 0;
        for (double v : a) m = Math.max(m, Math.abs(v));
        for (double v : b) m = Math.max(m, Math.abs(v));
        if (!(m > 0) || Double.isInfinite(m)) m = 1;
        return new double[] {-m, m};
    }

    private static int bin(double v, double lo, double w, int bins) {
        return Math.max(0, Math.min(bins - 1, (int) ((v - lo) / w)));
    }

    private static void save(Chart<?, ?> chart, Path file) throws IOException {
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
