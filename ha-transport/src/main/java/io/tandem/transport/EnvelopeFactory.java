package io.tandem.transport;

import com.google.protobuf.ByteString;
import io.tandem.proto.ha.v1.Control;
import io.tandem.proto.ha.v1.Envelope;
import io.tandem.proto.ha.v1.SessionBatch;

/**
 * Builds this node's envelopes: protocol version, cluster id, node id, epoch, the next sequence number, the given
 * timestamp, and the HMAC when a cluster key is configured. One factory per sending stream (sequence numbers are
 * consecutive per factory); not thread-safe.
 */
public final class EnvelopeFactory
{
    private final int clusterId;
    private final int nodeId;
    private final long epoch;
    private final HmacSha256 mac;
    private long sequence;

    /**
     * A factory for one node's stream of envelopes.
     *
     * @param clusterId  the cluster id.
     * @param nodeId     this node's id.
     * @param epoch      this start's epoch (a new value per start).
     * @param clusterKey key for the envelope HMAC, or null (or empty) to send none.
     */
    public EnvelopeFactory(final int clusterId, final int nodeId, final long epoch, final byte[] clusterKey)
    {
        this.clusterId = clusterId;
        this.nodeId = nodeId;
        this.epoch = epoch;
        this.mac = clusterKey == null || clusterKey.length == 0 ? null : new HmacSha256(clusterKey);
    }

    /**
     * An envelope carrying session messages.
     *
     * @param batch       the session messages.
     * @param timestampNs time of building, nanoseconds since the epoch.
     * @return the envelope, with the next sequence number.
     */
    public Envelope sessions(final SessionBatch batch, final long timestampNs)
    {
        return finish(header(timestampNs).setSessions(batch));
    }

    /**
     * An envelope carrying a control message.
     *
     * @param control     the control message.
     * @param timestampNs time of building, nanoseconds since the epoch.
     * @return the envelope, with the next sequence number.
     */
    public Envelope control(final Control control, final long timestampNs)
    {
        return finish(header(timestampNs).setControl(control));
    }

    /**
     * Forget the last envelope built because it was never sent (back pressure, not connected): the next envelope gets
     * its sequence number again, so receivers see no gap for a message nobody received.
     */
    public void rollback()
    {
        if (sequence > 0)
        {
            sequence--;
        }
    }

    /**
     * Take the next sequence number for an envelope built elsewhere ({@link SessionEnvelopeWriter}), so that session
     * and control envelopes share one sequence; {@link #rollback()} gives it back.
     *
     * @return the sequence number.
     */
    long nextSequence()
    {
        return ++sequence;
    }

    /**
     * Sequence number of the last envelope built (0 before the first).
     *
     * @return the sequence number.
     */
    public long lastSequence()
    {
        return sequence;
    }

    /**
     * The epoch envelopes carry.
     *
     * @return the epoch.
     */
    public long epoch()
    {
        return epoch;
    }

    private Envelope.Builder header(final long timestampNs)
    {
        return Envelope.newBuilder()
            .setProtocolVersion(HaProtocol.VERSION)
            .setClusterId(clusterId)
            .setSenderNodeId(nodeId)
            .setSenderEpoch(epoch)
            .setSequence(++sequence)
            .setTimestampNs(timestampNs);
    }

    private Envelope finish(final Envelope.Builder builder)
    {
        final Envelope unsigned = builder.build();
        if (mac == null)
        {
            return unsigned;
        }
        return builder.setHmac(ByteString.copyFrom(HaProtocol.hmac(mac, unsigned))).build();
    }
}
