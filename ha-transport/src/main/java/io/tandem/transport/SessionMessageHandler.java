package io.tandem.transport;

import org.agrona.DirectBuffer;

/**
 * Receives the session messages of peers' envelopes that passed authentication and sequencing, in the order each peer
 * sent them. Called on the transport agent's thread; route to the owning worker, do not block.
 */
@FunctionalInterface
public interface SessionMessageHandler
{
    /**
     * One session update or delete from a peer: the encoded {@code tandem.ha.v1.SessionMessage} bytes, as its owner
     * wrote them, read in place from the received envelope. They are valid only during this call: copy what is kept.
     * The envelope's framing was checked; the message's own bytes were not (whoever reads them checks them).
     *
     * @param senderNodeId the peer that owns the session.
     * @param buffer       holding the message.
     * @param offset       where it starts.
     * @param length       its length.
     */
    void onSessionMessage(int senderNodeId, DirectBuffer buffer, int offset, int length);
}
