package io.tandem.transport;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.aeron.driver.MediaDriver;
import io.tandem.proto.ha.v1.Envelope;
import io.tandem.proto.ha.v1.SessionBatch;
import io.tandem.proto.wire.EnvelopeDecoder;
import io.tandem.proto.wire.Wire;

import static io.tandem.transport.TransportTestSupport.sharedDriver;
import static io.tandem.transport.TransportTestSupport.update;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The transport agent's receive path driven on the test thread: envelopes handed to it as a subscription poll would,
 * without a peer process, so what it allocates and how it authenticates can be checked envelope by envelope.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TransportAgentReceiveTest
{
    private static final byte[] KEY = "a cluster key of some length".getBytes(StandardCharsets.UTF_8);
    private static final int PEER = 9;
    private static final long PEER_EPOCH = 5;
    private static final int MESSAGES_PER_ENVELOPE = 6;

    @TempDir
    Path dir;

    private MediaDriver driver;
    private HaTransport transport;

    @AfterEach
    void close()
    {
        org.agrona.CloseHelper.closeAll(transport, driver);
    }

    private TransportAgent launch(final SessionMessageHandler handler)
    {
        driver = sharedDriver(dir);
        transport = HaTransport.launch(new HaTransport.Context().nodeId(1).clusterKey(KEY)
            .channelMode(ChannelMode.IPC).streamId(7002).aeronDirectoryName(driver.aeronDirectoryName())
            .epochNanoClock(() -> 1_000L).sessionMessageHandler(handler));
        return (TransportAgent)transport.agent();
    }

    @Test
    void shouldAllocateNothingPerAuthenticatedSessionEnvelope()
    {
        final long[] seen = new long[2];
        final TransportAgent agent = launch((sender, buffer, offset, length) ->
        {
            seen[0]++;
            seen[1] += buffer.getByte(offset) + length;
        });
        final int envelopes = 2_000;
        final int warmUp = 200;
        final byte[][] wire = sessionEnvelopes(envelopes);
        final UnsafeBuffer term = new UnsafeBuffer(new byte[64 * 1024]);
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        for (int i = 0; i < warmUp; i++)
        {
            receive(agent, term, wire[i]);
        }

        final long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = warmUp; i < envelopes; i++)
        {
            receive(agent, term, wire[i]);
        }
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(seen[0]).isEqualTo((long)envelopes * MESSAGES_PER_ENVELOPE);
        assertThat(transport.counter(TransportCounter.MESSAGES_RECEIVED)).isEqualTo(seen[0]);
        assertThat(transport.counter(TransportCounter.AUTH_FAILURES)).isZero();
        assertThat(transport.counter(TransportCounter.GAPS)).isZero();
        assertThat(allocated).as("bytes allocated receiving %d envelopes", envelopes - warmUp)
            .isLessThan(envelopes - warmUp);
    }

    @Test
    void shouldAuthenticateAnEnvelopeWhoseHmacIsNotLastAndDropForgedOrMalformedOnes()
    {
        final List<byte[]> received = new ArrayList<>();
        final TransportAgent agent = launch((sender, buffer, offset, length) ->
        {
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            received.add(bytes);
        });
        final UnsafeBuffer term = new UnsafeBuffer(new byte[64 * 1024]);
        final UnknownFieldSet trailer = UnknownFieldSet.newBuilder()
            .addField(40, UnknownFieldSet.Field.newBuilder().addVarint(7).build()).build();
        final EnvelopeFactory factory = new EnvelopeFactory(0, PEER, PEER_EPOCH, null);

        final Envelope first = signed(factory.sessions(batch(1, 2), 1).toBuilder().setUnknownFields(trailer).build());
        final Envelope forged = factory.sessions(batch(90), 2).toBuilder().setUnknownFields(trailer)
            .setHmac(first.getHmac()).build();
        final Envelope second = signed(factory.sessions(batch(3), 3));
        final Envelope tampered = second.toBuilder().setSequence(4).build();
        final byte[] truncated = Arrays.copyOf(signed(factory.sessions(batch(91), 4)).toByteArray(), 30);
        final byte[] brokenMessage = {(byte)Wire.tag(1, Wire.LEN), 5, 1};
        final byte[] badInside = signedBytes(concat(factory.sessions(SessionBatch.getDefaultInstance(), 5)
            .toBuilder().clearSessions().build().toByteArray(),
            new byte[] {(byte)Wire.tag(7, Wire.LEN), (byte)(brokenMessage.length + 2), (byte)Wire.tag(1, Wire.LEN),
                (byte)brokenMessage.length}, brokenMessage));

        receive(agent, term, first.toByteArray());
        receive(agent, term, forged.toByteArray());
        receive(agent, term, second.toByteArray());
        receive(agent, term, tampered.toByteArray());
        receive(agent, term, truncated);
        receive(agent, term, badInside);

        final byte[] firstBytes = first.toByteArray();
        assertThat(new EnvelopeDecoder().wrap(new UnsafeBuffer(firstBytes), 0, firstBytes.length).hmacLast())
            .as("protobuf-java writes the unknown field after the hmac").isFalse();
        assertThat(received).hasSize(4);
        assertThat(TransportTestSupport.message(new UnsafeBuffer(received.get(0)), 0, received.get(0).length))
            .isEqualTo(update(1));
        assertThat(TransportTestSupport.message(new UnsafeBuffer(received.get(1)), 0, received.get(1).length))
            .isEqualTo(update(2));
        assertThat(TransportTestSupport.message(new UnsafeBuffer(received.get(2)), 0, received.get(2).length))
            .isEqualTo(update(3));
        assertThat(received.get(3)).as("an authentic message is handed over; its reader rejects it")
            .isEqualTo(brokenMessage);
        assertThat(transport.counter(TransportCounter.AUTH_FAILURES)).isEqualTo(2);
        assertThat(transport.counter(TransportCounter.MALFORMED)).isEqualTo(1);
        assertThat(transport.counter(TransportCounter.MESSAGES_RECEIVED)).isEqualTo(4);
    }

    @Test
    void shouldComputeTheSameHmacAsTheJdkForKeysOfEveryLength() throws Exception
    {
        final byte[] data = new byte[1000];
        for (int i = 0; i < data.length; i++)
        {
            data[i] = (byte)(i * 31);
        }
        for (final int keyLength : new int[] {1, 20, 32, 63, 64, 65, 200})
        {
            final byte[] key = new byte[keyLength];
            Arrays.fill(key, (byte)keyLength);
            final Mac mac = Mac.getInstance(HaProtocol.HMAC_ALGORITHM);
            mac.init(new SecretKeySpec(key, HaProtocol.HMAC_ALGORITHM));
            mac.update(data, 3, 900);
            final byte[] expected = mac.doFinal();
            final HmacSha256 hmac = new HmacSha256(key);
            final byte[] fromArray = new byte[40];
            hmac.compute(data, 3, 900, fromArray, 8);
            final byte[] fromBuffer = new byte[32];
            final java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(data.length);
            direct.put(data).flip();
            hmac.compute(new UnsafeBuffer(direct), 3, 900, fromBuffer, 0);
            final byte[] fromOffsetArray = new byte[32];
            hmac.compute(new UnsafeBuffer(data, 2, 950), 1, 900, fromOffsetArray, 0);

            assertThat(Arrays.copyOfRange(fromArray, 8, 40)).as("key of %d bytes", keyLength)
                .isEqualTo(expected);
            assertThat(fromBuffer).isEqualTo(expected);
            assertThat(fromOffsetArray).isEqualTo(expected);
        }
    }

    private static void receive(final TransportAgent agent, final UnsafeBuffer term, final byte[] envelope)
    {
        term.putBytes(128, envelope);
        agent.onEnvelope(term, 128, envelope.length, 42);
    }

    private static byte[][] sessionEnvelopes(final int count)
    {
        final SessionEnvelopeWriter writer = new SessionEnvelopeWriter(0, PEER, KEY, 8 * 1024);
        final byte[][] wire = new byte[count][];
        for (int e = 0; e < count; e++)
        {
            writer.clear();
            for (int m = 0; m < MESSAGES_PER_ENVELOPE; m++)
            {
                final byte[] bytes = update(e * MESSAGES_PER_ENVELOPE + m).toByteArray();
                writer.add(0, new UnsafeBuffer(bytes), 0, bytes.length);
            }
            final int length = writer.seal(PEER_EPOCH, e + 1, 1_000L);
            wire[e] = new byte[length];
            writer.buffer().getBytes(writer.envelopeOffset(), wire[e]);
        }
        return wire;
    }

    private static SessionBatch batch(final int... ports)
    {
        final SessionBatch.Builder batch = SessionBatch.newBuilder();
        for (final int port : ports)
        {
            batch.addMessages(update(port));
        }
        return batch.build();
    }

    private static Envelope signed(final Envelope envelope)
    {
        return envelope.toBuilder().setHmac(ByteString.copyFrom(HaProtocol.hmac(KEY, envelope))).build();
    }

    private static byte[] signedBytes(final byte[] unsigned)
    {
        final byte[] signed = Arrays.copyOf(unsigned, unsigned.length + SessionEnvelopeWriter.HMAC_FIELD_BYTES);
        signed[unsigned.length] = (byte)Wire.tag(15, Wire.LEN);
        signed[unsigned.length + 1] = (byte)HaProtocol.HMAC_LENGTH;
        new HmacSha256(KEY).compute(unsigned, 0, unsigned.length, signed, unsigned.length + 2);
        return signed;
    }

    private static byte[] concat(final byte[]... parts)
    {
        final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (final byte[] part : parts)
        {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
