package io.tandem.node.ha;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

import io.tandem.proto.ha.v1.Envelope;

/**
 * Appends HA envelopes to a file in the {@link HaFileFormat} layout, one record per envelope, each in a single write.
 * <p>
 * Rotation by size: when a record would take the active file past its maximum size, the file is renamed to
 * {@code NAME.N} (N = 1, 2, ... in order of age) and a new {@code NAME} is started; a record larger than the maximum
 * gets a file of its own. {@link HaFileReader#segments(Path)} lists the pieces oldest first. Rotated files are kept.
 * <p>
 * An existing HA file is appended to; an existing file that is not an HA file is refused. Not thread-safe.
 */
public final class HaFileWriter implements AutoCloseable
{
    private final Path path;
    private final long maxFileBytes;
    private final CRC32C crc = new CRC32C();
    private ByteBuffer scratch = ByteBuffer.allocate(4096).order(ByteOrder.BIG_ENDIAN);
    private FileChannel channel;
    private long fileBytes;
    private long recordsWritten;
    private int rotations;
    private int nextSegment = 1;

    /**
     * Open (or create) a HA file for appending.
     *
     * @param path         the active file.
     * @param maxFileBytes size at which the file is rotated; 0 never rotates.
     * @throws IOException when the file cannot be opened, or exists and is not a HA file.
     */
    public HaFileWriter(final Path path, final long maxFileBytes) throws IOException
    {
        if (maxFileBytes < 0)
        {
            throw new IllegalArgumentException("maxFileBytes must be >= 0: " + maxFileBytes);
        }
        this.path = path;
        this.maxFileBytes = maxFileBytes;
        for (final Path segment : HaFileReader.segments(path))
        {
            nextSegment = Math.max(nextSegment, HaFileReader.segmentIndex(path, segment) + 1);
        }
        openActive();
    }

    private void openActive() throws IOException
    {
        channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        final long size = channel.size();
        if (size >= HaFileFormat.FILE_HEADER_LENGTH)
        {
            final ByteBuffer header = ByteBuffer.allocate(HaFileFormat.FILE_HEADER_LENGTH);
            channel.read(header, 0);
            if (!HaFileReader.isHeader(header.array()))
            {
                channel.close();
                throw new IOException(path + " exists and is not a Tandem HA file; refusing to append to it");
            }
            fileBytes = size;
        }
        else
        {
            final ByteBuffer start = ByteBuffer.allocate((int)size);
            channel.read(start, 0);
            if (!HaFileReader.isHeaderPrefix(start.array()))
            {
                channel.close();
                throw new IOException(path + " exists and is not a Tandem HA file; refusing to append to it");
            }
            channel.truncate(0);
            writeFully(ByteBuffer.wrap(HaFileFormat.fileHeader()), 0);
            fileBytes = HaFileFormat.FILE_HEADER_LENGTH;
        }
    }

    /**
     * Append one envelope.
     *
     * @param timestampNs record time, nanoseconds since the epoch.
     * @param envelope    the envelope.
     * @throws IOException when writing or rotating fails.
     */
    public void append(final long timestampNs, final Envelope envelope) throws IOException
    {
        final byte[] payload = envelope.toByteArray();
        append(timestampNs, payload, 0, payload.length);
    }

    /**
     * Append one record with an already serialized payload.
     *
     * @param timestampNs record time, nanoseconds since the epoch.
     * @param payload     bytes of the payload.
     * @param offset      where the payload starts.
     * @param length      payload length, at most {@link HaFileFormat#MAX_PAYLOAD_LENGTH}.
     * @throws IOException when writing or rotating fails.
     */
    public void append(final long timestampNs, final byte[] payload, final int offset, final int length)
        throws IOException
    {
        if (length < 0 || length > HaFileFormat.MAX_PAYLOAD_LENGTH)
        {
            throw new IllegalArgumentException("HA record payload of " + length + " bytes is not in 0.." +
                HaFileFormat.MAX_PAYLOAD_LENGTH);
        }
        final int recordLength = HaFileFormat.RECORD_HEADER_LENGTH + length;
        if (maxFileBytes > 0 && fileBytes > HaFileFormat.FILE_HEADER_LENGTH && fileBytes + recordLength > maxFileBytes)
        {
            rotate();
        }
        if (scratch.capacity() < recordLength)
        {
            scratch = ByteBuffer.allocate(Math.max(recordLength, scratch.capacity() * 2)).order(ByteOrder.BIG_ENDIAN);
        }
        scratch.clear();
        scratch.putInt(length).putLong(timestampNs)
            .putInt(HaFileFormat.crc(crc, timestampNs, ByteBuffer.wrap(payload, offset, length)))
            .put(payload, offset, length)
            .flip();
        writeFully(scratch, fileBytes);
        fileBytes += recordLength;
        recordsWritten++;
    }

    private void writeFully(final ByteBuffer buffer, final long position) throws IOException
    {
        long at = position;
        while (buffer.hasRemaining())
        {
            at += channel.write(buffer, at);
        }
    }

    private void rotate() throws IOException
    {
        channel.force(false);
        channel.close();
        Files.move(path, path.resolveSibling(path.getFileName() + "." + nextSegment), StandardCopyOption.ATOMIC_MOVE);
        nextSegment++;
        rotations++;
        openActive();
    }

    /**
     * Force written records to the storage device.
     *
     * @throws IOException when the device reports an error.
     */
    public void flush() throws IOException
    {
        channel.force(false);
    }

    /**
     * Records appended since this writer was opened.
     *
     * @return the count.
     */
    public long recordsWritten()
    {
        return recordsWritten;
    }

    /**
     * Rotations done since this writer was opened.
     *
     * @return the count.
     */
    public int rotations()
    {
        return rotations;
    }

    /**
     * Size of the active file.
     *
     * @return bytes, header included.
     */
    public long fileBytes()
    {
        return fileBytes;
    }

    /**
     * Flush and close the active file.
     *
     * @throws IOException when closing fails.
     */
    @Override
    public void close() throws IOException
    {
        if (channel.isOpen())
        {
            channel.force(false);
            channel.close();
        }
    }
}
