package io.tandem.transport;

/**
 * The transport's counters, like Aeron's {@code SystemCounterDescriptor}: each has a stable id, and is allocated in the
 * media driver's counters file with type id {@link #typeId()} ({@link #TYPE_ID_BASE} + id) and a key holding this
 * node's id, so AeronStat and the admin API can read them while the node runs. Ids are never reused.
 */
public enum TransportCounter
{
    /** Session messages published (batched into envelopes). */
    MESSAGES_SENT(1, "HA session messages sent"),
    /** Envelope bytes published. */
    BYTES_SENT(2, "HA bytes sent"),
    /** Envelopes published: one per Aeron message, session batches and control messages. */
    ENVELOPES_SENT(3, "HA envelopes sent"),
    /** Envelopes carrying session batches published. */
    BATCHES_SENT(4, "HA session batches sent"),
    /** Session messages received from peers and handed to the node. */
    MESSAGES_RECEIVED(5, "HA session messages received"),
    /** Bytes received (every fragment, valid or not). */
    BYTES_RECEIVED(6, "HA bytes received"),
    /** Envelopes received (every one, valid or not). */
    ENVELOPES_RECEIVED(7, "HA envelopes received"),
    /** Publication attempts refused by back pressure: the envelope is tried again on a later duty cycle. */
    BACK_PRESSURE_EVENTS(8, "HA back pressure events"),
    /** Envelopes given up for want of a connected peer (or a closed publication); their messages are returned. */
    SEND_FAILURES(9, "HA send failures"),
    /** Session messages reported back to the caller as not sent (they stay pending). */
    MESSAGES_RETURNED(10, "HA session messages returned unsent"),
    /** Offers refused because the ring buffer between workers and the transport was full. */
    RING_FULL(11, "HA ring buffer full"),
    /** Publication attempts while no peer was connected. */
    NOT_CONNECTED(12, "HA publication not connected"),
    /** Gaps in a peer's sequence numbers. */
    GAPS(13, "HA sequence gaps"),
    /** Envelopes missing in those gaps. */
    MISSING_ENVELOPES(14, "HA envelopes missing in gaps"),
    /** A peer seen with a new epoch (it restarted). */
    NEW_EPOCHS(15, "HA peer new epochs"),
    /** Peer Aeron images lost (peer gone, or silent for longer than the image liveness timeout). */
    IMAGES_LOST(16, "HA peer images lost"),
    /** Peers that went down (image lost or silent for longer than the peer timeout). */
    PEERS_DOWN(17, "HA peers down"),
    /** Resync requests sent to peers. */
    RESYNC_REQUESTS_SENT(18, "HA resync requests sent"),
    /** Resync requests received from peers for this node. */
    RESYNC_REQUESTS_RECEIVED(19, "HA resync requests received"),
    /** Resyncs this node served (begin to end). */
    RESYNCS_SERVED(20, "HA resyncs served"),
    /** Session messages sent during served resyncs. */
    RESYNC_MESSAGES_SENT(21, "HA resync session messages sent"),
    /** Resyncs requested by this node that ended with the peer's end marker. */
    RESYNCS_COMPLETED(22, "HA resyncs completed"),
    /** Resyncs requested by this node that timed out. */
    RESYNCS_TIMED_OUT(23, "HA resyncs timed out"),
    /** Total time of completed resyncs, request to end marker, in nanoseconds. */
    RESYNC_DURATION_NS(24, "HA resync duration total ns"),
    /** Longest completed resync, in nanoseconds. */
    RESYNC_MAX_DURATION_NS(25, "HA resync duration max ns"),
    /** Envelopes dropped: HMAC missing or wrong. */
    AUTH_FAILURES(26, "HA authentication failures"),
    /** Envelopes dropped: a protocol version this node does not speak. */
    VERSION_MISMATCHES(27, "HA protocol version mismatches"),
    /** Envelopes dropped: another cluster id. */
    OTHER_CLUSTER(28, "HA other cluster envelopes"),
    /** Envelopes dropped: an old epoch or an already seen sequence number (replayed or duplicated). */
    REPLAYED(29, "HA replayed envelopes"),
    /** Envelopes dropped: bytes that do not decode, or no body; also undecodable offered messages. */
    MALFORMED(30, "HA malformed messages"),
    /** Heartbeats published. */
    HEARTBEATS_SENT(31, "HA heartbeats sent"),
    /** 1 once the start-up resync ended (end markers or timeout), else 0. */
    READY(32, "HA ready"),
    /** 1 when readiness came by timeout rather than by every expected peer's end marker. */
    READY_BY_TIMEOUT(33, "HA ready by timeout"),
    /** Highest replication lag of any peer, in nanoseconds (receive time minus the envelope's timestamp). */
    MAX_LAG_NS(34, "HA max replication lag ns"),
    /** Envelopes dropped: sent with this node's id by another process, or from a peer beyond the peer limit. */
    REJECTED_SENDERS(35, "HA rejected senders");

    /** Base of the counters' Aeron type ids (clear of Aeron's own, archive's and cluster's). */
    public static final int TYPE_ID_BASE = 7100;
    /** Aeron type id of the per-peer state counters (value {@link PeerState#code()}); key: node id, peer id. */
    public static final int PEER_STATE_TYPE_ID = 7200;
    /** Aeron type id of the per-peer replication lag counters in nanoseconds; key: node id, peer id. */
    public static final int PEER_LAG_TYPE_ID = 7201;
    /** Aeron type id of the per-peer last sequence counters; key: node id, peer id. */
    public static final int PEER_SEQUENCE_TYPE_ID = 7202;

    private final int id;
    private final String label;

    TransportCounter(final int id, final String label)
    {
        this.id = id;
        this.label = label;
    }

    /**
     * The stable id.
     *
     * @return the id.
     */
    public int id()
    {
        return id;
    }

    /**
     * The Aeron counter type id.
     *
     * @return {@link #TYPE_ID_BASE} + {@link #id()}.
     */
    public int typeId()
    {
        return TYPE_ID_BASE + id;
    }

    /**
     * Human-readable label (the node id is appended).
     *
     * @return the label.
     */
    public String label()
    {
        return label;
    }
}
