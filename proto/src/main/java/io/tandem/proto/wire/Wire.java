package io.tandem.proto.wire;

import org.agrona.MutableDirectBuffer;

/**
 * Protobuf wire-format primitives for writers: tags, varints and fixed 64-bit fields into an Agrona buffer. Every
 * method returns the index just after what it wrote. Zero values are the caller's to leave out (proto3 writes no
 * field holding its default).
 */
public final class Wire
{
    /** Wire type of varint fields. */
    public static final int VARINT = 0;
    /** Wire type of fixed 64-bit fields. */
    public static final int FIXED64 = 1;
    /** Wire type of length-delimited fields (messages, bytes, packed repeated scalars). */
    public static final int LEN = 2;
    /** Wire type of fixed 32-bit fields. */
    public static final int FIXED32 = 5;
    /** Most bytes a varint takes. */
    public static final int MAX_VARINT_BYTES = 10;

    private Wire()
    {
    }

    /**
     * The tag of a field.
     *
     * @param field    the field number.
     * @param wireType its wire type.
     * @return the tag's value (write it as a varint).
     */
    public static int tag(final int field, final int wireType)
    {
        return (field << 3) | wireType;
    }

    /**
     * Bytes an unsigned varint takes.
     *
     * @param value the value, as unsigned 64 bits.
     * @return 1 to 10.
     */
    public static int varintSize(final long value)
    {
        return value == 0 ? 1 : (63 - Long.numberOfLeadingZeros(value)) / 7 + 1;
    }

    /**
     * Bytes a varint field takes with its tag, or 0 for a zero value (not written).
     *
     * @param field the field number (1 to 15: a one-byte tag).
     * @param value the value.
     * @return the bytes.
     */
    public static int varintFieldSize(final int field, final long value)
    {
        return value == 0 ? 0 : 1 + varintSize(value);
    }

    /**
     * Bytes a length-delimited field of this length takes with its one-byte tag and its length.
     *
     * @param length the content's length.
     * @return the bytes.
     */
    public static int lenFieldSize(final int length)
    {
        return 1 + varintSize(length) + length;
    }

    /**
     * Write an unsigned varint.
     *
     * @param buffer to write into.
     * @param at     where.
     * @param value  the value, as unsigned 64 bits.
     * @return the index after it.
     */
    public static int putVarint(final MutableDirectBuffer buffer, final int at, final long value)
    {
        int i = at;
        long v = value;
        while ((v & ~0x7FL) != 0)
        {
            buffer.putByte(i++, (byte)((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        buffer.putByte(i++, (byte)v);
        return i;
    }

    /**
     * Write an unsigned varint into an array.
     *
     * @param to    the array.
     * @param at    where.
     * @param value the value, as unsigned 64 bits.
     * @return the index after it.
     */
    public static int putVarint(final byte[] to, final int at, final long value)
    {
        int i = at;
        long v = value;
        while ((v & ~0x7FL) != 0)
        {
            to[i++] = (byte)((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        to[i++] = (byte)v;
        return i;
    }

    /**
     * Write a varint field (tag and value), nothing when the value is zero.
     *
     * @param buffer to write into.
     * @param at     where.
     * @param field  the field number (1 to 15).
     * @param value  the value, as unsigned 64 bits.
     * @return the index after it.
     */
    public static int putVarintField(final MutableDirectBuffer buffer, final int at, final int field, final long value)
    {
        if (value == 0)
        {
            return at;
        }
        buffer.putByte(at, (byte)tag(field, VARINT));
        return putVarint(buffer, at + 1, value);
    }

    /**
     * Write a fixed 64-bit field (tag and little-endian value), nothing when the value is zero.
     *
     * @param buffer to write into.
     * @param at     where.
     * @param field  the field number (1 to 15).
     * @param value  the value.
     * @return the index after it.
     */
    public static int putFixed64Field(final MutableDirectBuffer buffer, final int at, final int field, final long value)
    {
        if (value == 0)
        {
            return at;
        }
        buffer.putByte(at, (byte)tag(field, FIXED64));
        buffer.putLong(at + 1, value, java.nio.ByteOrder.LITTLE_ENDIAN);
        return at + 9;
    }

    /**
     * Write the tag and length of a length-delimited field; its content follows.
     *
     * @param buffer to write into.
     * @param at     where.
     * @param field  the field number (1 to 15).
     * @param length the content's length.
     * @return the index where the content goes.
     */
    public static int putLenHeader(final MutableDirectBuffer buffer, final int at, final int field, final int length)
    {
        buffer.putByte(at, (byte)tag(field, LEN));
        return putVarint(buffer, at + 1, length);
    }
}
