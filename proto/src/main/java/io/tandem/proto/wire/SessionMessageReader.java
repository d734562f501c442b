package io.tandem.proto.wire;

import java.util.Arrays;

import org.agrona.DirectBuffer;

/**
 * Reads one encoded {@code tandem.ha.v1.SessionMessage} in place, without message objects: the kind, the key, an
 * update's state, and where each record's bytes are (records are not copied: they stay in the wrapped buffer). Reads
 * as protobuf-java does: fields in any order, unknown fields skipped, a repeated singular field's last value kept
 * (and a message field merged), a oneof's last member winning, VLAN ids packed or not. Malformed bytes never throw:
 * {@link #wrap} says false. Reusable; not thread-safe.
 */
public final class SessionMessageReader
{
    /** Neither an update nor a delete (malformed, or an empty message). */
    public static final int NONE = 0;
    /** {@code SessionMessage.update}. */
    public static final int UPDATE = 1;
    /** {@code SessionMessage.delete}. */
    public static final int DELETE = 2;

    private static final int INITIAL_RECORDS = 8;
    private static final int INITIAL_VLANS = 4;

    private final WireReader message = new WireReader();
    private final WireReader body = new WireReader();
    private final WireReader key = new WireReader();
    private final WireReader inner = new WireReader();

    private DirectBuffer buffer;
    private int kind;
    private int ipVersion;
    private int ipProtocol;
    private long lowerHi;
    private long lowerLo;
    private int lowerPort;
    private long upperHi;
    private long upperLo;
    private int upperPort;
    private int[] vlans = new int[INITIAL_VLANS];
    private int vlanCount;
    private int sessionFlags;
    private int updateProtocol;
    private int applicationProtocol;
    private int direction;
    private int ignoreDirection;
    private long creationTimeNs;
    private int recordCount;
    private int[] recordIds = new int[INITIAL_RECORDS];
    private int[] recordSubcodes = new int[INITIAL_RECORDS];
    private int[] recordOffsets = new int[INITIAL_RECORDS];
    private int[] recordLengths = new int[INITIAL_RECORDS];

