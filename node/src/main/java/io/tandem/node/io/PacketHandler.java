package io.tandem.node.io;

import org.agrona.DirectBuffer;

/**
 * Receives packets from a {@link PacketSource}, one call per captured frame.
 */
@FunctionalInterface
public interface PacketHandler
{
    /**
     * One captured frame. The buffer is only valid during the call: it is re-wrapped over the next frame.
     *
     * @param frame          bytes of the frame, starting at index 0.
     * @param capturedLength captured bytes available in {@code frame}.
     * @param wireLength     length of the packet on the wire (may exceed the captured length).
     * @param timestampNs    capture time in nanoseconds since the epoch.
     * @param linkType       pcap LINKTYPE_* of the frame (per interface in pcapng).
     */
    void onPacket(DirectBuffer frame, int capturedLength, int wireLength, long timestampNs, int linkType);
}
