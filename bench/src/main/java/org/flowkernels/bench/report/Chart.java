package org.flowkernels.bench.report;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.Styler;

/**
 * The report's PNG: one bar chart per workload, throughput by backend in the workload's unit
 * (units differ between workloads, so they do not share an axis), with JMH's error as error
 * bars. Each backend keeps its colour across the panels.
 */
final class Chart {
    private static final Color[] PALETTE = {new Color(0x4C72B0), new Color(0xDD8452), new Color(0x55A868),
            new Color(0xC44E52), new Color(0x8172B3), new Color(0x937860)};

    private static final int WIDTH = 460, HEIGHT = 320;

    private Chart() {}

    static void render(List<Results.Row> rows, List<String> backendOrder, String title, Path png) throws IOException {
        Map<String, List<Results.Row>> byWorkload = new LinkedHashMap<>();
        for (Results.Row r : rows) byWorkload.computeIfAbsent(r.workload().id(), k -> new ArrayList<>()).add(r);
        List<CategoryChart> panels = new ArrayList<>();
        for (var e : byWorkload.entrySet()) {
            double scale = scale(e.getValue());
            CategoryChart c = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
                    .title(e.getKey() + (panels.isEmpty() ? "  (" + title + ")" : ""))
                    .yAxisTitle(axisTitle(scale, e.getValue().get(0).workload().item())).build();
            c.getStyler().setLegendVisible(false);
            c.getStyler().setOverlapped(true);
            c.getStyler().setChartBackgroundColor(Color.WHITE);
            c.getStyler().setPlotGridVerticalLinesVisible(false);
            c.getStyler().setErrorBarsColor(Color.BLACK);
            c.getStyler().setYAxisMin(0.0);
            c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
            // One series per bar, each over all the panel's categories with zeros elsewhere: overlapped,
            // every category shows its own bar, and each backend keeps its colour across panels.
            List<String> labels = new ArrayList<>();
            for (Results.Row r : e.getValue()) labels.add(label(r, e.getValue()));
            for (int k = 0; k < e.getValue().size(); k++) {
                Results.Row r = e.getValue().get(k);
                List<Double> y = new ArrayList<>(), err = new ArrayList<>();
                for (int j = 0; j < labels.size(); j++) {
                    y.add(j == k ? r.throughput() / scale : 0.0);
                    err.add(j == k && Double.isFinite(r.error()) ? r.error() / scale : 0.0);
                }
                CategorySeries s = c.addSeries(labels.get(k), labels, y, err);
                int i = backendOrder.indexOf(r.backend());
                s.setFillColor(PALETTE[(i < 0 ? backendOrder.size() : i) % PALETTE.length]);
            }
            panels.add(c);
        }
        if (panels.isEmpty()) return;
        // the panels side by side, three to a row (XChart's own grid wants a full rectangle)
        int cols = Math.min(3, panels.size()), rowsN = (panels.size() + cols - 1) / cols;
        BufferedImage sheet = new BufferedImage(cols * WIDTH, rowsN * HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, sheet.getWidth(), sheet.getHeight());
            for (int i = 0; i < panels.size(); i++)
                g.drawImage(BitmapEncoder.getBufferedImage(panels.get(i)), (i % cols) * WIDTH, (i / cols) * HEIGHT, null);
        } finally {
            g.dispose();
        }
        if (!ImageIO.write(sheet, "png", png.toFile())) throw new IOException("no PNG writer in this JRE");
    }

    /** The backend, and the batch where one panel has several for a backend. */
    private static String label(Results.Row r, List<Results.Row> panel) {
        long same = panel.stream().filter(x -> x.backend().equals(r.backend())).count();
        return same > 1 ? r.backend() + " @" + r.batch() : r.backend();
    }

    /** A power of 1000 that brings the largest bar under 1000. */
    private static double scale(List<Results.Row> rows) {
        double max = rows.stream().mapToDouble(Results.Row::throughput).filter(Double::isFinite).max().orElse(1);
        double s = 1;
        while (max / s >= 1000 && s < 1e15) s *= 1000;
        return s;
    }

    /** "GB/s", "M samples/s". */
    private static String axisTitle(double scale, String item) {
        String p = Format.PREFIX[Math.min((int) Math.round(Math.log10(scale) / 3), Format.PREFIX.length - 1)];
        return (Format.isSymbol(item) || p.isEmpty() ? p : p + " ") + item + "/s";
    }
}
