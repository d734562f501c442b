package io.tandem.node.cli;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.management.ObjectName;

/**
 * A class histogram of the live heap (the JVM's {@code GC.class_histogram} diagnostic command, which runs a full GC
 * first), and the difference between two of them: instances and bytes per class, as the JVM lays them out (compact
 * headers included). {@code bench --memory} uses it to say where each session's bytes go.
 */
final class HeapHistogram
{
    private final Map<String, long[]> byClass;

    private HeapHistogram(final Map<String, long[]> byClass)
    {
        this.byClass = byClass;
    }

    /**
     * Take a histogram now.
     *
     * @return the histogram, empty when the diagnostic command is not available.
     */
    static HeapHistogram take()
    {
        final Map<String, long[]> byClass = new HashMap<>();
        try
        {
            final Object text = ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[]{new String[0]}, new String[]{String[].class.getName()});
            for (final String line : text.toString().split("\n"))
            {
                final String[] f = line.trim().split("\\s+");
                if (f.length >= 4 && f[0].endsWith(":"))
                {
                    byClass.put(f[3], new long[]{Long.parseLong(f[1]), Long.parseLong(f[2])});
                }
            }
        }
        catch (final Exception ex)
        {
            byClass.clear();
        }
        return new HeapHistogram(byClass);
    }

    /**
     * Classes that grew between an earlier histogram and this one, largest growth first.
     *
     * @param before the earlier histogram.
     * @param minBytes smallest growth listed.
     * @return rows: class name, instances added, bytes added.
     */
    List<Row> growthSince(final HeapHistogram before, final long minBytes)
    {
        final List<Row> rows = new ArrayList<>();
        for (final Map.Entry<String, long[]> e : byClass.entrySet())
        {
            final long[] old = before.byClass.getOrDefault(e.getKey(), new long[2]);
            final long bytes = e.getValue()[1] - old[1];
            if (bytes >= minBytes)
            {
                rows.add(new Row(e.getKey(), e.getValue()[0] - old[0], bytes));
            }
        }
        rows.sort((a, b) -> Long.compare(b.bytes(), a.bytes()));
        return rows;
    }

    /**
     * One class's growth.
     *
     * @param className the class.
     * @param instances instances added.
     * @param bytes     bytes added.
     */
    record Row(String className, long instances, long bytes)
    {
    }
}
