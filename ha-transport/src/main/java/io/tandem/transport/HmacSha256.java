package io.tandem.transport;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import org.agrona.DirectBuffer;

/**
 * HMAC-SHA256 (RFC 2104) with the cluster key, computed without allocating: the JDK's {@link javax.crypto.Mac}
 * returns a new array from every {@code doFinal}, even into a caller's array, and this one runs once per envelope on
 * each side. Same bytes as {@code Mac.getInstance("HmacSHA256")} (the tests compare them); one per thread.
 */
final class HmacSha256
{
    private static final int BLOCK_BYTES = 64;
    private static final int CHUNK_BYTES = 256;

    private final MessageDigest digest;
    private final byte[] innerPad = new byte[BLOCK_BYTES];
    private final byte[] outerPad = new byte[BLOCK_BYTES];
    private final byte[] inner = new byte[HaProtocol.HMAC_LENGTH];
    private final byte[] chunk = new byte[CHUNK_BYTES];

    /**
     * An HMAC keyed with the cluster key.
     *
     * @param key the cluster key, not empty.
     */
    HmacSha256(final byte[] key)
    {
        try
        {
            digest = MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("cannot compute " + HaProtocol.HMAC_ALGORITHM, ex);
        }
        final byte[] k = key.length > BLOCK_BYTES ? digest.digest(key) : key;
        for (int i = 0; i < BLOCK_BYTES; i++)
        {
            final byte b = i < k.length ? k[i] : 0;
            innerPad[i] = (byte)(b ^ 0x36);
            outerPad[i] = (byte)(b ^ 0x5c);
        }
    }

    /**
     * The HMAC of bytes in an array.
     *
     * @param data      the bytes.
     * @param offset    where they start.
     * @param length    how many.
     * @param out       where the {@value HaProtocol#HMAC_LENGTH} bytes of the HMAC go.
     * @param outOffset at which index.
     */
    void compute(final byte[] data, final int offset, final int length, final byte[] out, final int outOffset)
    {
        digest.update(innerPad);
        digest.update(data, offset, length);
        finish(out, outOffset);
    }

    /**
     * The HMAC of bytes in a buffer (read in place when it wraps an array, in chunks otherwise).
     *
     * @param data      the bytes.
     * @param offset    where they start.
     * @param length    how many.
     * @param out       where the {@value HaProtocol#HMAC_LENGTH} bytes of the HMAC go.
     * @param outOffset at which index.
     */
    void compute(final DirectBuffer data, final int offset, final int length, final byte[] out, final int outOffset)
    {
        digest.update(innerPad);
        final byte[] array = data.byteArray();
        if (array != null)
        {
            digest.update(array, data.wrapAdjustment() + offset, length);
        }
        else
        {
            for (int done = 0; done < length; done += CHUNK_BYTES)
            {
                final int n = Math.min(CHUNK_BYTES, length - done);
                data.getBytes(offset + done, chunk, 0, n);
                digest.update(chunk, 0, n);
            }
        }
        finish(out, outOffset);
    }

    private void finish(final byte[] out, final int outOffset)
    {
        try
        {
            digest.digest(inner, 0, inner.length);
            digest.update(outerPad);
            digest.update(inner);
            digest.digest(out, outOffset, HaProtocol.HMAC_LENGTH);
        }
        catch (final DigestException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
