package io.tandem.transport;

import io.tandem.proto.wire.Wire;
import org.agrona.DirectBuffer;
import org.agrona.collections.IntArrayList;
import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Builds an envelope of session messages straight from their encoded bytes, as the ring buffer holds them: no message
 * is parsed or encoded again and nothing is allocated per message or per envelope. The bytes are exactly those
 * protobuf-java writes for the equivalent {@code Envelope} (fields in number order, zero scalars left out, the HMAC
 * last), so receivers cannot tell the difference:
 * <pre>
 *   [reserve ... | header: version, cluster, node, epoch, sequence, timestamp, sessions tag + length |
 *    messages: (tag 1, length, bytes)* | hmac: tag 15, 32, MAC over everything before it]
 * </pre>
 * Messages are appended after a reserve big enough for the largest header, which {@link #seal(long, long, long)}
 * writes right in front of them once the batch length is known. Until the envelope is cleared, each message can be
 * read back (to hand it to the caller when it could not be sent). One writer per batch being gathered; not thread-safe.
 */
final class SessionEnvelopeWriter
{
    /** Largest header: six varint fields with their tags (2 + 6 + 6 + 11 + 11 + 11) and the batch's tag + length. */
    static final int HEADER_RESERVE = 64;
    /** Bytes of the HMAC field: tag, length, 32-byte HMAC-SHA256. */
    static final int HMAC_FIELD_BYTES = 2 + 32;

    private static final int TAG_VERSION = 1 << 3;
    private static final int TAG_CLUSTER = 2 << 3;
    private static final int TAG_NODE = 3 << 3;
    private static final int TAG_EPOCH = 4 << 3;
    private static final int TAG_SEQUENCE = 5 << 3;
    private static final int TAG_TIMESTAMP = 6 << 3;
    private static final int TAG_SESSIONS = (7 << 3) | 2;
    private static final int TAG_MESSAGE = (1 << 3) | 2;
    private static final int TAG_HMAC = (15 << 3) | 2;

    private final int clusterId;
    private final int nodeId;
    private final HmacSha256 mac;
    private final byte[] bytes;
    private final UnsafeBuffer buffer;
    private final byte[] header = new byte[HEADER_RESERVE];
    private final LongArrayList tags = new LongArrayList();
    private final IntArrayList offsets = new IntArrayList();
    private final IntArrayList lengths = new IntArrayList();
    private int end = HEADER_RESERVE;
    private int envelopeOffset;
    private int envelopeLength;

    /**
     * A writer for one node's session envelopes.
     *
     * @param clusterId       the cluster id.
     * @param nodeId          this node's id.
     * @param clusterKey      key of the HMAC, or null (or empty) to send none.
     * @param maxBatchBytes   the most bytes of encoded messages with their tags and lengths one envelope takes (a
     *                        single message longer than that still fits, alone).
     */
    SessionEnvelopeWriter(final int clusterId, final int nodeId, final byte[] clusterKey, final int maxBatchBytes)
    {
        this.clusterId = clusterId;
        this.nodeId = nodeId;
        this.mac = clusterKey == null || clusterKey.length == 0 ? null : new HmacSha256(clusterKey);
        this.bytes = new byte[HEADER_RESERVE + maxBatchBytes + HMAC_FIELD_BYTES];
        this.buffer = new UnsafeBuffer(bytes);
    }

    boolean isEmpty()
    {
        return tags.isEmpty();
    }

    int size()
    {
        return tags.size();
    }

    /**
     * Whether a message of this length still fits next to those already gathered.
     *
     * @param length   the message's length.
     * @param maxBytes the most bytes of messages (with tags and lengths) an envelope may carry.
     * @return true when it fits.
     */
    boolean fits(final int length, final int maxBytes)
    {
        return end - HEADER_RESERVE + fieldLength(length) <= maxBytes;
    }

    /**
     * Append one encoded session message.
     *
     * @param tag    the caller's tag, given back if the envelope is not sent.
     * @param source holding the message.
     * @param offset of the message.
     * @param length of the message.
     */
    void add(final long tag, final DirectBuffer source, final int offset, final int length)
    {
        int at = end;
        bytes[at++] = (byte)TAG_MESSAGE;
        at = Wire.putVarint(bytes, at, length);
        source.getBytes(offset, bytes, at, length);
        tags.addLong(tag);
        offsets.addInt(at);
        lengths.addInt(length);
        end = at + length;
    }

    /**
     * Write the header in front of the messages and the HMAC after them.
     *
     * @param epoch       the sender's epoch.
     * @param sequence    the envelope's sequence number.
     * @param timestampNs time of building, nanoseconds since the epoch.
     * @return the envelope's length; its bytes are at {@link #envelopeOffset()} of {@link #buffer()}.
     */
    int seal(final long epoch, final long sequence, final long timestampNs)
    {
        int h = 0;
        h = putField(header, h, TAG_VERSION, HaProtocol.VERSION & 0xFFFF_FFFFL);
        h = putField(header, h, TAG_CLUSTER, clusterId & 0xFFFF_FFFFL);
        h = putField(header, h, TAG_NODE, nodeId & 0xFFFF_FFFFL);
        h = putField(header, h, TAG_EPOCH, epoch);
        h = putField(header, h, TAG_SEQUENCE, sequence);
        h = putField(header, h, TAG_TIMESTAMP, timestampNs);
        header[h++] = (byte)TAG_SESSIONS;
        h = Wire.putVarint(header, h, end - HEADER_RESERVE);
        envelopeOffset = HEADER_RESERVE - h;
        System.arraycopy(header, 0, bytes, envelopeOffset, h);
        int length = end - envelopeOffset;
        if (mac != null)
        {
            bytes[end] = (byte)TAG_HMAC;
            bytes[end + 1] = (byte)HaProtocol.HMAC_LENGTH;
            mac.compute(bytes, envelopeOffset, length, bytes, end + 2);
            length += HMAC_FIELD_BYTES;
        }
        envelopeLength = length;
        return length;
    }

    UnsafeBuffer buffer()
    {
        return buffer;
    }

    int envelopeOffset()
    {
        return envelopeOffset;
    }

    int envelopeLength()
    {
        return envelopeLength;
    }

    long tag(final int index)
    {
        return tags.getLong(index);
    }

    int messageOffset(final int index)
    {
        return offsets.getInt(index);
    }

    int messageLength(final int index)
    {
        return lengths.getInt(index);
    }

    void clear()
    {
        tags.clear();
        offsets.clear();
        lengths.clear();
        end = HEADER_RESERVE;
    }

    /**
     * Bytes a message of this length takes in a batch: its tag, its length and itself.
     *
     * @param length the message's length.
     * @return the bytes.
     */
    static int fieldLength(final int length)
    {
        return Wire.lenFieldSize(length);
    }

    private static int putField(final byte[] to, final int at, final int tag, final long value)
    {
        if (value == 0)
        {
            return at;
        }
        to[at] = (byte)tag;
        return Wire.putVarint(to, at + 1, value);
    }
}
