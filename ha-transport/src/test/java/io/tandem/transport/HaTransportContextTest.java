package io.tandem.transport;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.aeron.driver.MediaDriver;

import static io.tandem.transport.TransportTestSupport.Received;
import static io.tandem.transport.TransportTestSupport.pollUntil;
import static io.tandem.transport.TransportTestSupport.sharedDriver;
import static io.tandem.transport.TransportTestSupport.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HaTransportContextTest
{
    @TempDir
    Path dir;

    @Test
    void shouldDeriveChannelsFromTheModeWithTheSmallTermLength()
    {
        final HaTransport.Context unicast = new HaTransport.Context().nodeId(1).channelMode(ChannelMode.UNICAST)
            .localEndpoint("0.0.0.0:7001").peerEndpoints(List.of("peer:7001")).dataDir(dir).conclude();
        assertThat(unicast.publicationChannel()).isEqualTo("aeron:udp?endpoint=peer:7001|term-length=262144");
        assertThat(unicast.subscriptionChannel()).isEqualTo("aeron:udp?endpoint=0.0.0.0:7001");
        assertThat(unicast.expectedPeers()).isEqualTo(1);
        assertThat(unicast.aeronDirectoryName()).isEqualTo(dir.resolve("aeron-node-1").toAbsolutePath().toString());

        final HaTransport.Context mdc = new HaTransport.Context().nodeId(2).channelMode(ChannelMode.MDC)
            .localEndpoint("10.0.0.2:7001").peerEndpoints(List.of("a:7001", "b:7001")).conclude();
        assertThat(mdc.publicationChannel()).isEqualTo("aeron:udp?control-mode=manual|fc=min|term-length=262144");
        assertThat(mdc.expectedPeers()).isEqualTo(2);

        final HaTransport.Context multicast = new HaTransport.Context().nodeId(3).channelMode(ChannelMode.MULTICAST)
            .multicastEndpoint("224.0.1.1:40456").multicastInterface("127.0.0.1").conclude();
        assertThat(multicast.subscriptionChannel()).isEqualTo("aeron:udp?endpoint=224.0.1.1:40456|interface=127.0.0.1");
        assertThat(multicast.publicationChannel()).endsWith("|fc=min|term-length=262144");
        assertThat(multicast.expectedPeers()).isZero();

        final HaTransport.Context ipc = new HaTransport.Context().nodeId(4).channelMode(ChannelMode.IPC)
            .aeronDirectoryName("/dev/shm/elsewhere").conclude();
        assertThat(ipc.publicationChannel()).isEqualTo("aeron:ipc?term-length=262144");
        assertThat(ipc.aeronDirectoryName()).isEqualTo("/dev/shm/elsewhere");
        assertThat(ipc.epoch()).isPositive();

        final HaTransport.Context jumbo = new HaTransport.Context().nodeId(5).channelMode(ChannelMode.UNICAST)
            .localEndpoint("0.0.0.0:7001").peerEndpoints(List.of("peer:7001")).mtuBytes(8192).conclude();
        assertThat(jumbo.publicationChannel())
            .isEqualTo("aeron:udp?endpoint=peer:7001|term-length=262144|mtu=8192");
        for (final int mtu : new int[] {1000, 8200, 65536})
        {
            assertThatThrownBy(() -> new HaTransport.Context().nodeId(6).channelMode(ChannelMode.IPC).mtuBytes(mtu)
                .conclude()).isInstanceOf(IllegalStateException.class).hasMessageContaining("mtuBytes");
        }
        assertThatThrownBy(() -> new HaTransport.Context().nodeId(6).channelMode(ChannelMode.IPC)
            .termLengthBytes(64 * 1024).mtuBytes(16384).conclude()).hasMessageContaining("eighth of the term length");
    }

    @Test
    void shouldRejectInvalidSettings()
    {
        assertThatThrownBy(() -> new HaTransport.Context().channelMode(ChannelMode.IPC).conclude())
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("nodeId");
        assertThatThrownBy(() -> new HaTransport.Context().nodeId(1).localEndpoint("h:1")
            .peerEndpoints(List.of("a:1", "b:1")).conclude())
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("exactly one peer");
        assertThatThrownBy(() -> new HaTransport.Context().nodeId(1).peerEndpoints(List.of("a:1")).conclude())
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("localEndpoint");
        assertThatThrownBy(() -> new HaTransport.Context().nodeId(1).channelMode(ChannelMode.IPC)
            .termLengthBytes(1000).conclude())
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("termLengthBytes");
        assertThatThrownBy(() -> new HaTransport.Context().nodeId(1).channelMode(ChannelMode.IPC)
            .sendAttempts(0).conclude())
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("sendAttempts");
        assertThatThrownBy(() -> new HaTransport.Context().nodeId(1).channelMode(ChannelMode.MULTICAST).conclude())
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("multicastEndpoint");
    }

    @Test
    void shouldWarnAtStartThatHaIsUnauthenticatedWithoutAKey()
    {
        final Logger logger = (Logger)LoggerFactory.getLogger(HaTransport.class);
        final ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        try (MediaDriver driver = sharedDriver(dir);
            HaTransport ignored = HaTransport.launch(new HaTransport.Context().nodeId(1)
                .channelMode(ChannelMode.IPC).aeronDirectoryName(driver.aeronDirectoryName())))
        {
            assertThat(logged.list).anySatisfy((event) ->
                assertThat(event.getFormattedMessage()).contains("HA is unauthenticated"));
        }
        finally
        {
            logger.detachAppender(logged);
        }
    }

    @Test
    void shouldCarryConcurrentOffersFromManyThreadsWithAgentsOnTheirOwnRunners() throws Exception
    {
        final Received received = new Received();
        final List<int[]> synced = java.util.Collections.synchronizedList(new ArrayList<>());
        try (MediaDriver driver = sharedDriver(dir);
            HaTransport a = HaTransport.launch(new HaTransport.Context().nodeId(1).channelMode(ChannelMode.IPC)
                .aeronDirectoryName(driver.aeronDirectoryName()));
            HaTransport b = HaTransport.launch(new HaTransport.Context().nodeId(2).channelMode(ChannelMode.IPC)
                .aeronDirectoryName(driver.aeronDirectoryName())
                .sessionMessageHandler((sender, buffer, offset, length) ->
                {
                    received.onSessionMessage(sender, buffer, offset, length);
                    synced.add(new int[]{sender,
                        TransportTestSupport.message(buffer, offset, length).getUpdate().getKey().getLowerPort()});
                })))
        {
            pollUntil("connected", () -> a.counter(TransportCounter.ENVELOPES_RECEIVED) > 0 &&
                b.counter(TransportCounter.ENVELOPES_RECEIVED) > 0, a, b);
            a.startAgentRunner();
            b.startAgentRunner();
            final int threads = 4;
            final int perThread = 500;
            final Thread[] workers = new Thread[threads];
            for (int t = 0; t < threads; t++)
            {
                final int base = t * 10_000;
                workers[t] = new Thread(() ->
                {
                    for (int i = 0; i < perThread; i++)
                    {
                        final byte[] bytes = update(base + i).toByteArray();
                        while (!a.offer(base + i, new UnsafeBuffer(bytes), 0, bytes.length))
                        {
                            Thread.onSpinWait();
                        }
                    }
                });
                workers[t].start();
            }
            for (final Thread worker : workers)
            {
                worker.join();
            }
            final long deadlineNs = System.nanoTime() + TransportTestSupport.DEADLINE_NS;
            while (synced.size() + a.counter(TransportCounter.MESSAGES_RETURNED) < threads * perThread &&
                System.nanoTime() - deadlineNs < 0)
            {
                Thread.yield();
            }
            assertThat(a.counter(TransportCounter.MESSAGES_RETURNED) + synced.size())
                .isEqualTo(threads * perThread);
            for (int t = 0; t < threads; t++)
            {
                final List<Integer> fromWorker = new ArrayList<>();
                synchronized (synced)
                {
                    for (final int[] m : synced)
                    {
                        if (m[1] / 10_000 == t)
                        {
                            fromWorker.add(m[1]);
                        }
                    }
                }
                assertThat(fromWorker).isSorted();
            }
        }
    }

    @Test
    void shouldReuseTheSequenceNumberOfAnEnvelopeThatWasNotSent()
    {
        final EnvelopeFactory factory = new EnvelopeFactory(0, 1, 1, null);
        factory.control(io.tandem.proto.ha.v1.Control.getDefaultInstance(), 1);
        factory.control(io.tandem.proto.ha.v1.Control.getDefaultInstance(), 2);
        factory.rollback();
        assertThat(factory.control(io.tandem.proto.ha.v1.Control.getDefaultInstance(), 3).getSequence())
            .isEqualTo(2);
    }
}
