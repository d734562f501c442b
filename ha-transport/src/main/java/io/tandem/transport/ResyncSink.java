package io.tandem.transport;

import org.agrona.DirectBuffer;

/**
 * Where a {@link ResyncSource} puts the sessions it owns during a resync.
 */
@FunctionalInterface
public interface ResyncSink
{
    /**
     * Take one encoded {@code tandem.ha.v1.SessionMessage}; the bytes are copied before this returns.
     *
     * @param buffer holding the message.
     * @param offset of the message in the buffer.
     * @param length of the message in bytes.
     * @return true when taken; false when the transport cannot take more now (back pressure): offer the same message
     * again at the next {@link ResyncSource#produce(ResyncSink, int)}.
     */
    boolean accept(DirectBuffer buffer, int offset, int length);
}
