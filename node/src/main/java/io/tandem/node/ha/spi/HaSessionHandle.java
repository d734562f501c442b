package io.tandem.node.ha.spi;

/**
 * A session as a record provider sees it: the HA manager implements this over its session type.
 * <p>
 * Deliberately small and generic: the pending mask the registry's {@link HaRecordRegistry#markPending} sets, and one
 * attachment slot per registered record in which a provider keeps its own per-session state (or finds the state it
 * replicates). A handle is only touched by the worker thread that owns the session.
 */
public interface HaSessionHandle
{
    /**
     * IP protocol of the session (6 TCP, 17 UDP, ...).
     *
     * @return the protocol number.
     */
    int ipProtocol();

    /**
     * Whether this node holds the session in HA-standby (a peer owns it) rather than owning it.
     *
     * @return true when standby.
     */
    boolean isStandby();

    /**
     * Bits of the records that changed and wait to be sent with the next update (bit i is registry index i).
     *
     * @return the mask, 0..255.
     */
    int pendingMask();

    /**
     * Replace the pending mask.
     *
     * @param mask the new mask, 0..255.
     * @return this handle.
     */
    HaSessionHandle pendingMask(int mask);

    /**
     * The state a provider attached to this session in its slot.
     *
     * @param index the provider's registry index, 0..7.
     * @return the attachment, or null when none.
     */
    Object attachment(int index);

    /**
     * Attach a provider's state to this session in its slot.
     *
     * @param index the provider's registry index, 0..7.
     * @param value the state, or null to clear it.
     * @return this handle.
     */
    HaSessionHandle attachment(int index, Object value);
}
