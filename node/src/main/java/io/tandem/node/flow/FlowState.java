package io.tandem.node.flow;

/**
 * Flow-level state as Suricata's EVE {@code flow.state} reports it.
 */
public enum FlowState
{
    /** Seen in one direction only (or, for TCP, before the handshake completed). */
    NEW("new"),
    /** Both directions seen (UDP, ICMP, other), or the TCP session is established. */
    ESTABLISHED("established"),
    /** The session ended (TCP FIN/RST teardown). */
    CLOSED("closed"),
    /** The flow is no longer inspected. */
    BYPASSED("bypassed");

    private static final FlowState[] VALUES = values();

    private final String eveName;

    FlowState(final String eveName)
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

    /**
     * State by ordinal.
     *
     * @param ordinal of the state.
     * @return the state.
     */
    public static FlowState fromOrdinal(final int ordinal)
    {
        return VALUES[ordinal];
    }

    /**
     * Number of states.
     *
     * @return the count.
     */
    public static int count()
    {
        return VALUES.length;
    }
}
