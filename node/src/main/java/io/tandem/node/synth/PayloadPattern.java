package io.tandem.node.synth;

import java.util.zip.CRC32C;

import org.agrona.MutableDirectBuffer;

/**
 * The payload bytes of synthesized streams: byte {@code i} of a stream with key {@code k} is a fixed letter table
 * entry at {@code (k + i) mod 65536}. A different-data retransmission carries the same letters with their case flipped,
 * so every one of its bytes differs from the original at the same stream offset.
 * <p>
 * Nothing is stored per flow but the key, and any range of any stream can be regenerated, which is how
 * {@link SynthManifest.Flow#payload(boolean)} gives tests the exact bytes an application would see.
 */
public final class PayloadPattern
{
    /** Length of the letter table (the period of every stream). */
    public static final int TABLE_LENGTH = 1 << 16;
    /** XOR applied to every byte of an altered (overlapping, different-data) copy. */
    public static final int ALTERED_XOR = 0x20;

    private static final int MASK = TABLE_LENGTH - 1;
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
        for (int i = 0; i < length; i++)
        {
            bytes[i] = TABLE[(int)((key + streamOffset + i) & MASK)];
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
        long done = 0;
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
