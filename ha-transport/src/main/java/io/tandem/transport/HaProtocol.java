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
        try
        {
            final Mac mac = Mac.getInstance(HMAC_ALGORITHM);
            mac.init(new SecretKeySpec(key, HMAC_ALGORITHM));
            return mac.doFinal(envelope.toBuilder().clearHmac().build().toByteArray());
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
