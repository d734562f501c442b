package io.tandem.node.tcp.reassembly;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.tandem.node.applayer.AppProtoDetector;
import io.tandem.node.applayer.StreamConsumer;
import io.tandem.node.config.TandemConfig;
import io.tandem.node.decode.Packet;
import io.tandem.node.flow.Flow;
import io.tandem.node.flow.FlowEndReason;
import io.tandem.node.synth.FrameBuilder;
import io.tandem.node.worker.Worker;
import io.tandem.node.worker.WorkerContexts;
import org.agrona.DirectBuffer;

/**
 * Drives a {@link Worker} configured from {@code --set}-style keys (through {@link WorkerContexts}, so the
 * configuration mapping is under test too) with frames built by {@link FrameBuilder}, and records what stream
 * consumers receive: each direction as text with gaps written {@code [N]}, depth as {@code <DEPTH>}, EOF as
 * {@code <EOF>}, and raw chunk lengths.
 */
final class ReassemblyHarness
{
    static final int CLIENT = 0x0a000001;
    static final int SERVER = 0x0a000002;
    static final int C = 1000;
    static final int S = 5000;

    final StringBuilder toServer = new StringBuilder();
    final StringBuilder toClient = new StringBuilder();
    final List<Integer> rawToServer = new ArrayList<>();
    final List<Integer> rawToClient = new ArrayList<>();
    final StringBuilder rawTextToServer = new StringBuilder();
    final List<String> events = new ArrayList<>();
    final List<String> ended = new ArrayList<>();
    final List<String> protos = new ArrayList<>();
    final List<String> protosToServer = new ArrayList<>();
    final List<String> protosToClient = new ArrayList<>();
    final Worker worker;
    final AppProtoDetector detector = new AppProtoDetector();
    final FrameBuilder frames = new FrameBuilder();
    long timeNs = 1_700_000_000_000_000_000L;
    int urgentPointer;
    int clientPort = 40000;

    ReassemblyHarness(final String... sets)
    {
        final List<String> all = new ArrayList<>(List.of("stream.checksum-validation=no",
            "stream.reassembly.randomize-chunk-size=no"));
        all.addAll(List.of(sets));
        final Worker.Context ctx = WorkerContexts.from(TandemConfig.fromYaml("{}", "test", all))
            .loadStreamConsumers(false)
            .streamConsumer(new Recorder())
            .streamConsumer(detector);
        worker = new Worker(ctx, (flow, reason) ->
        {
            ended.add(flow.state().eveName());
            protos.add(detector.appProto(flow).eveName());
            protosToServer.add(detector.appProto(flow, true).eveName());
            protosToClient.add(detector.appProto(flow, false).eveName());
        }, (p, e) ->
        {
        }, (p, flow, event) -> events.add(p.packetNumber + ":" + event.eventName()));
    }

    final class Recorder implements StreamConsumer
    {
        @Override
        public void onData(
            final Flow flow, final boolean dirToServer, final DirectBuffer buffer, final int offset,
            final int length, final int flags)
        {
            final StringBuilder sb = dirToServer ? toServer : toClient;
            if ((flags & FLAG_GAP) != 0)
            {
                sb.append('[').append(length).append(']');
            }
            else if (buffer != null)
            {
                final byte[] b = new byte[length];
                buffer.getBytes(offset, b);
                sb.append(new String(b, StandardCharsets.ISO_8859_1));
            }
            if ((flags & FLAG_DEPTH) != 0)
            {
                sb.append("<DEPTH>");
            }
            if ((flags & FLAG_EOF) != 0)
            {
                sb.append("<EOF>");
            }
        }

        @Override
        public void onDirectionReversed(final Flow flow)
        {
            final String formerToServer = toServer.toString();
            toServer.setLength(0);
            toServer.append(toClient);
            toClient.setLength(0);
            toClient.append(formerToServer);
        }

        @Override
        public boolean wantsRaw()
        {
            return true;
        }

        @Override
        public void onRawChunk(
            final Flow flow, final boolean dirToServer, final DirectBuffer buffer, final int offset,
            final int length, final int flags)
        {
            if (buffer != null)
            {
                (dirToServer ? rawToServer : rawToClient).add(length);
                if (dirToServer)
                {
                    final byte[] b = new byte[length];
                    buffer.getBytes(offset, b);
                    rawTextToServer.append(new String(b, StandardCharsets.ISO_8859_1));
                }
            }
            else if ((flags & FLAG_GAP) != 0 && dirToServer)
            {
                rawTextToServer.append('[').append(length).append(']');
            }
            if ((flags & FLAG_DEPTH) != 0 && dirToServer)
            {
                rawTextToServer.append("<DEPTH>");
            }
            if ((flags & FLAG_EOF) != 0 && dirToServer)
            {
                rawTextToServer.append("<EOF>");
            }
        }
    }

    ReassemblyHarness c(final int flags, final int seq, final int ack, final String data)
    {
        return send(true, flags, seq, ack, data);
    }

    ReassemblyHarness s(final int flags, final int seq, final int ack, final String data)
    {
        return send(false, flags, seq, ack, data);
    }

    ReassemblyHarness send(final boolean dirToServer, final int flags, final int seq, final int ack, final String data)
    {
        frames.ethernet(0x020000000001L, 0x020000000002L);
        if (dirToServer)
        {
            frames.ipv4(CLIENT, SERVER).tcp(clientPort, 80, seq, ack, flags, 65535);
        }
        else
        {
            frames.ipv4(SERVER, CLIENT).tcp(80, clientPort, seq, ack, flags, 65535);
        }
        final byte[] bytes = data.getBytes(StandardCharsets.ISO_8859_1);
        if (bytes.length > 0)
        {
            frames.payload(bytes, 0, bytes.length);
        }
        final int length = frames.build();
        if (urgentPointer > 0)
        {
            frames.buffer().putShort(frames.l4Offset() + 18, (short)urgentPointer, java.nio.ByteOrder.BIG_ENDIAN);
            urgentPointer = 0;
        }
        timeNs += 1_000_000L;
        worker.onPacket(frames.buffer(), length, length, timeNs, 1);
        return this;
    }

    ReassemblyHarness udp(final boolean dirToServer, final int serverPort, final byte[] data)
    {
        frames.ethernet(0x020000000001L, 0x020000000002L);
        if (dirToServer)
        {
            frames.ipv4(CLIENT, SERVER).udp(clientPort, serverPort);
        }
        else
        {
            frames.ipv4(SERVER, CLIENT).udp(serverPort, clientPort);
        }
        frames.payload(data, 0, data.length);
        final int length = frames.build();
        timeNs += 1_000_000L;
        worker.onPacket(frames.buffer(), length, length, timeNs, 1);
        return this;
    }

    io.tandem.node.flow.Flow lastFlow()
    {
        return worker.tcpEngine().currentFlow();
    }

    ReassemblyHarness handshake()
    {
        c(Packet.TH_SYN, C, 0, "");
        s(Packet.TH_SYN | Packet.TH_ACK, S, C + 1, "");
        c(Packet.TH_ACK, C + 1, S + 1, "");
        return this;
    }

    ReassemblyHarness finish()
    {
        worker.finish(FlowEndReason.SHUTDOWN);
        return this;
    }

    Reassembler reassembler()
    {
        return worker.reassembler();
    }

    long counter(final String name)
    {
        final long[] value = { -1 };
        worker.reportStats((n, v) ->
        {
            if (n.equals(name))
            {
                value[0] = v;
            }
        });
        return value[0];
    }

    static String repeat(final char c, final int n)
    {
        return String.valueOf(c).repeat(n);
    }
}
