package io.tandem.proto.wire;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Writes one {@code tandem.ha.v1.SessionMessage} (an update or a delete) straight into a buffer, without message
 * objects: the bytes are exactly those protobuf-java writes for the same values (fields in number order, zero scalars
 * and empty records' data left out, VLAN ids packed), so every reader of the schema reads them. Set the key, then for
 * an update the state and the records, then write; record data is read from the caller's buffers when written, not
 * copied before. Reusable; not thread-safe.
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
        return this;
    }

    /**
     * Bytes {@link #writeUpdate} writes.
     *
     * @return the length of the encoded update message.
     */
    public int updateLength()
    {
        return Wire.lenFieldSize(updateBodyLength());
    }

    /**
     * Bytes {@link #writeDelete} writes.
     *
     * @return the length of the encoded delete message.
     */
    public int deleteLength()
    {
        return Wire.lenFieldSize(Wire.lenFieldSize(keyLength()));
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
        final int keyLength = keyLength();
        int i = Wire.putLenHeader(out, at, 1, updateBodyLength(keyLength));
        i = Wire.putLenHeader(out, i, 1, keyLength);
        i = writeKey(out, i);
        i = Wire.putVarintField(out, i, 2, sessionFlags & 0xFFFF_FFFFL);
        i = Wire.putVarintField(out, i, 3, updateProtocol & 0xFFFF_FFFFL);
        i = Wire.putVarintField(out, i, 4, applicationProtocol & 0xFFFF_FFFFL);
        i = Wire.putVarintField(out, i, 5, direction);
        i = Wire.putVarintField(out, i, 6, ignoreDirection);
        i = Wire.putVarintField(out, i, 7, creationTimeNs);
        for (int r = 0; r < recordCount; r++)
        {
            i = Wire.putLenHeader(out, i, 8, recordBodyLength(r));
            i = Wire.putVarintField(out, i, 1, recordIds[r] & 0xFFFF_FFFFL);
            i = Wire.putVarintField(out, i, 2, recordSubcodes[r] & 0xFFFF_FFFFL);
            final int length = recordLengths[r];
            if (length > 0)
            {
                i = Wire.putLenHeader(out, i, 3, length);
                out.putBytes(i, recordBuffers[r], recordOffsets[r], length);
                i += length;
            }
        }
        return i;
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
        final int keyLength = keyLength();
        int i = Wire.putLenHeader(out, at, 2, Wire.lenFieldSize(keyLength));
        i = Wire.putLenHeader(out, i, 1, keyLength);
        return writeKey(out, i);
    }

    private int updateBodyLength()
    {
        return updateBodyLength(keyLength());
    }

    private int updateBodyLength(final int keyLength)
    {
        int length = Wire.lenFieldSize(keyLength) +
            Wire.varintFieldSize(2, sessionFlags & 0xFFFF_FFFFL) +
            Wire.varintFieldSize(3, updateProtocol & 0xFFFF_FFFFL) +
            Wire.varintFieldSize(4, applicationProtocol & 0xFFFF_FFFFL) +
            Wire.varintFieldSize(5, direction) +
            Wire.varintFieldSize(6, ignoreDirection) +
            Wire.varintFieldSize(7, creationTimeNs);
        for (int r = 0; r < recordCount; r++)
        {
            length += Wire.lenFieldSize(recordBodyLength(r));
        }
        return length;
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

    private int writeKey(final MutableDirectBuffer out, final int at)
    {
        int i = Wire.putVarintField(out, at, 1, ipVersion & 0xFFFF_FFFFL);
        i = Wire.putFixed64Field(out, i, 2, lowerHi);
        i = Wire.putFixed64Field(out, i, 3, lowerLo);
        i = Wire.putFixed64Field(out, i, 4, upperHi);
        i = Wire.putFixed64Field(out, i, 5, upperLo);
        i = Wire.putVarintField(out, i, 6, lowerPort & 0xFFFF_FFFFL);
        i = Wire.putVarintField(out, i, 7, upperPort & 0xFFFF_FFFFL);
        i = Wire.putVarintField(out, i, 8, ipProtocol & 0xFFFF_FFFFL);
        if (vlanCount > 0)
        {
            i = Wire.putLenHeader(out, i, 9, packedVlanLength());
            for (int v = 0; v < vlanCount; v++)
            {
                i = Wire.putVarint(out, i, vlans[v] & 0xFFFF_FFFFL);
            }
        }
        return i;
    }
}
