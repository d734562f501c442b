package io.tandem.node.cli;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import com.google.protobuf.ByteString;
import io.tandem.node.config.TandemConfig;
import io.tandem.node.decode.Packet;
import io.tandem.node.ha.FlowRecordProvider;
import io.tandem.node.ha.HaContext;
import io.tandem.node.ha.HaEnvelopes;
import io.tandem.node.ha.HaMessageBatch;
import io.tandem.node.ha.HaMessageSink;
import io.tandem.node.ha.spi.HaRecordRegistry;
import io.tandem.node.synth.FrameBuilder;
import io.tandem.node.worker.Worker;
import io.tandem.node.worker.WorkerContexts;
import io.tandem.proto.ha.v1.Envelope;
import io.tandem.proto.ha.v1.SessionMessage;
import io.tandem.proto.ha.v1.SessionRecord;
import io.tandem.proto.ha.v1.SessionUpdate;
import io.tandem.proto.wire.SessionMessageReader;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The traffic of {@code tandem bench --ha}: N established IPv4 TCP sessions (client 10.x.y.z to server 11.0.0.1:80),
 * and for each one a pure ACK from its client, so that every such packet processed by a worker with HA on (no
 * throttle) changes the session's counters and yields one update carrying Tandem's flow and TCP tracker records.
 * <p>
 * The replication latency rides in the update itself: the flow record holds the time of the session's last packet,
 * which the bench sets to {@link System#nanoTime()} (CLOCK_MONOTONIC, shared by every process on a Linux machine), so
 * the standby measures from the packet to the update applied with its own clock ({@link #stampOf(SessionMessage)}).
 */
final class HaBenchTraffic
{
    /** Offset of the last-packet time in the flow record (see {@link FlowRecordProvider}). */
    static final int FLOW_RECORD_LAST_NS_OFFSET = 12;

    private static final int SERVER = 0x0b000001;
    private static final int SERVER_PORT = 80;
    private static final long CLIENT_MAC = 0x0200_0000_0001L;
    private static final long SERVER_MAC = 0x0200_0000_0002L;

    private final int sessions;
    private final FrameBuilder builder = new FrameBuilder();

    HaBenchTraffic(final int sessions)
    {
        this.sessions = sessions;
    }

    int sessions()
    {
        return sessions;
    }

    /**
     * The HA settings of both nodes: HA on, no throttle (every change of a session is replicated at the end of its
     * batch), this node's id.
     *
     * @param nodeId the node.
     * @return the configuration.
     */
    static TandemConfig config(final int nodeId)
    {
        return TandemConfig.load(null, List.of("ha.enabled=yes", "ha.node-id=" + nodeId,
            "ha.min-session-lifetime=0", "ha.min-sync-interval=0"));
    }

    /**
     * A worker as {@code tandem run} builds it from {@link #config(int)}.
     *
     * @param nodeId the node.
     * @return the worker, HA not yet enabled.
     */
    static Worker worker(final int nodeId)
    {
        return new Worker(WorkerContexts.from(config(nodeId)), (flow, reason) ->
        {
        }, (p, event) ->
        {
        });
    }

    /**
     * Open session {@code s} on a worker: SYN, SYN/ACK, ACK at the given time.
     *
     * @param worker the worker.
     * @param s      the session, 0..sessions-1.
     * @param timeNs packet time.
     */
    void handshake(final Worker worker, final int s, final long timeNs)
    {
        final int client = client(s);
        final int port = port(s);
        final int isn = isn(s);
        int length = builder.ethernet(CLIENT_MAC, SERVER_MAC).ipv4(client, SERVER)
            .tcp(port, SERVER_PORT, isn, 0, Packet.TH_SYN, 65535).mss(1460).windowScale(7).sackPermitted().build();
        worker.onPacket(builder.buffer(), length, length, timeNs, 1);
        length = builder.ethernet(SERVER_MAC, CLIENT_MAC).ipv4(SERVER, client)
            .tcp(SERVER_PORT, port, ~isn, isn + 1, Packet.TH_SYN | Packet.TH_ACK, 65535).mss(1460).windowScale(7)
            .sackPermitted().build();
        worker.onPacket(builder.buffer(), length, length, timeNs, 1);
        length = builder.ethernet(CLIENT_MAC, SERVER_MAC).ipv4(client, SERVER)
            .tcp(port, SERVER_PORT, isn + 1, ~isn + 1, Packet.TH_ACK, 512).build();
        worker.onPacket(builder.buffer(), length, length, timeNs, 1);
    }

    /**
     * One pure ACK frame per session, each in its own buffer starting at index 0 as a packet source hands frames.
     *
     * @return the frames, indexed by session.
     */
    UnsafeBuffer[] ackFrames()
    {
        final UnsafeBuffer[] frames = new UnsafeBuffer[sessions];
        for (int s = 0; s < sessions; s++)
        {
            final int isn = isn(s);
            final int length = builder.ethernet(CLIENT_MAC, SERVER_MAC).ipv4(client(s), SERVER)
                .tcp(port(s), SERVER_PORT, isn + 1, ~isn + 1, Packet.TH_ACK, 512).build();
            final byte[] bytes = new byte[length];
            builder.buffer().getBytes(0, bytes);
            frames[s] = new UnsafeBuffer(bytes);
        }
        return frames;
    }

    /**
     * Real encoded updates, one per session, for the transport-only path: each session is opened and ACKed once on
     * a worker with HA on, and its last update is kept. They are laid out one after another in one buffer.
     *
     * @return the encoded updates, with where each one's last-packet time lies.
     */
    Templates templates()
    {
        final List<SessionMessage> captured = new ArrayList<>();
        final Worker worker = worker(1);
        worker.enableHa(HaContext.fromConfig(config(1)), new HaRecordRegistry(), new HaMessageSink()
        {
            @Override
            public void onEnvelope(final Envelope envelope)
            {
            }

            @Override
            public void onSessions(final HaMessageBatch batch, final long timeNs, final HaEnvelopes envelopes)
            {
                captured.addAll(batch.toSessionBatch().getMessagesList());
            }
        });
        final UnsafeBuffer[] acks = ackFrames();
        final byte[][] encoded = new byte[sessions][];
        int total = 0;
        for (int s = 0; s < sessions; s++)
        {
            final long timeNs = System.nanoTime();
            handshake(worker, s, timeNs);
            worker.onPacket(acks[s], acks[s].capacity(), acks[s].capacity(), timeNs, 1);
            captured.clear();
            worker.endOfBatch();
            encoded[s] = captured.get(captured.size() - 1).toByteArray();
            total += encoded[s].length;
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[total]);
        final int[] offsets = new int[sessions];
        final int[] lengths = new int[sessions];
        final int[] stampOffsets = new int[sessions];
        int offset = 0;
        for (int s = 0; s < sessions; s++)
        {
            final SessionMessage message = parse(encoded[s]);
            final byte[] record = flowRecord(message.getUpdate()).getData().toByteArray();
            final int at = indexOf(encoded[s], record);
            if (at < 0)
            {
                throw new IllegalStateException("the flow record is not found in an encoded update");
            }
            buffer.putBytes(offset, encoded[s]);
            offsets[s] = offset;
            lengths[s] = encoded[s].length;
            stampOffsets[s] = offset + at + FLOW_RECORD_LAST_NS_OFFSET;
            offset += encoded[s].length;
        }
        return new Templates(buffer, offsets, lengths, stampOffsets);
    }

    /**
     * The encoded updates of {@link #templates()}.
     *
     * @param buffer       every update, one after another.
     * @param offsets      where each session's update starts.
     * @param lengths      its length.
     * @param stampOffsets where its last-packet time (8 bytes, big-endian) lies.
     */
    record Templates(UnsafeBuffer buffer, int[] offsets, int[] lengths, int[] stampOffsets)
    {
        /**
         * Set the last-packet time of a session's update.
         *
         * @param s      the session.
         * @param timeNs the time.
         */
        void stamp(final int s, final long timeNs)
        {
            buffer.putLong(stampOffsets[s], timeNs, ByteOrder.BIG_ENDIAN);
        }

        /**
         * The longest update.
         *
         * @return bytes.
         */
        int maxLength()
        {
            int max = 0;
            for (final int length : lengths)
            {
                max = Math.max(max, length);
            }
            return max;
        }
    }

    /**
     * The time of the last packet an update covers, from its flow record.
     *
     * @param message a session message.
     * @return the time (the sender's {@link System#nanoTime()} in the bench), or 0 when it carries none.
     */
    static long stampOf(final SessionMessage message)
    {
        if (!message.hasUpdate())
        {
            return 0;
        }
        final SessionRecord record = flowRecord(message.getUpdate());
        if (record == null)
        {
            return 0;
        }
        final ByteString data = record.getData();
        if (data.size() < FLOW_RECORD_LAST_NS_OFFSET + Long.BYTES)
        {
            return 0;
        }
        long value = 0;
        for (int i = FLOW_RECORD_LAST_NS_OFFSET; i < FLOW_RECORD_LAST_NS_OFFSET + Long.BYTES; i++)
        {
            value = (value << 8) | (data.byteAt(i) & 0xFF);
        }
        return value;
    }

    /**
     * The same, for a message read in place (the whole path's standby, after the manager applied it).
     *
     * @param message the message as read.
     * @return the time, or 0 when it carries none.
     */
    static long stampOf(final SessionMessageReader message)
    {
        if (message.kind() != SessionMessageReader.UPDATE)
        {
            return 0;
        }
        for (int i = 0; i < message.recordCount(); i++)
        {
            if (message.recordPreprocessorId(i) == FlowRecordProvider.PREPROCESSOR_ID &&
                message.recordSubcode(i) == FlowRecordProvider.SUBCODE)
            {
                return message.recordLength(i) < FLOW_RECORD_LAST_NS_OFFSET + Long.BYTES ? 0 :
                    message.buffer().getLong(message.recordOffset(i) + FLOW_RECORD_LAST_NS_OFFSET,
                    java.nio.ByteOrder.BIG_ENDIAN);
            }
        }
        return 0;
    }

    private static SessionRecord flowRecord(final SessionUpdate update)
    {
        for (int i = 0; i < update.getRecordsCount(); i++)
        {
            final SessionRecord record = update.getRecords(i);
            if (record.getPreprocessorId() == FlowRecordProvider.PREPROCESSOR_ID &&
                record.getSubcode() == FlowRecordProvider.SUBCODE)
            {
                return record;
            }
        }
        return null;
    }

    private static SessionMessage parse(final byte[] bytes)
    {
        try
        {
            return SessionMessage.parseFrom(bytes);
        }
        catch (final com.google.protobuf.InvalidProtocolBufferException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static int indexOf(final byte[] haystack, final byte[] needle)
    {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++)
        {
            for (int j = 0; j < needle.length; j++)
            {
                if (haystack[i + j] != needle[j])
                {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static int client(final int s)
    {
        return 0x0a000000 | (s >>> 14);
    }

    private static int port(final int s)
    {
        return 1024 + (s & 0x3FFF);
    }

    private static int isn(final int s)
    {
        return s * 7919 + 1;
    }
}
