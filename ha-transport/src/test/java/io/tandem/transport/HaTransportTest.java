package io.tandem.transport;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.tandem.proto.ha.v1.Control;
import io.tandem.proto.ha.v1.Envelope;
import io.tandem.proto.ha.v1.Hello;
import io.tandem.proto.ha.v1.SessionBatch;

import static io.tandem.transport.TransportTestSupport.ListResyncSource;
import static io.tandem.transport.TransportTestSupport.ManualClock;
import static io.tandem.transport.TransportTestSupport.Received;
import static io.tandem.transport.TransportTestSupport.freeUdpPort;
import static io.tandem.transport.TransportTestSupport.offer;
import static io.tandem.transport.TransportTestSupport.pollUntil;
import static io.tandem.transport.TransportTestSupport.sharedDriver;
import static io.tandem.transport.TransportTestSupport.update;
import static io.tandem.transport.TransportTestSupport.work;
import static org.assertj.core.api.Assertions.assertThat;

@Timeout(value = 180, unit = TimeUnit.SECONDS)
class HaTransportTest
{
    private static final byte[] KEY = "a cluster key of some length".getBytes(StandardCharsets.UTF_8);
    private static final int STREAM_ID = 7001;

    @TempDir
    Path dir;

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void closeAll()
    {
        final List<AutoCloseable> reversed = new ArrayList<>(closeables);
        java.util.Collections.reverse(reversed);
        CloseHelper.closeAll(reversed);
    }

    private <T extends AutoCloseable> T closing(final T closeable)
    {
        closeables.add(closeable);
        return closeable;
    }

    private HaTransport.Context udpNode(final int nodeId, final int localPort, final int... peerPorts)
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

    private HaTransport.Context ipcNode(final MediaDriver driver, final int nodeId)
    {
        return new HaTransport.Context()
            .nodeId(nodeId)
            .clusterKey(KEY)
            .channelMode(ChannelMode.IPC)
            .streamId(STREAM_ID)
            .aeronDirectoryName(driver.aeronDirectoryName());
    }

