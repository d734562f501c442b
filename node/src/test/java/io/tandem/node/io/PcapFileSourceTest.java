package io.tandem.node.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static java.nio.ByteOrder.BIG_ENDIAN;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PcapFileSourceTest
{
    private static final int LINKTYPE_ETHERNET = 1;
    private static final int LINKTYPE_RAW = 101;
    private static final int LINKTYPE_LINUX_SLL = 113;
    private static final long SECONDS = 1_700_000_000L;
    private static final int SECONDS_INT = (int)SECONDS;

    @TempDir
    Path dir;

    private final Collector collector = new Collector();

    private static byte[] bytes(final int length, final int seed)
    {
        final byte[] data = new byte[length];
        for (int i = 0; i < length; i++)
        {
            data[i] = (byte)(seed + i * 7);
        }
        return data;
    }

    private List<Captured> readAll(final PcapFileSource source)
    {
        while (!source.isEndOfStream())
        {
            source.poll(collector, 1000);
        }
        return collector.packets;
    }

    @Test
    void shouldReadLittleEndianMicrosecondPcap()
    {
        final byte[] a = bytes(60, 1);
        final byte[] b = bytes(1514, 2);
        final Path file = new CaptureBytes(LITTLE_ENDIAN)
            .pcapHeader(0xa1b2c3d4, LINKTYPE_ETHERNET)
            .pcapRecord(SECONDS, 123_456, a, 60)
            .pcapRecord(SECONDS + 1, 999_999, b, 9000)
            .write(dir, "le-micro.pcap");

        try (PcapFileSource source = PcapFileSource.open(file))
        {
            assertThat(source.isPcapng()).isFalse();
            final List<Captured> packets = readAll(source);

            assertThat(packets).hasSize(2);
            assertThat(packets.get(0).data).isEqualTo(a);
            assertThat(packets.get(0).capturedLength).isEqualTo(60);
            assertThat(packets.get(0).wireLength).isEqualTo(60);
            assertThat(packets.get(0).timestampNs).isEqualTo(1_700_000_000_123_456_000L);
            assertThat(packets.get(0).linkType).isEqualTo(LINKTYPE_ETHERNET);
            assertThat(packets.get(1).data).isEqualTo(b);
            assertThat(packets.get(1).wireLength).isEqualTo(9000);
            assertThat(packets.get(1).timestampNs).isEqualTo(1_700_000_001_999_999_000L);
            assertThat(source.torn()).isFalse();
            assertThat(source.warning()).isNull();
            assertThat(source.tornAtOffset()).isEqualTo(-1);
            assertThat(source.position()).isEqualTo(source.fileSize()).isEqualTo(24 + 16 + 60 + 16 + 1514);
        }
    }

    @Test
    void shouldReadBigEndianMicrosecondPcap()
    {
        final byte[] a = bytes(42, 3);
        final Path file = new CaptureBytes(BIG_ENDIAN)
            .pcapHeader(0xa1b2c3d4, LINKTYPE_RAW)
            .pcapRecord(SECONDS, 1, a, 42)
            .write(dir, "be-micro.pcap");

        try (PcapFileSource source = PcapFileSource.open(file))
        {
            final List<Captured> packets = readAll(source);

            assertThat(packets).hasSize(1);
            assertThat(packets.get(0).data).isEqualTo(a);
            assertThat(packets.get(0).timestampNs).isEqualTo(1_700_000_000_000_001_000L);
            assertThat(packets.get(0).linkType).isEqualTo(LINKTYPE_RAW);
        }
    }

    @Test
    void shouldReadNanosecondPcapInBothByteOrders()
    {
        for (final ByteOrder order : new ByteOrder[]{ LITTLE_ENDIAN, BIG_ENDIAN })
        {
            final byte[] a = bytes(100, 4);
            final Path file = new CaptureBytes(order)
                .pcapHeader(0xa1b23c4d, LINKTYPE_ETHERNET)
                .pcapRecord(SECONDS, 987_654_321, a, 100)
                .pcapRecord(0xfffffff0L, 5, a, 100)
                .write(dir, "nanos-" + order + ".pcap");

            try (PcapFileSource source = PcapFileSource.open(file))
            {
                final List<Captured> packets = readAll(source);

                assertThat(packets).hasSize(2);
                assertThat(packets.get(0).data).isEqualTo(a);
                assertThat(packets.get(0).timestampNs).isEqualTo(1_700_000_000_987_654_321L);
                assertThat(packets.get(1).timestampNs).isEqualTo(0xfffffff0L * 1_000_000_000L + 5);
            }
            collector.packets.clear();
        }
    }

    @Test
    void shouldMaskFcsBitsOfPcapLinkType()
    {
        final Path file = new CaptureBytes(LITTLE_ENDIAN)
            .pcapHeader(0xa1b2c3d4, 0x44000000 | LINKTYPE_ETHERNET)
            .pcapRecord(SECONDS, 0, bytes(20, 0), 20)
            .write(dir, "fcs.pcap");

        try (PcapFileSource source = PcapFileSource.open(file))
        {
            assertThat(readAll(source).get(0).linkType).isEqualTo(LINKTYPE_ETHERNET);
        }
    }

    @Test
    void shouldDeliverThroughOneReusedBufferAndAtMostLimitPerPoll()
    {
        final CaptureBytes capture = new CaptureBytes(LITTLE_ENDIAN).pcapHeader(0xa1b2c3d4, LINKTYPE_ETHERNET);
        for (int i = 0; i < 5; i++)
        {
            capture.pcapRecord(SECONDS + i, 0, bytes(64, i), 64);
        }
        final Path file = capture.write(dir, "five.pcap");

        try (PcapFileSource source = PcapFileSource.open(file))
        {
            assertThat(source.fileSize()).isEqualTo(24 + 5 * 80);
            assertThat(source.position()).isEqualTo(24);
            assertThat(source.poll(collector, 2)).isEqualTo(2);
            assertThat(source.position()).isEqualTo(24 + 2 * 80);
            assertThat(source.isEndOfStream()).isFalse();
            assertThat(source.poll(collector, 2)).isEqualTo(2);
            assertThat(source.poll(collector, 2)).isEqualTo(1);
            assertThat(source.isEndOfStream()).isTrue();
            assertThat(source.poll(collector, 2)).isZero();

            assertThat(collector.buffers).hasSize(1);
            assertThat(collector.packets).extracting(p -> p.data[0]).containsExactly(
                (byte)0, (byte)1, (byte)2, (byte)3, (byte)4);
            assertThat(source.packetsRead()).isEqualTo(5);
            assertThat(source.bytesRead()).isEqualTo(5 * 64);
            final Map<String, Long> stats = new LinkedHashMap<>();
            source.reportStats(stats::put);
            assertThat(stats).containsExactly(
                Map.entry("capture.packets", 5L), Map.entry("capture.bytes", 320L), Map.entry("capture.torn", 0L));
        }
    }

    @Test
    void shouldReadPcapngWithInterfacesOfDifferentLinkTypesAndResolutions()
    {
        final byte[] a = bytes(60, 10);
        final byte[] b = bytes(33, 11);
        final byte[] c = bytes(17, 12);
        final Path file = new CaptureBytes(LITTLE_ENDIAN)
            .sectionHeader()
            .interfaceDescription(LINKTYPE_ETHERNET, 65535, -1, 0)
            .interfaceDescription(LINKTYPE_RAW, 0, 9, 0)
            .interfaceDescription(LINKTYPE_LINUX_SLL, 0, 0x80 | 20, 100)
            .enhancedPacket(0, 1_700_000_000_123_456L, a, 60)
            .enhancedPacket(1, 1_700_000_000_987_654_321L, b, 1500)
            .enhancedPacket(2, (SECONDS << 20) | (1L << 19), c, 17)
            .write(dir, "multi.pcapng");

        try (PcapFileSource source = PcapFileSource.open(file))
        {
            assertThat(source.isPcapng()).isTrue();
            final List<Captured> packets = readAll(source);

            assertThat(packets).hasSize(3);
            assertThat(packets.get(0).data).isEqualTo(a);
            assertThat(packets.get(0).linkType).isEqualTo(LINKTYPE_ETHERNET);
            assertThat(packets.get(0).timestampNs).isEqualTo(1_700_000_000_123_456_000L);
            assertThat(packets.get(1).data).isEqualTo(b);
            assertThat(packets.get(1).capturedLength).isEqualTo(33);
            assertThat(packets.get(1).wireLength).isEqualTo(1500);
            assertThat(packets.get(1).linkType).isEqualTo(LINKTYPE_RAW);
            assertThat(packets.get(1).timestampNs).isEqualTo(1_700_000_000_987_654_321L);
            assertThat(packets.get(2).data).isEqualTo(c);
            assertThat(packets.get(2).linkType).isEqualTo(LINKTYPE_LINUX_SLL);
            assertThat(packets.get(2).timestampNs).isEqualTo(1_700_000_100_500_000_000L);
            assertThat(source.torn()).isFalse();
            assertThat(source.position()).isEqualTo(source.fileSize());
        }
    }

    @Test
    void shouldConvertPcapngTimestampUnitsToNanoseconds()
    {
        assertThat(PcapFileSource.toNanos(1_500L, false, 3)).isEqualTo(1_500_000_000L);
        assertThat(PcapFileSource.toNanos(1_234_567_890_123L, false, 12)).isEqualTo(1_234_567_890L);
        assertThat(PcapFileSource.toNanos(7L, true, 0)).isEqualTo(7_000_000_000L);
        assertThat(PcapFileSource.toNanos((5L << 40) | (1L << 39) | (1L << 38), true, 40)).isEqualTo(5_750_000_000L);
        assertThat(PcapFileSource.toNanos(3L, true, 2)).isEqualTo(750_000_000L);
    }

    @Test
    void shouldUseInterfaceZeroAndPreviousTimestampForSimplePacketBlock()
    {
        final byte[] a = bytes(40, 20);
        final byte[] b = bytes(100, 21);
        final Path file = new CaptureBytes(BIG_ENDIAN)
            .sectionHeader()
            .interfaceDescription(LINKTYPE_RAW, 64, 9, 0)
            .interfaceDescription(LINKTYPE_ETHERNET, 0, -1, 0)
            .simplePacket(40, a)
            .enhancedPacket(1, 1_700_000_000_000_000L, a, 40)
            .simplePacket(1000, Arrays.copyOf(b, 64))
            .write(dir, "spb.pcapng");

        try (PcapFileSource source = PcapFileSource.open(file))
        {
            final List<Captured> packets = readAll(source);

            assertThat(packets).hasSize(3);
            assertThat(packets.get(0).data).isEqualTo(a);
            assertThat(packets.get(0).linkType).isEqualTo(LINKTYPE_RAW);
            assertThat(packets.get(0).timestampNs).isZero();
            assertThat(packets.get(1).linkType).isEqualTo(LINKTYPE_ETHERNET);
            assertThat(packets.get(2).data).isEqualTo(Arrays.copyOf(b, 64));
            assertThat(packets.get(2).capturedLength).isEqualTo(64);
            assertThat(packets.get(2).wireLength).isEqualTo(1000);
            assertThat(packets.get(2).linkType).isEqualTo(LINKTYPE_RAW);
            assertThat(packets.get(2).timestampNs).isEqualTo(1_700_000_000_000_000_000L);
        }
    }

    @Test
    void shouldReadObsoletePacketBlockAndSkipUnknownBlocks()
    {
        final byte[] a = bytes(50, 30);
        final byte[] b = bytes(51, 31);
        final Path file = new CaptureBytes(LITTLE_ENDIAN)
            .sectionHeader()
            .block(CaptureBytes.NRB, bytes(24, 0))
            .interfaceDescription(LINKTYPE_ETHERNET, 0, -1, 0)
            .block(0x00000bad, bytes(13, 0))
            .obsoletePacket(0, 1_700_000_000_000_002L, a, 50)
            .block(CaptureBytes.ISB, bytes(20, 0))
            .block(0x40000bad, new byte[0])
            .enhancedPacket(0, 1_700_000_000_000_003L, b, 51)
            .write(dir, "opb.pcapng");

        try (PcapFileSource source = PcapFileSource.open(file))
        {
            final List<Captured> packets = readAll(source);

            assertThat(packets).hasSize(2);
            assertThat(packets.get(0).data).isEqualTo(a);
            assertThat(packets.get(0).linkType).isEqualTo(LINKTYPE_ETHERNET);
            assertThat(packets.get(0).timestampNs).isEqualTo(1_700_000_000_000_002_000L);
            assertThat(packets.get(1).data).isEqualTo(b);
            assertThat(packets.get(1).timestampNs).isEqualTo(1_700_000_000_000_003_000L);
            assertThat(source.torn()).isFalse();
        }
    }

    @Test
    void shouldResetInterfacesAndByteOrderOnEachSection()
    {
        final byte[] a = bytes(30, 40);
        final byte[] b = bytes(31, 41);
        final Path file = new CaptureBytes(LITTLE_ENDIAN)
            .sectionHeader()
            .interfaceDescription(LINKTYPE_ETHERNET, 0, -1, 0)
            .enhancedPacket(0, 1_000_000L, a, 30)
            .order(BIG_ENDIAN)
            .sectionHeader()
            .interfaceDescription(LINKTYPE_RAW, 0, 9, 0)
            .enhancedPacket(0, 2_000_000_000L, b, 31)
            .enhancedPacket(1, 3_000_000_000L, b, 31)
            .write(dir, "sections.pcapng");

        try (PcapFileSource source = PcapFileSource.open(file))
        {
            final List<Captured> packets = readAll(source);

            assertThat(packets).hasSize(2);
            assertThat(packets.get(0).data).isEqualTo(a);
            assertThat(packets.get(0).linkType).isEqualTo(LINKTYPE_ETHERNET);
            assertThat(packets.get(0).timestampNs).isEqualTo(1_000_000_000L);
            assertThat(packets.get(1).data).isEqualTo(b);
            assertThat(packets.get(1).linkType).isEqualTo(LINKTYPE_RAW);
            assertThat(packets.get(1).timestampNs).isEqualTo(2_000_000_000L);
            assertThat(source.torn()).isTrue();
            assertThat(source.warning()).contains("interface 1 of 1 described");
        }
    }

    @Test
    void shouldStopWithoutThrowingAtTornPcapRecordHeader()
    {
        final byte[] a = bytes(60, 50);
        final byte[] full = new CaptureBytes(LITTLE_ENDIAN)
            .pcapHeader(0xa1b2c3d4, LINKTYPE_ETHERNET)
            .pcapRecord(SECONDS, 0, a, 60)
            .pcapRecord(SECONDS, 1, a, 60)
            .bytes();
        final Path file = write("torn-header.pcap", Arrays.copyOf(full, 24 + 76 + 10));

        try (PcapFileSource source = PcapFileSource.open(file))
        {
            final List<Captured> packets = readAll(source);

            assertThat(packets).hasSize(1);
            assertThat(packets.get(0).data).isEqualTo(a);
            assertThat(source.torn()).isTrue();
            assertThat(source.tornAtOffset()).isEqualTo(100);
            assertThat(source.position()).isEqualTo(100);
            assertThat(source.warning()).isEqualTo(
                file + ": torn record header at byte 100 (header needs 16 bytes, 10 left); stopped there");
            final Map<String, Long> stats = new LinkedHashMap<>();
            source.reportStats(stats::put);
            assertThat(stats).containsEntry("capture.torn", 1L).containsEntry("capture.packets", 1L);
        }
    }

    @Test
    void shouldStopWithoutThrowingAtTornPcapRecordBody()
    {
        final byte[] a = bytes(60, 60);
        final byte[] full = new CaptureBytes(BIG_ENDIAN)
            .pcapHeader(0xa1b23c4d, LINKTYPE_ETHERNET)
            .pcapRecord(SECONDS, 0, a, 60)
            .pcapRecord(SECONDS, 1, bytes(1514, 0), 1514)
            .bytes();
        final Path file = write("torn-body.pcap", Arrays.copyOf(full, 24 + 76 + 200));

        try (PcapFileSource source = PcapFileSource.open(file))
        {
            final List<Captured> packets = readAll(source);

            assertThat(packets).hasSize(1);
            assertThat(source.torn()).isTrue();
            assertThat(source.isEndOfStream()).isTrue();
            assertThat(source.tornAtOffset()).isEqualTo(100);
            assertThat(source.warning()).isEqualTo(
                file + ": torn record at byte 100 (record needs 1530 bytes, 200 left); stopped there");
        }
    }

    @Test
    void shouldStopAtImpossibleCapturedLength()
    {
        final byte[] a = bytes(60, 70);
        final byte[] padding = new byte[300_000];
        final Path file = new CaptureBytes(LITTLE_ENDIAN)
            .pcapHeader(0xa1b2c3d4, LINKTYPE_ETHERNET)
            .pcapRecord(SECONDS, 0, a, 60)
            .rawInt(SECONDS_INT).rawInt(0).rawInt(262_145).rawInt(262_145)
            .raw(padding)
            .write(dir, "impossible.pcap");

        try (PcapFileSource source = PcapFileSource.open(file))
        {
            assertThat(readAll(source)).hasSize(1);
            assertThat(source.torn()).isTrue();
            assertThat(source.tornAtOffset()).isEqualTo(100);
            assertThat(source.warning()).contains("captured length 262145 exceeds 262144");
        }
    }

    @Test
    void shouldStopWithoutThrowingAtTornPcapngBlock()
    {
        final byte[] a = bytes(60, 80);
        final CaptureBytes capture = new CaptureBytes(LITTLE_ENDIAN)
            .sectionHeader()
            .interfaceDescription(LINKTYPE_ETHERNET, 0, -1, 0)
            .enhancedPacket(0, 1L, a, 60);
        final int tearOffset = capture.length();
        final byte[] full = capture.enhancedPacket(0, 2L, a, 60).bytes();

        for (final int keep : new int[]{ tearOffset + 6, tearOffset + 40, full.length - 1 })
        {
            collector.packets.clear();
            final Path file = write("torn-" + keep + ".pcapng", Arrays.copyOf(full, keep));
            try (PcapFileSource source = PcapFileSource.open(file))
            {
                final List<Captured> packets = readAll(source);

                assertThat(packets).hasSize(1);
                assertThat(packets.get(0).data).isEqualTo(a);
                assertThat(source.torn()).isTrue();
                assertThat(source.tornAtOffset()).isEqualTo(tearOffset);
                assertThat(source.warning()).startsWith(file + ": torn block").endsWith("; stopped there");
            }
        }
    }

    @Test
    void shouldStopWhenPcapngBlockLengthsDisagree()
    {
        final byte[] a = bytes(60, 90);
        final CaptureBytes capture = new CaptureBytes(BIG_ENDIAN)
            .sectionHeader()
            .interfaceDescription(LINKTYPE_ETHERNET, 0, -1, 0)
            .enhancedPacket(0, 1L, a, 60);
        final int tearOffset = capture.length();
        final byte[] full = capture.enhancedPacket(0, 2L, a, 60).enhancedPacket(0, 3L, a, 60).bytes();
        final int secondLength = (full.length - tearOffset) / 2;
        ByteBuffer.wrap(full).putInt(tearOffset + secondLength - 4, secondLength + 4);
        final Path file = write("disagree.pcapng", full);

        try (PcapFileSource source = PcapFileSource.open(file))
        {
            assertThat(readAll(source)).hasSize(1);
            assertThat(source.torn()).isTrue();
            assertThat(source.tornAtOffset()).isEqualTo(tearOffset);
            assertThat(source.warning()).contains("lengths disagree: " + secondLength + " at start, " +
                (secondLength + 4) + " at end");
        }
    }

    @Test
    void shouldStopAtImpossiblePcapngBlockLength()
    {
        final CaptureBytes capture = new CaptureBytes(LITTLE_ENDIAN)
            .sectionHeader()
            .interfaceDescription(LINKTYPE_ETHERNET, 0, -1, 0);
        final int tearOffset = capture.length();
        final Path file = capture.rawInt(CaptureBytes.EPB).rawInt(30).raw(new byte[40]).write(dir, "odd.pcapng");

        try (PcapFileSource source = PcapFileSource.open(file))
        {
            assertThat(readAll(source)).isEmpty();
            assertThat(source.torn()).isTrue();
            assertThat(source.tornAtOffset()).isEqualTo(tearOffset);
            assertThat(source.warning()).contains("block length 30");
        }
    }

    @Test
    void shouldRejectFileThatIsNotACapture() throws IOException
    {
        final Path file = Files.writeString(dir.resolve("notes.txt"), "Hello, these are notes, not packets.\n");

        assertThatThrownBy(() -> PcapFileSource.open(file))
            .isInstanceOf(CaptureFormatException.class)
            .hasMessage(file + ": not a capture file (first 4 bytes 0x48656c6c; expected pcap magic " +
                "a1b2c3d4/d4c3b2a1/a1b23c4d/4d3cb2a1 or pcapng 0a0d0d0a)");
    }

    @Test
    void shouldRejectTruncatedHeaderDirectoryAndMissingFile()
    {
        final Path shortPcap = write("short.pcap", Arrays.copyOf(
            new CaptureBytes(LITTLE_ENDIAN).pcapHeader(0xa1b2c3d4, 1).bytes(), 20));
        assertThatThrownBy(() -> PcapFileSource.open(shortPcap))
            .isInstanceOf(CaptureFormatException.class)
            .hasMessage(shortPcap + ": truncated pcap global header (20 of 24 bytes)");

        final Path tiny = write("tiny.pcap", new byte[]{ 1, 2 });
        assertThatThrownBy(() -> PcapFileSource.open(tiny))
            .isInstanceOf(CaptureFormatException.class)
            .hasMessageStartingWith(tiny + ": not a capture file");

        final Path shortPcapng = write("short.pcapng", Arrays.copyOf(
            new CaptureBytes(LITTLE_ENDIAN).sectionHeader().bytes(), 16));
        assertThatThrownBy(() -> PcapFileSource.open(shortPcapng))
            .isInstanceOf(CaptureFormatException.class)
            .hasMessage(shortPcapng + ": truncated pcapng section header (16 of 28 bytes)");

        final byte[] badOrder = new CaptureBytes(LITTLE_ENDIAN).sectionHeader().bytes();
        badOrder[8] = 0x55;
        final Path badOrderFile = write("bad-order.pcapng", badOrder);
        assertThatThrownBy(() -> PcapFileSource.open(badOrderFile))
            .isInstanceOf(CaptureFormatException.class)
            .hasMessageStartingWith(badOrderFile + ": not a capture file (pcapng byte-order magic 0x553c2b1a");

        assertThatThrownBy(() -> PcapFileSource.open(dir))
            .isInstanceOf(CaptureFormatException.class)
            .hasMessage(dir + ": is a directory, not a capture file");

        final Path missing = dir.resolve("missing.pcap");
        assertThatThrownBy(() -> PcapFileSource.open(missing))
            .isInstanceOf(CaptureFormatException.class)
            .hasMessageStartingWith(missing + ": cannot read capture file");
    }

    @Test
    void shouldTreatEmptyAndHeaderOnlyFilesAsCapturesWithoutPackets()
    {
        final Path empty = write("empty.pcap", new byte[0]);
        final Path headerOnly = new CaptureBytes(BIG_ENDIAN).pcapHeader(0xa1b2c3d4, 1).write(dir, "header.pcap");
        final Path sectionOnly = new CaptureBytes(LITTLE_ENDIAN)
            .sectionHeader()
            .interfaceDescription(LINKTYPE_ETHERNET, 0, -1, 0)
            .write(dir, "section.pcapng");

        for (final Path file : List.of(empty, headerOnly, sectionOnly))
        {
            try (PcapFileSource source = PcapFileSource.open(file))
            {
                assertThat(readAll(source)).isEmpty();
                assertThat(source.poll(collector, 10)).isZero();
                assertThat(source.isEndOfStream()).isTrue();
                assertThat(source.torn()).isFalse();
                assertThat(source.name()).isEqualTo(file.toString());
                assertThat(source.position()).isEqualTo(source.fileSize());
            }
        }
    }

    @Test
    void shouldRoundTripPcapFileWriterInMicrosAndNanos()
    {
        final long[] timestampsNs = { 1_700_000_000_123_456_789L, 1_700_000_001_000_000_001L, 0L };
        for (final boolean nanos : new boolean[]{ false, true })
        {
            collector.packets.clear();
            final Path file = dir.resolve("written-" + nanos + ".pcap");
            try (PcapFileWriter writer = new PcapFileWriter(file, LINKTYPE_RAW, nanos))
            {
                for (int i = 0; i < timestampsNs.length; i++)
                {
                    final UnsafeBuffer data = new UnsafeBuffer(bytes(20 + i * 500, i));
                    writer.write(data, 0, data.capacity(), data.capacity() + i, timestampsNs[i]);
                }
            }

            try (PcapFileSource source = PcapFileSource.open(file))
            {
                final List<Captured> packets = readAll(source);

                assertThat(packets).hasSize(timestampsNs.length);
                for (int i = 0; i < timestampsNs.length; i++)
                {
                    final long expectedNs = nanos ? timestampsNs[i] : timestampsNs[i] / 1000 * 1000;
                    assertThat(packets.get(i).data).isEqualTo(bytes(20 + i * 500, i));
                    assertThat(packets.get(i).wireLength).isEqualTo(20 + i * 500 + i);
                    assertThat(packets.get(i).timestampNs).isEqualTo(expectedNs);
                    assertThat(packets.get(i).linkType).isEqualTo(LINKTYPE_RAW);
                }
                assertThat(source.torn()).isFalse();
            }
        }
    }

    @Test
    void shouldReadRecordsBeyondTwoGigabytes() throws IOException
    {
        final int recordData = PcapFileSource.MAX_CAPTURED_LENGTH;
        final long recordLength = 16 + recordData;
        final int records = (int)((1L << 31) / recordLength) + 2;
        final Path file = dir.resolve("big.pcap");
        final ByteBuffer header = ByteBuffer.allocate(24).order(LITTLE_ENDIAN);
        header.putInt(0xa1b2c3d4).putShort((short)2).putShort((short)4).putInt(0).putInt(0).putInt(recordData)
            .putInt(LINKTYPE_ETHERNET).flip();
        final ByteBuffer recordHeader = ByteBuffer.allocate(16).order(LITTLE_ENDIAN);
        try (FileChannel channel = FileChannel.open(
            file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.SPARSE))
        {
            channel.write(header, 0);
            for (int i = 0; i < records; i++)
            {
                recordHeader.clear();
                recordHeader.putInt(i).putInt(0).putInt(recordData).putInt(recordData).flip();
                channel.write(recordHeader, 24 + i * recordLength);
            }
            channel.write(ByteBuffer.wrap(new byte[]{ 0x5a }), 24 + records * recordLength - 1);
        }

        final long[] lastSecond = { -1 };
        final byte[] lastByte = new byte[1];
        try (PcapFileSource source = PcapFileSource.open(file))
        {
            assertThat(source.fileSize()).isGreaterThan(1L << 31);
            long delivered = 0;
            while (!source.isEndOfStream())
            {
                delivered += source.poll(
                    (frame, capturedLength, wireLength, timestampNs, linkType) ->
                    {
                        lastSecond[0] = timestampNs / 1_000_000_000L;
                        lastByte[0] = frame.getByte(capturedLength - 1);
                    },
                    1000);
            }
            assertThat(delivered).isEqualTo(records);
            assertThat(lastSecond[0]).isEqualTo(records - 1);
            assertThat(lastByte[0]).isEqualTo((byte)0x5a);
            assertThat(source.torn()).isFalse();
        }
    }

    @Test
    void shouldDeliverNothingAfterClose()
    {
        final Path file = new CaptureBytes(LITTLE_ENDIAN)
            .pcapHeader(0xa1b2c3d4, LINKTYPE_ETHERNET)
            .pcapRecord(SECONDS, 0, bytes(10, 0), 10)
            .write(dir, "closed.pcap");

        final PcapFileSource source = PcapFileSource.open(file);
        source.close();
        source.close();

        assertThat(source.isEndOfStream()).isTrue();
        assertThat(source.poll(collector, 10)).isZero();
        assertThat(collector.packets).isEmpty();
    }

    private Path write(final String name, final byte[] content)
    {
        try
        {
            return Files.write(dir.resolve(name), content);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static final class Captured
    {
        final byte[] data;
        final int capturedLength;
        final int wireLength;
        final long timestampNs;
        final int linkType;

        Captured(
            final byte[] data,
            final int capturedLength,
            final int wireLength,
            final long timestampNs,
            final int linkType)
        {
            this.data = data;
            this.capturedLength = capturedLength;
            this.wireLength = wireLength;
            this.timestampNs = timestampNs;
            this.linkType = linkType;
        }
    }

    private static final class Collector implements PacketHandler
    {
        final List<Captured> packets = new ArrayList<>();
        final Set<DirectBuffer> buffers = Collections.newSetFromMap(new IdentityHashMap<>());

        @Override
        public void onPacket(
            final DirectBuffer frame, final int capturedLength, final int wireLength, final long timestampNs,
            final int linkType)
        {
            final byte[] data = new byte[capturedLength];
            frame.getBytes(0, data);
            assertThat(frame.capacity()).isEqualTo(capturedLength);
            packets.add(new Captured(data, capturedLength, wireLength, timestampNs, linkType));
            buffers.add(frame);
        }
    }
}
