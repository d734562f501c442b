package io.tandem.node.flow;

import io.tandem.node.decode.Packet;

/**
 * Decides whether a packet that matches a live flow starts a new session on the same tuple instead (TCP port reuse):
 * the old flow then ends with {@link FlowEndReason#TCP_REUSE} and a new flow is created for the packet.
 */
@FunctionalInterface
public interface FlowReuseCheck
{
    /**
     * Whether the packet reuses the flow's tuple for a new session.
     *
     * @param flow      the matching live flow.
     * @param p         the packet.
     * @param direction {@link Flow#TO_SERVER} or {@link Flow#TO_CLIENT} relative to the live flow.
     * @return true to end the flow and start a new one.
     */
    boolean reuse(Flow flow, Packet p, int direction);
}
