package io.tandem.node.synth;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

import org.agrona.MutableDirectBuffer;

/**
 * The payload bytes of synthesized streams: byte {@code i} of a stream with key {@code k} is a fixed letter table
 * entry at {@code (k + i) mod 65536}. A different-data retransmission carries the same letters with their case flipped,
 * so every one of its bytes differs from the original at the same stream offset.
 * <p>
 * Nothing is stored per flow but the key, and any range of any stream can be regenerated, which is how
 * {@link SynthManifest.Flow#payload(boolean)} gives tests the exact bytes an application would see.
 * <p>
 * A key's bits above the table index name an application <b>preamble</b> the stream starts with (0: none): the
 * opening bytes of an HTTP request or response, a TLS ClientHello or ServerHello, an SSH identification string, an
 * SMTP EHLO or banner. The letters follow from the preamble's end at their usual offsets.
 */
public final class PayloadPattern
{
    /** Length of the letter table (the period of every stream). */
    public static final int TABLE_LENGTH = 1 << 16;
    /** XOR applied to every byte of an altered (overlapping, different-data) copy. */
    public static final int ALTERED_XOR = 0x20;

    /** Shift of the preamble number in a key. */
    public static final int PREAMBLE_SHIFT = 16;

    private static final int MASK = TABLE_LENGTH - 1;
    private static final byte[][] PREAMBLES = {
        new byte[0],
        ascii("GET /index.html HTTP/1.1\r\nHost: www.example.com\r\nAccept: */*\r\n\r\n"),
        ascii("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n"),
        bytes(0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03),
        bytes(0x16, 0x03, 0x03, 0x00, 0x5a, 0x02, 0x00, 0x00, 0x56, 0x03, 0x03),
        ascii("SSH-2.0-OpenSSH_9.6\r\n"),
        ascii("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"),
        ascii("EHLO client.example.com\r\n"),
        ascii("220 mail.example.com ESMTP ready\r\n"),
    };
    private static final byte[] TABLE = new byte[TABLE_LENGTH * 2];
    private static final byte[] ALTERED_TABLE = new byte[TABLE_LENGTH * 2];

    static
    {
        final SynthRandom random = new SynthRandom(0x7A4D3E5L);
        for (int i = 0; i < TABLE_LENGTH; i++)
        {
            final int letter = random.nextInt(52);
            final byte b = (byte)(letter < 26 ? 'A' + letter : 'a' + letter - 26);
            TABLE[i] = b;
            TABLE[i + TABLE_LENGTH] = b;
            ALTERED_TABLE[i] = (byte)(b ^ ALTERED_XOR);
            ALTERED_TABLE[i + TABLE_LENGTH] = (byte)(b ^ ALTERED_XOR);
        }
    }

    private PayloadPattern()
    {
    }

    /**
     * A key whose stream starts with a preamble.
     *
     * @param key      a table key (0..65535).
     * @param preamble the preamble: 1/2 HTTP request/response, 3/4 TLS client/server hello, 5/6 SSH client/server,
     *                 7/8 SMTP client/server; 0 for none.
     * @return the key.
     */
    public static int withPreamble(final int key, final int preamble)
    {
        if (preamble < 0 || preamble >= PREAMBLES.length)
        {
            throw new IllegalArgumentException("no such preamble: " + preamble);
        }
        return (key & MASK) | (preamble << PREAMBLE_SHIFT);
    }

    private static byte[] preamble(final int key)
    {
        final int p = key >>> PREAMBLE_SHIFT;
        return p < PREAMBLES.length ? PREAMBLES[p] : PREAMBLES[0];
    }

    private static byte[] ascii(final String s)
    {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] bytes(final int... values)
    {
        final byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++)
        {
            b[i] = (byte)values[i];
        }
        return b;
    }

    /**
     * Write a range of a stream.
     *
     * @param key               stream key.
     * @param altered           true for the case-flipped (different data) variant.
     * @param streamOffset      offset in the stream of the first byte.
     * @param destination       buffer to write into.
     * @param destinationOffset where to write.
     * @param length            number of bytes.
     */
    public static void fill(
        final int key,
        final boolean altered,
        final long streamOffset,
        final MutableDirectBuffer destination,
        final int destinationOffset,
        final int length)
    {
        final byte[] table = altered ? ALTERED_TABLE : TABLE;
        int done = 0;
        final byte[] preamble = preamble(key);
        while (done < length && streamOffset + done < preamble.length)
        {
            final int b = preamble[(int)(streamOffset + done)];
            destination.putByte(destinationOffset + done, (byte)(altered ? b ^ ALTERED_XOR : b));
            done++;
        }
        while (done < length)
        {
            final int start = (int)((key + streamOffset + done) & MASK);
            final int chunk = Math.min(length - done, TABLE_LENGTH);
            destination.putBytes(destinationOffset + done, table, start, chunk);
            done += chunk;
        }
    }

    /**
     * A range of a stream as a new array (for tests and tools, not the hot path).
     *
     * @param key          stream key.
     * @param streamOffset offset of the first byte.
     * @param length       number of bytes.
     * @return the bytes.
     */
    public static byte[] bytes(final int key, final long streamOffset, final int length)
    {
        final byte[] bytes = new byte[length];
        final byte[] preamble = preamble(key);
        for (int i = 0; i < length; i++)
        {
            final long at = streamOffset + i;
            bytes[i] = at < preamble.length ? preamble[(int)at] : TABLE[(int)((key + at) & MASK)];
        }
        return bytes;
    }

    /**
     * CRC32C of the first {@code length} bytes of a stream.
     *
     * @param crc    reusable checksum object (reset here).
     * @param key    stream key.
     * @param length number of bytes.
     * @return the CRC32C value.
     */
    public static long crc32c(final CRC32C crc, final int key, final long length)
    {
        crc.reset();
        final byte[] preamble = preamble(key);
        long done = Math.min(length, preamble.length);
        crc.update(preamble, 0, (int)done);
        while (done < length)
        {
            final int start = (int)((key + done) & MASK);
            final int chunk = (int)Math.min(length - done, TABLE_LENGTH);
            crc.update(TABLE, start, chunk);
            done += chunk;
        }
        return crc.getValue();
    }
}
