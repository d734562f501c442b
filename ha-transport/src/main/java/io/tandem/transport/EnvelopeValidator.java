package io.tandem.transport;

import java.security.MessageDigest;
import java.util.HashSet;
import java.util.Set;
import java.util.function.ObjLongConsumer;


import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.tandem.proto.ha.v1.Envelope;
import io.tandem.proto.wire.EnvelopeDecoder;
import org.agrona.DirectBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks a received envelope before anything in it is applied: protocol version, cluster, HMAC (when a cluster key is
 * configured) and that it carries a body, either from its protobuf object or, on the receive path, from its bytes
 * through an {@link EnvelopeDecoder} without allocating. Each rejection is counted by reason; an unsupported version
 * is also logged, naming the version and the sending node (once per node and version, so a misconfigured peer cannot
 * flood the log).
 * Not thread-safe: one validator per receiving thread.
 */
public final class EnvelopeValidator
{
    private static final Logger LOG = LoggerFactory.getLogger(EnvelopeValidator.class);

    /** What the validator decided. */
    public enum Verdict
    {
        /** Apply the envelope. */
        ACCEPTED,
        /** A protocol version this node does not speak. */
        UNSUPPORTED_VERSION,
        /** Another cluster's envelope. */
        OTHER_CLUSTER,
        /** HMAC missing or wrong while a cluster key is configured. */
        BAD_HMAC,
        /** Neither session messages nor a control message. */
        NO_BODY,
        /** Bytes whose HMAC could only be checked by parsing them, and they do not parse. */
        MALFORMED
    }

    private final int clusterId;
    private final HmacSha256 hmac;
    private final byte[] computed = new byte[HaProtocol.HMAC_LENGTH];
    private final long[] counts = new long[Verdict.values().length];
    private final Set<Long> loggedVersions = new HashSet<>();

    /**
     * A validator for one node.
     *
     * @param clusterId  this node's cluster id.
     * @param clusterKey key the HMAC must match, or null (or empty) when envelopes are not authenticated.
     */
    public EnvelopeValidator(final int clusterId, final byte[] clusterKey)
    {
        this.clusterId = clusterId;
        this.hmac = clusterKey != null && clusterKey.length > 0 ? new HmacSha256(clusterKey) : null;
    }

    /**
     * Validate one envelope and count the verdict.
     *
     * @param envelope the received envelope.
     * @return {@link Verdict#ACCEPTED} or why it is rejected.
     */
    public Verdict validate(final Envelope envelope)
    {
        final Verdict verdict = decide(envelope);
        count(verdict, envelope.getSenderNodeId(), envelope.getProtocolVersion(), envelope.getSenderEpoch());
        return verdict;
    }

    /**
     * Validate one envelope from its bytes, as a decoder read them (not malformed), and count the verdict; nothing is
     * allocated for an envelope whose HMAC is its last field, as every writer puts it (the highest field number): the
     * HMAC is then checked over the bytes before that field as they arrived. An envelope whose HMAC is elsewhere (a
     * writer that puts unknown fields after it) is parsed with protobuf and checked as {@link #validate(Envelope)}
     * does. Either way exactly the bytes the key holder authenticated are accepted.
     *
     * @param decoder wrapping the envelope's bytes, not {@link EnvelopeDecoder#malformed()}.
     * @return {@link Verdict#ACCEPTED} or why it is rejected.
     */
    public Verdict validate(final EnvelopeDecoder decoder)
    {
        final Verdict verdict = decide(decoder);
        count(verdict, decoder.senderNodeId(), decoder.protocolVersion(), decoder.senderEpoch());
        return verdict;
    }

    private void count(final Verdict verdict, final int senderNodeId, final int version, final long epoch)
    {
        counts[verdict.ordinal()]++;
        if (verdict == Verdict.UNSUPPORTED_VERSION)
        {
            final long pair = ((long)senderNodeId << 32) | (version & 0xFFFF_FFFFL);
            if (loggedVersions.add(pair))
            {
                LOG.warn("rejected HA message with protocol version {} from node {} (epoch {}): this node speaks " +
                    "version {}", Integer.toUnsignedString(version), Integer.toUnsignedString(senderNodeId), epoch,
                    HaProtocol.VERSION);
            }
        }
    }

