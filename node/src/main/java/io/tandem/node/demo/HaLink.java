package io.tandem.node.demo;

import io.tandem.node.ha.HaContext;
import io.tandem.node.ha.HaManager;
import io.tandem.node.ha.HaMessageSink;
import io.tandem.node.worker.Worker;

/**
 * The failover demo's replication path from the active node to the standby: the one seam where the side channel
 * plugs in (an in-memory queue, or the Aeron transport over UDP). It turns HA on in both workers; then the active's
 * thread calls {@link #activeWork(long)} after each batch and the standby's thread polls
 * {@link #standbyWork(long)}.
 */
public interface HaLink extends AutoCloseable
{
    /**
     * What carries the messages, for the report.
     *
     * @return a short description.
     */
    String description();

    /**
     * Turn HA on in the active's worker, sending through this link.
     *
     * @param active the active's worker.
     * @param ctx    its HA settings.
     * @param tap    told about every batch the manager produces, before the link takes it (for the lag).
     * @return the active's manager.
     */
    HaManager enableActive(Worker active, HaContext ctx, HaMessageSink tap);

    /**
     * Turn HA on in the standby's worker, receiving from this link.
     *
     * @param standby the standby's worker.
     * @param ctx     its HA settings.
     * @return the standby's manager.
     */
    HaManager enableStandby(Worker standby, HaContext ctx);

    /**
     * Once both nodes' HA is on: wait until they are connected and ready (start-up resyncs done), so that the first
     * update has somewhere to go.
     *
     * @throws IllegalStateException when they do not connect in time.
     */
    void connect();

    /**
     * The active's share of the link after a batch (active's thread): retries, resyncs.
     *
     * @param nowNs the active's time.
     */
    void activeWork(long nowNs);

    /**
     * Apply what has arrived to the standby (standby's thread only).
     *
     * @param nowNs the standby's time.
     * @return session messages applied (or refused by the manager), 0 when none waited.
     */
    int standbyWork(long nowNs);

    /**
     * Session messages the active put on the link (call from any thread once the active's thread stopped).
     *
     * @return the count.
     */
    long sentMessages();

    /**
     * Session messages the standby applied (any thread).
     *
     * @return the count.
     */
    long appliedMessages();

    /**
     * The link's own figures for the report (messages, bytes, back pressure, gaps, resyncs), or an empty string.
     *
     * @return one line.
     */
    String summary();

    /**
     * The active node dies: its side of the link stops at once, without a goodbye. What it already put on the
     * wire may still arrive; nothing more is sent.
     */
    void crashActive();

    /**
     * Release everything.
     */
    @Override
    void close();
}
