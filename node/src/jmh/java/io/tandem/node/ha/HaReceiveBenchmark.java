package io.tandem.node.ha;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import io.tandem.proto.ha.v1.Envelope;
import io.tandem.proto.ha.v1.SessionBatch;
import io.tandem.proto.ha.v1.SessionKey;
import io.tandem.proto.ha.v1.SessionMessage;
import io.tandem.proto.ha.v1.SessionRecord;
import io.tandem.proto.ha.v1.SessionUpdate;
import io.tandem.proto.wire.EnvelopeDecoder;
import io.tandem.transport.EnvelopeValidator;
import io.tandem.transport.HaProtocol;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The standby transport's share of one received envelope of {@value #MESSAGES} session updates (about 200 bytes each,
 * as in {@code tandem bench --ha}), HMAC-SHA256 authenticated, per update:
 * <ul>
 *     <li>{@code protobuf}: what the receive path did before: {@code Envelope.parseFrom}, the HMAC over the received
 *     bytes with the JDK's {@code Mac}, and each {@code SessionMessage} object handed over;</li>
 *     <li>{@code flyweight}: what it does now: {@link EnvelopeDecoder} over the bytes, {@link EnvelopeValidator}
 *     from the decoder, and each message handed over as (offset, length).</li>
 * </ul>
 * Run with {@code -prof gc}: B/op is the garbage each update leaves on the receiving side.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = { "-XX:+UseCompactObjectHeaders" })
public class HaReceiveBenchmark
{
    private static final int MESSAGES = 6;
    private static final byte[] KEY = "a cluster key for the receive benchmark".getBytes(StandardCharsets.UTF_8);

    private final EnvelopeDecoder decoder = new EnvelopeDecoder();
    private final EnvelopeValidator validator = new EnvelopeValidator(0, KEY);
    private final byte[] computed = new byte[HaProtocol.HMAC_LENGTH];
    private byte[] bytes;
    private UnsafeBuffer buffer;
    private Mac mac;

    /**
     * One signed envelope as the transport writes it.
     *
     * @throws Exception never.
     */
    @Setup
    public void setup() throws Exception
    {
        final SessionBatch.Builder batch = SessionBatch.newBuilder();
        for (int i = 0; i < MESSAGES; i++)
        {
            batch.addMessages(SessionMessage.newBuilder().setUpdate(SessionUpdate.newBuilder()
                .setKey(SessionKey.newBuilder().setIpVersion(4).setIpProtocol(6).setLowerAddrLo(0x0A000001L + i)
                    .setUpperAddrLo(0x0B000001L).setLowerPort(40000 + i).setUpperPort(80))
                .setSessionFlags(0x1234).setIpProtocol(6).setDirection(io.tandem.proto.ha.v1.Direction
                    .DIRECTION_CLIENT_IS_LOWER).setCreationTimeNs(1_795_000_000_000_000_000L + i)
                .addRecords(SessionRecord.newBuilder().setPreprocessorId(1).setSubcode(1)
                    .setData(ByteString.copyFrom(new byte[40])))
                .addRecords(SessionRecord.newBuilder().setPreprocessorId(2).setSubcode(1)
                    .setData(ByteString.copyFrom(new byte[100])))));
        }
        final Envelope unsigned = Envelope.newBuilder().setProtocolVersion(HaProtocol.VERSION).setSenderNodeId(1)
            .setSenderEpoch(1_795_000_000_000_000_000L).setSequence(12345).setTimestampNs(1_795_000_000_123_456_789L)
            .setSessions(batch).build();
        bytes = unsigned.toBuilder().setHmac(ByteString.copyFrom(HaProtocol.hmac(KEY, unsigned))).build()
            .toByteArray();
        buffer = new UnsafeBuffer(bytes);
        mac = Mac.getInstance(HaProtocol.HMAC_ALGORITHM);
        mac.init(new SecretKeySpec(KEY, HaProtocol.HMAC_ALGORITHM));
    }

    /**
     * The receive path before: parse into objects, HMAC with the JDK's Mac over the received bytes.
     *
     * @param blackhole takes each message.
     * @throws Exception never.
     */
    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public void protobuf(final Blackhole blackhole) throws Exception
    {
        final Envelope envelope = Envelope.parseFrom(CodedInputStream.newInstance(bytes, 0, bytes.length));
        final int hmacField = bytes.length - 2 - HaProtocol.HMAC_LENGTH;
        mac.update(bytes, 0, hmacField);
        try
        {
            mac.doFinal(computed, 0);
        }
        catch (final ShortBufferException ex)
        {
            throw new IllegalStateException(ex);
        }
        if (!MessageDigest.isEqual(computed, envelope.getHmac().toByteArray()))
        {
            throw new IllegalStateException("bad hmac");
        }
        final List<SessionMessage> messages = envelope.getSessions().getMessagesList();
        for (int i = 0; i < messages.size(); i++)
        {
            blackhole.consume(messages.get(i));
        }
    }

    /**
     * The receive path now: the flyweight, the HMAC in place, messages as byte ranges.
     *
     * @param blackhole takes each message's range.
     */
    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public void flyweight(final Blackhole blackhole)
    {
        decoder.wrap(buffer, 0, bytes.length);
        if (decoder.malformed() || validator.validate(decoder) != EnvelopeValidator.Verdict.ACCEPTED)
        {
            throw new IllegalStateException("rejected");
        }
        while (decoder.nextMessage())
        {
            blackhole.consume(decoder.messageOffset());
            blackhole.consume(decoder.messageLength());
        }
    }
}
