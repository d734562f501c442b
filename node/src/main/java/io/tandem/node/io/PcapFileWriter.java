package io.tandem.node.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.agrona.DirectBuffer;

/**
 * Writes a classic pcap file (little-endian, microsecond or nanosecond timestamps) through one reused buffer.
 *
 * <pre>
 *  global header (24 bytes): magic, version 2.4, thiszone 0, sigfigs 0, snaplen, linktype
 *  per record (16 bytes):    ts_sec, ts_usec|ts_nsec, incl_len, orig_len, then incl_len bytes
 * </pre>
 */
public final class PcapFileWriter implements AutoCloseable
{
    /** Magic of a microsecond pcap file as read in the writer's byte order. */
    public static final int MAGIC_MICROS = 0xa1b2c3d4;
    /** Magic of a nanosecond pcap file. */
    public static final int MAGIC_NANOS = 0xa1b23c4d;
    /** Snap length written in the global header. */
    public static final int SNAPLEN = 262_144;

    private static final int BUFFER_SIZE = 1 << 20;
    private static final int RECORD_HEADER_LENGTH = 16;

    private final FileChannel channel;
    private final ByteBuffer out = ByteBuffer.allocateDirect(BUFFER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private final boolean nanos;
    private long packetsWritten;

    /**
     * Create (or truncate) a pcap file and write its global header.
     *
     * @param path     of the file.
     * @param linkType LINKTYPE_* of every record.
     * @param nanos    true for nanosecond timestamps, false for microseconds.
     */
    public PcapFileWriter(final Path path, final int linkType, final boolean nanos)
    {
        this.nanos = nanos;
        try
        {
            channel = FileChannel.open(
                path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create " + path, ex);
        }
        out.putInt(nanos ? MAGIC_NANOS : MAGIC_MICROS)
            .putShort((short)2)
            .putShort((short)4)
            .putInt(0)
            .putInt(0)
            .putInt(SNAPLEN)
            .putInt(linkType);
    }

    /**
     * Append one record whose captured and wire lengths are equal.
     *
     * @param frame       bytes of the frame.
     * @param offset      of the frame in {@code frame}.
     * @param length      of the frame.
     * @param timestampNs capture time in nanoseconds since the epoch.
     */
    public void write(final DirectBuffer frame, final int offset, final int length, final long timestampNs)
    {
        write(frame, offset, length, length, timestampNs);
    }

    /**
     * Append one record.
     *
     * @param frame       bytes of the frame.
     * @param offset      of the frame in {@code frame}.
     * @param length      captured length.
     * @param wireLength  length on the wire.
     * @param timestampNs capture time in nanoseconds since the epoch.
     */
    public void write(
        final DirectBuffer frame, final int offset, final int length, final int wireLength, final long timestampNs)
    {
        if (out.remaining() < RECORD_HEADER_LENGTH + length)
        {
            flush();
        }
        final long seconds = Math.floorDiv(timestampNs, 1_000_000_000L);
        final long fractionNs = Math.floorMod(timestampNs, 1_000_000_000L);
        out.putInt((int)seconds)
            .putInt((int)(nanos ? fractionNs : fractionNs / 1000))
            .putInt(length)
            .putInt(wireLength);
        if (length > out.remaining())
        {
            flush();
            final byte[] bytes = new byte[length];
            frame.getBytes(offset, bytes);
            writeFully(ByteBuffer.wrap(bytes));
        }
        else
        {
            frame.getBytes(offset, out, out.position(), length);
            out.position(out.position() + length);
        }
        packetsWritten++;
    }

    /**
     * Records written so far.
     *
     * @return the count.
     */
    public long packetsWritten()
    {
        return packetsWritten;
    }

    /**
     * Write out everything buffered.
     */
    public void flush()
    {
        out.flip();
        writeFully(out);
        out.clear();
    }

    @Override
    public void close()
    {
        flush();
        try
        {
            channel.close();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private void writeFully(final ByteBuffer buffer)
    {
        try
        {
            while (buffer.hasRemaining())
            {
                channel.write(buffer);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
