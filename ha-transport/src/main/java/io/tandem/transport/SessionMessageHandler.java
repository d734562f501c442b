package io.tandem.transport;

import io.tandem.proto.ha.v1.SessionMessage;

/**
 * Receives the session messages of peers' envelopes that passed authentication and sequencing, in the order each peer
 * sent them. Called on the transport agent's thread; route to the owning worker, do not block.
 */
@FunctionalInterface
public interface SessionMessageHandler
{
    /**
     * One session update or delete from a peer.
     *
     * @param senderNodeId the peer that owns the session.
     * @param message      the update or delete.
     */
    void onSessionMessage(int senderNodeId, SessionMessage message);
}
