package io.tandem.transport;

import java.security.MessageDigest;
import java.util.HashSet;
import java.util.Set;
import java.util.function.ObjLongConsumer;

import javax.crypto.Mac;

import com.google.protobuf.ByteString;
import io.tandem.proto.ha.v1.Envelope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks a received envelope before anything in it is applied: protocol version, cluster, HMAC (when a cluster key is
 * configured) and that it carries a body. Each rejection is counted by reason; an unsupported version is also logged,
 * naming the version and the sending node (once per node and version, so a misconfigured peer cannot flood the log).
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
        NO_BODY
    }

    private final int clusterId;
    private final Mac mac;
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
        this.mac = clusterKey == null || clusterKey.length == 0 ? null : HaProtocol.newMac(clusterKey);
    }

    /**
     * Validate one envelope and count the verdict.
     *
     * @param envelope the received envelope.
     * @return {@link Verdict#ACCEPTED} or why it is rejected.
     */
    public Verdict validate(final Envelope envelope)
    {
        return validate(envelope, null, 0, 0);
    }

    /**
     * Validate one envelope parsed from these bytes and count the verdict. When the bytes end with the HMAC field, as
     * every protobuf writer puts it (the highest field number), the HMAC is checked over the bytes before it as they
     * arrived, so the envelope is not serialized again; otherwise as {@link #validate(Envelope)} does. Either way
     * exactly the bytes the key holder authenticated are accepted.
     *
     * @param envelope the envelope parsed from {@code raw}.
     * @param raw      the bytes it was parsed from, or null.
     * @param offset   of the envelope in {@code raw}.
     * @param length   of the envelope.
     * @return {@link Verdict#ACCEPTED} or why it is rejected.
     */
    public Verdict validate(final Envelope envelope, final byte[] raw, final int offset, final int length)
    {
        final Verdict verdict = decide(envelope, raw, offset, length);
        counts[verdict.ordinal()]++;
        if (verdict == Verdict.UNSUPPORTED_VERSION)
        {
            final long pair = ((long)envelope.getSenderNodeId() << 32) | (envelope.getProtocolVersion() & 0xFFFF_FFFFL);
            if (loggedVersions.add(pair))
            {
                LOG.warn("rejected HA message with protocol version {} from node {} (epoch {}): this node speaks " +
                    "version {}", Integer.toUnsignedString(envelope.getProtocolVersion()),
                    Integer.toUnsignedString(envelope.getSenderNodeId()), envelope.getSenderEpoch(),
                    HaProtocol.VERSION);
            }
        }
        return verdict;
    }

    private Verdict decide(final Envelope envelope, final byte[] raw, final int offset, final int length)
    {
        if (!HaProtocol.supports(envelope.getProtocolVersion()))
        {
            return Verdict.UNSUPPORTED_VERSION;
        }
        if (envelope.getClusterId() != clusterId)
        {
            return Verdict.OTHER_CLUSTER;
        }
        if (mac != null && !verify(envelope, raw, offset, length))
        {
            return Verdict.BAD_HMAC;
        }
        if (envelope.getBodyCase() == Envelope.BodyCase.BODY_NOT_SET)
        {
            return Verdict.NO_BODY;
        }
        return Verdict.ACCEPTED;
    }

    private boolean verify(final Envelope envelope, final byte[] raw, final int offset, final int length)
    {
        final ByteString hmac = envelope.getHmac();
        if (hmac.size() != HaProtocol.HMAC_LENGTH)
        {
            return false;
        }
        final int hmacField = offset + length - SessionEnvelopeWriter.HMAC_FIELD_BYTES;
        if (raw != null && hmacField >= offset && raw[hmacField] == (byte)((15 << 3) | 2) &&
            raw[hmacField + 1] == (byte)HaProtocol.HMAC_LENGTH)
        {
            mac.update(raw, offset, hmacField - offset);
            try
            {
                mac.doFinal(computed, 0);
            }
            catch (final javax.crypto.ShortBufferException ex)
            {
                throw new IllegalStateException(ex);
            }
            int difference = 0;
            for (int i = 0; i < HaProtocol.HMAC_LENGTH; i++)
            {
                difference |= computed[i] ^ raw[hmacField + 2 + i];
            }
            if (difference == 0)
            {
                return true;
            }
        }
        return MessageDigest.isEqual(HaProtocol.hmac(mac, envelope), hmac.toByteArray());
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
    }
}
