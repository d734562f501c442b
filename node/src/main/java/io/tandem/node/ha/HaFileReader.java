package io.tandem.node.ha;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.zip.CRC32C;

import com.google.protobuf.InvalidProtocolBufferException;
import io.tandem.proto.ha.v1.Envelope;

/**
 * Reads a HA file ({@link HaFileFormat}) record by record, in order, never failing on damage.
 * <p>
 * A corrupt record (implausible length or CRC mismatch) is skipped and counted: the reader scans forward byte by byte
 * for the next position where a record's length fits and its CRC checks out, and continues there (one corrupt region
 * counts once); when no good record follows, it steps over the bad record by its length field if that is plausible,
 * so that a torn record after it is still recognised as such. A torn tail - a last record cut short by a crash - ends
 * the reading and is reported by {@link #tornTail()}. Not thread-safe.
 */
public final class HaFileReader implements AutoCloseable
{
    private final Path path;
    private final FileChannel channel;
    private final ByteBuffer file;
    private final CRC32C crc = new CRC32C();
    private final int size;
    private int position = HaFileFormat.FILE_HEADER_LENGTH;
    private int recordPosition = -1;
    private int payloadLength;
    private long timestampNs;
    private long recordsRead;
    private long corruptRecords;
    private long skippedBytes;
    private boolean tornTail;

    private HaFileReader(final Path path, final FileChannel channel, final ByteBuffer file)
    {
        this.path = path;
        this.channel = channel;
        this.file = file;
        this.size = file.limit();
    }

