package io.tandem.transport;

import java.security.MessageDigest;

import io.tandem.proto.ha.v1.Envelope;

/**
 * Constants of the HA protocol this node speaks, and the envelope HMAC.
 */
public final class HaProtocol
{
    /** The protocol version this node sends and accepts (package {@code tandem.ha.v1}). */
    public static final int VERSION = 1;
    /** MAC algorithm of {@link Envelope#getHmac()}, as the JDK names it. */
    public static final String HMAC_ALGORITHM = "HmacSHA256";
    /** Bytes of an HMAC-SHA256. */
    public static final int HMAC_LENGTH = 32;

    private HaProtocol()
    {
    }

    /**
     * Whether this node speaks a protocol version.
     *
     * @param version the version an envelope carries.
     * @return true when it can be decoded.
     */
    public static boolean supports(final int version)
    {
        return version == VERSION;
    }

    /**
     * The HMAC of an envelope: over its serialized form with the hmac field absent.
     *
     * @param key      the cluster key.
     * @param envelope the envelope (its hmac field, if any, is ignored).
     * @return the MAC bytes.
     */
    public static byte[] hmac(final byte[] key, final Envelope envelope)
    {
        return hmac(new HmacSha256(key), envelope);
    }

    /**
     * The HMAC of an envelope with an HMAC already keyed (for the envelopes made and checked as objects: control
     * messages, and received envelopes whose hmac is not their last field).
     *
     * @param mac      the keyed HMAC.
     * @param envelope the envelope (its hmac field, if any, is ignored).
     * @return the MAC bytes.
     */
    static byte[] hmac(final HmacSha256 mac, final Envelope envelope)
    {
        final byte[] unsigned = envelope.getHmac().isEmpty() ? envelope.toByteArray() :
            envelope.toBuilder().clearHmac().build().toByteArray();
        final byte[] out = new byte[HMAC_LENGTH];
        mac.compute(unsigned, 0, unsigned.length, out, 0);
        return out;
    }

    /**
     * Whether an envelope's hmac matches the cluster key (compared in constant time).
     *
     * @param key      the cluster key.
     * @param envelope the envelope.
     * @return true when it matches.
     */
    public static boolean verify(final byte[] key, final Envelope envelope)
    {
        return MessageDigest.isEqual(hmac(key, envelope), envelope.getHmac().toByteArray());
    }
}
