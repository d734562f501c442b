package io.tandem.node.ha;

import static io.tandem.node.ha.HaNode.MS;
import static io.tandem.node.ha.HaNode.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import io.tandem.node.config.ConfigException;
import io.tandem.node.config.TandemConfig;
import io.tandem.node.decode.Packet;
import io.tandem.node.flow.Flow;
import io.tandem.node.tcp.TcpEngine;
import io.tandem.node.tcp.TcpState;
import io.tandem.transport.ChannelMode;
import io.tandem.transport.HaTransport;
import io.tandem.transport.TransportCounter;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nodes in one process, each a worker with its own embedded Aeron media driver (under the test's directory), talking
 * over UDP on 127.0.0.1; every agent is driven on the test thread, and the workers' time moves a millisecond per
 * round of duty cycles.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HaSideChannelTest
{
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(30);
    private static final long HOUR = 3_600_000L * MS;
    private static final byte[] KEY = "a cluster key of at least 32 bytes, for tests".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void closeAll()
    {
        Collections.reverse(closeables);
        CloseHelper.closeAll(closeables);
    }

    private static int freeUdpPort()
    {
        try (DatagramSocket socket = new DatagramSocket(0))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private HaTransport.Context context(final int nodeId, final int localPort, final int... peerPorts)
    {
        final List<String> peers = new ArrayList<>();
        for (final int port : peerPorts)
        {
            peers.add("127.0.0.1:" + port);
        }
        return new HaTransport.Context()
            .nodeId(nodeId)
            .clusterKey(KEY)
            .channelMode(peers.size() == 1 ? ChannelMode.UNICAST : ChannelMode.MDC)
            .localEndpoint("127.0.0.1:" + localPort)
            .peerEndpoints(peers)
            .dataDir(dir.resolve("node-" + nodeId));
    }

    private HaNode node(final int nodeId, final HaTransport.Context ctx)
    {
        final HaSideChannel channel = HaSideChannel.launch(ctx);
        closeables.add(channel);
        return new HaNode(nodeId, 0, 0, channel);
    }

    private static HaSideChannel channel(final HaNode node)
    {
        return node.worker.sideChannel();
    }

    private static long loopNs;

    private static void pollUntil(final String what, final BooleanSupplier condition, final HaNode... nodes)
    {
        pollWithTransportUntil(what, condition, null, nodes);
    }

    private static void pollWithTransportUntil(
        final String what, final BooleanSupplier condition, final HaNode transportOnly, final HaNode... nodes)
    {
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        final IdleStrategy idle = new BackoffIdleStrategy(10, 10, 1_000, 1_000_000);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                final StringBuilder counters = new StringBuilder();
                for (final HaNode node : nodes)
                {
                    counters.append("\n").append(node.manager == null ? "" : "node:");
                    node.worker.reportStats((name, value) ->
                    {
                        if (name.startsWith("ha.") && value != 0)
                        {
                            counters.append(' ').append(name).append('=').append(value);
                        }
                    });
                }
                fail("timed out waiting for " + what + counters);
            }
            int work = 0;
            loopNs += MS;
            for (final HaNode node : nodes)
            {
                work += work(node);
            }
            if (transportOnly != null)
            {
                work += transportWork(transportOnly);
            }
            idle.idle(work);
        }
    }

    private static int transportWork(final HaNode node)
    {
        try
        {
            return channel(node).transport().agent().doWork();
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static int work(final HaNode node)
    {
        try
        {
            int work = channel(node).transport().agent().doWork();
            node.worker.endOfBatch();
            work += node.worker.haWork(node.worker.lastTimestampNs() + loopNs);
            return work;
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    @Test
    void shouldMakeUpdatesStandbyOnThePeerPromoteThemOnItsFirstPacketAndPropagateDeletes()
    {
        final int portA = freeUdpPort();
        final int portB = freeUdpPort();
        final HaNode a = node(1, context(1, portA, portB));
        final HaNode b = node(2, context(2, portB, portA));
        pollUntil("both ready", () -> channel(a).isReady() && channel(b).isReady(), a, b);

        for (int i = 0; i < 3; i++)
        {
            final int port = HaNode.CLIENT_PORT + i;
            final long t = T0 + i * 10 * MS;
            a.tcp(true, port, Packet.TH_SYN, 1000, 0, 0, t);
            a.tcp(false, port, Packet.TH_SYN | Packet.TH_ACK, 5000, 1001, 0, t + MS);
            a.tcp(true, port, Packet.TH_ACK, 1001, 5001, 0, t + 2 * MS);
        }
        a.udp(2001, true, T0 + 40 * MS).udp(2002, true, T0 + 41 * MS);
        a.worker.endOfBatch();
        pollUntil("five standby sessions on b", () -> b.worker.flowTable().standbyFlows() == 5, a, b);

        final Flow standby = b.flow(HaNode.tcpKey(HaNode.CLIENT_PORT));
        assertThat(standby.standby()).isTrue();
        assertThat(TcpEngine.session(standby).state).isEqualTo(TcpState.ESTABLISHED);
        assertThat(standby.pktsToServer()).isEqualTo(2);
        assertThat(b.flow(HaNode.udpKey(2001)).standby()).isTrue();
        assertThat(channel(a).transport().counter(TransportCounter.MESSAGES_SENT)).isGreaterThanOrEqualTo(5);
        assertThat(b.counter("ha.side_channel.applied")).isGreaterThanOrEqualTo(5);

        b.tcp(true, Packet.TH_ACK | Packet.TH_PSH, 1001, 5001, 100, T0 + 50 * MS);
        b.worker.endOfBatch();
        assertThat(standby.standby()).isFalse();
        assertThat(b.counter("ha.sessions.promoted")).isEqualTo(1);
        assertThat(TcpEngine.session(standby).client.nextSeq).isEqualTo(1101);
        pollUntil("a holds the promoted session in standby",
            () -> a.flow(HaNode.tcpKey(HaNode.CLIENT_PORT)).standby(), a, b);

        a.worker.flowTable().expire(T0 + HOUR);
        a.worker.endOfBatch();
        assertThat(a.manager.deletesSent()).isEqualTo(4);
        pollUntil("the four deletes applied on b", () -> b.counter("flow.end.ha_delete") == 4, a, b);
        assertThat(b.worker.flowTable().standbyFlows()).isZero();
        assertThat(b.flow(HaNode.tcpKey(HaNode.CLIENT_PORT))).isSameAs(standby);
        assertThat(b.flow(HaNode.udpKey(2001))).isNull();
        assertThat(b.counter("ha.transport.auth_failures")).isZero();
    }

    @Test
    void shouldResyncALateJoinerWithEverySessionItsPeersOwnThroughTheirWorkers()
    {
        final int portA = freeUdpPort();
        final int portB = freeUdpPort();
        final int portC = freeUdpPort();
        final HaNode a = node(1, context(1, portA, portB, portC).resyncChunkMessages(32));
        final HaNode b = node(2, context(2, portB, portA, portC));
        pollUntil("a and b see each other",
            () -> channel(a).transport().peerNodeIds().length == 1 && channel(b).transport().peerNodeIds().length == 1,
            a, b);

        final int sessions = 600;
        for (int i = 0; i < sessions; i++)
        {
            a.udp(10_000 + i, true, T0 + i * MS);
        }
        a.worker.endOfBatch();
        pollUntil("b holds a's sessions", () -> b.worker.flowTable().standbyFlows() == sessions, a, b);
        final long resyncMessagesBefore = a.counter("ha.side_channel.resync_messages");

        final HaNode c = node(3, context(3, portC, portA, portB));
        assertThat(channel(c).isReady()).isFalse();
        pollWithTransportUntil("c's transport resynced", () -> channel(c).transport().isReady(), c, a, b);
        assertThat(channel(c).isReady()).as("received but not yet applied by the worker").isFalse();
        assertThat(c.worker.flowTable().standbyFlows()).isZero();
        pollUntil("c ready", () -> channel(c).isReady(), a, b, c);

        assertThat(c.worker.flowTable().standbyFlows()).isEqualTo(sessions);
        assertThat(c.flow(HaNode.udpKey(10_000)).standby()).isTrue();
        assertThat(c.flow(HaNode.udpKey(10_000 + sessions - 1)).standby()).isTrue();
        assertThat(c.counter("ha.transport.resyncs_completed")).isEqualTo(2);
        assertThat(c.counter("ha.transport.ready_by_timeout")).isZero();
        assertThat(a.counter("ha.side_channel.resync_messages") - resyncMessagesBefore).isEqualTo(sessions);
        assertThat(a.counter("ha.resync.sessions")).isGreaterThanOrEqualTo(sessions);
        assertThat(b.counter("ha.side_channel.resyncs_served")).isPositive();
        assertThat(b.counter("ha.resync.sessions")).as("b owns none of its standby sessions").isZero();
    }

    @Test
    void shouldKeepSessionsTheRingRefusedPendingAndSendThemLater()
    {
        final int portA = freeUdpPort();
        final int portB = freeUdpPort();
        final HaNode a = node(1, context(1, portA, portB).ringBufferCapacityBytes(4096));
        final HaNode b = node(2, context(2, portB, portA));
        pollUntil("both ready", () -> channel(a).isReady() && channel(b).isReady(), a, b);
        final long resyncsServed = a.counter("ha.side_channel.resyncs_served");

        final int sessions = 200;
        for (int i = 0; i < sessions; i++)
        {
            a.udp(20_000 + i, true, T0 + i * MS);
        }
        a.worker.endOfBatch();
        assertThat(a.counter("ha.side_channel.ring_full")).isPositive();
        assertThat(a.counter("ha.side_channel.offered")).isLessThan(sessions);

        pollUntil("b holds every session", () -> b.worker.flowTable().standbyFlows() == sessions, a, b);
        assertThat(a.counter("ha.requeued.updates")).isPositive();
        assertThat(a.counter("ha.side_channel.resyncs_served")).isEqualTo(resyncsServed);
        assertThat(a.counter("ha.side_channel.offered")).isGreaterThanOrEqualTo(sessions);
    }

    @Test
    void shouldOfferAndRequeueNothingWithoutAPeerAndResyncEveryOwnedSessionToAPeerJoiningLater()
    {
        final int portA = freeUdpPort();
        final int portB = freeUdpPort();
        final HaNode a = node(1, context(1, portA, portB));
        final int sessions = 50;
        final int rounds = 20;
        for (int round = 0; round < rounds; round++)
        {
            for (int i = 0; i < sessions; i++)
            {
                a.udp(30_000 + i, true, T0 + round * 200 * MS + i * MS);
            }
            a.worker.endOfBatch();
            for (int cycle = 0; cycle < 10; cycle++)
            {
                transportWork(a);
                a.worker.haWork(a.worker.lastTimestampNs() + cycle * 50 * MS);
            }
        }

        assertThat(channel(a).transport().isConnected()).isFalse();
        assertThat(a.counter("ha.updates.left_to_resync")).as("every due change, no update built")
            .isEqualTo(sessions * rounds);
        assertThat(a.counter("ha.updates.sent")).isZero();
        assertThat(a.counter("ha.side_channel.offered")).isZero();
        assertThat(a.counter("ha.side_channel.ring_full")).isZero();
        assertThat(a.counter("ha.side_channel.requeued")).isZero();
        assertThat(a.counter("ha.side_channel.unsent_no_peer")).isZero();
        assertThat(a.counter("ha.requeued.updates")).isZero();
        assertThat(a.counter("ha.transport.messages_returned")).isZero();
        assertThat(a.counter("ha.transport.send_failures")).isZero();
        assertThat(a.manager.dirtySessions()).isZero();

        final HaNode b = node(2, context(2, portB, portA));
        pollUntil("b holds every session a owns", () -> b.worker.flowTable().standbyFlows() == sessions, a, b);
        for (int i = 0; i < sessions; i++)
        {
            final Flow standby = b.flow(HaNode.udpKey(30_000 + i));
            assertThat(standby.standby()).isTrue();
            assertThat(standby.pktsToServer()).as("the state after the last change").isEqualTo(rounds);
        }
        assertThat(a.counter("ha.side_channel.resync_messages")).isGreaterThanOrEqualTo(sessions);
        assertThat(a.counter("ha.side_channel.requeued")).isZero();
        assertThat(a.counter("ha.requeued.updates")).isZero();
    }

    @Test
    void shouldBuildTheTransportContextFromConfigurationAndNameTheKeyOfEveryProblem() throws IOException
    {
        final Path key = dir.resolve("cluster.key");
        Files.write(key, (new String(KEY, StandardCharsets.UTF_8) + "\n").getBytes(StandardCharsets.UTF_8));
        final HaTransport.Context ctx = HaSideChannel.transportContext(TandemConfig.load(null, List.of(
            "ha.enabled=yes", "ha.node-id=4", "ha.cluster-id=9", "ha.use-side-channel=yes", "ha.channel=mdc",
            "ha.local-endpoint=127.0.0.1:7101", "ha.peers=[127.0.0.1:7102, '[::1]:7103']", "ha.stream-id=77",
            "ha.auth-key-file=" + key, "ha.heartbeat-interval=50", "ha.resync-timeout=3000",
            "ha.aeron.data-dir=" + dir.resolve("aeron"))));
        ctx.conclude();
        assertThat(ctx.nodeId()).isEqualTo(4);
        assertThat(ctx.clusterId()).isEqualTo(9);
        assertThat(ctx.channelMode()).isEqualTo(ChannelMode.MDC);
        assertThat(ctx.peerEndpoints()).containsExactly("127.0.0.1:7102", "[::1]:7103");
        assertThat(ctx.streamId()).isEqualTo(77);
        assertThat(ctx.clusterKey()).isEqualTo(KEY);
        assertThat(ctx.heartbeatIntervalNs()).isEqualTo(50 * MS);
        assertThat(ctx.resyncTimeoutNs()).isEqualTo(3000 * MS);
        assertThat(ctx.subscriptionChannel()).isEqualTo("aeron:udp?endpoint=127.0.0.1:7101");
        assertThat(ctx.aeronDirectoryName()).isEqualTo(dir.resolve("aeron").resolve("aeron-node-4").toString());

        assertProblem("ha.use-side-channel: needs ha.enabled: yes", "ha.use-side-channel=yes");
        assertProblem("ha.peers: ha.channel unicast sends to exactly one peer, got 2 (use mdc for more)",
            "ha.enabled=yes", "ha.peers=[a:1, b:2]");
        assertProblem("ha.peers: ha.channel mdc needs at least one peer", "ha.enabled=yes", "ha.channel=mdc");
        assertProblem("ha.multicast-endpoint: ha.channel multicast needs it (host:port)",
            "ha.enabled=yes", "ha.channel=multicast");
        assertProblem("ha.aeron.term-length: 100000 bytes is not a power of two",
            "ha.enabled=yes", "ha.channel=ipc", "ha.aeron.term-length=100000");
        assertProblem("ha.aeron.mtu: 8200 bytes; allowed: 0 (Aeron's 1408) or a multiple of 32 from 1408 to 65504",
            "ha.enabled=yes", "ha.channel=ipc", "ha.aeron.mtu=8200");
        assertThat(HaSideChannel.transportContext(TandemConfig.load(null, List.of("ha.enabled=yes",
            "ha.channel=ipc", "ha.aeron.mtu=8kb"))).mtuBytes()).isEqualTo(8192);
        assertProblem("ha.auth-key-file: cannot read " + dir.resolve("missing"),
            "ha.enabled=yes", "ha.channel=ipc", "ha.auth-key-file=" + dir.resolve("missing"));
        final Path shortKey = dir.resolve("short.key");
        Files.writeString(shortKey, "too short\n");
        assertProblem("ha.auth-key-file: " + shortKey + " holds 9 bytes; an HMAC-SHA256 cluster key needs at least 32",
            "ha.enabled=yes", "ha.channel=ipc", "ha.auth-key-file=" + shortKey);
        assertThatThrownBy(() -> TandemConfig.load(null, List.of("ha.peers=[nohost]")))
            .isInstanceOf(ConfigException.class).hasMessageContaining("ha.peers: 'nohost' is not host:port");
        assertThatThrownBy(() -> TandemConfig.load(null, List.of("ha.local-endpoint=fe80::1:7001")))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("ha.local-endpoint: 'fe80::1:7001' is not host:port");
        assertThatThrownBy(() -> TandemConfig.load(null, List.of("ha.channel=broadcast")))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("ha.channel: 'broadcast' is not one of unicast, multicast, mdc, ipc");
    }

    private static void assertProblem(final String message, final String... sets)
    {
        assertThatThrownBy(() -> HaSideChannel.transportContext(TandemConfig.load(null, List.of(sets))))
            .isInstanceOf(ConfigException.class).hasMessageStartingWith(message);
    }
}
