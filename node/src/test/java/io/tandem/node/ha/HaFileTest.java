package io.tandem.node.ha;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.tandem.node.flow.FlowKey;
import io.tandem.proto.ha.v1.Direction;
import io.tandem.proto.ha.v1.Envelope;
import io.tandem.proto.ha.v1.SessionBatch;
import io.tandem.proto.ha.v1.SessionMessage;
import io.tandem.proto.ha.v1.SessionUpdate;
import io.tandem.transport.EnvelopeFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HaFileTest
{
    @TempDir
    Path dir;

    private final EnvelopeFactory factory = new EnvelopeFactory(0, 1, 42, null);

    private Envelope update(final int port)
    {
        final SessionUpdate update = SessionUpdate.newBuilder()
            .setKey(SessionKeyCodec.encode(new FlowKey().set(4, 6, 0, 0x0a00_0001L, port, 0, 0x0a00_0002L, 80)))
            .setIpProtocol(6)
            .setDirection(Direction.DIRECTION_CLIENT_IS_LOWER)
            .setCreationTimeNs(port * 1000L)
            .build();
        return factory.sessions(SessionBatch.newBuilder().addMessages(SessionMessage.newBuilder().setUpdate(update))
            .build(), port);
    }

    private Path write(final String name, final int count) throws IOException
    {
        final Path file = dir.resolve(name);
        try (HaFileWriter writer = new HaFileWriter(file, 0))
        {
            for (int i = 0; i < count; i++)
            {
                writer.append(1_000 + i, update(10_000 + i));
            }
        }
        return file;
    }

    private static List<Integer> readPorts(final HaFileReader reader) throws IOException
    {
        final List<Integer> ports = new ArrayList<>();
        while (reader.next())
        {
            ports.add(reader.envelope().getSessions().getMessages(0).getUpdate().getKey().getLowerPort());
        }
        return ports;
    }

    private static List<Long> recordOffsets(final Path file) throws IOException
    {
        final List<Long> offsets = new ArrayList<>();
        try (HaFileReader reader = HaFileReader.open(file))
        {
            while (reader.next())
            {
                offsets.add(reader.recordOffset());
            }
        }
        return offsets;
    }

    @Test
    void shouldReadBackEveryRecordInOrderWithItsTimestamp() throws Exception
    {
        final Path file = write("ha.bin", 5);
        try (HaFileReader reader = HaFileReader.open(file))
        {
            assertThat(reader.next()).isTrue();
            assertThat(reader.recordOffset()).isEqualTo(HaFileFormat.FILE_HEADER_LENGTH);
            assertThat(reader.timestampNs()).isEqualTo(1_000);
            assertThat(reader.envelope()).isEqualTo(new EnvelopeFactory(0, 1, 42, null).sessions(
                update(10_000).getSessions(), 10_000));
            assertThat(readPorts(reader)).containsExactly(10_001, 10_002, 10_003, 10_004);
            assertThat(reader.recordsRead()).isEqualTo(5);
            assertThat(reader.corruptRecords()).isZero();
            assertThat(reader.tornTail()).isFalse();
        }
        final byte[] bytes = Files.readAllBytes(file);
        assertThat(new String(bytes, 0, 8, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("TANDEMHA");
        final ByteBuffer header = ByteBuffer.wrap(bytes, HaFileFormat.FILE_HEADER_LENGTH, 16);
        final int length = header.getInt();
        assertThat(header.getLong()).isEqualTo(1_000);
        assertThat(length).isEqualTo(update(10_000).getSerializedSize());
    }

    @Test
    void shouldSkipAndCountACorruptRecordInTheMiddleAndReadTheRest() throws Exception
    {
        final Path file = write("ha.bin", 5);
        final List<Long> offsets = recordOffsets(file);
        final byte[] bytes = Files.readAllBytes(file);
        bytes[(int)(offsets.get(2) + HaFileFormat.RECORD_HEADER_LENGTH + 3)] ^= 0x5A;
        Files.write(file, bytes);

        try (HaFileReader reader = HaFileReader.open(file))
        {
            assertThat(readPorts(reader)).containsExactly(10_000, 10_001, 10_003, 10_004);
            assertThat(reader.recordsRead()).isEqualTo(4);
            assertThat(reader.corruptRecords()).isEqualTo(1);
            assertThat(reader.skippedBytes()).isEqualTo(offsets.get(3) - offsets.get(2));
            assertThat(reader.tornTail()).isFalse();
        }
    }

    @Test
    void shouldResynchroniseAfterACorruptLengthField() throws Exception
    {
        final Path file = write("ha.bin", 4);
        final List<Long> offsets = recordOffsets(file);
        final byte[] bytes = Files.readAllBytes(file);
        ByteBuffer.wrap(bytes).putInt(offsets.get(1).intValue(), 0x7fff_0000);
        Files.write(file, bytes);

        try (HaFileReader reader = HaFileReader.open(file))
        {
            assertThat(readPorts(reader)).containsExactly(10_000, 10_002, 10_003);
            assertThat(reader.corruptRecords()).isEqualTo(1);
            assertThat(reader.tornTail()).isFalse();
        }
    }

    @Test
    void shouldStopAtATornTailWithoutFailing() throws Exception
    {
        final Path file = write("ha.bin", 3);
        final long size = Files.size(file);
        for (final long cut : new long[]{size - 1, size - 20, recordOffsets(file).get(2) + 7})
        {
            final Path torn = dir.resolve("torn-" + cut);
            Files.write(torn, java.util.Arrays.copyOf(Files.readAllBytes(file), (int)cut));
            try (HaFileReader reader = HaFileReader.open(torn))
            {
                assertThat(readPorts(reader)).as("cut at " + cut).containsExactly(10_000, 10_001);
                assertThat(reader.tornTail()).isTrue();
                assertThat(reader.corruptRecords()).isZero();
                assertThat(reader.next()).isFalse();
            }
        }
    }

    @Test
    void shouldCountCorruptionAtTheEndThatIsNotATornRecord() throws Exception
    {
        final Path file = write("ha.bin", 2);
        final byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 1] ^= 1;
        Files.write(file, bytes);
        try (HaFileReader reader = HaFileReader.open(file))
        {
            assertThat(readPorts(reader)).containsExactly(10_000);
            assertThat(reader.corruptRecords()).isEqualTo(1);
            assertThat(reader.tornTail()).isFalse();
        }
    }

    @Test
    void shouldRotateBySizeAndListThePiecesOldestFirst() throws Exception
    {
        final Path file = dir.resolve("out.ha");
        final int recordBytes = HaFileFormat.RECORD_HEADER_LENGTH + update(10_000).getSerializedSize();
        final long maxBytes = HaFileFormat.FILE_HEADER_LENGTH + 3L * recordBytes;
        try (HaFileWriter writer = new HaFileWriter(file, maxBytes))
        {
            for (int i = 0; i < 8; i++)
            {
                writer.append(i, update(10_000 + i));
            }
            assertThat(writer.rotations()).isEqualTo(2);
            assertThat(writer.recordsWritten()).isEqualTo(8);
        }
        final List<Path> segments = HaFileReader.segments(file);
        assertThat(segments).containsExactly(dir.resolve("out.ha.1"), dir.resolve("out.ha.2"), file);
        final List<Integer> ports = new ArrayList<>();
        for (final Path segment : segments)
        {
            assertThat(Files.size(segment)).isLessThanOrEqualTo(maxBytes);
            try (HaFileReader reader = HaFileReader.open(segment))
            {
                ports.addAll(readPorts(reader));
            }
        }
        assertThat(ports).containsExactly(10_000, 10_001, 10_002, 10_003, 10_004, 10_005, 10_006, 10_007);

        try (HaFileWriter writer = new HaFileWriter(file, maxBytes))
        {
            writer.append(9, update(10_008));
            writer.append(9, update(10_009));
        }
        assertThat(HaFileReader.segments(file)).containsExactly(dir.resolve("out.ha.1"), dir.resolve("out.ha.2"),
            dir.resolve("out.ha.3"), file);
    }

    @Test
    void shouldAppendToAnExistingHaFile() throws Exception
    {
        final Path file = write("ha.bin", 2);
        try (HaFileWriter writer = new HaFileWriter(file, 0))
        {
            writer.append(5, update(20_000));
        }
        try (HaFileReader reader = HaFileReader.open(file))
        {
            assertThat(readPorts(reader)).containsExactly(10_000, 10_001, 20_000);
        }
    }

    @Test
    void shouldRefuseAFileThatIsNotAnHaFile() throws Exception
    {
        final Path text = dir.resolve("notes.txt");
        Files.writeString(text, "this is not a Tandem HA file at all");
        assertThatThrownBy(() -> HaFileReader.open(text)).isInstanceOf(NotAnHaFileException.class)
            .hasMessageContaining("is not a Tandem HA file");
        assertThatThrownBy(() -> new HaFileWriter(text, 0)).isInstanceOf(IOException.class)
            .hasMessageContaining("refusing to append");
        assertThat(Files.readString(text)).isEqualTo("this is not a Tandem HA file at all");
        final Path empty = Files.createFile(dir.resolve("empty"));
        assertThatThrownBy(() -> HaFileReader.open(empty)).isInstanceOf(NotAnHaFileException.class);
    }
}
