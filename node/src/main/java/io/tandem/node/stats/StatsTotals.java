package io.tandem.node.stats;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The counters of several components (workers) added up by name, in first-seen order: counts are summed, the largest
 * packet is the largest of all, and the average packet size is the total's (total bytes over total packets). One
 * rule for every reader of several workers' counters: a worker group's end-of-run stats and the admin server.
 */
public final class StatsTotals implements StatsSink
{
    private static final String MAX_PKT_SIZE = "decoder.max_pkt_size";
    private static final String AVG_PKT_SIZE = "decoder.avg_pkt_size";

    private final Map<String, Long> sums = new LinkedHashMap<>();

    /**
     * The totals of some snapshots.
     *
     * @param snapshots whose counters to add up.
     * @return the totals, by counter name.
     */
    public static Map<String, Long> of(final Iterable<StatsSnapshot> snapshots)
    {
        final StatsTotals totals = new StatsTotals();
        for (final StatsSnapshot snapshot : snapshots)
        {
            snapshot.counters().forEach(totals::counter);
        }
        return totals.totals();
    }

    @Override
    public void counter(final String name, final long value)
    {
        sums.merge(name, value, MAX_PKT_SIZE.equals(name) ? Math::max : Long::sum);
    }

    /**
     * The totals so far.
     *
     * @return counter names and totals, in first-seen order (a new map each call).
     */
    public Map<String, Long> totals()
    {
        final Map<String, Long> totals = new LinkedHashMap<>(sums);
        if (totals.containsKey(AVG_PKT_SIZE))
        {
            final long pkts = totals.getOrDefault("decoder.pkts", 0L);
            totals.put(AVG_PKT_SIZE, pkts == 0 ? 0 : totals.getOrDefault("decoder.bytes", 0L) / pkts);
        }
        return totals;
    }
}
