package io.tandem.proto.wire;

import java.util.Random;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.tandem.proto.ha.v1.SessionDelete;
import io.tandem.proto.ha.v1.SessionKey;
import io.tandem.proto.ha.v1.SessionMessage;
import io.tandem.proto.ha.v1.SessionRecord;
import io.tandem.proto.ha.v1.SessionUpdate;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SessionMessageCodecTest
{
    private final SessionMessageWriter writer = new SessionMessageWriter();
    private final SessionMessageReader reader = new SessionMessageReader();
    private final UnsafeBuffer out = new UnsafeBuffer(new byte[4096]);

    @Test
    void writesTheBytesProtobufWritesForRandomMessages()
    {
        final Random random = new Random(7);
        for (int n = 0; n < 5_000; n++)
        {
            final SessionMessage expected = randomMessage(random);
            final int end = write(expected, 3);
            assertThat(end - 3).isEqualTo(expected.getSerializedSize());
            final byte[] written = new byte[end - 3];
            out.getBytes(3, written);
            assertThat(written).as("message %d: %s", n, expected).isEqualTo(expected.toByteArray());
        }
    }

    @Test
    void readsWhatProtobufWritesForRandomMessages()
    {
        final Random random = new Random(11);
        for (int n = 0; n < 5_000; n++)
        {
            final SessionMessage expected = randomMessage(random);
            final byte[] bytes = expected.toByteArray();
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[bytes.length + 5]);
            buffer.putBytes(5, bytes);
            assertThat(reader.wrap(buffer, 5, bytes.length)).isTrue();
            assertThat(toMessage(reader)).as("message %d", n).isEqualTo(expected);
        }
    }

    @Test
    void malformedOrMutatedBytesNeverThrowAndAgreeWithProtobuf() throws Exception
    {
        final Random random = new Random(13);
        int rejectedByBoth = 0;
        int acceptedByBoth = 0;
        int overlong = 0;
        for (int n = 0; n < 20_000; n++)
        {
            final byte[] bytes = randomMessage(random).toByteArray();
            final int mutations = 1 + random.nextInt(3);
            for (int m = 0; m < mutations && bytes.length > 0; m++)
            {
                bytes[random.nextInt(bytes.length)] = (byte)random.nextInt(256);
            }
            final int length = random.nextInt(8) == 0 ? random.nextInt(bytes.length + 1) : bytes.length;
            SessionMessage parsed;
            String why = "";
            try
            {
                parsed = SessionMessage.parseFrom(ByteString.copyFrom(bytes, 0, length));
            }
            catch (final InvalidProtocolBufferException ex)
            {
                parsed = null;
                why = ex.getMessage();
            }
            final boolean read = reader.wrap(new UnsafeBuffer(bytes), 0, length);
            if (parsed == null)
            {
                assertThat(read).as("mutation %d: protobuf rejects (%s), so must the reader", n, why).isFalse();
                rejectedByBoth++;
            }
            else if (parsed.getKindCase() == SessionMessage.KindCase.KIND_NOT_SET)
            {
                assertThat(read).isFalse();
            }
            else if (!read && hasOverlongVarint(bytes, length))
            {
                overlong++;
            }
            else
            {
                assertThat(read).as("mutation %d: protobuf accepts %s from %s", n, parsed,
                    java.util.HexFormat.of().formatHex(bytes, 0, length)).isTrue();
                assertThat(toMessage(reader)).isEqualTo(withoutUnknownFields(parsed));
                acceptedByBoth++;
            }
        }
        assertThat(rejectedByBoth).isGreaterThan(1_000);
        assertThat(acceptedByBoth).isGreaterThan(1_000);
        assertThat(overlong).isLessThan(acceptedByBoth / 100);
    }

    /**
     * The one known difference: ten bytes in a row with their continuation bit set, a varint protobuf-java's array
     * decoder may take and the reader refuses.
     */
    private static boolean hasOverlongVarint(final byte[] bytes, final int length)
    {
        int run = 0;
        for (int i = 0; i < length; i++)
        {
            run = bytes[i] < 0 ? run + 1 : 0;
            if (run >= 10)
            {
                return true;
            }
        }
        return false;
    }

    @Test
    void sizingBeforeTheLastChangeDoesNotFreezeTheMessage()
    {
        final UnsafeBuffer record = new UnsafeBuffer(new byte[] {1, 2, 3});
        writer.key(4, 6, 0, 10, 1000, 0, 20, 80).state(0, 6, 0, 1, 0, 5);
        final int withoutRecord = writer.updateLength();
        writer.record(7, 1, record, 0, 3);
        final int withRecord = writer.updateLength();
        assertThat(withRecord).isGreaterThan(withoutRecord);
        assertThat(writer.writeUpdate(out, 0)).isEqualTo(withRecord);
        assertThat(reader.wrap(out, 0, withRecord)).isTrue();
        assertThat(reader.recordCount()).isEqualTo(1);
        assertThat(reader.recordPreprocessorId(0)).isEqualTo(7);

        writer.vlan(42);
        final int withVlan = writer.writeUpdate(out, 0);
        assertThat(reader.wrap(out, 0, withVlan)).isTrue();
        assertThat(reader.vlanCount()).isEqualTo(1);
        assertThat(reader.vlanId(0)).isEqualTo(42);

        final int delete = writer.writeDelete(out, 0);
        assertThat(delete).isEqualTo(writer.deleteLength());
        assertThat(reader.wrap(out, 0, delete)).isTrue();
        assertThat(reader.kind()).isEqualTo(SessionMessageReader.DELETE);
        assertThat(reader.recordCount()).isZero();
        assertThat(reader.vlanId(0)).isEqualTo(42);

        writer.key(6, 17, 1, 2, 53, 3, 4, 5353);
        final int fresh = writer.writeUpdate(out, 0);
        assertThat(reader.wrap(out, 0, fresh)).isTrue();
        assertThat(reader.ipVersion()).isEqualTo(6);
        assertThat(reader.recordCount()).isZero();
        assertThat(reader.vlanCount()).isZero();
    }

    @Test
    void readsUnpackedVlansMergedKeysAndTheLastOneofMember()
    {
        final SessionKey first = SessionKey.newBuilder().setIpVersion(4).setLowerAddrLo(1).addVlanIds(5).build();
        final SessionKey second = SessionKey.newBuilder().setLowerPort(80).build();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        int i = 0;
        // update{key{first} key{second, vlan 7 unpacked} flags 9}
        final byte[] a = first.toByteArray();
        final byte[] b = second.toByteArray();
        final int keyBLength = b.length + 2;
        final int updateLength = 2 + a.length + 2 + keyBLength + 2;
        i = Wire.putLenHeader(buffer, i, 1, updateLength);
        i = Wire.putLenHeader(buffer, i, 1, a.length);
        buffer.putBytes(i, a);
        i += a.length;
        i = Wire.putLenHeader(buffer, i, 1, keyBLength);
        buffer.putBytes(i, b);
        i += b.length;
        i = Wire.putVarintField(buffer, i, 9, 7);
        i = Wire.putVarintField(buffer, i, 2, 9);
        assertThat(reader.wrap(buffer, 0, i)).isTrue();
        assertThat(reader.kind()).isEqualTo(SessionMessageReader.UPDATE);
        assertThat(reader.ipVersion()).isEqualTo(4);
        assertThat(reader.lowerLo()).isEqualTo(1);
        assertThat(reader.lowerPort()).isEqualTo(80);
        assertThat(reader.vlanCount()).isEqualTo(2);
        assertThat(reader.vlanId(0)).isEqualTo(5);
        assertThat(reader.vlanId(1)).isEqualTo(7);
        assertThat(reader.sessionFlags()).isEqualTo(9);

        // ... then a delete: the oneof's last member wins and the update's fields are gone
        final int deleteStart = i;
        i = Wire.putLenHeader(buffer, i, 2, 2 + b.length);
        i = Wire.putLenHeader(buffer, i, 1, b.length);
        buffer.putBytes(i, b);
        i += b.length;
        assertThat(reader.wrap(buffer, 0, i)).isTrue();
        assertThat(reader.kind()).isEqualTo(SessionMessageReader.DELETE);
        assertThat(reader.ipVersion()).isZero();
        assertThat(reader.vlanCount()).isZero();
        assertThat(reader.lowerPort()).isEqualTo(80);
        assertThat(deleteStart).isPositive();
    }

    private int write(final SessionMessage message, final int at)
    {
        final SessionKey key = message.hasUpdate() ? message.getUpdate().getKey() : message.getDelete().getKey();
        writer.key(key.getIpVersion(), key.getIpProtocol(), key.getLowerAddrHi(), key.getLowerAddrLo(),
            key.getLowerPort(), key.getUpperAddrHi(), key.getUpperAddrLo(), key.getUpperPort());
        for (final int vlan : key.getVlanIdsList())
        {
            writer.vlan(vlan);
        }
        if (message.hasDelete())
        {
            final int end = writer.writeDelete(out, at);
            assertThat(end - at).isEqualTo(writer.deleteLength());
            return end;
        }
        final SessionUpdate u = message.getUpdate();
        writer.state(u.getSessionFlags(), u.getIpProtocol(), u.getApplicationProtocol(), u.getDirectionValue(),
            u.getIgnoreDirectionValue(), u.getCreationTimeNs());
        for (final SessionRecord r : u.getRecordsList())
        {
            final byte[] data = r.getData().toByteArray();
            final UnsafeBuffer source = new UnsafeBuffer(new byte[data.length + 2]);
            source.putBytes(2, data);
            writer.record(r.getPreprocessorId(), r.getSubcode(), source, 2, data.length);
        }
        final int end = writer.writeUpdate(out, at);
        assertThat(end - at).isEqualTo(writer.updateLength());
        return end;
    }

    static SessionMessage toMessage(final SessionMessageReader reader)
    {
        final SessionKey.Builder key = SessionKey.newBuilder()
            .setIpVersion(reader.ipVersion()).setIpProtocol(reader.ipProtocol())
            .setLowerAddrHi(reader.lowerHi()).setLowerAddrLo(reader.lowerLo()).setLowerPort(reader.lowerPort())
            .setUpperAddrHi(reader.upperHi()).setUpperAddrLo(reader.upperLo()).setUpperPort(reader.upperPort());
        for (int i = 0; i < reader.vlanCount(); i++)
        {
            key.addVlanIds(reader.vlanId(i));
        }
        if (reader.kind() == SessionMessageReader.DELETE)
        {
            return SessionMessage.newBuilder().setDelete(SessionDelete.newBuilder().setKey(key)).build();
        }
        final SessionUpdate.Builder update = SessionUpdate.newBuilder().setKey(key)
            .setSessionFlags(reader.sessionFlags()).setIpProtocol(reader.updateIpProtocol())
            .setApplicationProtocol(reader.applicationProtocol()).setDirectionValue(reader.direction())
            .setIgnoreDirectionValue(reader.ignoreDirection()).setCreationTimeNs(reader.creationTimeNs());
        for (int i = 0; i < reader.recordCount(); i++)
        {
            final byte[] data = new byte[reader.recordLength(i)];
            reader.buffer().getBytes(reader.recordOffset(i), data);
            update.addRecords(SessionRecord.newBuilder().setPreprocessorId(reader.recordPreprocessorId(i))
                .setSubcode(reader.recordSubcode(i)).setData(ByteString.copyFrom(data)));
        }
        return SessionMessage.newBuilder().setUpdate(update).build();
    }

    private static SessionMessage withoutUnknownFields(final SessionMessage parsed)
    {
        try
        {
            // Unknown fields are skipped by the reader; protobuf keeps them. Compare the known fields only.
            final SessionMessage.Builder builder = parsed.toBuilder();
            builder.setUnknownFields(com.google.protobuf.UnknownFieldSet.getDefaultInstance());
            if (builder.hasUpdate())
            {
                final SessionUpdate.Builder u = builder.getUpdateBuilder();
                u.setUnknownFields(com.google.protobuf.UnknownFieldSet.getDefaultInstance());
                u.getKeyBuilder().setUnknownFields(com.google.protobuf.UnknownFieldSet.getDefaultInstance());
                for (int i = 0; i < u.getRecordsCount(); i++)
                {
                    u.getRecordsBuilder(i).setUnknownFields(com.google.protobuf.UnknownFieldSet.getDefaultInstance());
                }
            }
            else
            {
                final SessionDelete.Builder d = builder.getDeleteBuilder();
                d.setUnknownFields(com.google.protobuf.UnknownFieldSet.getDefaultInstance());
                d.getKeyBuilder().setUnknownFields(com.google.protobuf.UnknownFieldSet.getDefaultInstance());
            }
            return SessionMessage.parseFrom(builder.build().toByteArray());
        }
        catch (final InvalidProtocolBufferException ex)
        {
            throw new AssertionError(ex);
        }
    }

    static SessionMessage randomMessage(final Random random)
    {
        final SessionKey.Builder key = SessionKey.newBuilder()
            .setIpVersion(random.nextBoolean() ? 4 : 6)
            .setIpProtocol(random.nextBoolean() ? 6 : random.nextInt(256))
            .setLowerAddrHi(random.nextInt(3) == 0 ? 0 : random.nextLong())
            .setLowerAddrLo(random.nextInt(5) == 0 ? 0 : random.nextLong())
            .setUpperAddrHi(random.nextInt(3) == 0 ? 0 : random.nextLong())
            .setUpperAddrLo(random.nextLong())
            .setLowerPort(random.nextInt(65536))
            .setUpperPort(random.nextInt(4) == 0 ? 0 : random.nextInt(65536));
        final int vlans = random.nextInt(4) == 0 ? 1 + random.nextInt(3) : 0;
        for (int i = 0; i < vlans; i++)
        {
            key.addVlanIds(random.nextInt(8) == 0 ? random.nextInt() : random.nextInt(4096));
        }
        if (random.nextInt(4) == 0)
        {
            return SessionMessage.newBuilder().setDelete(SessionDelete.newBuilder().setKey(key)).build();
        }
        final SessionUpdate.Builder update = SessionUpdate.newBuilder().setKey(key)
            .setSessionFlags(random.nextInt(3) == 0 ? 0 : random.nextInt())
            .setIpProtocol(key.getIpProtocol())
            .setApplicationProtocol(random.nextInt(3) == 0 ? 0 : random.nextInt(40))
            .setDirectionValue(random.nextInt(3))
            .setIgnoreDirectionValue(random.nextInt(4))
            .setCreationTimeNs(random.nextInt(10) == 0 ? -random.nextInt(1000) : random.nextLong() >>> 2);
        final int records = random.nextInt(4);
        for (int i = 0; i < records; i++)
        {
            final byte[] data = new byte[random.nextInt(5) == 0 ? 0 : random.nextInt(300)];
            random.nextBytes(data);
            update.addRecords(SessionRecord.newBuilder().setPreprocessorId(random.nextInt(256))
                .setSubcode(random.nextInt(3) == 0 ? 0 : random.nextInt(256)).setData(ByteString.copyFrom(data)));
        }
        return SessionMessage.newBuilder().setUpdate(update).build();
    }
}
