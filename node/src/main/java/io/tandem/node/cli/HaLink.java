package io.tandem.node.cli;

import io.tandem.node.ha.HaManager;
import io.tandem.node.ha.HaMessageSink;

/**
 * The failover demo's replication path from the active node's HA manager to the standby's: the one seam where the
 * side channel plugs in (an in-memory queue, or the Aeron transport over UDP). The active's worker thread sends
 * through {@link #activeSink()}; the standby's thread calls {@link #pollStandby(HaManager, int)}.
 */
interface HaLink extends AutoCloseable
{
    /**
     * What carries the messages, for the report.
     *
     * @return a short description.
     */
    String description();

    /**
     * Where the active's HA manager sends its envelopes (called on the active's worker thread).
     *
     * @return the sink.
     */
    HaMessageSink activeSink();

    /**
     * Apply what has arrived to the standby's HA manager (called on the standby's thread only).
     *
     * @param standby the standby's manager.
     * @param limit   most session messages to apply in this call (a whole envelope may go over it).
     * @return session messages taken off the link (applied or refused by the manager), 0 when none waited.
     */
    int pollStandby(HaManager standby, int limit);

    /**
     * The active node dies: its side of the link stops at once, without a goodbye. What it already put on the
     * link may still arrive; nothing more is sent.
     */
    void crashActive();

    /**
     * Release everything.
     */
    @Override
    void close();
}
