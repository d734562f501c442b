package io.tandem.node.tcp;

import java.util.ArrayList;
import java.util.List;

import io.tandem.node.config.TandemConfig;
import io.tandem.node.decode.Packet;
import io.tandem.node.flow.Flow;
import io.tandem.node.flow.FlowTable;
import io.tandem.node.synth.FrameBuilder;
import io.tandem.node.worker.Worker;
import io.tandem.node.worker.WorkerContexts;

/**
 * Drives a {@link Worker} (decode, flow table, TCP engine) with frames built by {@link FrameBuilder} for one
 * client/server pair, and records stream events, verdicts and ended flows.
 */
final class TcpHarness
{
    static final int CLIENT = 0x0a000001;
    static final int SERVER = 0x0a000002;
    static final int CLIENT_PORT = 40000;
    static final int SERVER_PORT = 80;
    static final long T0 = 1_700_000_000_000_000_000L;

    final List<String> events = new ArrayList<>();
    final List<String> ended = new ArrayList<>();
    final Worker worker;
    final FrameBuilder frames = new FrameBuilder();
    long timeNs = T0;
    int lastVerdict;
    long lastDrops;
    boolean corruptChecksum;
    boolean tfo;
    int clientPort = CLIENT_PORT;

    TcpHarness(final TcpEngine.Context tcp)
    {
        this(tcp, new FlowTable.Context());
    }

    TcpHarness(final TcpEngine.Context tcp, final FlowTable.Context flowCtx)
    {
        this(new Worker.Context().tcp(tcp).flow(flowCtx));
    }

    /**
     * A worker configured from {@code --set}-style keys through {@link WorkerContexts}, as every command builds its
     * workers, so a test of an option also fails when the option's key is not carried to the engine.
     */
    TcpHarness(final String... sets)
    {
        this(WorkerContexts.from(TandemConfig.fromYaml("{}", "test", List.of(sets))).loadStreamConsumers(false));
    }

    private TcpHarness(final Worker.Context ctx)
    {
        worker = new Worker(ctx,
            (flow, reason) -> ended.add(describe(flow) + " reason=" + reason.eveName()),
            (p, e) ->
            {
            },
            (p, flow, event) -> events.add(p.packetNumber + ":" + event.eventName()));
    }

    static String describe(final Flow flow)
    {
        final TcpSession ssn = TcpEngine.session(flow);
        return "flow=" + flow.state().eveName() + " tcp=" + (ssn == null ? "none" : ssn.state.eveName());
    }

    /** Packet from client to server. */
    TcpHarness c(final int flags, final int seq, final int ack, final int payloadLength)
    {
        return send(true, flags, seq, ack, payloadLength, 65535, null);
    }

    /** Packet from server to client. */
    TcpHarness s(final int flags, final int seq, final int ack, final int payloadLength)
    {
        return send(false, flags, seq, ack, payloadLength, 65535, null);
    }

    interface Options
    {
        void apply(FrameBuilder b);
    }

    TcpHarness send(
        final boolean toServer,
        final int flags,
        final int seq,
        final int ack,
        final int payloadLength,
        final int window,
        final Options options)
    {
        frames.ethernet(0x020000000001L, 0x020000000002L);
        if (toServer)
        {
            frames.ipv4(CLIENT, SERVER).tcp(clientPort, SERVER_PORT, seq, ack, flags, window);
        }
        else
        {
            frames.ipv4(SERVER, CLIENT).tcp(SERVER_PORT, clientPort, seq, ack, flags, window);
        }
        if (options != null)
        {
            options.apply(frames);
        }
        if (tfo)
        {
            frames.timestamps(0, 0);
        }
        if (payloadLength > 0)
        {
            final byte[] data = new byte[payloadLength];
            java.util.Arrays.fill(data, (byte)'x');
            frames.payload(data, 0, payloadLength);
        }
        final int length = frames.build();
        if (tfo)
        {
            final int at = frames.l4Offset() + 20;
            frames.buffer().putByte(at, (byte)34);
            frames.buffer().putByte(at + 1, (byte)10);
            frames.buffer().putLong(at + 2, 0x0102030405060708L);
            frames.buffer().putByte(at + 10, (byte)1);
            frames.buffer().putByte(at + 11, (byte)1);
        }
        if (corruptChecksum)
        {
            final int at = frames.l4Offset() + 16;
            frames.buffer().putByte(at, (byte)(frames.buffer().getByte(at) ^ 0x5a));
        }
        timeNs += 1_000_000L;
        final long before = worker.tcpVerdictDrops();
        worker.onPacket(frames.buffer(), length, length, timeNs, 1);
        lastVerdict = worker.tcpVerdictDrops() > before ? TcpEngine.VERDICT_DROP : TcpEngine.VERDICT_PASS;
        return this;
    }

    /** Client SYN, server SYN/ACK, client ACK with the given ISNs. */
    TcpHarness handshake(final int clientIsn, final int serverIsn)
    {
        c(Packet.TH_SYN, clientIsn, 0, 0);
        s(Packet.TH_SYN | Packet.TH_ACK, serverIsn, clientIsn + 1, 0);
        c(Packet.TH_ACK, clientIsn + 1, serverIsn + 1, 0);
        return this;
    }

    TcpEngine engine()
    {
        return worker.tcpEngine();
    }

    /** Flow state and session state of the flows when all are flushed now. */
    List<String> finish()
    {
        worker.finish(io.tandem.node.flow.FlowEndReason.SHUTDOWN);
        return ended;
    }

    long count(final TcpStreamEvent event)
    {
        return engine().eventCount(event);
    }

    long counter(final String name)
    {
        final long[] value = {-1};
        worker.reportStats((n, v) ->
        {
            if (n.equals(name))
            {
                value[0] = v;
            }
        });
        return value[0];
    }
}
