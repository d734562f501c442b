package io.tandem.proto.wire;

import java.util.Arrays;

import org.agrona.DirectBuffer;

/**
 * A reusable flyweight over one {@code tandem.ha.v1.Envelope}'s bytes: the header fields, which body it carries, where
 * its HMAC lies, and the session messages of its batch as (offset, length) ranges, all read in place without
 * allocation:
 * <pre>
 *   Envelope:     1 protocol_version | 2 cluster_id | 3 sender_node_id | 4 sender_epoch | 5 sequence |
 *                 6 timestamp_ns | 7 sessions: SessionBatch  or  8 control: Control | 15 hmac
 *   SessionBatch: (1 messages: SessionMessage, length-delimited)*
 * </pre>
 * {@link #wrap(DirectBuffer, int, int)} reads the envelope and the framing of its batch in one pass, as protobuf-java
 * would: a scalar field seen twice keeps its last value; a field of an unknown number, or of a known number with
 * another wire type, is skipped (groups included; tags are read as {@link WireReader#readTag()} does); the last body
 * field decides the body's kind, and every {@code sessions} field is merged into one batch (their messages
 * concatenated), even when a {@code control} field came between them: that is what protobuf-java's generated builder
 * does (the protobuf spec would start the batch afresh), and the decoder yields exactly the messages
 * {@code Envelope.parseFrom} yields, so both paths of a receiver agree. No writer repeats a body.
 * <p>
 * <b>What "malformed" covers.</b> The decoder checks the envelope's fields and the batch's fields (tags, varints,
 * lengths within their bounds, field number 0, wire types 6 and 7, unmatched groups) and says {@link #malformed()}
 * when any of them is broken. It does not look inside a session message or the control message, nor at a body field
 * a later one of the other kind replaced: those bytes are handed over (or passed over) as they are, and whoever reads
 * a message (a message reader, or protobuf-java) rejects that message alone. So for any input:
 * <ul>
 *     <li>when protobuf-java accepts it, the decoder is not malformed and every field and message range equals what
 *     protobuf-java decodes; one exception: a varint whose tenth byte still has its continuation bit set, which
 *     protobuf-java cuts at ten bytes when more bytes follow (and rejects otherwise), is always malformed here;</li>
 *     <li>when protobuf-java rejects it, the decoder is either malformed or the fault lies inside one of the message
 *     ranges it yields, inside the control body or inside a replaced body; it never yields more messages than the
 *     batch holds.</li>
 * </ul>
 * <p>
 * Not thread-safe; one per receiving thread. Nothing is allocated, except when one envelope repeats its sessions
 * field more than {@value #INITIAL_SEGMENTS} times (no writer does), which grows an internal array once.
 */
public final class EnvelopeDecoder
{
    /** {@link #body()} when the envelope carries neither sessions nor a control message. */
    public static final int BODY_NONE = 0;
    /** {@link #body()} when the envelope carries a batch of session messages (field 7). */
    public static final int BODY_SESSIONS = 7;
    /** {@link #body()} when the envelope carries a control message (field 8). */
    public static final int BODY_CONTROL = 8;
    /** The field number of the HMAC, the highest, so writers put it last. */
    public static final int HMAC_FIELD = 15;

    private static final int INITIAL_SEGMENTS = 4;
    private static final int TAG_VERSION = Wire.tag(1, Wire.VARINT);
    private static final int TAG_CLUSTER = Wire.tag(2, Wire.VARINT);
    private static final int TAG_NODE = Wire.tag(3, Wire.VARINT);
    private static final int TAG_EPOCH = Wire.tag(4, Wire.VARINT);
    private static final int TAG_SEQUENCE = Wire.tag(5, Wire.VARINT);
    private static final int TAG_TIMESTAMP = Wire.tag(6, Wire.VARINT);
    private static final int TAG_SESSIONS = Wire.tag(BODY_SESSIONS, Wire.LEN);
    private static final int TAG_CONTROL = Wire.tag(BODY_CONTROL, Wire.LEN);
    private static final int TAG_HMAC = Wire.tag(HMAC_FIELD, Wire.LEN);
    private static final int TAG_MESSAGE = Wire.tag(1, Wire.LEN);

    private final WireReader reader = new WireReader();
    private final WireReader cursor = new WireReader();
    private DirectBuffer buffer;
    private int offset;
    private int length;
    private boolean malformed;
    private int protocolVersion;
    private int clusterId;
    private int senderNodeId;
    private long senderEpoch;
    private long sequence;
    private long timestampNs;
    private int body;
    private int bodyOffset;
    private int bodyLength;
    private int[] segments = new int[2 * INITIAL_SEGMENTS];
    private int segmentCount;
    private int messageCount;
    private int hmacFieldOffset;
    private int hmacOffset;
    private int hmacLength;
    private int cursorSegment;
    private int messageOffset;
    private int messageLength;

