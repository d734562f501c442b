package io.tandem.node.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What {@code tandem bench --report DIR} writes: each measurement as CSV (every run) and JSON (medians and ratios),
 * and SVG charts of them: {@code throughput-vs-workers.svg}, {@code memory-vs-sessions.svg} and, from a file of
 * latency samples or percentiles ({@code --latency-csv}, the HA latency bench's output), {@code
 * latency-distribution.svg}.
 */
final class BenchReport
{
    /** Percentiles charted from raw latency samples. */
    static final double[] LATENCY_PERCENTILES = {50, 90, 99, 99.9, 99.99, 100};

    /** The most heap an idle established TCP session may cost (issue 7). */
    static final int TARGET_BYTES_PER_SESSION = 400;

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One memory measurement.
     *
     * @param sessions    established sessions held.
     * @param beforeBytes heap before the worker was built.
     * @param emptyBytes  heap with the empty worker.
     * @param fullBytes   heap with the sessions.
     */
    record MemoryPoint(long sessions, long beforeBytes, long emptyBytes, long fullBytes)
    {
        double bytesPerSession()
        {
            return (fullBytes - emptyBytes) / (double)Math.max(1, sessions);
        }
    }

    private BenchReport()
    {
    }

    static void throughput(
        final Path dir,
        final Path capture,
        final long packets,
        final List<Integer> workers,
        final long[] bareNs,
        final long[][] engineNs,
        final long[][] processNs,
        final PrintWriter out) throws IOException
    {
        Files.createDirectories(dir);
        final StringBuilder csv = new StringBuilder("run,kind,workers,seconds,packets,packets_per_second\n");
        for (int r = 0; r < bareNs.length; r++)
        {
            csvRow(csv, r + 1, "bare_libpcap_loop", 0, bareNs[r], packets);
            for (int k = 0; k < workers.size(); k++)
            {
                csvRow(csv, r + 1, "engine", workers.get(k), engineNs[k][r], packets);
                csvRow(csv, r + 1, "whole_process", workers.get(k), processNs[k][r], packets);
            }
        }
        Files.writeString(dir.resolve("throughput.csv"), csv, StandardCharsets.UTF_8);

        final double bare = median(bareNs);
        final double[] xs = new double[workers.size()];
        final double[] engine = new double[workers.size()];
        final double[] process = new double[workers.size()];
        final double[] bareLine = new double[workers.size()];
        final String[] engineLabels = new String[workers.size()];
        final String[] processLabels = new String[workers.size()];
        final List<Map<String, Object>> rows = new ArrayList<>();
        for (int k = 0; k < workers.size(); k++)
        {
            xs[k] = workers.get(k);
            final double e = median(engineNs[k]);
            final double p = median(processNs[k]);
            engine[k] = packets / (e / 1e9) / 1e6;
            process[k] = packets / (p / 1e9) / 1e6;
            bareLine[k] = packets / (bare / 1e9) / 1e6;
            engineLabels[k] = String.format(Locale.ROOT, "%.2f M (%.0f%%)", engine[k], 100.0 * bare / e);
            processLabels[k] = String.format(Locale.ROOT, "%.2f M", process[k]);
            final Map<String, Object> row = new LinkedHashMap<>();
            row.put("workers", workers.get(k));
            row.put("engine_median_seconds", e / 1e9);
            row.put("engine_packets_per_second", packets / (e / 1e9));
            row.put("engine_share_of_bare_loop", bare / e);
            row.put("engine_speedup_vs_first", median(engineNs[0]) / e);
            row.put("whole_process_median_seconds", p / 1e9);
            row.put("whole_process_packets_per_second", packets / (p / 1e9));
            row.put("whole_process_share_of_bare_loop", bare / p);
            rows.add(row);
        }
        final Map<String, Object> summary = machine();
        summary.put("capture", capture.toString());
        summary.put("packets", packets);
        summary.put("runs", bareNs.length);
        summary.put("bare_loop_median_seconds", bare / 1e9);
        summary.put("bare_loop_packets_per_second", packets / (bare / 1e9));
        summary.put("by_workers", rows);
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("throughput.json").toFile(), summary);

