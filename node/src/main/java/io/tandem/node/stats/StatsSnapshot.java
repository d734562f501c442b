package io.tandem.node.stats;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An immutable copy of a component's counters at one moment, made on the owning thread and handed to readers on
 * other threads (the admin server) through a volatile reference: readers never touch the owner's live state.
 *
 * @param timeNs   when it was taken (epoch nanoseconds).
 * @param counters counter names and values, in report order.
 */
public record StatsSnapshot(long timeNs, Map<String, Long> counters)
{
    /** A snapshot with no counters, before the first one is taken. */
    public static final StatsSnapshot EMPTY = new StatsSnapshot(0, Map.of());

    /**
     * Take a snapshot of a source.
     *
     * @param timeNs when.
     * @param source whose counters to copy.
     * @return the snapshot.
     */
    public static StatsSnapshot of(final long timeNs, final StatsSource source)
    {
        final Map<String, Long> counters = new LinkedHashMap<>();
        source.reportStats(counters::put);
        return new StatsSnapshot(timeNs, Collections.unmodifiableMap(counters));
    }
}