    private Verdict decide(final Envelope envelope)
    {
        if (!HaProtocol.supports(envelope.getProtocolVersion()))
        {
            return Verdict.UNSUPPORTED_VERSION;
        }
        if (envelope.getClusterId() != clusterId)
        {
            return Verdict.OTHER_CLUSTER;
        }
        if (hmac != null && !verify(envelope))
        {
            return Verdict.BAD_HMAC;
        }
        if (envelope.getBodyCase() == Envelope.BodyCase.BODY_NOT_SET)
        {
            return Verdict.NO_BODY;
        }
        return Verdict.ACCEPTED;
    }

    private Verdict decide(final EnvelopeDecoder decoder)
    {
        if (!HaProtocol.supports(decoder.protocolVersion()))
        {
            return Verdict.UNSUPPORTED_VERSION;
        }
        if (decoder.clusterId() != clusterId)
        {
            return Verdict.OTHER_CLUSTER;
        }
        if (hmac != null)
        {
            if (decoder.hmacLength() != HaProtocol.HMAC_LENGTH)
            {
                return Verdict.BAD_HMAC;
            }
            if (decoder.hmacLast())
            {
                if (!verifyInPlace(decoder))
                {
                    return Verdict.BAD_HMAC;
                }
            }
            else
            {
                final Envelope envelope = parse(decoder);
                if (envelope == null)
                {
                    return Verdict.MALFORMED;
                }
                if (!verify(envelope))
                {
                    return Verdict.BAD_HMAC;
                }
            }
        }
        if (decoder.body() == EnvelopeDecoder.BODY_NONE)
        {
            return Verdict.NO_BODY;
        }
        return Verdict.ACCEPTED;
    }

    private boolean verifyInPlace(final EnvelopeDecoder decoder)
    {
        final DirectBuffer buffer = decoder.buffer();
        hmac.compute(buffer, decoder.offset(), decoder.hmacFieldOffset() - decoder.offset(), computed, 0);
        final int at = decoder.hmacOffset();
        int difference = 0;
        for (int i = 0; i < HaProtocol.HMAC_LENGTH; i++)
        {
            difference |= computed[i] ^ buffer.getByte(at + i);
        }
        return difference == 0;
    }

    private static Envelope parse(final EnvelopeDecoder decoder)
    {
        final byte[] bytes = new byte[decoder.length()];
        decoder.buffer().getBytes(decoder.offset(), bytes);
        try
        {
            return Envelope.parseFrom(bytes);
        }
        catch (final InvalidProtocolBufferException ex)
        {
            return null;
        }
    }

    private boolean verify(final Envelope envelope)
    {
        final ByteString received = envelope.getHmac();
        return received.size() == HaProtocol.HMAC_LENGTH &&
            MessageDigest.isEqual(HaProtocol.hmac(hmac, envelope), received.toByteArray());
    }

    /**
     * How many envelopes got a verdict.
     *
     * @param verdict the verdict.
     * @return the count.
     */
    public long count(final Verdict verdict)
    {
        return counts[verdict.ordinal()];
    }

    /**
     * Report every verdict count by its dotted name ({@code ha.envelopes.accepted}, {@code ha.envelopes.rejected.*});
     * node code passes its stats sink, e.g. {@code validator.reportStats(sink::counter)}.
     *
     * @param sink receives (name, value) pairs.
     */
    public void reportStats(final ObjLongConsumer<String> sink)
    {
        sink.accept("ha.envelopes.accepted", counts[Verdict.ACCEPTED.ordinal()]);
        sink.accept("ha.envelopes.rejected.version", counts[Verdict.UNSUPPORTED_VERSION.ordinal()]);
        sink.accept("ha.envelopes.rejected.cluster", counts[Verdict.OTHER_CLUSTER.ordinal()]);
        sink.accept("ha.envelopes.rejected.hmac", counts[Verdict.BAD_HMAC.ordinal()]);
        sink.accept("ha.envelopes.rejected.no_body", counts[Verdict.NO_BODY.ordinal()]);
        sink.accept("ha.envelopes.rejected.malformed", counts[Verdict.MALFORMED.ordinal()]);
    }
}
