package org.flowkernels.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** PNG plots of the CLI's results, drawn with XChart. */
final class Plots {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Plots() {}

    /** A line chart of y against x. */
    static void line(Path file, String title, String xLabel, String yLabel, double[] x, double[] y, String series) {
        XYChart c = new XYChartBuilder().width(800).height(500).title(title).xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        c.getStyler().setLegendVisible(false);
        c.addSeries(series, x, y).setMarker(SeriesMarkers.NONE);
        save(c, file);
    }

    /** A 2-D histogram (a heat map of counts) of points (xs[i], ys[i]) on a bins x bins grid. */
    static void histogram2d(Path file, String title, double[] xs, double[] ys, int bins) {
        double lo = Double.MAX_VALUE, hi = -Double.MAX_VALUE;
        for (int i = 0; i < xs.length; i++) {
            lo = Math.min(lo, Math.min(xs[i], ys[i]));
            hi = Math.max(hi, Math.max(xs[i], ys[i]));
        }
        if (!(hi > lo)) { lo -= 1; hi += 1; }
        double w = (hi - lo) / bins;
        int[][] counts = new int[bins][bins];
        for (int i = 0; i < xs.length; i++) {
            int bx = Math.min(bins - 1, (int) ((xs[i] - lo) / w)), by = Math.min(bins - 1, (int) ((ys[i] - lo) / w));
            counts[bx][by]++;
        }
        java.util.List<Double> centres = new java.util.ArrayList<>();
        for (int b = 0; b < bins; b++) centres.add(Math.round((lo + (b + 0.5) * w) * 100) / 100.0);
        java.util.List<Number[]> cells = new java.util.ArrayList<>();
        for (int bx = 0; bx < bins; bx++)
            for (int by = 0; by < bins; by++) cells.add(new Number[] {bx, by, counts[bx][by]});
        HeatMapChart c = new HeatMapChartBuilder().width(700).height(650).title(title).xAxisTitle("x").yAxisTitle("y").build();
        c.getStyler().setShowValue(false);
        c.getStyler().setXAxisLabelRotation(90);
        c.addSeries("density", centres, centres, cells);
        save(c, file);
    }

    private static void save(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path file) {
        try {
            BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + file + ": " + e.getMessage(), e);
        }
    }
}
