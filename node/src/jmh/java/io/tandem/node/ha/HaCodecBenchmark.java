package io.tandem.node.ha;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.tandem.node.config.TandemConfig;
import io.tandem.node.decode.Packet;
import io.tandem.node.ha.spi.HaRecordRegistry;
import io.tandem.node.synth.FrameBuilder;
import io.tandem.node.worker.Worker;
import io.tandem.node.worker.WorkerContexts;
import io.tandem.proto.ha.v1.Envelope;
import io.tandem.proto.ha.v1.SessionMessage;
import io.tandem.proto.wire.SessionMessageReader;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-update costs of HA replication on each side, for the same traffic as {@code tandem bench --ha}: 10,000
 * established TCP sessions, each update carrying the flow and TCP tracker records (about 200 bytes encoded).
 * <ul>
 *     <li>{@code packet}: a pure ACK through a worker with HA off (the baseline);</li>
 *     <li>{@code packetAndUpdate}: the same with HA on, the manager writing the update at the end of the batch and
 *     its bytes copied out as the side channel's offer to the transport's ring copies them (what the active does
 *     before the transport);</li>
 *     <li>{@code read}: one update read in place ({@code SessionMessageReader}, the standby's decoding);</li>
 *     <li>{@code apply}: the standby's share, {@code HaManager.apply} of an update's bytes for a session it holds in
 *     standby (read, flow lookup, records consumed);</li>
 *     <li>{@code protobufEncode} / {@code protobufDecode}: the same update through protobuf-java's message objects,
 *     the way both sides went before the wire was read and written in place, for comparison.</li>
 * </ul>
 * Run with {@code -prof gc}: B/op is the garbage each update leaves, which sets how often the collector pauses.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = { "-XX:+UseCompactObjectHeaders" })
public class HaCodecBenchmark
{
    private static final int SESSIONS = 10_000;
    private static final int SERVER = 0x0b000001;
    private static final long CLIENT_MAC = 0x0200_0000_0001L;
    private static final long SERVER_MAC = 0x0200_0000_0002L;

    private final FrameBuilder builder = new FrameBuilder();
    private final byte[] encoded = new byte[4096];
    private final UnsafeBuffer encodedBuffer = new UnsafeBuffer(encoded);
    private final SessionMessageReader reader = new SessionMessageReader();
    private Worker plain;
    private Worker active;
    private HaManager standby;
    private UnsafeBuffer[] acks;
    private SessionMessage[] messages;
    private byte[][] bytes;
    private UnsafeBuffer[] buffers;
    private int next;
    private long nowNs = 1_000_000_000L;
    private int encodedLength;

    /**
     * Open the sessions on three workers (HA off, an active, a standby fed with the active's updates), and keep one
     * encoded update per session.
     */
    @Setup
    public void setup()
    {
        final TandemConfig config = TandemConfig.load(null, List.of("ha.enabled=yes", "ha.node-id=1",
            "ha.min-session-lifetime=0", "ha.min-sync-interval=0"));
        plain = worker(config);
        active = worker(config);
        active.enableHa(HaContext.fromConfig(config), new HaRecordRegistry(), new HaMessageSink()
        {
            @Override
            public void onEnvelope(final Envelope envelope)
            {
            }

            @Override
            public void onSessions(final HaMessageBatch batch, final long timeNs, final HaEnvelopes envelopes)
            {
                for (int i = 0; i < batch.size(); i++)
                {
                    encodedLength = batch.length(i);
                    encodedBuffer.putBytes(0, batch.buffer(), batch.offset(i), encodedLength);
                }
            }
        });
        final Worker standbyWorker = worker(config);
        standby = standbyWorker.enableHa(HaContext.fromConfig(config).nodeId(2), new HaRecordRegistry(),
            HaMessageSink.NONE);
        acks = new UnsafeBuffer[SESSIONS];
        messages = new SessionMessage[SESSIONS];
        bytes = new byte[SESSIONS][];
        buffers = new UnsafeBuffer[SESSIONS];
        for (int s = 0; s < SESSIONS; s++)
        {
            handshake(plain, s);
            handshake(active, s);
            acks[s] = ack(s);
            active.onPacket(acks[s], acks[s].capacity(), acks[s].capacity(), nowNs, 1);
            active.endOfBatch();
            bytes[s] = java.util.Arrays.copyOf(encoded, encodedLength);
            buffers[s] = new UnsafeBuffer(bytes[s]);
            messages[s] = parse(bytes[s]);
            standby.apply(buffers[s], 0, bytes[s].length, nowNs);
        }
    }

