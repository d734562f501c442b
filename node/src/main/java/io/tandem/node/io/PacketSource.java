package io.tandem.node.io;

/**
 * A source of captured packets: a capture file, a live interface or a mirror feed. Polled by one worker thread.
 */
public interface PacketSource extends AutoCloseable
{
    /**
     * Deliver up to {@code limit} packets to the handler without blocking.
     *
     * @param handler to call once per packet.
     * @param limit   most packets to deliver in this call.
     * @return the number of packets delivered; 0 when none are available now or the source is exhausted.
     */
    int poll(PacketHandler handler, int limit);

    /**
     * Whether the source has delivered everything it ever will (end of a capture file).
     *
     * @return true at end of stream.
     */
    boolean isEndOfStream();

    /**
     * Human-readable name of the source (file path, interface), for messages.
     *
     * @return the name.
     */
    String name();

    @Override
    void close();
}
