package io.tandem.node.ha;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The HA file layout, shared by {@link HaFileWriter} and {@link HaFileReader}. All integers are big-endian.
 * <pre>
 * file header (16 bytes):
 *   0                   8                  12                 16
 *   +-------------------+------------------+------------------+
 *   | magic "TANDEMHA"  | format version 1 | reserved (0)     |
 *   +-------------------+------------------+------------------+
 * then records, back to back:
 *   0            4                    12           16                 16 + length
 *   +------------+--------------------+------------+------------------+
 *   | length u32 | timestamp ns u64   | CRC32C u32 | payload (length) |
 *   +------------+--------------------+------------+------------------+
 * </pre>
 * The payload is one serialized {@code tandem.ha.v1.Envelope}; the CRC32C covers the timestamp and the payload.
 * A record is only ever appended whole in one write, so a crash leaves at most a torn last record.
 */
public final class HaFileFormat
{
    /** The 8 bytes a HA file starts with. */
    public static final byte[] MAGIC = "TANDEMHA".getBytes(StandardCharsets.US_ASCII);
    /** Format version in the file header. */
    public static final int FORMAT_VERSION = 1;
    /** Length of the file header. */
    public static final int FILE_HEADER_LENGTH = 16;
    /** Offset of the format version in the file header. */
    public static final int FORMAT_VERSION_OFFSET = 8;
    /** Length of a record header (length, timestamp, CRC). */
    public static final int RECORD_HEADER_LENGTH = 16;
    /** Offset of the payload length in a record header. */
    public static final int LENGTH_OFFSET = 0;
    /** Offset of the timestamp in a record header. */
    public static final int TIMESTAMP_OFFSET = 4;
    /** Offset of the CRC32C in a record header. */
    public static final int CRC_OFFSET = 12;
    /** Largest payload a record may carry; a length field above it marks corruption. */
    public static final int MAX_PAYLOAD_LENGTH = 16 * 1024 * 1024;

    private HaFileFormat()
    {
    }

    /**
     * The file header bytes.
     *
     * @return a new 16-byte header.
     */
    public static byte[] fileHeader()
    {
        final ByteBuffer header = ByteBuffer.allocate(FILE_HEADER_LENGTH).order(ByteOrder.BIG_ENDIAN);
        header.put(MAGIC).putInt(FORMAT_VERSION).putInt(0);
        return header.array();
    }

    /**
     * The CRC32C of a record: over its 8 timestamp bytes (big-endian) then its payload.
     *
     * @param crc         scratch checksum, reset here.
     * @param timestampNs the record's timestamp.
     * @param payload     the payload, from its position to its limit (position unchanged on return).
     * @return the CRC as an unsigned 32-bit value in an int.
     */
    public static int crc(final CRC32C crc, final long timestampNs, final ByteBuffer payload)
    {
        crc.reset();
        for (int shift = 56; shift >= 0; shift -= 8)
        {
            crc.update((int)(timestampNs >>> shift) & 0xFF);
        }
        final int position = payload.position();
        crc.update(payload);
        payload.position(position);
        return (int)crc.getValue();
    }
}
