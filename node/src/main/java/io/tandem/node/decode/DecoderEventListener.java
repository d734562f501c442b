package io.tandem.node.decode;

/**
 * Told about every decoder event raised on a packet (to write EVE anomaly records, for instance).
 */
@FunctionalInterface
public interface DecoderEventListener
{
    /**
     * One event on one packet. The packet is only valid during the call.
     *
     * @param p     the packet, decoded as far as the decoders got.
     * @param event the event.
     */
    void onDecoderEvent(Packet p, DecoderEvent event);
}
