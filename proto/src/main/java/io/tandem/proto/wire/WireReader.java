package io.tandem.proto.wire;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;

/**
 * A cursor over protobuf-encoded bytes in an Agrona buffer: tags, varints, fixed fields and length-delimited
 * fields, read in place. Malformed input (a varint running past the end or longer than ten bytes, a length past the
 * end, an unknown wire type) never throws: the reader marks itself {@link #malformed()}, moves to its limit and
 * returns zeros, so a loop over fields ends and the caller drops and counts the message. Reusable; not thread-safe.
 */
public final class WireReader
{
    /** Deepest nesting of unknown groups skipped, as protobuf-java's recursion limit. */
    public static final int MAX_GROUP_DEPTH = 100;

    private static final int START_GROUP = 3;
    private static final int END_GROUP = 4;

    private DirectBuffer buffer;
    private int position;
    private int limit;
    private boolean malformed;

    /**
     * Read these bytes from their start.
     *
     * @param buffer holding the bytes.
     * @param offset where they start.
     * @param length how many.
     * @return this reader.
     */
    public WireReader wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        this.position = offset;
        this.limit = offset + length;
        this.malformed = offset < 0 || length < 0 || offset + length > buffer.capacity() || offset + length < 0;
        if (malformed)
        {
            this.position = 0;
            this.limit = 0;
        }
        return this;
    }

    /**
     * Whether another field follows.
     *
     * @return true while bytes are left and nothing was malformed.
     */
    public boolean hasRemaining()
    {
        return position < limit;
    }

    /**
     * Whether anything read so far was malformed.
     *
     * @return true when the bytes cannot be trusted.
     */
    public boolean malformed()
    {
        return malformed;
    }

    /**
     * Where the next read starts.
     *
     * @return the index in the buffer.
     */
    public int position()
    {
        return position;
    }

    /**
     * Where the bytes end.
     *
     * @return the index after the last byte.
     */
    public int limit()
    {
        return limit;
    }

    /**
     * Read the next field's tag.
     *
     * @return the tag (field number in bits 3 and up, wire type in bits 0 to 2); 0 when malformed (field number 0
     *     is malformed; a varint longer than 32 bits keeps its low 32, as protobuf-java reads tags).
     */
    public int readTag()
    {
        final int tag = (int)readVarint();
        if (tag >>> 3 == 0)
        {
            fail();
            return 0;
        }
        return tag;
    }

    /**
     * Read an unsigned varint: at most ten bytes, the last without its continuation bit (protobuf-java's array
     * decoder lets a tenth byte with that bit set pass in some cases; this reader does not).
     *
     * @return its value as unsigned 64 bits; 0 when malformed.
     */
    public long readVarint()
    {
        if (position < limit)
        {
            final byte first = buffer.getByte(position);
            if (first >= 0)
            {
                position++;
                return first;
            }
        }
        long value = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            if (position >= limit)
            {
                return fail();
            }
            final byte b = buffer.getByte(position++);
            value |= (long)(b & 0x7F) << shift;
            if (b >= 0)
            {
                return value;
            }
        }
        return fail();
    }

    /**
     * Read a little-endian fixed 64-bit value.
     *
     * @return the value; 0 when malformed.
     */
    public long readFixed64()
    {
        if (limit - position < 8)
        {
            return fail();
        }
        final long value = buffer.getLong(position, ByteOrder.LITTLE_ENDIAN);
        position += 8;
        return value;
    }

    /**
     * Read the length of a length-delimited field and check its content is within the bytes. The content starts at
     * {@link #position()}; move past it with {@link #skipBytes(int)}.
     *
     * @return the length; 0 when malformed.
     */
    public int readLength()
    {
        final long length = readVarint();
        if (length > limit - position || length < 0)
        {
            fail();
            return 0;
        }
        return (int)length;
    }

    /**
     * Move past bytes.
     *
     * @param count how many, at most what is left.
     */
    public void skipBytes(final int count)
    {
        if (count < 0 || count > limit - position)
        {
            fail();
            return;
        }
        position += count;
    }

    /**
     * Move past the value of a field this reader does not know, as protobuf does: a group (the deprecated wire types
     * 3 and 4, which no proto3 schema writes) up to its matching end, nested at most {@value #MAX_GROUP_DEPTH} deep.
     *
     * @param tag the field's tag.
     */
    public void skipField(final int tag)
    {
        skipField(tag, 0);
    }

    private void skipField(final int tag, final int depth)
    {
        switch (tag & 7)
        {
            case Wire.VARINT -> readVarint();
            case Wire.FIXED64 -> skipBytes(8);
            case Wire.LEN -> skipBytes(readLength());
            case Wire.FIXED32 -> skipBytes(4);
            case START_GROUP ->
            {
                if (depth >= MAX_GROUP_DEPTH)
                {
                    fail();
                    return;
                }
                final int end = (tag & ~7) | END_GROUP;
                while (true)
                {
                    final int inner = readTag();
                    if (malformed || inner == end)
                    {
                        return;
                    }
                    skipField(inner, depth + 1);
                }
            }
            default -> fail();
        }
    }

    private long fail()
    {
        malformed = true;
        position = limit;
        return 0;
    }
}
