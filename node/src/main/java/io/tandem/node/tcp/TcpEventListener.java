package io.tandem.node.tcp;

import io.tandem.node.decode.Packet;
import io.tandem.node.flow.Flow;

/**
 * Told about every stream event the TCP engine raises, while the packet that raised it is being handled.
 */
@FunctionalInterface
public interface TcpEventListener
{
    /** A listener that ignores every event. */
    TcpEventListener NONE = (p, flow, event) ->
    {
    };

    /**
     * A stream event was raised on a packet.
     *
     * @param p     the packet (valid during the call only).
     * @param flow  its flow.
     * @param event the event.
     */
    void onStreamEvent(Packet p, Flow flow, TcpStreamEvent event);
}
