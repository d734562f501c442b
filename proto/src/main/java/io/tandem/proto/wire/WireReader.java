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
     * @return the tag (field number in bits 3 and up, wire type in bits 0 to 2); 0 when malformed.
     */
    public int readTag()
    {
        final long tag = readVarint();
        if (tag == 0 || tag > 0xFFFF_FFFFL)
        {
            fail();
            return 0;
        }
        return (int)tag;
    }

    /**
     * Read an unsigned varint.
     *
     * @return its value as unsigned 64 bits; 0 when malformed.
     */
    public long readVarint()
    {
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
     * Move past the value of a field this reader does not know, as protobuf does.
     *
     * @param tag the field's tag.
     */
    public void skipField(final int tag)
    {
        switch (tag & 7)
        {
            case Wire.VARINT -> readVarint();
            case Wire.FIXED64 -> skipBytes(8);
            case Wire.LEN -> skipBytes(readLength());
            case Wire.FIXED32 -> skipBytes(4);
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