    /**
     * Open a HA file.
     *
     * @param path the file.
     * @return a reader positioned before the first record.
     * @throws NoSuchFileException  when the file does not exist.
     * @throws NotAnHaFileException when the file does not start with a HA file header.
     * @throws IOException          when the file cannot be read.
     */
    public static HaFileReader open(final Path path) throws IOException
    {
        final FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try
        {
            final long length = channel.size();
            if (length > Integer.MAX_VALUE)
            {
                throw new IOException(path + " is larger than 2 GB; HA files are rotated well below that");
            }
            final MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, length);
            mapped.order(ByteOrder.BIG_ENDIAN);
            final byte[] header = new byte[(int)Math.min(length, HaFileFormat.FILE_HEADER_LENGTH)];
            mapped.get(0, header);
            if (!isHeader(header))
            {
                throw new NotAnHaFileException(path + " is not a Tandem HA file (no " +
                    new String(HaFileFormat.MAGIC, StandardCharsets.US_ASCII) + " version " +
                    HaFileFormat.FORMAT_VERSION + " header)");
            }
            return new HaFileReader(path, channel, mapped);
        }
        catch (final IOException | RuntimeException ex)
        {
            channel.close();
            throw ex;
        }
    }

    /**
     * Whether bytes are a complete HA file header this reader understands.
     *
     * @param header the first bytes of a file.
     * @return true for a 16-byte header with the magic and format version.
     */
    static boolean isHeader(final byte[] header)
    {
        if (header.length < HaFileFormat.FILE_HEADER_LENGTH)
        {
            return false;
        }
        return Arrays.equals(header, 0, HaFileFormat.FILE_HEADER_LENGTH, HaFileFormat.fileHeader(), 0,
            HaFileFormat.FILE_HEADER_LENGTH);
    }

    /**
     * Whether bytes are the start of a HA file header (a header torn by a crash at creation).
     *
     * @param start the first bytes of a file shorter than a header.
     * @return true when they match the header so far.
     */
    static boolean isHeaderPrefix(final byte[] start)
    {
        return start.length <= HaFileFormat.FILE_HEADER_LENGTH &&
            Arrays.equals(start, 0, start.length, HaFileFormat.fileHeader(), 0, start.length);
    }

    /**
     * Advance to the next good record.
     *
     * @return true when a record was read; false at the end (cleanly, or at a torn tail or trailing corruption).
     */
    public boolean next()
    {
        while (position < size)
        {
            if (size - position < HaFileFormat.RECORD_HEADER_LENGTH)
            {
                return endTorn();
            }
            if (isRecordAt(position))
            {
                accept(position);
                return true;
            }
            final int found = scanFrom(position + 1);
            if (found >= 0)
            {
                corruptRecords++;
                skippedBytes += found - position;
                position = found;
                continue;
            }
            final int length = file.getInt(position + HaFileFormat.LENGTH_OFFSET);
            if (length < 0 || length > HaFileFormat.MAX_PAYLOAD_LENGTH)
            {
                corruptRecords++;
                skippedBytes += size - position;
                position = size;
            }
            else if ((long)position + HaFileFormat.RECORD_HEADER_LENGTH + length > size)
            {
                return endTorn();
            }
            else
            {
                corruptRecords++;
                skippedBytes += HaFileFormat.RECORD_HEADER_LENGTH + length;
                position += HaFileFormat.RECORD_HEADER_LENGTH + length;
            }
        }
        recordPosition = -1;
        return false;
    }

    private boolean endTorn()
    {
        tornTail = true;
        skippedBytes += size - position;
        position = size;
        recordPosition = -1;
        return false;
    }

    private void accept(final int at)
    {
        recordPosition = at;
        payloadLength = file.getInt(at + HaFileFormat.LENGTH_OFFSET);
        timestampNs = file.getLong(at + HaFileFormat.TIMESTAMP_OFFSET);
        position = at + HaFileFormat.RECORD_HEADER_LENGTH + payloadLength;
        recordsRead++;
    }

    private int scanFrom(final int from)
    {
        for (int at = from; at <= size - HaFileFormat.RECORD_HEADER_LENGTH; at++)
        {
            if (isRecordAt(at))
            {
                return at;
            }
        }
        return -1;
    }

    private boolean isRecordAt(final int at)
    {
        final int length = file.getInt(at + HaFileFormat.LENGTH_OFFSET);
        if (length < 0 || length > HaFileFormat.MAX_PAYLOAD_LENGTH ||
            (long)at + HaFileFormat.RECORD_HEADER_LENGTH + length > size)
        {
            return false;
        }
        final long timestamp = file.getLong(at + HaFileFormat.TIMESTAMP_OFFSET);
        final int expected = file.getInt(at + HaFileFormat.CRC_OFFSET);
        return HaFileFormat.crc(crc, timestamp, file.slice(at + HaFileFormat.RECORD_HEADER_LENGTH, length)) == expected;
    }

    /**
     * Byte offset in the file of the current record's header.
     *
     * @return the offset, or -1 when there is no current record.
     */
    public long recordOffset()
    {
        return recordPosition;
    }

    /**
     * Timestamp of the current record.
     *
     * @return nanoseconds since the epoch.
     */
    public long timestampNs()
    {
        return timestampNs;
    }

    /**
     * Payload length of the current record.
     *
     * @return bytes.
     */
    public int payloadLength()
    {
        return payloadLength;
    }

    /**
     * A read-only view of the current record's payload.
     *
     * @return the bytes, valid until this reader is closed.
     */
    public ByteBuffer payload()
    {
        if (recordPosition < 0)
        {
            throw new IllegalStateException("no current record");
        }
        return file.slice(recordPosition + HaFileFormat.RECORD_HEADER_LENGTH, payloadLength).asReadOnlyBuffer();
    }

    /**
     * The current record's payload parsed as an envelope.
     *
     * @return the envelope.
     * @throws InvalidProtocolBufferException when the payload (whose CRC was good) is not an envelope.
     */
    public Envelope envelope() throws InvalidProtocolBufferException
    {
        return Envelope.parseFrom(payload());
    }

    /**
     * Good records read so far.
     *
     * @return the count.
     */
    public long recordsRead()
    {
        return recordsRead;
    }

    /**
     * Corrupt regions skipped so far (each a record or more whose length or CRC did not check out).
     *
     * @return the count.
     */
    public long corruptRecords()
    {
        return corruptRecords;
    }

    /**
     * Bytes skipped so far, in corrupt regions and a torn tail.
     *
     * @return the count.
     */
    public long skippedBytes()
    {
        return skippedBytes;
    }

    /**
     * Whether the file ended in a torn record (valid only once {@link #next()} returned false).
     *
     * @return true when the last record was cut short.
     */
    public boolean tornTail()
    {
        return tornTail;
    }

    /**
     * The file being read.
     *
     * @return the path.
     */
    public Path path()
    {
        return path;
    }

    /**
     * Close the file.
     *
     * @throws IOException when closing fails.
     */
    @Override
    public void close() throws IOException
    {
        channel.close();
    }

    /**
     * The pieces of a rotated HA file, oldest first: {@code NAME.1}, {@code NAME.2}, ... then {@code NAME} itself,
     * each only when it exists.
     *
     * @param path the active file's path.
     * @return the existing pieces in reading order.
     * @throws IOException when the directory cannot be listed.
     */
    public static List<Path> segments(final Path path) throws IOException
    {
        final Path dir = path.toAbsolutePath().getParent();
        final List<Path> rotated = new ArrayList<>();
        if (dir != null && Files.isDirectory(dir))
        {
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, path.getFileName() + ".*"))
            {
                for (final Path candidate : stream)
                {
                    if (segmentIndex(path, candidate) > 0)
                    {
                        rotated.add(path.resolveSibling(candidate.getFileName()));
                    }
                }
            }
        }
        rotated.sort(Comparator.comparingInt(p -> segmentIndex(path, p)));
        if (Files.exists(path))
        {
            rotated.add(path);
        }
        return rotated;
    }

    /**
     * The rotation index of a piece of a HA file.
     *
     * @param path    the active file's path.
     * @param segment a piece.
     * @return N for {@code NAME.N}, 0 for {@code NAME} itself, -1 for another file.
     */
    static int segmentIndex(final Path path, final Path segment)
    {
        final String name = path.getFileName().toString();
        final String other = segment.getFileName().toString();
        if (other.equals(name))
        {
            return 0;
        }
        if (!other.startsWith(name + ".") || other.length() == name.length() + 1 ||
            other.length() > name.length() + 9)
        {
            return -1;
        }
        for (int i = name.length() + 1; i < other.length(); i++)
        {
            if (other.charAt(i) < '0' || other.charAt(i) > '9')
            {
                return -1;
            }
        }
        return Integer.parseInt(other.substring(name.length() + 1));
    }
}
