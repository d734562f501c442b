package io.tandem.node.ha;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.tandem.node.applayer.AppProto;
import io.tandem.node.applayer.AppProtoDetector;
import io.tandem.node.applayer.ReassemblyDigest;
import io.tandem.node.decode.Packet;
import io.tandem.node.flow.Flow;
import io.tandem.node.flow.FlowKey;
import io.tandem.node.flow.FlowTable;
import io.tandem.node.ha.spi.HaRecordRegistry;
import io.tandem.node.synth.FrameBuilder;
import io.tandem.node.tcp.TcpEngine;
import io.tandem.node.worker.Worker;

/**
 * A worker with HA on, sending into an in-memory channel (or an Aeron side channel), fed with frames built in the test
 * at times the test gives.
 */
final class HaNode
{
    static final int CLIENT = 0x0a000001;
    static final int SERVER = 0x0a000002;
    static final int CLIENT_PORT = 40000;
    static final int SERVER_PORT = 80;
    static final long T0 = 1_700_000_000_000_000_000L;
    static final long MS = 1_000_000L;

    final InMemoryHaChannel channel = new InMemoryHaChannel();
    final HaRecordRegistry registry = new HaRecordRegistry();
    final List<String> ended = new ArrayList<>();
    final List<AppProto> endedAppProtoToServer = new ArrayList<>();
    final List<String> events = new ArrayList<>();
    final FrameBuilder frames = new FrameBuilder();
    final Worker worker;
    final HaManager manager;
    final AppProtoDetector detector;
    final ReassemblyDigest digest = new ReassemblyDigest();

    HaNode(final int nodeId, final int lifetimeMs, final int intervalMs)
    {
        this(nodeId, lifetimeMs, intervalMs, new FlowTable.Context(), false, null);
    }

    HaNode(final int nodeId, final int lifetimeMs, final int intervalMs, final FlowTable.Context flow)
    {
        this(nodeId, lifetimeMs, intervalMs, flow, false, null);
    }

    HaNode(
        final int nodeId, final int lifetimeMs, final int intervalMs, final FlowTable.Context flow,
        final boolean appLayer)
    {
        this(nodeId, lifetimeMs, intervalMs, flow, appLayer, null);
    }

    HaNode(final int nodeId, final int lifetimeMs, final int intervalMs, final HaSideChannel sideChannel)
    {
        this(nodeId, lifetimeMs, intervalMs, new FlowTable.Context(), false, sideChannel);
    }

    private HaNode(
        final int nodeId, final int lifetimeMs, final int intervalMs, final FlowTable.Context flow,
        final boolean appLayer, final HaSideChannel sideChannel)
    {
        detector = appLayer ? new AppProtoDetector() : null;
        final Worker.Context ctx = new Worker.Context().flow(flow).tcp(new TcpEngine.Context())
            .streamConsumer(digest);
        if (appLayer)
        {
            ctx.streamConsumer(detector);
        }
        worker = new Worker(ctx,
            (f, reason) ->
            {
                ended.add(reason.eveName());
                if (detector != null)
                {
                    endedAppProtoToServer.add(detector.appProto(f, true));
                }
            },
            (p, e) ->
            {
            },
            (p, f, event) -> events.add(event.eventName()));
        manager = worker.enableHa(new HaContext().enabled(true).nodeId(nodeId)
            .minSessionLifetimeMs(lifetimeMs).minSyncIntervalMs(intervalMs), registry,
            sideChannel == null ? channel : HaMessageSink.NONE, sideChannel);
    }

    HaNode tcp(final boolean toServer, final int flags, final int seq, final int ack, final int payload, final long t)
    {
        return tcp(toServer, CLIENT_PORT, flags, seq, ack, payload, t);
    }

    HaNode tcp(
        final boolean toServer, final int clientPort, final int flags, final int seq, final int ack,
        final int payload, final long t)
    {
        header(toServer, clientPort, flags, seq, ack);
        return send(payload > 0 ? new byte[payload] : null, t);
    }

    HaNode tcp(
        final boolean toServer, final int flags, final int seq, final int ack, final String payload, final long t)
    {
        header(toServer, CLIENT_PORT, flags, seq, ack);
        return send(payload.getBytes(StandardCharsets.US_ASCII), t);
    }

    private void header(final boolean toServer, final int clientPort, final int flags, final int seq, final int ack)
    {
        frames.ethernet(0x020000000001L, 0x020000000002L);
        if (toServer)
        {
            frames.ipv4(CLIENT, SERVER).tcp(clientPort, SERVER_PORT, seq, ack, flags, 65535);
        }
        else
        {
            frames.ipv4(SERVER, CLIENT).tcp(SERVER_PORT, clientPort, seq, ack, flags, 65535);
        }
    }

    private HaNode send(final byte[] payload, final long t)
    {
        if (payload != null)
        {
            frames.payload(payload, 0, payload.length);
        }
        final int length = frames.build();
        worker.onPacket(frames.buffer(), length, length, t, 1);
        return this;
    }

    HaNode udp(final int clientPort, final boolean toServer, final long t)
    {
        frames.ethernet(0x020000000001L, 0x020000000002L);
        if (toServer)
        {
            frames.ipv4(CLIENT, SERVER).udp(clientPort, 53);
        }
        else
        {
            frames.ipv4(SERVER, CLIENT).udp(53, clientPort);
        }
        frames.payload(new byte[10], 0, 10);
        final int length = frames.build();
        worker.onPacket(frames.buffer(), length, length, t, 1);
        return this;
    }

    HaNode handshake(final int clientIsn, final int serverIsn, final long t)
    {
        tcp(true, Packet.TH_SYN, clientIsn, 0, 0, t);
        tcp(false, Packet.TH_SYN | Packet.TH_ACK, serverIsn, clientIsn + 1, 0, t + MS);
        tcp(true, Packet.TH_ACK, clientIsn + 1, serverIsn + 1, 0, t + 2 * MS);
        return this;
    }

    static FlowKey tcpKey(final int clientPort)
    {
        return new FlowKey().set(4, 6, 0, CLIENT, clientPort, 0, SERVER, SERVER_PORT);
    }

    static FlowKey udpKey(final int clientPort)
    {
        return new FlowKey().set(4, 17, 0, CLIENT, clientPort, 0, SERVER, 53);
    }

    Flow flow(final FlowKey key)
    {
        return worker.flowTable().lookup(key);
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
