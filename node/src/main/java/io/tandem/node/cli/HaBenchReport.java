package io.tandem.node.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The files {@code tandem bench --ha --report DIR} writes: {@code ha-replication.csv} (one row per run and phase),
 * {@code ha-replication.json} (settings, machine, medians and every run), {@code ha-latency-PATH.csv} (the median
 * latency percentiles as {@code percentile,micros} lines, 100 for the maximum: the form a latency-distribution chart
 * reads) and {@code ha-latency.svg} ({@link HaLatencyChart}).
 */
final class HaBenchReport
{
    private static final double[] PERCENTILES = {50, 90, 99, 99.9, 100};

    private HaBenchReport()
    {
    }

    static void write(
        final Path dir, final Map<String, Object> settings, final Map<String, HaBench.PathResult> results,
        final PrintWriter out) throws IOException
    {
        Files.createDirectories(dir);
        final List<String> names = HaBenchStandby.percentileNames();
        final StringBuilder csv = new StringBuilder("path,run,phase,offered_per_s,sent,applied,seconds,rate_per_s");
        for (final String name : names)
        {
            csv.append(',').append(name).append("_us");
        }
        csv.append(",back_pressure,ring_full,returned\n");
        final Map<String, Object> json = new LinkedHashMap<>();
        json.put("settings", settings);
        final Map<String, Object> paths = new LinkedHashMap<>();
        final HaLatencyChart chart = new HaLatencyChart(String.format(Locale.ROOT,
            "HA replication latency at %,d updates/s (median of %s runs)", settings.get("latency_offered_per_s"),
            settings.get("runs")));
        for (final HaBench.PathResult result : results.values())
        {
            for (int r = 0; r < result.rates.size(); r++)
            {
                row(csv, result.path, r + 1, "rate", 0, result.rateRuns.get(r), null);
                row(csv, result.path, r + 1, "latency", ((Number)settings.get("latency_offered_per_s")).intValue(),
                    result.latencyRuns.get(r), result.latencies.get(r));
            }
            final long[] median = result.medianLatencyNs();
            final Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("median_rate_per_s", Math.round(result.medianRate()));
            entry.put("median_latency_us", micros(names, median));
            entry.put("rates_per_s", result.rates.stream().map(Math::round).toList());
            final List<Map<String, Object>> latencies = new ArrayList<>();
            for (final long[] run : result.latencies)
            {
                latencies.add(micros(names, run));
            }
            entry.put("latency_runs_us", latencies);
            paths.put(result.path, entry);

            final StringBuilder latencyCsv = new StringBuilder("percentile,micros\n");
            for (int i = 0; i < PERCENTILES.length; i++)
            {
                latencyCsv.append(String.format(Locale.ROOT, "%s,%.1f%n", trim(PERCENTILES[i]), median[i] / 1e3));
            }
            Files.writeString(dir.resolve("ha-latency-" + result.path + ".csv"), latencyCsv, StandardCharsets.UTF_8);
            chart.series(result.path + " path", names, median);
        }
        json.put("paths", paths);
        Files.writeString(dir.resolve("ha-replication.csv"), csv, StandardCharsets.UTF_8);
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(dir.resolve("ha-replication.json").toFile(),
            json);
        chart.note(String.format(Locale.ROOT, "tandem bench --ha, two processes over Aeron UDP 127.0.0.1, threads " +
            "%s, %s cores, %s, %s", settings.get("threads"), settings.get("cores"), settings.get("java"),
            settings.get("date")));
        chart.write(dir.resolve("ha-latency.svg"));
        out.printf("report: %s (ha-replication.csv, ha-replication.json, ha-latency-*.csv, ha-latency.svg)%n", dir);
        out.flush();
    }

    private static void row(
        final StringBuilder csv, final String path, final int run, final String phase, final int offered,
        final Map<String, Long> values, final long[] latencyNs)
    {
        final double seconds = values.get("elapsed_ns") / 1e9;
        csv.append(String.format(Locale.ROOT, "%s,%d,%s,%d,%d,%d,%.3f,%.0f", path, run, phase, offered,
            values.get("sent"), values.get("applied"), seconds, values.get("applied") / seconds));
        for (int i = 0; i < PERCENTILES.length; i++)
        {
            csv.append(latencyNs == null ? "," : String.format(Locale.ROOT, ",%.1f", latencyNs[i] / 1e3));
        }
        csv.append(String.format(Locale.ROOT, ",%d,%d,%d%n", values.get("back_pressure"), values.get("ring_full"),
            values.get("returned")));
    }

    private static Map<String, Object> micros(final List<String> names, final long[] ns)
    {
        final Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++)
        {
            values.put(names.get(i), Math.round(ns[i] / 100.0) / 10.0);
        }
        return values;
    }

    private static String trim(final double value)
    {
        return value == Math.rint(value) ? Long.toString((long)value) : Double.toString(value);
    }
}
