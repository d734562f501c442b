package io.tandem.node.stats;

/**
 * A component that owns counters and can report them.
 */
public interface StatsSource
{
    /**
     * Report every counter of this component into the sink. Called off the hot path.
     *
     * @param sink to report into.
     */
    void reportStats(StatsSink sink);
}