    private static SessionMessage parse(final byte[] bytes)
    {
        try
        {
            return SessionMessage.parseFrom(bytes);
        }
        catch (final InvalidProtocolBufferException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static Worker worker(final TandemConfig config)
    {
        return new Worker(WorkerContexts.from(config), (flow, reason) ->
        {
        }, (p, event) ->
        {
        });
    }

    private int session()
    {
        final int s = next;
        next = s + 1 == SESSIONS ? 0 : s + 1;
        return s;
    }

    /**
     * A pure ACK of an established session through a worker with HA off.
     *
     * @return packets seen, so the work is not eliminated.
     */
    @Benchmark
    public long packet()
    {
        final int s = session();
        nowNs += 1_000;
        plain.onPacket(acks[s], acks[s].capacity(), acks[s].capacity(), nowNs, 1);
        plain.endOfBatch();
        return plain.packetsSeen();
    }

    /**
     * The same packet with HA on: one update written by the manager and copied out.
     *
     * @return the encoded length.
     */
    @Benchmark
    public int packetAndUpdate()
    {
        final int s = session();
        nowNs += 1_000;
        active.onPacket(acks[s], acks[s].capacity(), acks[s].capacity(), nowNs, 1);
        active.endOfBatch();
        return encodedLength;
    }

    /**
     * One update read in place.
     *
     * @return the number of records, so the work is not eliminated.
     */
    @Benchmark
    public int read()
    {
        final int s = session();
        reader.wrap(buffers[s], 0, bytes[s].length);
        return reader.recordCount();
    }

    /**
     * The standby's share: apply an update's bytes to the session it holds in standby.
     *
     * @return 1 when applied.
     */
    @Benchmark
    public int apply()
    {
        final int s = session();
        nowNs += 1_000;
        return standby.apply(buffers[s], 0, bytes[s].length, nowNs);
    }

    /**
     * One update to its bytes through protobuf-java's objects (the earlier way).
     *
     * @return the length.
     */
    @Benchmark
    public int protobufEncode()
    {
        final SessionMessage message = messages[session()];
        final int length = message.getSerializedSize();
        try
        {
            final CodedOutputStream out = CodedOutputStream.newInstance(encoded, 0, length);
            message.writeTo(out);
            out.checkNoSpaceLeft();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
        return length;
    }

    /**
     * One update from its bytes into protobuf-java's objects (the earlier way).
     *
     * @return the message.
     * @throws InvalidProtocolBufferException never.
     */
    @Benchmark
    public SessionMessage protobufDecode() throws InvalidProtocolBufferException
    {
        return SessionMessage.parseFrom(bytes[session()]);
    }

    private void handshake(final Worker worker, final int s)
    {
        final int client = 0x0a000000 | (s >>> 14);
        final int port = 1024 + (s & 0x3FFF);
        final int isn = s * 7919 + 1;
        int length = builder.ethernet(CLIENT_MAC, SERVER_MAC).ipv4(client, SERVER)
            .tcp(port, 80, isn, 0, Packet.TH_SYN, 65535).mss(1460).windowScale(7).sackPermitted().build();
        worker.onPacket(builder.buffer(), length, length, nowNs, 1);
        length = builder.ethernet(SERVER_MAC, CLIENT_MAC).ipv4(SERVER, client)
            .tcp(80, port, ~isn, isn + 1, Packet.TH_SYN | Packet.TH_ACK, 65535).mss(1460).windowScale(7)
            .sackPermitted().build();
        worker.onPacket(builder.buffer(), length, length, nowNs, 1);
        length = builder.ethernet(CLIENT_MAC, SERVER_MAC).ipv4(client, SERVER)
            .tcp(port, 80, isn + 1, ~isn + 1, Packet.TH_ACK, 512).build();
        worker.onPacket(builder.buffer(), length, length, nowNs, 1);
        worker.endOfBatch();
    }

    private UnsafeBuffer ack(final int s)
    {
        final int isn = s * 7919 + 1;
        final int length = builder.ethernet(CLIENT_MAC, SERVER_MAC).ipv4(0x0a000000 | (s >>> 14), SERVER)
            .tcp(1024 + (s & 0x3FFF), 80, isn + 1, ~isn + 1, Packet.TH_ACK, 512).build();
        final byte[] frame = new byte[length];
        builder.buffer().getBytes(0, frame);
        return new UnsafeBuffer(frame);
    }
}
