package io.tandem.node.flow;

/**
 * Why a flow left the table, as Suricata's EVE {@code flow.reason} reports it.
 */
public enum FlowEndReason
{
    /** Idle past its state's timeout. */
    TIMEOUT("timeout"),
    /** The engine stopped (end of a capture file, shutdown): every live flow is flushed. */
    SHUTDOWN("shutdown"),
    /** Evicted to make room (emergency mode with no flow timed out). */
    FORCED("forced"),
    /** A new TCP session reused the tuple of a closed one. */
    TCP_REUSE("tcp_reuse"),
    /** A peer that owns the session ended it (HA delete applied to a standby flow). */
    HA_DELETE("ha_delete");

    private final String eveName;

    FlowEndReason(final String eveName)
    {
        this.eveName = eveName;
    }

    /**
     * Name written in EVE.
     *
     * @return the name.
     */
    public String eveName()
    {
        return eveName;
    }
}
