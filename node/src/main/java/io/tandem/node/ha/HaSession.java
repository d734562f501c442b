package io.tandem.node.ha;

import io.tandem.node.flow.Flow;
import io.tandem.node.ha.spi.HaSessionHandle;

/**
 * The HA manager's state of one session, attached to its flow ({@link Flow#haState()}): standby or owned, the
 * change classes and pending bits waiting for an update, the throttle times, and the replicated core fields.
 * Touched only by the worker that owns the flow.
 */
public final class HaSession implements HaSessionHandle
{
    /** Session flag: a drop verdict was given. */
    public static final int FLAG_DROPPED = 0x01;
    /** Session flag: a reset verdict was given. */
    public static final int FLAG_RESET = 0x02;

    Flow flow;
    boolean standby;
    boolean everSynced;
    boolean queued;
    boolean sessionPending;
    boolean critical;
    int changes;
    int pendingMask;
    int syncedMask;
    int sessionFlags;
    int appProto;
    int ignoreDirection;
    long createdNs;
    long nextAllowedNs;
    int lastTcpState = -1;
    int lastFlowState = -1;
    final Object[] attachments = new Object[8];

    void init(final Flow f, final long createdNsValue)
    {
        flow = f;
        standby = false;
        everSynced = false;
        queued = false;
        sessionPending = false;
        critical = false;
        changes = 0;
        pendingMask = 0;
        syncedMask = 0;
        sessionFlags = 0;
        appProto = 0;
        ignoreDirection = 0;
        createdNs = createdNsValue;
        nextAllowedNs = Long.MIN_VALUE;
        lastTcpState = -1;
        lastFlowState = -1;
        java.util.Arrays.fill(attachments, null);
    }

    /**
     * The flow the session belongs to.
     *
     * @return the flow, or null once it ended.
     */
    public Flow flow()
    {
        return flow;
    }

    /**
     * Whether this node ever sent an update for the session (deletes are sent only then).
     *
     * @return true when synced.
     */
    public boolean everSynced()
    {
        return everSynced;
    }

    /**
     * Whether an update waits to be sent (the session's own pending bit).
     *
     * @return true when pending.
     */
    public boolean sessionPending()
    {
        return sessionPending;
    }

    /**
     * Change classes ({@link HaChange}) collected since the last update.
     *
     * @return the mask.
     */
    public int changes()
    {
        return changes;
    }

    /**
     * Earliest time the next non-critical update may go.
     *
     * @return nanoseconds.
     */
    public long nextAllowedNs()
    {
        return nextAllowedNs;
    }

    /**
     * Session flags ({@link #FLAG_DROPPED}, {@link #FLAG_RESET}).
     *
     * @return the flags.
     */
    public int sessionFlags()
    {
        return sessionFlags;
    }

    /**
     * Application protocol, 0 while unknown.
     *
     * @return the protocol id.
     */
    public int appProto()
    {
        return appProto;
    }

    /**
     * Ignored directions, as {@link io.tandem.proto.ha.v1.IgnoreDirection} numbers (0 none .. 3 both).
     *
     * @return the value.
     */
    public int ignoreDirection()
    {
        return ignoreDirection;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int ipProtocol()
    {
        return flow == null ? 0 : flow.key().protocol();
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public boolean isStandby()
    {
        return standby;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int pendingMask()
    {
        return pendingMask;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public HaSessionHandle pendingMask(final int mask)
    {
        pendingMask = mask & 0xFF;
        return this;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public Object attachment(final int index)
    {
        return attachments[index];
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public HaSessionHandle attachment(final int index, final Object value)
    {
        attachments[index] = value;
        return this;
    }
}
