package io.tandem.node.flow;

import io.tandem.node.decode.Packet;

/**
 * Told when the first packet seen for a standby flow promotes it: this node becomes the flow's owner. Called before
 * the packet is accounted to the flow and handed to later stages.
 */
@FunctionalInterface
public interface FlowPromotionListener
{
    /** A listener that does nothing. */
    FlowPromotionListener NONE = (flow, p, direction) ->
    {
    };

    /**
     * A standby flow was promoted.
     *
     * @param flow      the flow, no longer standby.
     * @param p         the packet that promoted it.
     * @param direction {@link Flow#TO_SERVER} or {@link Flow#TO_CLIENT}.
     */
    void onPromote(Flow flow, Packet p, int direction);
}