        final String[] categories = workers.stream().map(String::valueOf).toArray(String[]::new);
        final double[] positions = new double[workers.size()];
        Arrays.setAll(positions, i -> i);
        new SvgChart("Throughput against worker threads", "worker threads", "million packets per second")
            .categories(categories)
            .series("bare libpcap loop (C, one thread)", positions, bareLine, null)
            .series("engine, start-up excluded", positions, engine, engineLabels)
            .series("whole analyze process", positions, process, processLabels)
            .note(note(String.format(Locale.ROOT, "%,d packets, median of %d runs", packets, bareNs.length)))
            .write(dir.resolve("throughput-vs-workers.svg"));
        out.printf("report: %s (throughput.csv, throughput.json, throughput-vs-workers.svg)%n", dir);
        out.flush();
    }

    static void memory(final Path dir, final List<MemoryPoint> points, final PrintWriter out) throws IOException
    {
        Files.createDirectories(dir);
        final StringBuilder csv = new StringBuilder(
            "sessions,heap_before_bytes,heap_empty_worker_bytes,heap_with_sessions_bytes,bytes_per_session\n");
        final double[] xs = new double[points.size()];
        final double[] growth = new double[points.size()];
        final double[] total = new double[points.size()];
        final String[] labels = new String[points.size()];
        final double[] target = new double[points.size()];
        final List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < points.size(); i++)
        {
            final MemoryPoint m = points.get(i);
            target[i] = m.sessions() * TARGET_BYTES_PER_SESSION / 1048576.0;
            csv.append(m.sessions()).append(',').append(m.beforeBytes()).append(',').append(m.emptyBytes())
                .append(',').append(m.fullBytes()).append(',')
                .append(String.format(Locale.ROOT, "%.1f", m.bytesPerSession())).append('\n');
            xs[i] = m.sessions() / 1000.0;
            growth[i] = (m.fullBytes() - m.emptyBytes()) / 1048576.0;
            total[i] = m.fullBytes() / 1048576.0;
            labels[i] = String.format(Locale.ROOT, "%.0f B/session", m.bytesPerSession());
            final Map<String, Object> row = new LinkedHashMap<>();
            row.put("sessions", m.sessions());
            row.put("heap_empty_worker_bytes", m.emptyBytes());
            row.put("heap_with_sessions_bytes", m.fullBytes());
            row.put("bytes_per_session", m.bytesPerSession());
            rows.add(row);
        }
        Files.writeString(dir.resolve("memory.csv"), csv, StandardCharsets.UTF_8);
        final Map<String, Object> summary = machine();
        summary.put("points", rows);
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("memory.json").toFile(), summary);
        new SvgChart("Heap against idle established TCP sessions", "thousand sessions", "MiB of heap")
            .series("whole heap (worker with memcaps sized for the sessions)", xs, total, null)
            .series("growth over the empty worker", xs, growth, labels)
            .series("issue 7's ceiling: " + TARGET_BYTES_PER_SESSION + " bytes per session", xs, target, null)
            .note(note("bench --memory, heap after GC"))
            .write(dir.resolve("memory-vs-sessions.svg"));
        out.printf("report: %s (memory.csv, memory.json, memory-vs-sessions.svg)%n", dir);
        out.flush();
    }

    /**
     * Chart a latency distribution. The file holds either {@code percentile,micros} lines or one sample (micros) per
     * line; a header line and blank lines are skipped.
     *
     * @param csv the file.
     * @param dir where the chart goes.
     * @param out told where it went.
     * @throws IOException when a file cannot be read or written.
     */
    static void latency(final Path csv, final Path dir, final PrintWriter out) throws IOException
    {
        final List<double[]> pairs = new ArrayList<>();
        final List<Double> samples = new ArrayList<>();
        for (final String line : Files.readAllLines(csv, StandardCharsets.UTF_8))
        {
            final String[] f = line.trim().split("\\s*,\\s*");
            if (f[0].isEmpty() || !Character.isDigit(f[0].charAt(0)))
            {
                continue;
            }
            if (f.length >= 2)
            {
                pairs.add(new double[]{Double.parseDouble(f[0]), Double.parseDouble(f[1])});
            }
            else
            {
                samples.add(Double.parseDouble(f[0]));
            }
        }
        if (pairs.isEmpty())
        {
            final double[] sorted = samples.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            for (final double p : LATENCY_PERCENTILES)
            {
                if (sorted.length > 0)
                {
                    final long rank = (long)Math.ceil(p / 100.0 * sorted.length - 1e-9);
                    final int index = (int)Math.min(sorted.length - 1, rank - 1);
                    pairs.add(new double[]{p, sorted[Math.max(0, index)]});
                }
            }
        }
        final double[] xs = new double[pairs.size()];
        final double[] ys = new double[pairs.size()];
        final String[] categories = new String[pairs.size()];
        final String[] labels = new String[pairs.size()];
        for (int i = 0; i < pairs.size(); i++)
        {
            xs[i] = i;
            ys[i] = pairs.get(i)[1];
            categories[i] = pairs.get(i)[0] >= 100 ? "max" : "p" + trim(pairs.get(i)[0]);
            labels[i] = trim(ys[i]) + " µs";
        }
        Files.createDirectories(dir);
        new SvgChart("Latency distribution", "percentile", "microseconds")
            .categories(categories)
            .series(csv.getFileName().toString(), xs, ys, labels)
            .note(note(samples.isEmpty() ? "percentiles as given" : samples.size() + " samples"))
            .write(dir.resolve("latency-distribution.svg"));
        out.printf("report: %s (latency-distribution.svg)%n", dir);
        out.flush();
    }

    private static void csvRow(
        final StringBuilder csv, final int run, final String kind, final int workers, final long ns, final long packets)
    {
        csv.append(run).append(',').append(kind).append(',').append(workers).append(',')
            .append(String.format(Locale.ROOT, "%.6f,%d,%.0f", ns / 1e9, packets, packets / (ns / 1e9))).append('\n');
    }

    private static Map<String, Object> machine()
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("date", LocalDate.now().toString());
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("java", System.getProperty("java.vm.version"));
        m.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
        return m;
    }

    private static String note(final String what)
    {
        return String.format(Locale.ROOT, "%s, %d cores, JDK %s, %s", LocalDate.now(),
            Runtime.getRuntime().availableProcessors(), Runtime.version().feature(), what);
    }

    private static String trim(final double v)
    {
        return v == Math.rint(v) ? Long.toString((long)v) : String.format(Locale.ROOT, "%.2f", v)
            .replaceAll("0+$", "");
    }

    static double median(final long[] values)
    {
        final long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2] :
            (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2.0;
    }
}
