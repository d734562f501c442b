package io.tandem.node.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Test-only builder of capture files byte by byte: classic pcap headers and records, pcapng blocks, in either byte
 * order (switchable between sections).
 */
final class CaptureBytes
{
    static final int SHB = 0x0a0d0d0a;
    static final int IDB = 1;
    static final int OPB = 2;
    static final int SPB = 3;
    static final int ISB = 5;
    static final int EPB = 6;
    static final int NRB = 4;

    private ByteBuffer buffer = ByteBuffer.allocate(1 << 16);

    CaptureBytes(final ByteOrder order)
    {
        buffer.order(order);
    }

    CaptureBytes order(final ByteOrder order)
    {
        buffer.order(order);
        return this;
    }

    int length()
    {
        return buffer.position();
    }

    CaptureBytes pcapHeader(final int magic, final int linkType)
    {
        ensure(24);
        buffer.putInt(magic).putShort((short)2).putShort((short)4).putInt(0).putInt(0).putInt(65535).putInt(linkType);
        return this;
    }

    CaptureBytes pcapRecord(final long seconds, final long fraction, final byte[] data, final int wireLength)
    {
        ensure(16 + data.length);
        buffer.putInt((int)seconds).putInt((int)fraction).putInt(data.length).putInt(wireLength).put(data);
        return this;
    }

    CaptureBytes raw(final byte[] bytes)
    {
        ensure(bytes.length);
        buffer.put(bytes);
        return this;
    }

    CaptureBytes rawInt(final int value)
    {
        ensure(4);
        buffer.putInt(value);
        return this;
    }

    CaptureBytes sectionHeader()
    {
        final ByteBuffer body = body(16);
        body.putInt(0x1a2b3c4d).putShort((short)1).putShort((short)0).putLong(-1L);
        return block(SHB, body);
    }

    CaptureBytes interfaceDescription(final int linkType, final int snapLength, final int tsresol, final long offset)
    {
        final ByteBuffer body = body(40);
        body.putShort((short)linkType).putShort((short)0).putInt(snapLength);
        option(body, 2, "eth0".getBytes());
        if (tsresol >= 0)
        {
            option(body, 9, new byte[]{ (byte)tsresol });
        }
        if (offset != 0)
        {
            body.putShort((short)14).putShort((short)8).putLong(offset);
        }
        body.putShort((short)0).putShort((short)0);
        return block(IDB, body);
    }

    CaptureBytes enhancedPacket(final int interfaceId, final long timestamp, final byte[] data, final int wireLength)
    {
        final ByteBuffer body = body(20 + data.length + 16);
        body.putInt(interfaceId).putInt((int)(timestamp >>> 32)).putInt((int)timestamp)
            .putInt(data.length).putInt(wireLength).put(data);
        pad(body);
        option(body, 1, "comment".getBytes());
        body.putShort((short)0).putShort((short)0);
        return block(EPB, body);
    }

    CaptureBytes obsoletePacket(final int interfaceId, final long timestamp, final byte[] data, final int wireLength)
    {
        final ByteBuffer body = body(20 + data.length + 4);
        body.putShort((short)interfaceId).putShort((short)7).putInt((int)(timestamp >>> 32)).putInt((int)timestamp)
            .putInt(data.length).putInt(wireLength).put(data);
        pad(body);
        return block(OPB, body);
    }

    CaptureBytes simplePacket(final int wireLength, final byte[] data)
    {
        final ByteBuffer body = body(4 + data.length + 4);
        body.putInt(wireLength).put(data);
        pad(body);
        return block(SPB, body);
    }

    CaptureBytes block(final int type, final byte[] payload)
    {
        final ByteBuffer body = body(payload.length + 4);
        body.put(payload);
        pad(body);
        return block(type, body);
    }

    byte[] bytes()
    {
        return Arrays.copyOf(buffer.array(), buffer.position());
    }

    Path write(final Path dir, final String name)
    {
        try
        {
            return Files.write(dir.resolve(name), bytes());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private CaptureBytes block(final int type, final ByteBuffer body)
    {
        final int bodyLength = body.position();
        final int totalLength = 12 + bodyLength;
        ensure(totalLength);
        buffer.putInt(type).putInt(totalLength).put(body.array(), 0, bodyLength).putInt(totalLength);
        return this;
    }

    private ByteBuffer body(final int capacity)
    {
        return ByteBuffer.allocate(capacity + 64).order(buffer.order());
    }

    private static void option(final ByteBuffer body, final int code, final byte[] value)
    {
        body.putShort((short)code).putShort((short)value.length).put(value);
        pad(body);
    }

    private static void pad(final ByteBuffer body)
    {
        while ((body.position() & 3) != 0)
        {
            body.put((byte)0);
        }
    }

    private void ensure(final int bytes)
    {
        if (buffer.remaining() < bytes)
        {
            final ByteBuffer bigger = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + bytes))
                .order(buffer.order());
            buffer.flip();
            bigger.put(buffer);
            buffer = bigger;
        }
    }
}