    @ParameterizedTest
    @EnumSource(value = ThreadingMode.class, names = {"SHARED", "INVOKER"})
    void shouldDeliverEveryMessageOnceAndInOrderInBatchesOverUdpUnicast(final ThreadingMode driverThreading)
    {
        final int portA = freeUdpPort();
        final int portB = freeUdpPort();
        final Received receivedB = new Received();
        final HaTransport a = closing(HaTransport.launch(udpNode(1, portA, portB)
            .driverThreadingMode(driverThreading)));
        final HaTransport b = closing(HaTransport.launch(udpNode(2, portB, portA).sessionMessageHandler(receivedB)
            .driverThreadingMode(driverThreading)));
        pollUntil("both ready", () -> a.isReady() && b.isReady(), a, b);
        assertThat(a.counter(TransportCounter.READY_BY_TIMEOUT)).isZero();

        final int count = 500;
        for (int i = 0; i < count; i++)
        {
            assertThat(offer(a, i, update(i))).isTrue();
        }
        pollUntil("all messages", () -> receivedB.messages.size() >= count, a, b);

        final List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            expected.add(i);
        }
        pollUntil("a heartbeat after the data", () -> b.counter(TransportCounter.ENVELOPES_RECEIVED) >
            a.counter(TransportCounter.BATCHES_SENT) + 2, a, b);
        assertThat(receivedB.portsFrom(1)).isEqualTo(expected);
        assertThat(a.counter(TransportCounter.MESSAGES_SENT)).isEqualTo(count);
        assertThat(a.counter(TransportCounter.BATCHES_SENT)).isGreaterThan(1).isLessThan(count / 10);
        assertThat(b.counter(TransportCounter.MESSAGES_RECEIVED)).isEqualTo(count);
        assertThat(b.counter(TransportCounter.BYTES_RECEIVED)).isPositive();
        assertThat(a.counter(TransportCounter.BYTES_SENT)).isPositive();
        assertThat(b.counter(TransportCounter.GAPS)).isZero();
        assertThat(b.counter(TransportCounter.REPLAYED)).isZero();
        assertThat(b.counter(TransportCounter.AUTH_FAILURES)).isZero();
        assertThat(b.peerState(1)).isEqualTo(PeerState.UP);
        assertThat(b.peerLagNs(1)).isGreaterThanOrEqualTo(0);
        assertThat(b.peerState(3)).isNull();
    }

    @Test
    void shouldDeliverInOrderWithJumboFramesAndBatchBeyondTheDefaultMtu()
    {
        final int portA = freeUdpPort();
        final int portB = freeUdpPort();
        final Received receivedB = new Received();
        final HaTransport a = closing(HaTransport.launch(udpNode(1, portA, portB).mtuBytes(8192)));
        final HaTransport b = closing(HaTransport.launch(udpNode(2, portB, portA).mtuBytes(8192)
            .sessionMessageHandler(receivedB)));
        pollUntil("both ready", () -> a.isReady() && b.isReady(), a, b);

        final int count = 2000;
        long messageBytes = 0;
        for (int i = 0; i < count; i++)
        {
            messageBytes += update(i).getSerializedSize();
            while (!offer(a, i, update(i)))
            {
                TransportTestSupport.work(a);
                TransportTestSupport.work(b);
            }
        }
        pollUntil("all messages", () -> receivedB.messages.size() >= count, a, b);
        // on average an envelope carried more than a default-MTU datagram can
        assertThat(a.counter(TransportCounter.BATCHES_SENT) * 1408).isLessThan(messageBytes);
        final List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            expected.add(i);
        }
        assertThat(receivedB.portsFrom(1)).isEqualTo(expected);
        assertThat(b.counter(TransportCounter.GAPS)).isZero();
        assertThat(b.counter(TransportCounter.AUTH_FAILURES)).isZero();
    }

    @Test
    void shouldDetectAGapAndRepairItWithAResync()
    {
        final MediaDriver driver = closing(sharedDriver(dir));
        final AtomicBoolean armed = new AtomicBoolean();
        final AtomicBoolean dropped = new AtomicBoolean();
        final HaTransport.PublishFilter dropFirstBatchWithPort7 = (envelope) -> !(armed.get() &&
            envelope.hasSessions() && envelope.getSessions().getMessagesList().contains(update(7)) &&
            dropped.compareAndSet(false, true));
        final Received receivedB = new Received();
        final HaTransport a = closing(HaTransport.launch(ipcNode(driver, 1).expectedPeers(1)
            .resyncSource(new ListResyncSource(0, 10)).publishFilter(dropFirstBatchWithPort7)));
        final HaTransport b = closing(HaTransport.launch(ipcNode(driver, 2).expectedPeers(1)
            .sessionMessageHandler(receivedB)));
        pollUntil("both ready", () -> a.isReady() && b.isReady(), a, b);
        final long completedBefore = b.counter(TransportCounter.RESYNCS_COMPLETED);
        receivedB.messages.clear();
        armed.set(true);

        for (int i = 0; i < 10; i++)
        {
            assertThat(offer(a, i, update(i))).isTrue();
            work(a);
        }
        pollUntil("the repair", () -> b.counter(TransportCounter.RESYNCS_COMPLETED) > completedBefore, a, b);

        assertThat(dropped).isTrue();
        assertThat(b.counter(TransportCounter.GAPS)).isEqualTo(1);
        assertThat(b.counter(TransportCounter.MISSING_ENVELOPES)).isEqualTo(1);
        assertThat(receivedB.portsFrom(1)).contains(7);
        assertThat(new HashSet<>(receivedB.portsFrom(1))).hasSize(10);
        assertThat(a.counter(TransportCounter.RESYNCS_SERVED)).isGreaterThanOrEqualTo(2);
        assertThat(b.peerState(1)).isEqualTo(PeerState.UP);
    }

    @Test
    void shouldAskAgainWhenAGapSwallowsTheEndOfAResyncItAwaits()
    {
        final MediaDriver driver = closing(sharedDriver(dir));
        final AtomicBoolean dropped = new AtomicBoolean();
        final HaTransport.PublishFilter dropFirstResyncEnd = (envelope) -> !(envelope.hasControl() &&
            envelope.getControl().hasResyncEnd() && dropped.compareAndSet(false, true));
        final Received receivedB = new Received();
        final HaTransport a = closing(HaTransport.launch(ipcNode(driver, 1).expectedPeers(1)
            .resyncSource(new ListResyncSource(0, 20)).publishFilter(dropFirstResyncEnd)));
        final HaTransport b = closing(HaTransport.launch(ipcNode(driver, 2).expectedPeers(1)
            .resyncTimeoutNs(TimeUnit.MINUTES.toNanos(5)).sessionMessageHandler(receivedB)));
        pollUntil("b ready", b::isReady, a, b);

        assertThat(dropped).isTrue();
        assertThat(b.counter(TransportCounter.READY_BY_TIMEOUT)).isZero();
        assertThat(b.counter(TransportCounter.RESYNCS_COMPLETED)).isEqualTo(1);
        assertThat(b.counter(TransportCounter.GAPS)).isPositive();
        assertThat(a.counter(TransportCounter.RESYNCS_SERVED)).isGreaterThanOrEqualTo(2);
        assertThat(new HashSet<>(receivedB.portsFrom(1))).hasSize(20);
    }

    @Test
    void shouldResyncBothWaysWhenAPeerRestartsWithANewEpoch()
    {
        final int portA = freeUdpPort();
        final int portB = freeUdpPort();
        final ListResyncSource sourceA = new ListResyncSource(100, 50);
        final HaTransport a = closing(HaTransport.launch(udpNode(1, portA, portB).resyncSource(sourceA)));
        final HaTransport b = HaTransport.launch(udpNode(2, portB, portA).epoch(1));
        try
        {
            pollUntil("both ready", () -> a.isReady() && b.isReady(), a, b);
        }
        finally
        {
            b.close();
        }
        final long requestsBefore = a.counter(TransportCounter.RESYNC_REQUESTS_SENT);
        final int servedBefore = sourceA.begun();

        final Received receivedRestarted = new Received();
        final HaTransport restarted = closing(HaTransport.launch(udpNode(2, portB, portA).epoch(2)
            .resyncSource(new ListResyncSource(200, 5)).sessionMessageHandler(receivedRestarted)));
        pollUntil("the restarted node ready", restarted::isReady, a, restarted);
        pollUntil("a resynced from the restarted node",
            () -> a.counter(TransportCounter.RESYNCS_COMPLETED) >= 2, a, restarted);

        assertThat(a.counter(TransportCounter.NEW_EPOCHS)).isEqualTo(1);
        assertThat(a.counter(TransportCounter.RESYNC_REQUESTS_SENT)).isGreaterThan(requestsBefore);
        assertThat(sourceA.begun()).isGreaterThan(servedBefore);
        assertThat(new HashSet<>(receivedRestarted.portsFrom(1))).hasSize(50).contains(100, 149);
        assertThat(restarted.counter(TransportCounter.READY_BY_TIMEOUT)).isZero();
        assertThat(a.peerState(2)).isEqualTo(PeerState.UP);
    }

    @Test
    void shouldDropAndCountForgedUnauthenticatedReplayedAndOtherClusterEnvelopes()
    {
        final MediaDriver driver = closing(sharedDriver(dir));
        final Received received = new Received();
        final HaTransport a = closing(HaTransport.launch(ipcNode(driver, 1).sessionMessageHandler(received)));
        final Aeron rogue = closing(Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName())));
        final ExclusivePublication publication = rogue.addExclusivePublication("aeron:ipc", STREAM_ID);
        pollUntil("the rogue publication connected", publication::isConnected, a);

        final EnvelopeFactory peer = new EnvelopeFactory(0, 9, 5, KEY);
        final Envelope first = peer.sessions(batch(1), 1);
        final Envelope second = peer.sessions(batch(2), 2);
        final List<Envelope> sends = new ArrayList<>();
        sends.add(first);
        sends.add(new EnvelopeFactory(0, 9, 5, null).sessions(batch(90), 1));
        sends.add(new EnvelopeFactory(0, 9, 5, "wrong key".getBytes(StandardCharsets.UTF_8)).sessions(batch(91), 1));
        sends.add(second.toBuilder().setSessions(batch(92)).build());
        sends.add(new EnvelopeFactory(4, 9, 5, KEY).sessions(batch(93), 1));
        sends.add(signed(new EnvelopeFactory(0, 9, 5, null).sessions(batch(94), 1).toBuilder()
            .setProtocolVersion(2).build()));
        sends.add(second);
        sends.add(second);
        sends.add(first);
        sends.add(new EnvelopeFactory(0, 9, 4, KEY).sessions(batch(95), 7));
        sends.add(peer.sessions(batch(3), 3));
        for (final Envelope envelope : sends)
        {
            final byte[] bytes = envelope.toByteArray();
            pollUntil("rogue offer", () -> publication.offer(new UnsafeBuffer(bytes), 0, bytes.length) > 0, a);
        }
        pollUntil("the last valid envelope", () -> received.portsFrom(9).contains(3), a);

        assertThat(received.portsFrom(9)).containsExactly(1, 2, 3);
        assertThat(a.counter(TransportCounter.AUTH_FAILURES)).isEqualTo(3);
        assertThat(a.counter(TransportCounter.OTHER_CLUSTER)).isEqualTo(1);
        assertThat(a.counter(TransportCounter.VERSION_MISMATCHES)).isEqualTo(1);
        assertThat(a.counter(TransportCounter.REPLAYED)).isEqualTo(3);
        assertThat(a.counter(TransportCounter.GAPS)).isZero();
    }

    @Test
    void shouldNeverBlockTheOfferingThreadAndHoldWhatBackPressureKeepsUntilTheSubscriberCatchesUp()
    {
        final MediaDriver driver = closing(sharedDriver(dir));
        final List<Long> returned = new ArrayList<>();
        final HaTransport a = closing(HaTransport.launch(ipcNode(driver, 1).ringBufferCapacityBytes(64 * 1024)
            .sendFailureHandler((tag, buffer, offset, length) -> returned.add(tag))));
        final Aeron stalled = closing(Aeron.connect(new Aeron.Context().aeronDirectoryName(
            driver.aeronDirectoryName())));
        final Subscription notYetPolled = stalled.addSubscription("aeron:ipc", STREAM_ID);
        pollUntil("the stalled subscriber", () -> notYetPolled.imageCount() > 0, a);

        final List<Integer> accepted = new ArrayList<>();
        int refused = 0;
        for (int round = 0; round < 40; round++)
        {
            for (int i = 0; i < 200; i++)
            {
                final int port = accepted.size() + refused;
                if (offer(a, port, update(port)))
                {
                    accepted.add(port);
                }
                else
                {
                    refused++;
                }
            }
            work(a);
        }
        for (int i = 0; i < 100; i++)
        {
            work(a);
        }
        assertThat(refused).isPositive().isEqualTo(a.counter(TransportCounter.RING_FULL));
        assertThat(a.counter(TransportCounter.BACK_PRESSURE_EVENTS)).isPositive();
        assertThat(a.counter(TransportCounter.MESSAGES_SENT)).isLessThan(accepted.size());
        assertThat(a.counter(TransportCounter.MESSAGES_RETURNED)).isZero();
        assertThat(a.counter(TransportCounter.SEND_FAILURES)).isZero();

        final List<Integer> received = new ArrayList<>();
        pollUntil("the subscriber caught up with every accepted message", () ->
        {
            notYetPolled.poll((buffer, offset, length, header) ->
            {
                final byte[] bytes = new byte[length];
                buffer.getBytes(offset, bytes);
                try
                {
                    final Envelope envelope = Envelope.parseFrom(bytes);
                    if (envelope.hasSessions())
                    {
                        envelope.getSessions().getMessagesList()
                            .forEach((message) -> received.add(message.getUpdate().getSessionFlags()));
                    }
                }
                catch (final com.google.protobuf.InvalidProtocolBufferException ex)
                {
                    throw new IllegalStateException(ex);
                }
            }, 64);
            return received.size() >= accepted.size();
        }, a);
        assertThat(received).isEqualTo(accepted);
        assertThat(returned).isEmpty();
        assertThat(a.counter(TransportCounter.MESSAGES_SENT)).isEqualTo(accepted.size());
    }

    @Test
    void shouldReportALateJoinerReadyOnlyAfterEveryPeersResyncEnded()
    {
        final int portA = freeUdpPort();
        final int portB = freeUdpPort();
        final int portC = freeUdpPort();
        final HaTransport a = closing(HaTransport.launch(udpNode(1, portA, portB, portC)
            .resyncSource(new ListResyncSource(1000, 300)).resyncChunkMessages(16)));
        final HaTransport b = closing(HaTransport.launch(udpNode(2, portB, portA, portC)
            .resyncSource(new ListResyncSource(2000, 200)).resyncChunkMessages(16)));
        pollUntil("a and b see each other", () -> a.peerState(2) == PeerState.UP && b.peerState(1) == PeerState.UP,
            a, b);

        final Received receivedC = new Received();
        final HaTransport c = closing(HaTransport.launch(udpNode(3, portC, portA, portB)
            .sessionMessageHandler(receivedC)));
        final int[] receivedWhenReady = {-1};
        pollUntil("c ready", () ->
        {
            if (c.isReady() && receivedWhenReady[0] < 0)
            {
                receivedWhenReady[0] = receivedC.messages.size();
            }
            return receivedWhenReady[0] >= 0;
        }, a, b, c);

        final Set<Integer> fromA = new HashSet<>(receivedC.portsFrom(1));
        final Set<Integer> fromB = new HashSet<>(receivedC.portsFrom(2));
        assertThat(receivedWhenReady[0]).isGreaterThanOrEqualTo(500);
        assertThat(fromA).hasSize(300).contains(1000, 1299);
        assertThat(fromB).hasSize(200).contains(2000, 2199);
        assertThat(c.counter(TransportCounter.RESYNCS_COMPLETED)).isEqualTo(2);
        assertThat(c.counter(TransportCounter.READY_BY_TIMEOUT)).isZero();
        assertThat(c.counter(TransportCounter.RESYNCS_TIMED_OUT)).isZero();
        assertThat(a.counter(TransportCounter.RESYNC_MESSAGES_SENT)).isGreaterThanOrEqualTo(300);
        assertThat(c.counter(TransportCounter.RESYNC_DURATION_NS)).isPositive();
    }

    @Test
    void shouldBecomeReadyByTimeoutAndMarkThePeerDownWhenItNeverAnswers()
    {
        final MediaDriver driver = closing(sharedDriver(dir));
        final ManualClock clock = new ManualClock();
        final HaTransport a = closing(HaTransport.launch(ipcNode(driver, 1).expectedPeers(1).nanoClock(clock)));
        final Aeron silent = closing(Aeron.connect(new Aeron.Context().aeronDirectoryName(
            driver.aeronDirectoryName())));
        final ExclusivePublication publication = silent.addExclusivePublication("aeron:ipc", STREAM_ID);
        pollUntil("the silent peer connected", publication::isConnected, a);
        final byte[] hello = new EnvelopeFactory(0, 9, 5, KEY).control(Control.newBuilder()
            .setHello(Hello.newBuilder().addSupportedVersions(1)).build(), 1).toByteArray();
        pollUntil("hello", () -> publication.offer(new UnsafeBuffer(hello), 0, hello.length) > 0, a);
        pollUntil("the resync request", () -> a.counter(TransportCounter.RESYNC_REQUESTS_SENT) == 1, a);

        work(a);
        assertThat(a.isReady()).isFalse();
        assertThat(a.peerState(9)).isEqualTo(PeerState.RESYNCING);

        clock.advance(a.context().resyncTimeoutNs() + 1);
        work(a);

        assertThat(a.isReady()).isTrue();
        assertThat(a.counter(TransportCounter.READY_BY_TIMEOUT)).isEqualTo(1);
        assertThat(a.counter(TransportCounter.RESYNCS_TIMED_OUT)).isEqualTo(1);
        assertThat(a.counter(TransportCounter.RESYNCS_COMPLETED)).isZero();
        assertThat(a.peerState(9)).isEqualTo(PeerState.DOWN);
        assertThat(a.counter(TransportCounter.PEERS_DOWN)).isEqualTo(1);
    }

    private static SessionBatch batch(final int port)
    {
        return SessionBatch.newBuilder().addMessages(update(port)).build();
    }

    private static Envelope signed(final Envelope envelope)
    {
        return envelope.toBuilder().setHmac(com.google.protobuf.ByteString.copyFrom(
            HaProtocol.hmac(KEY, envelope))).build();
    }
}