    /**
     * Decode one envelope's bytes; they must stay unchanged while this decoder is used on them.
     *
     * @param buffer holding the envelope.
     * @param offset where it starts.
     * @param length its length.
     * @return this decoder; check {@link #malformed()} before using anything else.
     */
    public EnvelopeDecoder wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        protocolVersion = 0;
        clusterId = 0;
        senderNodeId = 0;
        senderEpoch = 0;
        sequence = 0;
        timestampNs = 0;
        body = BODY_NONE;
        bodyOffset = 0;
        bodyLength = 0;
        segmentCount = 0;
        messageCount = 0;
        hmacFieldOffset = -1;
        hmacOffset = 0;
        hmacLength = 0;
        malformed = !readFields(reader.wrap(buffer, offset, length)) || !countMessages();
        rewindMessages();
        return this;
    }

    private boolean readFields(final WireReader r)
    {
        while (r.hasRemaining())
        {
            final int fieldOffset = r.position();
            final int tag = r.readTag();
            if (tag == 0)
            {
                return false;
            }
            if (tag == TAG_VERSION)
            {
                protocolVersion = (int)r.readVarint();
            }
            else if (tag == TAG_CLUSTER)
            {
                clusterId = (int)r.readVarint();
            }
            else if (tag == TAG_NODE)
            {
                senderNodeId = (int)r.readVarint();
            }
            else if (tag == TAG_EPOCH)
            {
                senderEpoch = r.readVarint();
            }
            else if (tag == TAG_SEQUENCE)
            {
                sequence = r.readVarint();
            }
            else if (tag == TAG_TIMESTAMP)
            {
                timestampNs = r.readVarint();
            }
            else if (tag == TAG_SESSIONS || tag == TAG_CONTROL)
            {
                final int fieldLength = r.readLength();
                final int start = r.position();
                r.skipBytes(fieldLength);
                body = tag == TAG_SESSIONS ? BODY_SESSIONS : BODY_CONTROL;
                bodyOffset = start;
                bodyLength = fieldLength;
                if (body == BODY_SESSIONS)
                {
                    addSegment(start, fieldLength);
                }
            }
            else if (tag == TAG_HMAC)
            {
                hmacFieldOffset = fieldOffset;
                hmacLength = r.readLength();
                hmacOffset = r.position();
                r.skipBytes(hmacLength);
            }
            else
            {
                r.skipField(tag);
            }
        }
        return !r.malformed();
    }

    private void addSegment(final int start, final int segmentLength)
    {
        if (2 * segmentCount == segments.length)
        {
            segments = Arrays.copyOf(segments, 2 * segments.length);
        }
        segments[2 * segmentCount] = start;
        segments[2 * segmentCount + 1] = segmentLength;
        segmentCount++;
    }

    private boolean countMessages()
    {
        if (body != BODY_SESSIONS)
        {
            segmentCount = 0;
            return true;
        }
        for (int s = 0; s < segmentCount; s++)
        {
            final WireReader r = cursor.wrap(buffer, segments[2 * s], segments[2 * s + 1]);
            while (r.hasRemaining())
            {
                final int tag = r.readTag();
                if (tag == 0)
                {
                    return false;
                }
                if (tag == TAG_MESSAGE)
                {
                    r.skipBytes(r.readLength());
                    messageCount++;
                }
                else
                {
                    r.skipField(tag);
                }
            }
            if (r.malformed())
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether the envelope's or its batch's framing is broken (see the class comment); nothing else is then valid.
     *
     * @return true when the envelope must be dropped.
     */
    public boolean malformed()
    {
        return malformed;
    }

    /**
     * The buffer this decoder reads.
     *
     * @return the buffer given to {@link #wrap(DirectBuffer, int, int)}.
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * Where the envelope starts.
     *
     * @return the index in {@link #buffer()}.
     */
    public int offset()
    {
        return offset;
    }

    /**
     * The envelope's length.
     *
     * @return bytes.
     */
    public int length()
    {
        return length;
    }

    /**
     * Field 1, protocol_version.
     *
     * @return the version, 0 when absent.
     */
    public int protocolVersion()
    {
        return protocolVersion;
    }

    /**
     * Field 2, cluster_id.
     *
     * @return the cluster id (unsigned 32 bits), 0 when absent.
     */
    public int clusterId()
    {
        return clusterId;
    }

    /**
     * Field 3, sender_node_id.
     *
     * @return the sender's node id (unsigned 32 bits), 0 when absent.
     */
    public int senderNodeId()
    {
        return senderNodeId;
    }

    /**
     * Field 4, sender_epoch.
     *
     * @return the epoch (unsigned 64 bits), 0 when absent.
     */
    public long senderEpoch()
    {
        return senderEpoch;
    }

    /**
     * Field 5, sequence.
     *
     * @return the sequence number (unsigned 64 bits), 0 when absent.
     */
    public long sequence()
    {
        return sequence;
    }

    /**
     * Field 6, timestamp_ns.
     *
     * @return nanoseconds since the epoch, 0 when absent.
     */
    public long timestampNs()
    {
        return timestampNs;
    }

    /**
     * Which body the envelope carries, the last one when it has several (as protobuf's oneof).
     *
     * @return {@link #BODY_SESSIONS}, {@link #BODY_CONTROL} or {@link #BODY_NONE}.
     */
    public int body()
    {
        return body;
    }

    /**
     * Where the content of the last body field starts: the encoded {@code SessionBatch} or {@code Control}.
     *
     * @return the index in {@link #buffer()}; meaningless for {@link #BODY_NONE}.
     */
    public int bodyOffset()
    {
        return bodyOffset;
    }

    /**
     * The length of the last body field's content. When the sessions field was repeated (merged), the messages of
     * the earlier ones are outside this range; iterate with {@link #nextMessage()} to see them all.
     *
     * @return bytes, 0 for {@link #BODY_NONE}.
     */
    public int bodyLength()
    {
        return bodyLength;
    }

    /**
     * How many session messages the batch holds.
     *
     * @return the count, 0 unless the body is {@link #BODY_SESSIONS} and the envelope is not malformed.
     */
    public int messageCount()
    {
        return messageCount;
    }

    /**
     * Whether the envelope has an hmac field on the wire (possibly empty).
     *
     * @return true when field 15 is present.
     */
    public boolean hasHmacField()
    {
        return hmacFieldOffset >= 0;
    }

    /**
     * Where the (last) hmac field starts, at its tag: the bytes an HMAC covers end here when the field is last.
     *
     * @return the index in {@link #buffer()}, -1 when absent.
     */
    public int hmacFieldOffset()
    {
        return hmacFieldOffset;
    }

    /**
     * Where the (last) hmac field's value starts.
     *
     * @return the index in {@link #buffer()}.
     */
    public int hmacOffset()
    {
        return hmacOffset;
    }

    /**
     * The (last) hmac field's length.
     *
     * @return bytes, 0 when absent or empty.
     */
    public int hmacLength()
    {
        return hmacLength;
    }

    /**
     * Whether the hmac field is present and is the envelope's last field, as every writer puts it (it has the highest
     * field number): then the bytes before {@link #hmacFieldOffset()} are those its writer authenticated.
     *
     * @return true when present and last.
     */
    public boolean hmacLast()
    {
        return hmacFieldOffset >= 0 && hmacOffset + hmacLength == offset + length;
    }

    /**
     * Go back to before the first session message.
     *
     * @return this decoder.
     */
    public EnvelopeDecoder rewindMessages()
    {
        cursorSegment = -1;
        cursor.wrap(buffer, offset, 0);
        messageOffset = 0;
        messageLength = 0;
        return this;
    }

    /**
     * Move to the batch's next session message; its bytes are then at {@link #messageOffset()} for
     * {@link #messageLength()}.
     *
     * @return false when there is none left (or the envelope is malformed or carries no sessions).
     */
    public boolean nextMessage()
    {
        if (malformed)
        {
            return false;
        }
        while (true)
        {
            if (!cursor.hasRemaining())
            {
                if (++cursorSegment >= segmentCount)
                {
                    cursorSegment = segmentCount;
                    return false;
                }
                cursor.wrap(buffer, segments[2 * cursorSegment], segments[2 * cursorSegment + 1]);
                continue;
            }
            final int tag = cursor.readTag();
            if (tag == TAG_MESSAGE)
            {
                messageLength = cursor.readLength();
                messageOffset = cursor.position();
                cursor.skipBytes(messageLength);
                return true;
            }
            cursor.skipField(tag);
        }
    }

    /**
     * Where the current session message's encoded bytes start.
     *
     * @return the index in {@link #buffer()}.
     */
    public int messageOffset()
    {
        return messageOffset;
    }

    /**
     * The current session message's length.
     *
     * @return bytes.
     */
    public int messageLength()
    {
        return messageLength;
    }
}
