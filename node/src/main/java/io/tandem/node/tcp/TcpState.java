package io.tandem.node.tcp;

import io.tandem.node.flow.FlowState;

/**
 * TCP session states, with the names Suricata writes in EVE ({@code tcp.state}) and the flow state each implies.
 */
public enum TcpState
{
    /** No session state yet. */
    NONE("none", FlowState.NEW),
    /** The client's SYN was seen. */
    SYN_SENT("syn_sent", FlowState.NEW),
    /** The server's SYN/ACK was seen. */
    SYN_RECV("syn_recv", FlowState.NEW),
    /** Handshake complete (or picked up midstream). */
    ESTABLISHED("established", FlowState.ESTABLISHED),
    /** The server sent a FIN. */
    FIN_WAIT1("fin_wait1", FlowState.ESTABLISHED),
    /** The server's FIN was acknowledged. */
    FIN_WAIT2("fin_wait2", FlowState.ESTABLISHED),
    /** Both FINs seen, waiting for the last ACK. */
    TIME_WAIT("time_wait", FlowState.CLOSED),
    /** The client sent a FIN. */
    CLOSE_WAIT("close_wait", FlowState.ESTABLISHED),
    /** The client sent a FIN and then the server did. */
    LAST_ACK("last_ack", FlowState.CLOSED),
    /** Both sides sent a FIN at the same time. */
    CLOSING("closing", FlowState.ESTABLISHED),
    /** Session over (teardown completed or reset). */
    CLOSED("closed", FlowState.CLOSED);

    private static final TcpState[] VALUES = values();

    private final String eveName;
    private final FlowState flowState;

    TcpState(final String eveName, final FlowState flowState)
    {
        this.eveName = eveName;
        this.flowState = flowState;
    }

    /**
     * Name written in EVE.
     *
     * @return e.g. {@code syn_sent}.
     */
    public String eveName()
    {
        return eveName;
    }

    /**
     * Flow state implied by this TCP state (as Suricata's StreamTcpPacketSetState).
     *
     * @return the flow state.
     */
    public FlowState flowState()
    {
        return flowState;
    }

    /**
     * Whether a new SYN on this tuple starts a new session (Suricata's port reuse rule: last-ack, close-wait,
     * closing and closed).
     *
     * @return true when the tuple may be reused.
     */
    public boolean reusable()
    {
        return this == LAST_ACK || this == CLOSE_WAIT || this == CLOSING || this == CLOSED;
    }

    /**
     * Whether the state is past the handshake.
     *
     * @return true from ESTABLISHED on.
     */
    public boolean atLeastEstablished()
    {
        return ordinal() >= ESTABLISHED.ordinal();
    }

    /**
     * State by ordinal.
     *
     * @param ordinal of the state.
     * @return the state.
     */
    public static TcpState fromOrdinal(final int ordinal)
    {
        return VALUES[ordinal];
    }
}
