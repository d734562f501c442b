package io.tandem.node.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A latency distribution as a hand-written SVG bar chart: one group of bars per percentile (p50 ... max), one bar per
 * series, on a logarithmic microsecond axis (latency tails span decades), each bar labelled with its value. No
 * dependency; the file is plain text that diffs well in docs/.
 */
final class HaLatencyChart
{
    private static final int WIDTH = 720;
    private static final int HEIGHT = 420;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 50;
    private static final int BOTTOM = 80;
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e"};

    private final String title;
    private final List<String> names = new ArrayList<>();
    private final List<List<String>> labels = new ArrayList<>();
    private final List<long[]> values = new ArrayList<>();
    private String note = "";

    HaLatencyChart(final String title)
    {
        this.title = title;
    }

    /**
     * Add a series.
     *
     * @param name       legend entry.
     * @param percentile the percentile names, in order (the x axis, taken from the first series).
     * @param ns         the latency at each, in nanoseconds.
     * @return this.
     */
    HaLatencyChart series(final String name, final List<String> percentile, final long[] ns)
    {
        names.add(name);
        labels.add(List.copyOf(percentile));
        values.add(ns.clone());
        return this;
    }

    /**
     * A line under the chart (the machine, the date, the command).
     *
     * @param text the note.
     * @return this.
     */
    HaLatencyChart note(final String text)
    {
        note = text;
        return this;
    }

    /**
     * Write the SVG.
     *
     * @param file where.
     * @throws IOException when it cannot be written.
     */
    void write(final Path file) throws IOException
    {
        Files.writeString(file, svg(), StandardCharsets.UTF_8);
    }

    String svg()
    {
        double maxUs = 10;
        double minUs = Double.MAX_VALUE;
        for (final long[] series : values)
        {
            for (final long ns : series)
            {
                maxUs = Math.max(maxUs, ns / 1e3);
                minUs = Math.min(minUs, Math.max(1, ns / 1e3));
            }
        }
        final double lo = Math.pow(10, Math.floor(Math.log10(Math.min(minUs, 10))));
        final double hi = Math.pow(10, Math.ceil(Math.log10(maxUs)));
        final int plotW = WIDTH - LEFT - RIGHT;
        final int plotH = HEIGHT - TOP - BOTTOM;
        final StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" " +
            "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"24\" font-size=\"15\" text-anchor=\"middle\">%s" +
            "</text>%n", WIDTH / 2, escape(title)));
        for (double tick = lo; tick <= hi * 1.0001; tick *= 10)
        {
            final double y = TOP + plotH - plotH * Math.log10(tick / lo) / Math.log10(hi / lo);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" " +
                "stroke=\"#ddd\"/>%n", LEFT, y, LEFT + plotW, y));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                LEFT - 6, y + 4, tick >= 1000 ? String.format(Locale.ROOT, "%.0f ms", tick / 1000) :
                String.format(Locale.ROOT, "%.0f µs", tick)));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"%d\" transform=\"rotate(-90 16 %d)\" " +
            "text-anchor=\"middle\">latency (log scale)</text>%n", TOP + plotH / 2, TOP + plotH / 2));
        final List<String> xs = labels.isEmpty() ? List.of() : labels.getFirst();
        final double groupW = xs.isEmpty() ? plotW : (double)plotW / xs.size();
        final double barW = groupW * 0.8 / Math.max(1, values.size());
        for (int g = 0; g < xs.size(); g++)
        {
            final double gx = LEFT + g * groupW;
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                gx + groupW / 2, TOP + plotH + 18, escape(xs.get(g))));
            for (int s = 0; s < values.size(); s++)
            {
                final double us = Math.max(lo, values.get(s)[g] / 1e3);
                final double h = plotH * Math.log10(us / lo) / Math.log10(hi / lo);
                final double x = gx + groupW * 0.1 + s * barW;
                svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" " +
                    "fill=\"%s\"/>%n", x, TOP + plotH - h, barW - 2, h, COLOURS[s % COLOURS.length]));
                svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" " +
                    "font-size=\"10\">%s</text>%n", x + barW / 2 - 1, TOP + plotH - h - 3, label(us)));
            }
        }
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
            LEFT, TOP + plotH, LEFT + plotW, TOP + plotH));
        for (int s = 0; s < names.size(); s++)
        {
            final int x = LEFT + 10 + s * 200;
            final int y = HEIGHT - 38;
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>" +
                "<text x=\"%d\" y=\"%d\">%s</text>%n", x, y - 10, COLOURS[s % COLOURS.length], x + 16, y,
                escape(names.get(s))));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"10\" fill=\"#555\">%s</text>%n",
            LEFT, HEIGHT - 12, escape(note)));
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static String label(final double us)
    {
        return us >= 1000 ? String.format(Locale.ROOT, "%.1f ms", us / 1000) :
            us >= 100 ? String.format(Locale.ROOT, "%.0f µs", us) : String.format(Locale.ROOT, "%.1f µs", us);
    }

    private static String escape(final String text)
    {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
