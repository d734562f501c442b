package io.tandem.node.ha.spi;

import java.nio.file.Path;
import java.util.List;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.tandem.node.ha.HaFileReader;
import io.tandem.node.ha.HaFileWriter;
import io.tandem.node.ha.HaRecordCodec;
import io.tandem.proto.ha.v1.Envelope;
import io.tandem.proto.ha.v1.SessionBatch;
import io.tandem.proto.ha.v1.SessionMessage;
import io.tandem.proto.ha.v1.SessionRecord;
import io.tandem.proto.ha.v1.SessionUpdate;
import io.tandem.proto.wire.SessionMessageReader;
import io.tandem.proto.wire.SessionMessageWriter;
import io.tandem.transport.EnvelopeFactory;
import org.agrona.concurrent.UnsafeBuffer;
import com.google.protobuf.ByteString;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HaRecordRegistryTest
{
    @TempDir
    Path dir;

    private final HaRecordRegistry registry = new HaRecordRegistry();

    @Test
    void shouldGiveEachRecordTheNextBitIndex()
    {
        for (int i = 0; i < HaRecordRegistry.MAX_RECORDS; i++)
        {
            assertThat(registry.register(new FixedRecord(10, i, 4, 4))).isEqualTo(i);
        }
        assertThat(registry.count()).isEqualTo(8);
        assertThat(registry.registeredMask()).isEqualTo(0xFF);
        assertThat(registry.indexOf(10, 5)).isEqualTo(5);
        assertThat(registry.indexOf(10, 9)).isEqualTo(-1);
    }

    @Test
    void shouldRefuseTheNinthRegistrationNamingTheOthers()
    {
        for (int i = 0; i < HaRecordRegistry.MAX_RECORDS; i++)
        {
            registry.register(new FixedRecord(i, 0, 4, 4));
        }
        assertThatThrownBy(() -> registry.register(new FixedRecord(99, 7, 4, 4)))
            .isInstanceOfSatisfying(HaRecordException.class,
                ex -> assertThat(ex.reason()).isEqualTo(HaRecordException.Reason.REGISTRY_FULL))
            .hasMessageContaining("preprocessor id 99, subcode 7")
            .hasMessageContaining("all 8 record slots")
            .hasMessageContaining("preprocessor id 7, subcode 0");
        assertThat(registry.count()).isEqualTo(8);
    }

    @Test
    void shouldRefuseADuplicateIdAndSubcode()
    {
        registry.register(new FixedRecord(3, 4, 8, 8));
        assertThatThrownBy(() -> registry.register(new FixedRecord(3, 4, 16, 16)))
            .isInstanceOfSatisfying(HaRecordException.class,
                ex -> assertThat(ex.reason()).isEqualTo(HaRecordException.Reason.DUPLICATE))
            .hasMessageContaining("preprocessor id 3 subcode 4 is already registered")
            .hasMessageContaining("at index 0");
        assertThat(registry.register(new FixedRecord(3, 5, 8, 8))).isEqualTo(1);
    }

    @Test
    void shouldRefuseDeclarationsOutOfRange()
    {
        assertThatThrownBy(() -> registry.register(new FixedRecord(256, 0, 4, 4)))
            .isInstanceOf(HaRecordException.class).hasMessageContaining("must be 0..255");
        assertThatThrownBy(() -> registry.register(new FixedRecord(1, -1, 4, 4)))
            .isInstanceOf(HaRecordException.class).hasMessageContaining("must be 0..255");
        assertThatThrownBy(() -> registry.register(new FixedRecord(1, 1, 0, 0)))
            .isInstanceOf(HaRecordException.class).hasMessageContaining("maximum record size 0 is not in 1..65535");
        assertThatThrownBy(() -> registry.register(new FixedRecord(1, 1, 70_000, 4)))
            .isInstanceOf(HaRecordException.class).hasMessageContaining("maximum record size 70000");
        assertThat(registry.count()).isZero();
    }

    @Test
    void shouldRefuseARecordLargerThanDeclared()
    {
        final int reportsTooMuch = registry.register(new FixedRecord(1, 1, 8, 9)
        {
            @Override
            public int produce(final HaSessionHandle session, final MutableDirectBuffer buffer, final int offset)
            {
                return 9;
            }
        });
        final int writesTooMuch = registry.register(new FixedRecord(1, 2, 8, 12));
        final TestSessionHandle session = new TestSessionHandle(6, false);

        assertThatThrownBy(() -> registry.produce(reportsTooMuch, session))
            .isInstanceOfSatisfying(HaRecordException.class,
                ex -> assertThat(ex.reason()).isEqualTo(HaRecordException.Reason.RECORD_TOO_LARGE))
            .hasMessageContaining("produced 9 bytes, more than its declared maximum of 8 bytes");
        assertThatThrownBy(() -> registry.produce(writesTooMuch, session))
            .isInstanceOfSatisfying(HaRecordException.class,
                ex -> assertThat(ex.reason()).isEqualTo(HaRecordException.Reason.RECORD_TOO_LARGE))
            .hasMessageContaining("wrote beyond its declared maximum of 8 bytes");
    }

    @Test
    void shouldProduceARecordOfTheDeclaredSize()
    {
        final int index = registry.register(new FixedRecord(1, 1, 8, 8));
        assertThat(registry.produce(index, new TestSessionHandle(17, false))).isEqualTo(8);
        assertThat(registry.recordBuffer(index).getByte(7)).isEqualTo((byte)7);
    }

    @Test
    void shouldMarkPendingBitsAndRefuseAnUnregisteredIndex()
    {
        registry.register(new FixedRecord(1, 1, 4, 4));
        registry.register(new FixedRecord(1, 2, 4, 4));
        final TestSessionHandle session = new TestSessionHandle(6, false);
        registry.markPending(session, 1);
        assertThat(session.pendingMask()).isEqualTo(0b10);
        registry.markPending(session, 0);
        assertThat(session.pendingMask()).isEqualTo(0b11);
        assertThatThrownBy(() -> registry.markPending(session, 2))
            .isInstanceOfSatisfying(HaRecordException.class,
                ex -> assertThat(ex.reason()).isEqualTo(HaRecordException.Reason.UNKNOWN_INDEX));
    }

    @Test
    void shouldCountAndSkipAnUnregisteredOrOversizeRecord()
    {
        final FixedRecord known = new FixedRecord(5, 1, 4, 4);
        registry.register(known);
        final SessionUpdate update = SessionUpdate.newBuilder()
            .addRecords(record(9, 9, new byte[]{1, 2}))
            .addRecords(record(5, 1, new byte[]{1, 2, 3}))
            .addRecords(record(5, 1, new byte[]{1, 2, 3, 4, 5}))
            .build();

        final int consumed = HaRecordCodec.apply(registry, new TestSessionHandle(6, true), read(update));

        assertThat(consumed).isEqualTo(1);
        assertThat(known.consumedLength).isEqualTo(3);
        assertThat(registry.unknownRecords()).isEqualTo(1);
        assertThat(registry.oversizeRecords()).isEqualTo(1);
        final StringBuilder stats = new StringBuilder();
        registry.reportStats((name, value) -> stats.append(name).append('=').append(value).append(' '));
        assertThat(stats.toString()).contains("ha.records.unknown=1 ").contains("ha.records.consumed=1 ");
    }

    @Test
    void shouldLoadTheExampleProviderWithServiceLoaderAndReplicateItEndToEnd() throws Exception
    {
        final List<HaRecordProvider> loaded = registry.registerServices(getClass().getClassLoader());
        assertThat(loaded).hasSize(1).first().isInstanceOf(ExampleNoteRecordProvider.class);
        final int index =
            registry.indexOf(ExampleNoteRecordProvider.PREPROCESSOR_ID, ExampleNoteRecordProvider.SUBCODE);
        assertThat(index).isZero();

        final TestSessionHandle owner = new TestSessionHandle(6, false);
        owner.attachment(index, "client is a printer");
        registry.markPending(owner, index);
        final SessionMessageWriter out = new SessionMessageWriter().key(4, 6, 0, 1, 1000, 0, 2, 80);
        out.state(0, 6, 0, 1, 0, 5);
        assertThat(HaRecordCodec.addPending(registry, owner, out)).isEqualTo(1);
        assertThat(owner.pendingMask()).isZero();
        final UnsafeBuffer written = new UnsafeBuffer(new byte[out.updateLength()]);
        out.writeUpdate(written, 0);
        final SessionMessage update = SessionMessage.parseFrom(written.byteArray());

        final Path file = dir.resolve("ha.bin");
        final EnvelopeFactory envelopes = new EnvelopeFactory(0, 1, 1, null);
        try (HaFileWriter writer = new HaFileWriter(file, 0))
        {
            writer.append(5, envelopes.sessions(SessionBatch.newBuilder()
                .addMessages(update).build(), 5));
        }

        final HaRecordRegistry peer = new HaRecordRegistry();
        peer.registerServices(getClass().getClassLoader());
        final TestSessionHandle standby = new TestSessionHandle(6, true);
        try (HaFileReader reader = HaFileReader.open(file))
        {
            assertThat(reader.next()).isTrue();
            final Envelope received = reader.envelope();
            final SessionUpdate receivedUpdate = received.getSessions().getMessages(0).getUpdate();
            assertThat(receivedUpdate.getRecords(0).getPreprocessorId()).isEqualTo(200);
            assertThat(HaRecordCodec.apply(peer, standby,
                read(SessionUpdate.newBuilder(receivedUpdate).build()))).isEqualTo(1);
        }
        assertThat(standby.attachment(index)).isEqualTo("client is a printer");
    }

    private static SessionMessageReader read(final SessionUpdate update)
    {
        final byte[] bytes = SessionMessage.newBuilder().setUpdate(update).build().toByteArray();
        final SessionMessageReader reader = new SessionMessageReader();
        assertThat(reader.wrap(new UnsafeBuffer(bytes), 0, bytes.length)).isTrue();
        return reader;
    }

    private static SessionRecord record(final int id, final int subcode, final byte[] data)
    {
        return SessionRecord.newBuilder().setPreprocessorId(id).setSubcode(subcode).setData(ByteString.copyFrom(data))
            .build();
    }

    private static class FixedRecord implements HaRecordProvider
    {
        private final int id;
        private final int subcode;
        private final int maxBytes;
        private final int writeBytes;
        int consumedLength = -1;

        FixedRecord(final int id, final int subcode, final int maxBytes, final int writeBytes)
        {
            this.id = id;
            this.subcode = subcode;
            this.maxBytes = maxBytes;
            this.writeBytes = writeBytes;
        }

        @Override
        public int preprocessorId()
        {
            return id;
        }

        @Override
        public int subcode()
        {
            return subcode;
        }

        @Override
        public int maxRecordBytes()
        {
            return maxBytes;
        }

        @Override
        public int produce(final HaSessionHandle session, final MutableDirectBuffer buffer, final int offset)
        {
            for (int i = 0; i < writeBytes; i++)
            {
                buffer.putByte(offset + i, (byte)i);
            }
            return writeBytes;
        }

        @Override
        public void consume(
            final HaSessionHandle session, final DirectBuffer buffer, final int offset, final int length)
        {
            consumedLength = length;
        }
    }
}
