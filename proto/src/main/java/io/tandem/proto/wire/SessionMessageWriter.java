package io.tandem.proto.wire;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Writes one {@code tandem.ha.v1.SessionMessage} (an update or a delete) straight into a buffer, without message
 * objects: the bytes are exactly those protobuf-java writes for the same values (fields in number order, zero scalars
 * and empty records' data left out, VLAN ids packed), so every reader of the schema reads them. Set the key, then for
 * an update the state and the records, then write; record data is read from the caller's buffers when the message is
 * first sized or written after a change (so produce them first), not copied before. Reusable; not thread-safe.
 * <pre>{@code
 * writer.key(4, 6, 0, clientAddr, 40000, 0, serverAddr, 80).vlan(100)
 *     .state(flags, 6, appProto, 1, 0, createdNs)
 *     .record(0, 0, recordBuffer, 0, recordLength);
 * int end = writer.writeUpdate(out, at);
 * }</pre>
 */
public final class SessionMessageWriter
{
    private static final int INITIAL_RECORDS = 8;
    private static final int MAX_VLANS = 16;
    private static final int UPDATE = 1;
    private static final int DELETE = 2;

    private byte[] scratch = new byte[1024];
    private final UnsafeBuffer scratchBuffer = new UnsafeBuffer(scratch);
    private int encodedKind;
    private int encodedLength;

    private int ipVersion;
    private int ipProtocol;
    private long lowerHi;
    private long lowerLo;
    private int lowerPort;
    private long upperHi;
    private long upperLo;
    private int upperPort;
    private final int[] vlans = new int[MAX_VLANS];
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
    private DirectBuffer[] recordBuffers = new DirectBuffer[INITIAL_RECORDS];

    /**
     * Start a message: the session key (normalised by the caller: the lower endpoint first). Clears the VLAN ids,
     * the state and the records of the previous message.
     *
     * @param ipVersion  4 or 6.
     * @param ipProtocol the IP protocol number.
     * @param lowerHi    lower endpoint's address, high 64 bits.
     * @param lowerLo    lower endpoint's address, low 64 bits.
     * @param lowerPort  lower endpoint's port.
     * @param upperHi    upper endpoint's address, high 64 bits.
     * @param upperLo    upper endpoint's address, low 64 bits.
     * @param upperPort  upper endpoint's port.
     * @return this.
     */
    public SessionMessageWriter key(
        final int ipVersion,
        final int ipProtocol,
        final long lowerHi,
        final long lowerLo,
        final int lowerPort,
        final long upperHi,
        final long upperLo,
        final int upperPort)
    {
        this.ipVersion = ipVersion;
        this.ipProtocol = ipProtocol;
        this.lowerHi = lowerHi;
        this.lowerLo = lowerLo;
        this.lowerPort = lowerPort;
        this.upperHi = upperHi;
        this.upperLo = upperLo;
        this.upperPort = upperPort;
        encodedKind = 0;
        vlanCount = 0;
        sessionFlags = 0;
        updateProtocol = 0;
        applicationProtocol = 0;
        direction = 0;
        ignoreDirection = 0;
        creationTimeNs = 0;
        for (int i = 0; i < recordCount; i++)
        {
            recordBuffers[i] = null;
        }
        recordCount = 0;
        return this;
    }

    /**
     * Add the key's next VLAN id, outermost first.
     *
     * @param vlanId the id.
     * @return this.
     * @throws IllegalStateException beyond 16 ids.
     */
    public SessionMessageWriter vlan(final int vlanId)
    {
        if (vlanCount == MAX_VLANS)
        {
            throw new IllegalStateException("a session key holds at most " + MAX_VLANS + " VLAN ids here");
        }
        vlans[vlanCount++] = vlanId;
        encodedKind = 0;
        return this;
    }

    /**
     * The non-key state of an update.
     *
     * @param sessionFlags        session flag bits.
     * @param ipProtocol          the IP protocol, repeated from the key.
     * @param applicationProtocol application protocol, 0 while unknown.
     * @param direction           the {@code Direction} enum's number.
     * @param ignoreDirection     the {@code IgnoreDirection} enum's number.
     * @param creationTimeNs      creation time, nanoseconds since the epoch.
     * @return this.
     */
    public SessionMessageWriter state(
        final int sessionFlags,
        final int ipProtocol,
        final int applicationProtocol,
        final int direction,
        final int ignoreDirection,
        final long creationTimeNs)
    {
        this.sessionFlags = sessionFlags;
        this.updateProtocol = ipProtocol;
        this.applicationProtocol = applicationProtocol;
        this.direction = direction;
        this.ignoreDirection = ignoreDirection;
        this.creationTimeNs = creationTimeNs;
        encodedKind = 0;
        return this;
    }

    /**
     * Add an extension record to the update; its bytes are read when the update is written.
     *
     * @param preprocessorId the provider's preprocessor id.
     * @param subcode        the record's subcode.
     * @param data           holding the record.
     * @param offset         where it starts.
     * @param length         its length.
     * @return this.
     */
    public SessionMessageWriter record(
        final int preprocessorId, final int subcode, final DirectBuffer data, final int offset, final int length)
    {
        if (recordCount == recordIds.length)
        {
            final int capacity = recordCount * 2;
            recordIds = java.util.Arrays.copyOf(recordIds, capacity);
            recordSubcodes = java.util.Arrays.copyOf(recordSubcodes, capacity);
            recordOffsets = java.util.Arrays.copyOf(recordOffsets, capacity);
            recordLengths = java.util.Arrays.copyOf(recordLengths, capacity);
            recordBuffers = java.util.Arrays.copyOf(recordBuffers, capacity);
        }
        recordIds[recordCount] = preprocessorId;
        recordSubcodes[recordCount] = subcode;
        recordOffsets[recordCount] = offset;
        recordLengths[recordCount] = length;
        recordBuffers[recordCount] = data;
        recordCount++;
        encodedKind = 0;
        return this;
    }

    /**
     * Bytes {@link #writeUpdate} writes.
     *
     * @return the length of the encoded update message.
     */
    public int updateLength()
    {
        return encode(UPDATE);
    }

    /**
     * Bytes {@link #writeDelete} writes.
     *
     * @return the length of the encoded delete message.
     */
    public int deleteLength()
    {
        return encode(DELETE);
    }

    /**
     * Write the message as an update: the key, the state and the records.
     *
     * @param out where to.
     * @param at  the index to start at; {@link #updateLength()} bytes must fit.
     * @return the index after the message.
     */
    public int writeUpdate(final MutableDirectBuffer out, final int at)
    {
        final int length = encode(UPDATE);
        out.putBytes(at, scratchBuffer, 0, length);
        return at + length;
    }

    /**
     * Write the message as a delete: the key only.
     *
     * @param out where to.
     * @param at  the index to start at; {@link #deleteLength()} bytes must fit.
     * @return the index after the message.
     */
    public int writeDelete(final MutableDirectBuffer out, final int at)
    {
        final int length = encode(DELETE);
        out.putBytes(at, scratchBuffer, 0, length);
        return at + length;
    }

    /**
     * Encode the message into the scratch array once per change: sizes are computed once, bytes go into an array
     * without a bounds check per byte, and the caller's buffer gets one copy.
     */
    private int encode(final int kind)
    {
        if (encodedKind == kind)
        {
            return encodedLength;
        }
        final int keyLength = keyLength();
        int bodyLength = Wire.lenFieldSize(keyLength);
        if (kind == UPDATE)
        {
            bodyLength += Wire.varintFieldSize(2, sessionFlags & 0xFFFF_FFFFL) +
                Wire.varintFieldSize(3, updateProtocol & 0xFFFF_FFFFL) +
                Wire.varintFieldSize(4, applicationProtocol & 0xFFFF_FFFFL) +
                Wire.varintFieldSize(5, direction) +
                Wire.varintFieldSize(6, ignoreDirection) +
                Wire.varintFieldSize(7, creationTimeNs);
            for (int r = 0; r < recordCount; r++)
            {
                bodyLength += Wire.lenFieldSize(recordBodyLength(r));
            }
        }
        final int length = Wire.lenFieldSize(bodyLength);
        if (scratch.length < length)
        {
            scratch = new byte[Math.max(length, scratch.length * 2)];
            scratchBuffer.wrap(scratch);
        }
        final byte[] b = scratch;
        b[0] = (byte)Wire.tag(kind, Wire.LEN);
        int i = Wire.putVarint(b, 1, bodyLength);
        b[i++] = (byte)Wire.tag(1, Wire.LEN);
        i = Wire.putVarint(b, i, keyLength);
        i = writeKey(b, i);
        if (kind == UPDATE)
        {
            i = putVarintField(b, i, 2, sessionFlags & 0xFFFF_FFFFL);
            i = putVarintField(b, i, 3, updateProtocol & 0xFFFF_FFFFL);
            i = putVarintField(b, i, 4, applicationProtocol & 0xFFFF_FFFFL);
            i = putVarintField(b, i, 5, direction);
            i = putVarintField(b, i, 6, ignoreDirection);
            i = putVarintField(b, i, 7, creationTimeNs);
            for (int r = 0; r < recordCount; r++)
            {
                b[i++] = (byte)Wire.tag(8, Wire.LEN);
                i = Wire.putVarint(b, i, recordBodyLength(r));
                i = putVarintField(b, i, 1, recordIds[r] & 0xFFFF_FFFFL);
                i = putVarintField(b, i, 2, recordSubcodes[r] & 0xFFFF_FFFFL);
                final int recordLength = recordLengths[r];
                if (recordLength > 0)
                {
                    b[i++] = (byte)Wire.tag(3, Wire.LEN);
                    i = Wire.putVarint(b, i, recordLength);
                    recordBuffers[r].getBytes(recordOffsets[r], b, i, recordLength);
                    i += recordLength;
                }
            }
        }
        encodedKind = kind;
        encodedLength = i;
        return i;
    }

    private int recordBodyLength(final int r)
    {
        return Wire.varintFieldSize(1, recordIds[r] & 0xFFFF_FFFFL) +
            Wire.varintFieldSize(2, recordSubcodes[r] & 0xFFFF_FFFFL) +
            (recordLengths[r] > 0 ? Wire.lenFieldSize(recordLengths[r]) : 0);
    }

    private int keyLength()
    {
        int length = Wire.varintFieldSize(1, ipVersion & 0xFFFF_FFFFL) +
            (lowerHi != 0 ? 9 : 0) + (lowerLo != 0 ? 9 : 0) + (upperHi != 0 ? 9 : 0) + (upperLo != 0 ? 9 : 0) +
            Wire.varintFieldSize(6, lowerPort & 0xFFFF_FFFFL) +
            Wire.varintFieldSize(7, upperPort & 0xFFFF_FFFFL) +
            Wire.varintFieldSize(8, ipProtocol & 0xFFFF_FFFFL);
        if (vlanCount > 0)
        {
            length += Wire.lenFieldSize(packedVlanLength());
        }
        return length;
    }

    private int packedVlanLength()
    {
        int length = 0;
        for (int v = 0; v < vlanCount; v++)
        {
            length += Wire.varintSize(vlans[v] & 0xFFFF_FFFFL);
        }
        return length;
    }

    private int writeKey(final byte[] b, final int at)
    {
        int i = putVarintField(b, at, 1, ipVersion & 0xFFFF_FFFFL);
        i = putFixed64Field(i, 2, lowerHi);
        i = putFixed64Field(i, 3, lowerLo);
        i = putFixed64Field(i, 4, upperHi);
        i = putFixed64Field(i, 5, upperLo);
        i = putVarintField(b, i, 6, lowerPort & 0xFFFF_FFFFL);
        i = putVarintField(b, i, 7, upperPort & 0xFFFF_FFFFL);
        i = putVarintField(b, i, 8, ipProtocol & 0xFFFF_FFFFL);
        if (vlanCount > 0)
        {
            b[i++] = (byte)Wire.tag(9, Wire.LEN);
            i = Wire.putVarint(b, i, packedVlanLength());
            for (int v = 0; v < vlanCount; v++)
            {
                i = Wire.putVarint(b, i, vlans[v] & 0xFFFF_FFFFL);
            }
        }
        return i;
    }

    private static int putVarintField(final byte[] b, final int at, final int field, final long value)
    {
        if (value == 0)
        {
            return at;
        }
        b[at] = (byte)Wire.tag(field, Wire.VARINT);
        return Wire.putVarint(b, at + 1, value);
    }

    private int putFixed64Field(final int at, final int field, final long value)
    {
        if (value == 0)
        {
            return at;
        }
        scratch[at] = (byte)Wire.tag(field, Wire.FIXED64);
        scratchBuffer.putLong(at + 1, value, ByteOrder.LITTLE_ENDIAN);
        return at + 9;
    }
}
