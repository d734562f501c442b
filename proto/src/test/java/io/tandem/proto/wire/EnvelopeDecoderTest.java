package io.tandem.proto.wire;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import io.tandem.proto.ha.v1.Control;
import io.tandem.proto.ha.v1.Envelope;
import io.tandem.proto.ha.v1.Heartbeat;
import io.tandem.proto.ha.v1.SessionBatch;
import io.tandem.proto.ha.v1.SessionDelete;
import io.tandem.proto.ha.v1.SessionKey;
import io.tandem.proto.ha.v1.SessionMessage;
import io.tandem.proto.ha.v1.SessionRecord;
import io.tandem.proto.ha.v1.SessionUpdate;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class EnvelopeDecoderTest
{
    private final EnvelopeDecoder decoder = new EnvelopeDecoder();

    @Test
    void shouldReadSessionEnvelopeAsProtobufDoes()
    {
        final Envelope envelope = header().setSessions(batch(5)).setHmac(ByteString.copyFrom(new byte[32])).build();
        final byte[] bytes = envelope.toByteArray();

        decode(bytes, 0);

        assertSame(envelope);
        assertThat(decoder.body()).isEqualTo(EnvelopeDecoder.BODY_SESSIONS);
        assertThat(decoder.messageCount()).isEqualTo(5);
        assertThat(decoder.hmacLast()).isTrue();
        assertThat(decoder.hmacFieldOffset()).isEqualTo(bytes.length - 34);
        assertThat(decoder.hmacLength()).isEqualTo(32);
    }

    @Test
    void shouldReadEnvelopeAtAnOffsetWithinALargerBuffer()
    {
        final Envelope envelope = header().setSessions(batch(3)).build();
        final byte[] bytes = envelope.toByteArray();
        final byte[] padded = new byte[bytes.length + 20];
        Arrays.fill(padded, (byte)0xFF);
        System.arraycopy(bytes, 0, padded, 7, bytes.length);

        decoder.wrap(new UnsafeBuffer(padded), 7, bytes.length);

        assertSame(envelope);
        assertThat(decoder.hasHmacField()).isFalse();
        assertThat(decoder.hmacLast()).isFalse();
    }

    @Test
    void shouldReadControlAndEmptyEnvelopes() throws InvalidProtocolBufferException
    {
        final Envelope control = header().setControl(Control.newBuilder()
            .setHeartbeat(Heartbeat.newBuilder().setLastSequence(77))).build();
        decode(control.toByteArray(), 0);
        assertSame(control);
        assertThat(decoder.body()).isEqualTo(EnvelopeDecoder.BODY_CONTROL);
        assertThat(Control.parseFrom(bytesOf(decoder.bodyOffset(), decoder.bodyLength())))
            .isEqualTo(control.getControl());

        final Envelope none = header().build();
        decode(none.toByteArray(), 0);
        assertSame(none);
        assertThat(decoder.body()).isEqualTo(EnvelopeDecoder.BODY_NONE);
        assertThat(decoder.nextMessage()).isFalse();

        decode(new byte[0], 0);
        assertThat(decoder.malformed()).isFalse();
        assertThat(decoder.body()).isEqualTo(EnvelopeDecoder.BODY_NONE);
    }

    @Test
    void shouldSkipUnknownFieldsInEnvelopeAndBatch()
    {
        final UnknownFieldSet unknown = UnknownFieldSet.newBuilder()
            .addField(20, UnknownFieldSet.Field.newBuilder().addVarint(-1L).build())
            .addField(21, UnknownFieldSet.Field.newBuilder().addLengthDelimited(ByteString.copyFromUtf8("x")).build())
            .addField(22, UnknownFieldSet.Field.newBuilder().addFixed32(7).build())
            .addField(23, UnknownFieldSet.Field.newBuilder().addFixed64(9L).build())
            .addField(24, UnknownFieldSet.Field.newBuilder().addGroup(UnknownFieldSet.newBuilder()
                .addField(1, UnknownFieldSet.Field.newBuilder().addVarint(3).build()).build()).build())
            .build();
        final Envelope envelope = header()
            .setSessions(batch(4).toBuilder().setUnknownFields(unknown))
            .setHmac(ByteString.copyFrom(new byte[32]))
            .setUnknownFields(unknown)
            .build();

        decode(envelope.toByteArray(), 0);

        assertSame(envelope);
        assertThat(decoder.messageCount()).isEqualTo(4);
        assertThat(decoder.hasHmacField()).isTrue();
        assertThat(decoder.hmacLast()).as("protobuf-java writes unknown fields after the hmac").isFalse();
    }

    @Test
    void shouldTreatKnownFieldOfAnotherWireTypeAsUnknown()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header().build().toByteArray());
        out.write(Wire.tag(3, Wire.FIXED64));
        out.writeBytes(new byte[8]);
        out.write(Wire.tag(5, Wire.LEN));
        out.write(1);
        out.write(42);

        decode(out.toByteArray(), 0);

        assertThat(decoder.malformed()).isFalse();
        assertThat(decoder.senderNodeId()).isEqualTo(3);
        assertThat(decoder.sequence()).isEqualTo(12L);
        assertSameAsProtobuf(out.toByteArray());
    }

    @Test
    void shouldMergeRepeatedSessionsAndTakeTheLastBodyKindAsProtobufJavaDoes()
    {
        final byte[] first = header().setSessions(batch(2)).build().toByteArray();
        final byte[] second = Envelope.newBuilder().setSessions(batch(3)).build().toByteArray();
        final byte[] control = Envelope.newBuilder().setControl(Control.newBuilder()
            .setHeartbeat(Heartbeat.newBuilder().setLastSequence(1))).build().toByteArray();

        final byte[] merged = concat(first, second);
        decode(merged, 0);
        assertThat(decoder.messageCount()).isEqualTo(5);
        assertSameAsProtobuf(merged);

        final byte[] replaced = concat(first, control, second);
        decode(replaced, 0);
        assertThat(decoder.messageCount()).as("protobuf-java keeps merging the batch it began").isEqualTo(5);
        assertSameAsProtobuf(replaced);

        final byte[] many = concat(first, second, first, second, first, second);
        decode(many, 0);
        assertThat(decoder.messageCount()).isEqualTo(15);
        assertSameAsProtobuf(many);

        final byte[] toControl = concat(first, control);
        decode(toControl, 0);
        assertThat(decoder.body()).isEqualTo(EnvelopeDecoder.BODY_CONTROL);
        assertThat(decoder.messageCount()).isZero();
        assertSameAsProtobuf(toControl);
    }

    @Test
    void shouldSayMalformedForBrokenFraming()
    {
        final byte[] bytes = header().setSessions(batch(3)).setHmac(ByteString.copyFrom(new byte[32])).build()
            .toByteArray();
        for (int length = 1; length < bytes.length; length++)
        {
            final byte[] truncated = Arrays.copyOf(bytes, length);
            decode(truncated, 0);
            assertSameAsProtobuf(truncated);
        }
        assertMalformed(new byte[] {0});
        assertMalformed(new byte[] {(byte)(Wire.tag(0, Wire.VARINT) | 1), 1});
        assertMalformed(new byte[] {(byte)Wire.tag(9, 3), 1, 2});
        assertMalformed(new byte[] {(byte)Wire.tag(9, 6), 1});
        assertMalformed(new byte[] {(byte)Wire.tag(7, Wire.LEN), 5, 1, 2});
        assertMalformed(new byte[] {(byte)Wire.tag(7, Wire.LEN), 2, (byte)Wire.tag(1, Wire.LEN), 5});
        assertMalformed(new byte[] {(byte)Wire.tag(1, Wire.VARINT), -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 1});
        decoder.wrap(new UnsafeBuffer(bytes), 4, bytes.length);
        assertThat(decoder.malformed()).isTrue();
        assertThat(decoder.nextMessage()).isFalse();
    }

    @Test
    void shouldNeverThrowAndAgreeWithProtobufOnMutatedEnvelopes()
    {
        final Random random = new Random(20261124L);
        final List<byte[]> bases = List.of(
            header().setSessions(batch(6)).setHmac(ByteString.copyFrom(new byte[32])).build().toByteArray(),
            header().setSessions(batch(1)).build().toByteArray(),
            header().setControl(Control.newBuilder().setHeartbeat(Heartbeat.newBuilder().setLastSequence(9)))
                .setHmac(ByteString.copyFrom(new byte[32])).build().toByteArray(),
            header().build().toByteArray());
        int accepted = 0;
        int malformed = 0;
        for (int i = 0; i < 5000; i++)
        {
            final byte[] mutated = mutate(bases.get(random.nextInt(bases.size())), random);
            decode(mutated, random.nextInt(4));
            if (assertSameAsProtobuf(mutated))
            {
                accepted++;
            }
            else if (decoder.malformed())
            {
                malformed++;
            }
        }
        assertThat(accepted).as("mutations protobuf accepts").isGreaterThan(500);
        assertThat(malformed).as("mutations the decoder rejects").isGreaterThan(500);
    }

    private static byte[] mutate(final byte[] base, final Random random)
    {
        byte[] bytes = base.clone();
        final int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits && bytes.length > 0; e++)
        {
            final int at = random.nextInt(bytes.length);
            switch (random.nextInt(6))
            {
                case 0 -> bytes[at] = (byte)random.nextInt(256);
                case 1 -> bytes[at] ^= (byte)(1 << random.nextInt(8));
                case 2 -> bytes = Arrays.copyOf(bytes, at);
                case 3 ->
                {
                    final byte[] longer = new byte[bytes.length + 1];
                    System.arraycopy(bytes, 0, longer, 0, at);
                    longer[at] = (byte)random.nextInt(256);
                    System.arraycopy(bytes, at, longer, at + 1, bytes.length - at);
                    bytes = longer;
                }
                case 4 ->
                {
                    final byte[] shorter = new byte[bytes.length - 1];
                    System.arraycopy(bytes, 0, shorter, 0, at);
                    System.arraycopy(bytes, at + 1, shorter, at, bytes.length - at - 1);
                    bytes = shorter;
                }
                default -> bytes[at] = (byte)0xFF;
            }
        }
        return bytes;
    }

    private void decode(final byte[] bytes, final int padding)
    {
        final byte[] padded = new byte[bytes.length + 2 * padding];
        System.arraycopy(bytes, 0, padded, padding, bytes.length);
        decoder.wrap(new UnsafeBuffer(padded), padding, bytes.length);
    }

    private void assertMalformed(final byte[] bytes)
    {
        decode(bytes, 0);
        assertThat(decoder.malformed()).as(Arrays.toString(bytes)).isTrue();
        assertSameAsProtobuf(bytes);
    }

    /**
     * The rule of {@link EnvelopeDecoder}: what protobuf-java accepts decodes to the same; what it rejects is either
     * malformed or faulty only inside bytes the decoder hands over unread (a message, a control body, or a body a
     * later one replaced).
     *
     * @return whether protobuf-java accepted the bytes.
     */
    private boolean assertSameAsProtobuf(final byte[] bytes)
    {
        final Envelope envelope;
        try
        {
            envelope = Envelope.parseFrom(bytes);
        }
        catch (final InvalidProtocolBufferException ex)
        {
            if (!decoder.malformed())
            {
                assertThat(decoder.body() == EnvelopeDecoder.BODY_CONTROL || !allMessagesParse() ||
                    bodyFields(bytes) > 1)
                    .as("protobuf rejects %s (%s) for a reason the decoder should see", Arrays.toString(bytes),
                        ex.getMessage())
                    .isTrue();
            }
            return false;
        }
        if (decoder.malformed() && hasOverlongVarint(bytes))
        {
            return false;
        }
        assertThat(decoder.malformed()).as("protobuf accepts %s", Arrays.toString(bytes)).isFalse();
        assertSame(envelope);
        return true;
    }

    private void assertSame(final Envelope envelope)
    {
        assertThat(decoder.malformed()).isFalse();
        assertThat(decoder.protocolVersion()).isEqualTo(envelope.getProtocolVersion());
        assertThat(decoder.clusterId()).isEqualTo(envelope.getClusterId());
        assertThat(decoder.senderNodeId()).isEqualTo(envelope.getSenderNodeId());
        assertThat(decoder.senderEpoch()).isEqualTo(envelope.getSenderEpoch());
        assertThat(decoder.sequence()).isEqualTo(envelope.getSequence());
        assertThat(decoder.timestampNs()).isEqualTo(envelope.getTimestampNs());
        assertThat(decoder.body()).isEqualTo(switch (envelope.getBodyCase())
        {
            case SESSIONS -> EnvelopeDecoder.BODY_SESSIONS;
            case CONTROL -> EnvelopeDecoder.BODY_CONTROL;
            case BODY_NOT_SET -> EnvelopeDecoder.BODY_NONE;
        });
        assertThat(ByteString.copyFrom(bytesOf(decoder.hmacOffset(), decoder.hmacLength())))
            .isEqualTo(envelope.getHmac());
        final List<SessionMessage> messages = new ArrayList<>();
        decoder.rewindMessages();
        while (decoder.nextMessage())
        {
            try
            {
                messages.add(SessionMessage.parseFrom(bytesOf(decoder.messageOffset(), decoder.messageLength())));
            }
            catch (final InvalidProtocolBufferException ex)
            {
                throw new AssertionError("a message range protobuf accepted as part of the envelope", ex);
            }
        }
        assertThat(messages).isEqualTo(envelope.getSessions().getMessagesList());
        assertThat(decoder.messageCount()).isEqualTo(messages.size());
        if (envelope.hasControl())
        {
            try
            {
                assertThat(Control.parseFrom(bytesOf(decoder.bodyOffset(), decoder.bodyLength())).getKindCase())
                    .isEqualTo(envelope.getControl().getKindCase());
            }
            catch (final InvalidProtocolBufferException ex)
            {
                throw new AssertionError(ex);
            }
        }
    }

    private boolean allMessagesParse()
    {
        decoder.rewindMessages();
        int count = 0;
        while (decoder.nextMessage())
        {
            count++;
            try
            {
                SessionMessage.parseFrom(bytesOf(decoder.messageOffset(), decoder.messageLength()));
            }
            catch (final InvalidProtocolBufferException ex)
            {
                return false;
            }
        }
        assertThat(count).isEqualTo(decoder.messageCount());
        return true;
    }

    /**
     * Whether ten bytes in a row have their continuation bit set: a varint protobuf-java's fast path cuts at ten bytes.
     */
    private static boolean hasOverlongVarint(final byte[] bytes)
    {
        int run = 0;
        for (final byte b : bytes)
        {
            run = b < 0 ? run + 1 : 0;
            if (run >= Wire.MAX_VARINT_BYTES)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Body fields (7 or 8, length-delimited) at the envelope's top level, walked with protobuf-java's own reader.
     */
    private static int bodyFields(final byte[] bytes)
    {
        final CodedInputStream in = CodedInputStream.newInstance(bytes);
        int count = 0;
        try
        {
            int tag;
            while ((tag = in.readTag()) != 0)
            {
                if (tag == Wire.tag(7, Wire.LEN) || tag == Wire.tag(8, Wire.LEN))
                {
                    count++;
                }
                if (!in.skipField(tag))
                {
                    break;
                }
            }
        }
        catch (final java.io.IOException ex)
        {
            return count;
        }
        return count;
    }

    private byte[] bytesOf(final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        decoder.buffer().getBytes(offset, bytes);
        return bytes;
    }

    private static byte[] concat(final byte[]... parts)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] part : parts)
        {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static Envelope.Builder header()
    {
        return Envelope.newBuilder().setProtocolVersion(1).setClusterId(0xFFFF_FFF0).setSenderNodeId(3)
            .setSenderEpoch(-5L).setSequence(12L).setTimestampNs(1_700_000_000_123_456_789L);
    }

    private static SessionBatch batch(final int count)
    {
        final SessionBatch.Builder batch = SessionBatch.newBuilder();
        for (int i = 0; i < count; i++)
        {
            final SessionKey key = SessionKey.newBuilder().setIpVersion(4).setIpProtocol(6).setLowerAddrLo(0x0A000001L)
                .setUpperAddrLo(0x0A000002L + i).setLowerPort(1024 + i).setUpperPort(80).addVlanIds(i).build();
            if (i % 3 == 2)
            {
                batch.addMessages(SessionMessage.newBuilder().setDelete(SessionDelete.newBuilder().setKey(key)));
            }
            else
            {
                batch.addMessages(SessionMessage.newBuilder().setUpdate(SessionUpdate.newBuilder().setKey(key)
                    .setSessionFlags(i).setIpProtocol(6).setCreationTimeNs(i * 1000L)
                    .addRecords(SessionRecord.newBuilder().setPreprocessorId(1).setSubcode(i)
                        .setData(ByteString.copyFrom(new byte[] {1, 2, (byte)i})))));
            }
        }
        return batch.build();
    }
}
