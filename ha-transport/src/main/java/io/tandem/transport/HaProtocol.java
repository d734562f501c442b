package io.tandem.transport;

import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.tandem.proto.ha.v1.Envelope;

/**
 * Constants of the HA protocol this node speaks, and the envelope HMAC.
 */
public final class HaProtocol
{
    /** The protocol version this node sends and accepts (package {@code tandem.ha.v1}). */
    public static final int VERSION = 1;
    /** MAC algorithm of {@link Envelope#getHmac()}. */
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
        return hmac(newMac(key), envelope);
    }

    /**
     * The HMAC of an envelope with a MAC already keyed ({@link #newMac(byte[])}), which is left reset.
     *
     * @param mac      the keyed MAC.
     * @param envelope the envelope (its hmac field, if any, is ignored).
     * @return the MAC bytes.
     */
    static byte[] hmac(final Mac mac, final Envelope envelope)
    {
        return mac.doFinal(envelope.getHmac().isEmpty() ? envelope.toByteArray() :
            envelope.toBuilder().clearHmac().build().toByteArray());
    }

    /**
     * An HMAC-SHA256 keyed with the cluster key: keep one per thread and reuse it (making one costs a provider
     * look-up and the key schedule; {@link Mac#doFinal()} resets it for the next message).
     *
     * @param key the cluster key.
     * @return the MAC.
     */
    static Mac newMac(final byte[] key)
    {
        try
        {
            final Mac mac = Mac.getInstance(HMAC_ALGORITHM);
            mac.init(new SecretKeySpec(key, HMAC_ALGORITHM));
            return mac;
        }
        catch (final NoSuchAlgorithmException | InvalidKeyException ex)
        {
            throw new IllegalStateException("cannot compute " + HMAC_ALGORITHM, ex);
        }
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
