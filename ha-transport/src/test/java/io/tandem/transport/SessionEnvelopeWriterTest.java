package io.tandem.transport;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.tandem.proto.ha.v1.Envelope;
import io.tandem.proto.ha.v1.SessionBatch;
import io.tandem.proto.ha.v1.SessionMessage;
import io.tandem.proto.wire.EnvelopeDecoder;

import static io.tandem.transport.TransportTestSupport.update;
import static org.assertj.core.api.Assertions.assertThat;

class SessionEnvelopeWriterTest
{
    private static final byte[] KEY = "a cluster key of at least 32 bytes, for tests".getBytes(StandardCharsets.UTF_8);

    @Test
    void shouldWriteTheBytesProtobufWritesForTheSameEnvelopeWithAndWithoutAKey()
    {
        for (final byte[] key : new byte[][] {null, KEY})
        {
            for (final int clusterId : new int[] {0, 7, -1})
            {
                final SessionMessage[] messages = {update(1), update(40000), update(65535)};
                final SessionEnvelopeWriter writer = new SessionEnvelopeWriter(clusterId, 3, key, 1408);
                final SessionBatch.Builder batch = SessionBatch.newBuilder();
                for (int i = 0; i < messages.length; i++)
                {
                    final byte[] bytes = messages[i].toByteArray();
                    writer.add(100 + i, new UnsafeBuffer(bytes), 0, bytes.length);
                    batch.addMessages(messages[i]);
                }
                final long epoch = 1_795_000_000_000_000_000L;
                final long timestampNs = clusterId < 0 ? -5 : 1_795_000_000_123_456_789L;
                final int length = writer.seal(epoch, 42, timestampNs);
                final byte[] written = Arrays.copyOfRange(writer.buffer().byteArray(), writer.envelopeOffset(),
                    writer.envelopeOffset() + length);

                final EnvelopeFactory factory = new EnvelopeFactory(clusterId, 3, epoch, key);
                for (int i = 1; i < 42; i++)
                {
                    factory.nextSequence();
                }
                final Envelope expected = factory.sessions(batch.build(), timestampNs);
                assertThat(written).isEqualTo(expected.toByteArray());
                assertThat(writer.size()).isEqualTo(3);
                assertThat(writer.tag(1)).isEqualTo(101);
                assertThat(Arrays.copyOfRange(writer.buffer().byteArray(), writer.messageOffset(2),
                    writer.messageOffset(2) + writer.messageLength(2))).isEqualTo(messages[2].toByteArray());
            }
        }
    }

    @Test
    void shouldAcceptWhatItWritesOverTheReceivedBytesAndRejectAnyChangedByte() throws Exception
    {
        final SessionEnvelopeWriter writer = new SessionEnvelopeWriter(9, 2, KEY, 1408);
        final byte[] message = update(1234).toByteArray();
        writer.add(0, new UnsafeBuffer(message), 0, message.length);
        final int length = writer.seal(77, 1, 1_000);
        final byte[] bytes = Arrays.copyOfRange(writer.buffer().byteArray(), writer.envelopeOffset(),
            writer.envelopeOffset() + length);

        final EnvelopeValidator validator = new EnvelopeValidator(9, KEY);
        assertThat(decoded(bytes).hmacLast()).isTrue();
        assertThat(validator.validate(decoded(bytes)))
            .isEqualTo(EnvelopeValidator.Verdict.ACCEPTED);
        assertThat(validator.validate(Envelope.parseFrom(bytes))).isEqualTo(EnvelopeValidator.Verdict.ACCEPTED);

        final byte[] tampered = bytes.clone();
        tampered[length - SessionEnvelopeWriter.HMAC_FIELD_BYTES - 1] ^= 1;
        assertThat(Envelope.parseFrom(tampered).getSessions().getMessagesCount()).isEqualTo(1);
        assertThat(validator.validate(decoded(tampered)))
            .isEqualTo(EnvelopeValidator.Verdict.BAD_HMAC);
        final byte[] forgedMac = bytes.clone();
        forgedMac[length - 1] ^= 1;
        assertThat(validator.validate(decoded(forgedMac)))
            .isEqualTo(EnvelopeValidator.Verdict.BAD_HMAC);
        assertThat(new EnvelopeValidator(9, "another key of at least 32 bytes, for tests".getBytes(
            StandardCharsets.UTF_8)).validate(decoded(bytes)))
            .isEqualTo(EnvelopeValidator.Verdict.BAD_HMAC);
    }

    private static EnvelopeDecoder decoded(final byte[] bytes)
    {
        return new EnvelopeDecoder().wrap(new UnsafeBuffer(bytes), 0, bytes.length);
    }
}
