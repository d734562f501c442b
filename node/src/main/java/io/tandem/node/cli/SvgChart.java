package io.tandem.node.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small hand-written SVG line chart for {@code tandem bench}: one or more series of points over a numeric or a
 * categorical x axis, axes from zero with round ticks, a legend, and optionally each point's value written next to
 * it. No dependency; the file is plain text that diffs well in docs/.
 */
final class SvgChart
{
    private static final int WIDTH = 640;
    private static final int HEIGHT = 400;
    private static final int LEFT = 80;
    private static final int RIGHT = 30;
    private static final int TITLE_HEIGHT = 40;
    private static final int LEGEND_LINE = 16;
    private static final int BOTTOM = 60;
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd"};

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<Series> series = new ArrayList<>();
    private String[] categories;
    private String note;

    private record Series(String name, double[] xs, double[] ys, String[] labels)
    {
    }

    SvgChart(final String title, final String xLabel, final String yLabel)
    {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    /**
     * Name the x positions 0, 1, 2, ... (a categorical axis).
     *
     * @param names one per position.
     * @return this.
     */
    SvgChart categories(final String... names)
    {
        categories = names.clone();
        return this;
    }

    /**
     * A line under the chart (the machine, the date, the command).
     *
     * @param text the note.
     * @return this.
     */
    SvgChart note(final String text)
    {
        note = text;
        return this;
    }

    /**
     * Add a series.
     *
     * @param name   legend entry.
     * @param xs     x values (positions for a categorical axis).
     * @param ys     y values.
     * @param labels text written at each point, or null.
     * @return this.
     */
    SvgChart series(final String name, final double[] xs, final double[] ys, final String[] labels)
    {
        series.add(new Series(name, xs.clone(), ys.clone(), labels == null ? null : labels.clone()));
        return this;
    }

    /**
     * Write the chart.
     *
     * @param file where.
     * @throws IOException when it cannot be written.
     */
    void write(final Path file) throws IOException
    {
        final Path parent = file.toAbsolutePath().getParent();
        if (parent != null)
        {
            Files.createDirectories(parent);
        }
        Files.writeString(file, render(), StandardCharsets.UTF_8);
    }

    /**
     * The SVG document.
     *
     * @return the text.
     */
    String render()
    {
        double xMax = categories != null ? categories.length - 1 : 0;
        double yMax = 0;
        for (final Series s : series)
        {
            for (int i = 0; i < s.xs.length; i++)
            {
                xMax = Math.max(xMax, s.xs[i]);
                yMax = Math.max(yMax, s.ys[i]);
            }
        }
        final double yStep = niceStep(yMax);
        final double yTop = Math.max(yStep, Math.ceil(yMax * 1.08 / yStep) * yStep);
        final double xStep = categories != null ? 1 : niceStep(xMax);
        final double xLeft = categories != null ? -0.5 : 0;
        final double xRight = categories != null ? categories.length - 0.5 :
            Math.max(xStep, Math.ceil(xMax / xStep) * xStep);
        final int top = TITLE_HEIGHT + LEGEND_LINE * series.size() + 10;
        final int plotW = WIDTH - LEFT - RIGHT;
        final int plotH = HEIGHT - top - BOTTOM;

        final StringBuilder svg = new StringBuilder(4096);
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"")
            .append(HEIGHT).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
            .append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        text(svg, WIDTH / 2.0, 24, "middle", 15, title);
        text(svg, LEFT + plotW / 2.0, HEIGHT - 22, "middle", 12, xLabel);
        svg.append(String.format(Locale.ROOT,
            "<text x=\"18\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 18 %.1f)\">%s</text>%n",
            top + plotH / 2.0, top + plotH / 2.0, escape(yLabel)));
        if (note != null)
        {
            text(svg, WIDTH / 2.0, HEIGHT - 6, "middle", 10, note);
        }

        for (double y = 0; y <= yTop + yStep / 2; y += yStep)
        {
            final double py = top + plotH - y / yTop * plotH;
            svg.append(String.format(Locale.ROOT,
                "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n", LEFT, py, LEFT + plotW, py));
            text(svg, LEFT - 6, py + 4, "end", 11, number(y));
        }
        if (categories != null)
        {
            for (int i = 0; i < categories.length; i++)
            {
                final double px = LEFT + (i - xLeft) / (xRight - xLeft) * plotW;
                text(svg, px, top + plotH + 18, "middle", 11, categories[i]);
            }
        }
        else
        {
            for (double x = 0; x <= xRight + xStep / 2; x += xStep)
            {
                final double px = LEFT + (x - xLeft) / (xRight - xLeft) * plotW;
                text(svg, px, top + plotH + 18, "middle", 11, number(x));
            }
        }
        svg.append(String.format(Locale.ROOT,
            "<path d=\"M%d %d V%d H%d\" fill=\"none\" stroke=\"black\"/>%n", LEFT, top, top + plotH, LEFT + plotW));

        for (int k = 0; k < series.size(); k++)
        {
            final Series s = series.get(k);
            final String colour = COLOURS[k % COLOURS.length];
            final StringBuilder path = new StringBuilder();
            for (int i = 0; i < s.xs.length; i++)
            {
                final double px = LEFT + (s.xs[i] - xLeft) / (xRight - xLeft) * plotW;
                final double py = top + plotH - s.ys[i] / yTop * plotH;
                path.append(i == 0 ? 'M' : 'L').append(String.format(Locale.ROOT, "%.1f %.1f ", px, py));
                svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>%n",
                    px, py, colour));
                if (s.labels != null && s.labels[i] != null)
                {
                    final boolean nearRight = px > LEFT + plotW - 90;
                    text(svg, nearRight ? px - 6 : px + 6, py - 8, nearRight ? "end" : "start", 10, s.labels[i]);
                }
            }
            svg.append("<path d=\"").append(path.toString().trim()).append("\" fill=\"none\" stroke=\"")
                .append(colour).append("\" stroke-width=\"2\"/>\n");
            final int ly = TITLE_HEIGHT + 4 + k * LEGEND_LINE;
            svg.append(String.format(Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"4\" fill=\"%s\"/>%n", LEFT + 12, ly - 4, colour));
            text(svg, LEFT + 30, ly + 1, "start", 11, s.name);
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static void text(
        final StringBuilder svg, final double x, final double y, final String anchor, final int size, final String s)
    {
        svg.append(String.format(Locale.ROOT,
            "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\">%s</text>%n",
            x, y, anchor, size, escape(s)));
    }

    private static String escape(final String s)
    {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String number(final double v)
    {
        if (v == Math.rint(v) && Math.abs(v) < 1e15)
        {
            return String.format(Locale.ROOT, "%,d", (long)v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static double niceStep(final double max)
    {
        if (max <= 0)
        {
            return 1;
        }
        final double raw = max / 5;
        final double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        final double residual = raw / magnitude;
        final double nice = residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10;
        return nice * magnitude;
    }
}