    /**
     * Read a message.
     *
     * @param buffer holding it.
     * @param offset where it starts.
     * @param length its length.
     * @return true for a well-formed update or delete; false for malformed bytes or a message of neither kind.
     */
    public boolean wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        reset();
        kind = NONE;
        message.wrap(buffer, offset, length);
        while (message.hasRemaining())
        {
            final int tag = message.readTag();
            if (tag == Wire.tag(UPDATE, Wire.LEN) || tag == Wire.tag(DELETE, Wire.LEN))
            {
                final int member = tag >>> 3;
                if (member != kind)
                {
                    reset();
                    kind = member;
                }
                final int bodyLength = message.readLength();
                body.wrap(buffer, message.position(), bodyLength);
                message.skipBytes(bodyLength);
                readBody();
                if (body.malformed())
                {
                    kind = NONE;
                    return false;
                }
            }
            else
            {
                message.skipField(tag);
            }
        }
        if (message.malformed())
        {
            kind = NONE;
        }
        return kind != NONE;
    }

    private void reset()
    {
        ipVersion = 0;
        ipProtocol = 0;
        lowerHi = 0;
        lowerLo = 0;
        lowerPort = 0;
        upperHi = 0;
        upperLo = 0;
        upperPort = 0;
        vlanCount = 0;
        sessionFlags = 0;
        updateProtocol = 0;
        applicationProtocol = 0;
        direction = 0;
        ignoreDirection = 0;
        creationTimeNs = 0;
        recordCount = 0;
    }

    private void readBody()
    {
        final boolean update = kind == UPDATE;
        while (body.hasRemaining())
        {
            final int tag = body.readTag();
            if (tag == Wire.tag(1, Wire.LEN))
            {
                final int length = body.readLength();
                key.wrap(buffer, body.position(), length);
                body.skipBytes(length);
                readKey();
                if (key.malformed())
                {
                    body.skipBytes(Integer.MAX_VALUE);
                }
                continue;
            }
            if (!update)
            {
                body.skipField(tag);
                continue;
            }
            switch (tag)
            {
                case (2 << 3) -> sessionFlags = (int)body.readVarint();
                case (3 << 3) -> updateProtocol = (int)body.readVarint();
                case (4 << 3) -> applicationProtocol = (int)body.readVarint();
                case (5 << 3) -> direction = (int)body.readVarint();
                case (6 << 3) -> ignoreDirection = (int)body.readVarint();
                case (7 << 3) -> creationTimeNs = body.readVarint();
                case (8 << 3) | Wire.LEN ->
                {
                    final int length = body.readLength();
                    inner.wrap(buffer, body.position(), length);
                    body.skipBytes(length);
                    readRecord();
                    if (inner.malformed())
                    {
                        body.skipBytes(Integer.MAX_VALUE);
                    }
                }
                default -> body.skipField(tag);
            }
        }
    }

    private void readKey()
    {
        while (key.hasRemaining())
        {
            final int tag = key.readTag();
            switch (tag)
            {
                case (1 << 3) -> ipVersion = (int)key.readVarint();
                case (2 << 3) | Wire.FIXED64 -> lowerHi = key.readFixed64();
                case (3 << 3) | Wire.FIXED64 -> lowerLo = key.readFixed64();
                case (4 << 3) | Wire.FIXED64 -> upperHi = key.readFixed64();
                case (5 << 3) | Wire.FIXED64 -> upperLo = key.readFixed64();
                case (6 << 3) -> lowerPort = (int)key.readVarint();
                case (7 << 3) -> upperPort = (int)key.readVarint();
                case (8 << 3) -> ipProtocol = (int)key.readVarint();
                case (9 << 3) -> addVlan((int)key.readVarint());
                case (9 << 3) | Wire.LEN ->
                {
                    final int length = key.readLength();
                    inner.wrap(buffer, key.position(), length);
                    key.skipBytes(length);
                    while (inner.hasRemaining())
                    {
                        final int vlan = (int)inner.readVarint();
                        if (!inner.malformed())
                        {
                            addVlan(vlan);
                        }
                    }
                    if (inner.malformed())
                    {
                        key.skipBytes(Integer.MAX_VALUE);
                    }
                }
                default -> key.skipField(tag);
            }
        }
    }

    private void readRecord()
    {
        int id = 0;
        int subcode = 0;
        int offset = inner.position();
        int length = 0;
        while (inner.hasRemaining())
        {
            final int tag = inner.readTag();
            switch (tag)
            {
                case (1 << 3) -> id = (int)inner.readVarint();
                case (2 << 3) -> subcode = (int)inner.readVarint();
                case (3 << 3) | Wire.LEN ->
                {
                    length = inner.readLength();
                    offset = inner.position();
                    inner.skipBytes(length);
                }
                default -> inner.skipField(tag);
            }
        }
        if (inner.malformed())
        {
            return;
        }
        if (recordCount == recordIds.length)
        {
            final int capacity = recordCount * 2;
            recordIds = Arrays.copyOf(recordIds, capacity);
            recordSubcodes = Arrays.copyOf(recordSubcodes, capacity);
            recordOffsets = Arrays.copyOf(recordOffsets, capacity);
            recordLengths = Arrays.copyOf(recordLengths, capacity);
        }
        recordIds[recordCount] = id;
        recordSubcodes[recordCount] = subcode;
        recordOffsets[recordCount] = offset;
        recordLengths[recordCount] = length;
        recordCount++;
    }

    private void addVlan(final int vlan)
    {
        if (vlanCount == vlans.length)
        {
            vlans = Arrays.copyOf(vlans, vlanCount * 2);
        }
        vlans[vlanCount++] = vlan;
    }

    /**
     * What the message is.
     *
     * @return {@link #UPDATE}, {@link #DELETE} or {@link #NONE}.
     */
    public int kind()
    {
        return kind;
    }

    /**
     * The buffer the message (and its records' bytes) is in.
     *
     * @return the wrapped buffer.
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /** @return the key's IP version. */
    public int ipVersion()
    {
        return ipVersion;
    }

    /** @return the key's IP protocol. */
    public int ipProtocol()
    {
        return ipProtocol;
    }

    /** @return the lower endpoint's address, high 64 bits. */
    public long lowerHi()
    {
        return lowerHi;
    }

    /** @return the lower endpoint's address, low 64 bits. */
    public long lowerLo()
    {
        return lowerLo;
    }

    /** @return the lower endpoint's port. */
    public int lowerPort()
    {
        return lowerPort;
    }

    /** @return the upper endpoint's address, high 64 bits. */
    public long upperHi()
    {
        return upperHi;
    }

    /** @return the upper endpoint's address, low 64 bits. */
    public long upperLo()
    {
        return upperLo;
    }

    /** @return the upper endpoint's port. */
    public int upperPort()
    {
        return upperPort;
    }

    /** @return how many VLAN ids the key holds. */
    public int vlanCount()
    {
        return vlanCount;
    }

    /**
     * A VLAN id of the key, outermost first.
     *
     * @param index 0 to {@link #vlanCount()} - 1.
     * @return the id.
     */
    public int vlanId(final int index)
    {
        return vlans[index];
    }

    /** @return an update's session flags. */
    public int sessionFlags()
    {
        return sessionFlags;
    }

    /** @return an update's IP protocol field (repeated from the key). */
    public int updateIpProtocol()
    {
        return updateProtocol;
    }

    /** @return an update's application protocol. */
    public int applicationProtocol()
    {
        return applicationProtocol;
    }

    /** @return an update's {@code Direction} number. */
    public int direction()
    {
        return direction;
    }

    /** @return an update's {@code IgnoreDirection} number. */
    public int ignoreDirection()
    {
        return ignoreDirection;
    }

    /** @return an update's creation time, nanoseconds since the epoch. */
    public long creationTimeNs()
    {
        return creationTimeNs;
    }

    /** @return how many records an update carries. */
    public int recordCount()
    {
        return recordCount;
    }

    /**
     * A record's preprocessor id.
     *
     * @param index 0 to {@link #recordCount()} - 1.
     * @return the id.
     */
    public int recordPreprocessorId(final int index)
    {
        return recordIds[index];
    }

    /**
     * A record's subcode.
     *
     * @param index 0 to {@link #recordCount()} - 1.
     * @return the subcode.
     */
    public int recordSubcode(final int index)
    {
        return recordSubcodes[index];
    }

    /**
     * Where a record's bytes start in {@link #buffer()}.
     *
     * @param index 0 to {@link #recordCount()} - 1.
     * @return the offset.
     */
    public int recordOffset(final int index)
    {
        return recordOffsets[index];
    }

    /**
     * A record's length.
     *
     * @param index 0 to {@link #recordCount()} - 1.
     * @return the length.
     */
    public int recordLength(final int index)
    {
        return recordLengths[index];
    }
}
