package io.tandem.transport;

import org.agrona.DirectBuffer;

/**
 * Told about every session message that was accepted by {@link HaTransport#offer(long, DirectBuffer, int, int)} but
 * could not be published (no connected peer, a closed publication, or the transport closing with it unsent; back
 * pressure only delays a message), so the owner keeps the session pending and sends its state again later: nothing is
 * lost silently. Called on the transport agent's thread; route to the owning worker, do not block.
 */
@FunctionalInterface
public interface SendFailureHandler
{
    /** A handler that ignores failures (they are still counted). */
    SendFailureHandler NONE = (tag, buffer, offset, length) -> {};

    /**
     * One session message that was not sent.
     *
     * @param tag    the tag the caller offered it with.
     * @param buffer holding the message bytes, valid only during this call.
     * @param offset of the message in the buffer.
     * @param length of the message in bytes.
     */
    void onSendFailed(long tag, DirectBuffer buffer, int offset, int length);
}
