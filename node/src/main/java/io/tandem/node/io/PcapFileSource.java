package io.tandem.node.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

import io.tandem.node.stats.StatsSink;
import io.tandem.node.stats.StatsSource;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A {@link PacketSource} over a classic pcap or a pcapng capture file, memory-mapped read-only with the FFM API so
 * files over 2 GB work. Each record is delivered by re-wrapping one reused {@link UnsafeBuffer} over the record's
 * bytes in the mapping: nothing is allocated per packet.
 *
 * <pre>
 *  classic pcap: global header (24 bytes): magic, version, thiszone, sigfigs, snaplen, linktype
 *                record (16 bytes):        ts_sec, ts_usec|ts_nsec, incl_len, orig_len, then incl_len bytes
 *  pcapng block:  type (4), total length (4), body, total length (4); lengths are multiples of 4
 *                 SHB 0x0A0D0D0A (byte-order magic 0x1A2B3C4D), IDB 1, OPB 2, SPB 3, EPB 6; others are skipped
 * </pre>
 *
 * A torn tail (the file ends inside a record, a block's lengths disagree or are impossible, a captured length is
 * impossible) does not throw: the packets before it are delivered, then the source ends and reports
 * {@link #torn()}, {@link #tornAtOffset()} and a one-line {@link #warning()}. Not thread-safe: one poller.
 */
public final class PcapFileSource implements PacketSource, StatsSource
{
    /** Largest captured length accepted for one record (libpcap's and Wireshark's standard maximum). */
    public static final int MAX_CAPTURED_LENGTH = 262_144;

    /** Classic pcap magic, microsecond timestamps, as read big-endian from the first four bytes. */
    public static final int PCAP_MAGIC_MICROS = 0xa1b2c3d4;
    /** Classic pcap magic, microsecond timestamps, written little-endian. */
    public static final int PCAP_MAGIC_MICROS_SWAPPED = 0xd4c3b2a1;
    /** Classic pcap magic, nanosecond timestamps, as read big-endian from the first four bytes. */
    public static final int PCAP_MAGIC_NANOS = 0xa1b23c4d;
    /** Classic pcap magic, nanosecond timestamps, written little-endian. */
    public static final int PCAP_MAGIC_NANOS_SWAPPED = 0x4d3cb2a1;
    /** pcapng Section Header Block type (a palindrome, the same in both byte orders). */
    public static final int PCAPNG_SECTION_HEADER = 0x0a0d0d0a;
    /** pcapng byte-order magic as read in the section's own byte order. */
    public static final int PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;

    static final int PCAPNG_INTERFACE_DESCRIPTION = 1;
    static final int PCAPNG_OBSOLETE_PACKET = 2;
    static final int PCAPNG_SIMPLE_PACKET = 3;
    static final int PCAPNG_ENHANCED_PACKET = 6;

    private static final int PCAP_GLOBAL_HEADER_LENGTH = 24;
    private static final int PCAP_RECORD_HEADER_LENGTH = 16;
    private static final int PCAP_LINKTYPE_MASK = 0x0000ffff;
    private static final int BLOCK_HEADER_LENGTH = 8;
    private static final int BLOCK_MIN_LENGTH = 12;
    private static final int SECTION_HEADER_MIN_LENGTH = 28;
    private static final int INTERFACE_DESCRIPTION_MIN_LENGTH = 20;
    private static final int SIMPLE_PACKET_MIN_LENGTH = 16;
    private static final int PACKET_BLOCK_MIN_LENGTH = 32;
    private static final int OPTION_END = 0;
    private static final int OPTION_IF_TSRESOL = 9;
    private static final int OPTION_IF_TSOFFSET = 14;
    private static final int DEFAULT_TSRESOL = 6;
    private static final int TSRESOL_POWER_OF_TWO = 0x80;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long[] POWERS_OF_TEN = {
        1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L, 10_000_000L, 100_000_000L, 1_000_000_000L,
        10_000_000_000L, 100_000_000_000L, 1_000_000_000_000L, 10_000_000_000_000L, 100_000_000_000_000L,
        1_000_000_000_000_000L, 10_000_000_000_000_000L, 100_000_000_000_000_000L, 1_000_000_000_000_000_000L };
    private static final int INITIAL_INTERFACES = 8;

    private static final ValueLayout.OfInt INT_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort SHORT_BE =
        ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort SHORT_LE =
        ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG_BE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong LONG_LE =
        ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final String name;
    private final Arena arena;
    private final long fileSize;
    private final boolean pcapng;
    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[0]);
    private MemorySegment segment;
    private long baseAddress;
    private boolean bigEndian;
    private boolean nanos;
    private int pcapLinkType;
    private long position;
    private boolean endOfStream;
    private boolean closed;
    private boolean torn;
    private long tornAtOffset = -1;
    private String warning;
    private long packetsRead;
    private long bytesRead;
    private long lastTimestampNs;

    private int interfaceCount;
    private int[] interfaceLinkType = new int[INITIAL_INTERFACES];
    private int[] interfaceSnapLength = new int[INITIAL_INTERFACES];
    private boolean[] interfaceTsPowerOfTwo = new boolean[INITIAL_INTERFACES];
    private int[] interfaceTsExponent = new int[INITIAL_INTERFACES];
    private long[] interfaceTsOffsetNs = new long[INITIAL_INTERFACES];

    private PcapFileSource(final String name, final Arena arena, final MemorySegment segment, final long fileSize)
    {
        this.name = name;
        this.arena = arena;
        this.segment = segment;
        this.fileSize = fileSize;
        this.baseAddress = null == segment ? 0 : segment.address();
        if (0 == fileSize)
        {
            pcapng = false;
            endOfStream = true;
            return;
        }
        pcapng = fileSize >= 4 && segment.get(INT_BE, 0) == PCAPNG_SECTION_HEADER;
    }

    /**
     * Open and map a pcap or pcapng file and validate its header. An empty file, or one holding only a header, is a
     * valid capture with no packets.
     *
     * @param path of the capture file.
     * @return a source positioned at the first record.
     * @throws CaptureFormatException if the file is missing, unreadable, a directory or not a capture file.
     */
    public static PcapFileSource open(final Path path)
    {
        final String name = path.toString();
        if (Files.isDirectory(path))
        {
            throw new CaptureFormatException(name + ": is a directory, not a capture file");
        }
        final Arena arena = Arena.ofShared();
        try
        {
            final MemorySegment segment;
            final long size;
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ))
            {
                size = channel.size();
                segment = 0 == size ? null : channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            }
            final PcapFileSource source = new PcapFileSource(name, arena, segment, size);
            source.readFileHeader();
            return source;
        }
        catch (final IOException ex)
        {
            arena.close();
            throw new CaptureFormatException(name + ": cannot read capture file (" + ex + ")", ex);
        }
        catch (final RuntimeException ex)
        {
            arena.close();
            throw ex;
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int poll(final PacketHandler handler, final int limit)
    {
        int delivered = 0;
        while (delivered < limit && !endOfStream)
        {
            if (pcapng ? nextBlock(handler) : nextRecord(handler))
            {
                delivered++;
            }
            if (position >= fileSize)
            {
                endOfStream = true;
            }
        }
        return delivered;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public boolean isEndOfStream()
    {
        return endOfStream;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String name()
    {
        return name;
    }

    /**
     * Release the mapping. Further polls deliver nothing. Idempotent.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            endOfStream = true;
            segment = null;
            baseAddress = 0;
            frame.wrap(new byte[0]);
            arena.close();
        }
    }

    /**
     * Report {@code capture.packets}, {@code capture.bytes} (captured bytes delivered) and {@code capture.torn}
     * (0 or 1).
     *
     * @param sink to report into.
     */
    @Override
    public void reportStats(final StatsSink sink)
    {
        sink.counter("capture.packets", packetsRead);
        sink.counter("capture.bytes", bytesRead);
        sink.counter("capture.torn", torn ? 1 : 0);
    }

    /**
     * Whether the capture is pcapng (else classic pcap).
     *
     * @return true for pcapng.
     */
    public boolean isPcapng()
    {
        return pcapng;
    }

    /**
     * Packets delivered so far.
     *
     * @return the count.
     */
    public long packetsRead()
    {
        return packetsRead;
    }

    /**
     * Captured bytes delivered so far.
     *
     * @return the byte count.
     */
    public long bytesRead()
    {
        return bytesRead;
    }

    /**
     * Size of the file in bytes, for a progress line.
     *
     * @return the size in bytes.
     */
    public long fileSize()
    {
        return fileSize;
    }

    /**
     * Bytes of the file consumed so far: the offset of the next record or block.
     *
     * @return the offset in bytes.
     */
    public long position()
    {
        return position;
    }

    /**
     * Whether reading stopped early at a torn or impossible record.
     *
     * @return true if the capture was torn.
     */
    public boolean torn()
    {
        return torn;
    }

    /**
     * Offset of the record or block at which reading stopped, when {@link #torn()}.
     *
     * @return the byte offset, or -1 when not torn.
     */
    public long tornAtOffset()
    {
        return tornAtOffset;
    }

    /**
     * One-line human message describing why reading stopped early, when {@link #torn()}.
     *
     * @return the message, or null when not torn.
     */
    public String warning()
    {
        return warning;
    }

    private void readFileHeader()
    {
        if (0 == fileSize)
        {
            return;
        }
        if (fileSize < 4)
        {
            throw new CaptureFormatException(name + ": not a capture file (only " + fileSize +
                " bytes; expected a pcap or pcapng header)");
        }
        final int magic = segment.get(INT_BE, 0);
        if (pcapng)
        {
            readFirstSectionHeader();
            return;
        }
        switch (magic)
        {
            case PCAP_MAGIC_MICROS -> setPcapFormat(true, false);
            case PCAP_MAGIC_MICROS_SWAPPED -> setPcapFormat(false, false);
            case PCAP_MAGIC_NANOS -> setPcapFormat(true, true);
            case PCAP_MAGIC_NANOS_SWAPPED -> setPcapFormat(false, true);
            default -> throw new CaptureFormatException(String.format(
                "%s: not a capture file (first 4 bytes 0x%08x; expected pcap magic a1b2c3d4/d4c3b2a1/a1b23c4d/" +
                "4d3cb2a1 or pcapng 0a0d0d0a)", name, magic));
        }
        if (fileSize < PCAP_GLOBAL_HEADER_LENGTH)
        {
            throw new CaptureFormatException(name + ": truncated pcap global header (" + fileSize + " of " +
                PCAP_GLOBAL_HEADER_LENGTH + " bytes)");
        }
        pcapLinkType = readInt(20) & PCAP_LINKTYPE_MASK;
        position = PCAP_GLOBAL_HEADER_LENGTH;
        endOfStream = position >= fileSize;
    }

    private void setPcapFormat(final boolean bigEndian, final boolean nanos)
    {
        this.bigEndian = bigEndian;
        this.nanos = nanos;
    }

    private void readFirstSectionHeader()
    {
        if (fileSize < SECTION_HEADER_MIN_LENGTH)
        {
            throw new CaptureFormatException(name + ": truncated pcapng section header (" + fileSize + " of " +
                SECTION_HEADER_MIN_LENGTH + " bytes)");
        }
        final int byteOrderMagic = segment.get(INT_BE, BLOCK_HEADER_LENGTH);
        if (byteOrderMagic != PCAPNG_BYTE_ORDER_MAGIC &&
            byteOrderMagic != Integer.reverseBytes(PCAPNG_BYTE_ORDER_MAGIC))
        {
            throw new CaptureFormatException(String.format(
                "%s: not a capture file (pcapng byte-order magic 0x%08x; expected 1a2b3c4d in either byte order)",
                name, byteOrderMagic));
        }
    }

    private boolean nextRecord(final PacketHandler handler)
    {
        final long remaining = fileSize - position;
        if (remaining < PCAP_RECORD_HEADER_LENGTH)
        {
            return tear(position, "torn record header at byte " + position + " (header needs " +
                PCAP_RECORD_HEADER_LENGTH + " bytes, " + remaining + " left)");
        }
        final long seconds = readInt(position) & 0xffff_ffffL;
        final long fraction = readInt(position + 4) & 0xffff_ffffL;
        final int capturedLength = readInt(position + 8);
        final int wireLength = readInt(position + 12);
        if (capturedLength < 0 || capturedLength > MAX_CAPTURED_LENGTH)
        {
            return tear(position, "impossible record at byte " + position + " (captured length " +
                Integer.toUnsignedString(capturedLength) + " exceeds " + MAX_CAPTURED_LENGTH + ")");
        }
        final long recordLength = PCAP_RECORD_HEADER_LENGTH + capturedLength;
        if (recordLength > remaining)
        {
            return tear(position, "torn record at byte " + position + " (record needs " + recordLength +
                " bytes, " + remaining + " left)");
        }
        final long timestampNs = seconds * NANOS_PER_SECOND + (nanos ? fraction : fraction * 1000L);
        deliver(handler, position + PCAP_RECORD_HEADER_LENGTH, capturedLength, wireLength, timestampNs, pcapLinkType);
        position += recordLength;
        return true;
    }

    private boolean nextBlock(final PacketHandler handler)
    {
        final long remaining = fileSize - position;
        if (remaining < BLOCK_MIN_LENGTH)
        {
            return tear(position, "torn block header at byte " + position + " (header needs " + BLOCK_MIN_LENGTH +
                " bytes, " + remaining + " left)");
        }
        final int type = segment.get(INT_BE, position);
        if (PCAPNG_SECTION_HEADER == type)
        {
            final int byteOrderMagic = segment.get(INT_BE, position + BLOCK_HEADER_LENGTH);
            if (PCAPNG_BYTE_ORDER_MAGIC == byteOrderMagic)
            {
                bigEndian = true;
            }
            else if (Integer.reverseBytes(PCAPNG_BYTE_ORDER_MAGIC) == byteOrderMagic)
            {
                bigEndian = false;
            }
            else
            {
                return tear(position, String.format(
                    "impossible section header at byte %d (byte-order magic 0x%08x)", position, byteOrderMagic));
            }
            interfaceCount = 0;
        }
        final long totalLength = readInt(position + 4) & 0xffff_ffffL;
        if (totalLength < BLOCK_MIN_LENGTH || (totalLength & 3) != 0)
        {
            return tear(position, "impossible block at byte " + position + " (block length " + totalLength + ")");
        }
        if (totalLength > remaining)
        {
            return tear(position, "torn block at byte " + position + " (block needs " + totalLength + " bytes, " +
                remaining + " left)");
        }
        final long trailingLength = readInt(position + totalLength - 4) & 0xffff_ffffL;
        if (trailingLength != totalLength)
        {
            return tear(position, "impossible block at byte " + position + " (lengths disagree: " + totalLength +
                " at start, " + trailingLength + " at end)");
        }
        final int blockType = readInt(position);
        final boolean delivered = switch (blockType)
        {
            case PCAPNG_SECTION_HEADER -> sectionHeader(totalLength);
            case PCAPNG_INTERFACE_DESCRIPTION -> interfaceDescription(totalLength);
            case PCAPNG_ENHANCED_PACKET -> packetBlock(handler, totalLength, false);
            case PCAPNG_OBSOLETE_PACKET -> packetBlock(handler, totalLength, true);
            case PCAPNG_SIMPLE_PACKET -> simplePacket(handler, totalLength);
            default -> false;
        };
        if (!torn)
        {
            position += totalLength;
        }
        return delivered;
    }

    private boolean sectionHeader(final long totalLength)
    {
        if (totalLength < SECTION_HEADER_MIN_LENGTH)
        {
            return tear(position, "impossible section header at byte " + position + " (block length " +
                totalLength + ")");
        }
        return false;
    }

    private boolean interfaceDescription(final long totalLength)
    {
        if (totalLength < INTERFACE_DESCRIPTION_MIN_LENGTH)
        {
            return tear(position, "impossible interface description at byte " + position + " (block length " +
                totalLength + ")");
        }
        final int linkType = readShort(position + 8) & 0xffff;
        final int snapLength = readInt(position + 12);
        int tsresol = DEFAULT_TSRESOL;
        long tsOffsetSeconds = 0;
        final long end = position + totalLength - 4;
        long option = position + 16;
        while (option + 4 <= end)
        {
            final int code = readShort(option) & 0xffff;
            final int length = readShort(option + 2) & 0xffff;
            if (OPTION_END == code || option + 4 + length > end)
            {
                break;
            }
            if (OPTION_IF_TSRESOL == code && length >= 1)
            {
                tsresol = segment.get(ValueLayout.JAVA_BYTE, option + 4) & 0xff;
            }
            else if (OPTION_IF_TSOFFSET == code && length >= 8)
            {
                tsOffsetSeconds = bigEndian ? segment.get(LONG_BE, option + 4) : segment.get(LONG_LE, option + 4);
            }
            option += 4 + ((length + 3) & ~3);
        }
        addInterface(linkType, snapLength, tsresol, tsOffsetSeconds);
        return false;
    }

    private void addInterface(final int linkType, final int snapLength, final int tsresol, final long tsOffsetSeconds)
    {
        if (interfaceCount == interfaceLinkType.length)
        {
            final int capacity = interfaceCount * 2;
            interfaceLinkType = Arrays.copyOf(interfaceLinkType, capacity);
            interfaceSnapLength = Arrays.copyOf(interfaceSnapLength, capacity);
            interfaceTsPowerOfTwo = Arrays.copyOf(interfaceTsPowerOfTwo, capacity);
            interfaceTsExponent = Arrays.copyOf(interfaceTsExponent, capacity);
            interfaceTsOffsetNs = Arrays.copyOf(interfaceTsOffsetNs, capacity);
        }
        final int i = interfaceCount++;
        interfaceLinkType[i] = linkType;
        interfaceSnapLength[i] = snapLength;
        interfaceTsPowerOfTwo[i] = (tsresol & TSRESOL_POWER_OF_TWO) != 0;
        interfaceTsExponent[i] = tsresol & ~TSRESOL_POWER_OF_TWO;
        interfaceTsOffsetNs[i] = tsOffsetSeconds * NANOS_PER_SECOND;
    }

    private boolean packetBlock(final PacketHandler handler, final long totalLength, final boolean obsolete)
    {
        if (totalLength < PACKET_BLOCK_MIN_LENGTH)
        {
            return tear(position, "impossible packet block at byte " + position + " (block length " +
                totalLength + ")");
        }
        final int interfaceId = obsolete ? readShort(position + 8) & 0xffff : readInt(position + 8);
        final long timestampHigh = readInt(position + 12) & 0xffff_ffffL;
        final long timestampLow = readInt(position + 16) & 0xffff_ffffL;
        final int capturedLength = readInt(position + 20);
        final int wireLength = readInt(position + 24);
        if (interfaceId < 0 || interfaceId >= interfaceCount)
        {
            return tear(position, "impossible packet block at byte " + position + " (interface " +
                Integer.toUnsignedString(interfaceId) + " of " + interfaceCount + " described)");
        }
        if (capturedLength < 0 || capturedLength > MAX_CAPTURED_LENGTH ||
            capturedLength > totalLength - PACKET_BLOCK_MIN_LENGTH)
        {
            return tear(position, "impossible packet block at byte " + position + " (captured length " +
                Integer.toUnsignedString(capturedLength) + " in a block of " + totalLength + " bytes)");
        }
        final long timestampNs = toNanos(
            timestampHigh << 32 | timestampLow, interfaceTsPowerOfTwo[interfaceId], interfaceTsExponent[interfaceId]) +
            interfaceTsOffsetNs[interfaceId];
        lastTimestampNs = timestampNs;
        deliver(handler, position + 28, capturedLength, wireLength, timestampNs, interfaceLinkType[interfaceId]);
        return true;
    }

    private boolean simplePacket(final PacketHandler handler, final long totalLength)
    {
        if (totalLength < SIMPLE_PACKET_MIN_LENGTH || 0 == interfaceCount)
        {
            return tear(position, "impossible simple packet block at byte " + position + " (block length " +
                totalLength + ", " + interfaceCount + " interfaces described)");
        }
        final int wireLength = readInt(position + 8);
        long capturedLength = Math.min(wireLength & 0xffff_ffffL, totalLength - SIMPLE_PACKET_MIN_LENGTH);
        final int snapLength = interfaceSnapLength[0];
        if (snapLength > 0)
        {
            capturedLength = Math.min(capturedLength, snapLength);
        }
        if (capturedLength > MAX_CAPTURED_LENGTH)
        {
            return tear(position, "impossible simple packet block at byte " + position + " (captured length " +
                capturedLength + " exceeds " + MAX_CAPTURED_LENGTH + ")");
        }
        deliver(handler, position + 12, (int)capturedLength, wireLength, lastTimestampNs, interfaceLinkType[0]);
        return true;
    }

    private void deliver(
        final PacketHandler handler,
        final long offset,
        final int capturedLength,
        final int wireLength,
        final long timestampNs,
        final int linkType)
    {
        frame.wrap(baseAddress + offset, capturedLength);
        packetsRead++;
        bytesRead += capturedLength;
        handler.onPacket(frame, capturedLength, wireLength, timestampNs, linkType);
    }

    private boolean tear(final long offset, final String reason)
    {
        torn = true;
        tornAtOffset = offset;
        endOfStream = true;
        warning = name + ": " + reason + "; stopped there";
        return false;
    }

    private int readInt(final long offset)
    {
        return bigEndian ? segment.get(INT_BE, offset) : segment.get(INT_LE, offset);
    }

    private short readShort(final long offset)
    {
        return bigEndian ? segment.get(SHORT_BE, offset) : segment.get(SHORT_LE, offset);
    }

    /**
     * Convert an unsigned pcapng timestamp in units of 10^-exponent or 2^-exponent seconds to nanoseconds.
     *
     * @param timestamp  unsigned count of time units.
     * @param powerOfTwo true when the unit is 2^-exponent seconds, false for 10^-exponent.
     * @param exponent   of the unit.
     * @return nanoseconds.
     */
    static long toNanos(final long timestamp, final boolean powerOfTwo, final int exponent)
    {
        if (!powerOfTwo)
        {
            if (exponent <= 9)
            {
                return timestamp * POWERS_OF_TEN[9 - exponent];
            }
            final int divisorExponent = exponent - 9;
            return divisorExponent < POWERS_OF_TEN.length ?
                Long.divideUnsigned(timestamp, POWERS_OF_TEN[divisorExponent]) : 0;
        }
        if (0 == exponent)
        {
            return timestamp * NANOS_PER_SECOND;
        }
        final int shift = Math.min(exponent, 63);
        final long seconds = timestamp >>> shift;
        final long fraction = timestamp & ((1L << shift) - 1);
        final long low = fraction * NANOS_PER_SECOND;
        final long high = Math.unsignedMultiplyHigh(fraction, NANOS_PER_SECOND);
        final long fractionNs = (low >>> shift) | (high << (64 - shift));
        return seconds * NANOS_PER_SECOND + fractionNs;
    }
}
