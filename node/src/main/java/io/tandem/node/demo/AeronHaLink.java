package io.tandem.node.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.tandem.node.ha.HaContext;
import io.tandem.node.ha.HaManager;
import io.tandem.node.ha.HaMessageSink;
import io.tandem.node.ha.HaSideChannel;
import io.tandem.node.ha.spi.HaRecordRegistry;
import io.tandem.node.worker.Worker;
import io.tandem.transport.ChannelMode;
import io.tandem.transport.HaTransport;
import io.tandem.transport.TransportCounter;
import org.agrona.CloseHelper;

/**
 * An {@link HaLink} over the HA side channel: each node has its own {@link HaSideChannel}, with its own embedded Aeron
 * media driver (the transport's defaults: run inside the transport agent, 256 KB terms; its directory under the demo's
 * directory) and a UDP unicast channel on 127.0.0.1; the two share a random cluster key, so every envelope is
 * authenticated. Each node's transport agent, and with it the node's whole Aeron stack, is composed into that node's
 * thread (the active runs it after each batch, the standby between polls), as Aeron's shared threading mode composes
 * its agents: two threads in all, which a small machine can afford.
 */
public final class AeronHaLink implements HaLink
{
    private static final long CONNECT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final int KEY_BYTES = 32;

    private final HaSideChannel activeChannel;
    private final HaSideChannel standbyChannel;
    private final String description;
    private Worker activeWorker;
    private Worker standbyWorker;
    private boolean crashed;
    private long[] activeCountersAtCrash;

    /**
     * Launch both nodes' side channels.
     *
     * @param work directory under which each node's Aeron directory goes.
     */
    public AeronHaLink(final Path work)
    {
        final byte[] key = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(key);
        final int activePort = freeUdpPort();
        final int standbyPort = freeUdpPort();
        final Path aeron = work.resolve("aeron");
        activeChannel = HaSideChannel.launch(context(FailoverDemo.ACTIVE_NODE_ID, activePort, standbyPort, key, aeron));
        try
        {
            standbyChannel = HaSideChannel.launch(
                context(FailoverDemo.STANDBY_NODE_ID, standbyPort, activePort, key, aeron));
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(activeChannel);
            throw ex;
        }
        description = String.format(Locale.ROOT, "Aeron UDP 127.0.0.1:%d <-> 127.0.0.1:%d (embedded drivers, " +
            "authenticated)", activePort, standbyPort);
    }

    private static HaTransport.Context context(
        final int nodeId, final int localPort, final int peerPort, final byte[] key, final Path aeron)
    {
        return new HaTransport.Context()
            .nodeId(nodeId)
            .clusterKey(key)
            .channelMode(ChannelMode.UNICAST)
            .localEndpoint("127.0.0.1:" + localPort)
            .peerEndpoints(List.of("127.0.0.1:" + peerPort))
            .dataDir(aeron);
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

    @Override
    public String description()
    {
        return description;
    }

    @Override
    public HaManager enableActive(final Worker active, final HaContext ctx, final HaMessageSink tap)
    {
        activeWorker = active;
        final HaManager manager = active.enableHa(ctx, new HaRecordRegistry(), tap, activeChannel);
        manager.registry().registerServices(Thread.currentThread().getContextClassLoader());
        return manager;
    }

    @Override
    public HaManager enableStandby(final Worker standby, final HaContext ctx)
    {
        standbyWorker = standby;
        final HaManager manager = standby.enableHa(ctx, new HaRecordRegistry(), HaMessageSink.NONE, standbyChannel);
        manager.registry().registerServices(Thread.currentThread().getContextClassLoader());
        return manager;
    }

    @Override
    public void connect()
    {
        if (activeWorker == null)
        {
            return;
        }
        final long deadlineNs = System.nanoTime() + CONNECT_TIMEOUT_NS;
        while (!(connected(activeChannel) && connected(standbyChannel)))
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException("the nodes' side channels did not connect in " +
                    TimeUnit.NANOSECONDS.toSeconds(CONNECT_TIMEOUT_NS) + " s");
            }
            final int work = agentWork(activeChannel) + agentWork(standbyChannel) +
                activeWorker.haWork(activeWorker.lastTimestampNs()) +
                standbyWorker.haWork(standbyWorker.lastTimestampNs());
            if (work == 0)
            {
                LockSupport.parkNanos(100_000);
            }
        }
    }

    private static boolean connected(final HaSideChannel channel)
    {
        return channel.isReady() && channel.transport().peerNodeIds().length == 1;
    }

    @Override
    public void activeWork(final long nowNs)
    {
        if (activeWorker != null)
        {
            agentWork(activeChannel);
            activeWorker.haWork(nowNs);
        }
    }

    @Override
    public int standbyWork(final long nowNs)
    {
        agentWork(standbyChannel);
        final long before = standbyChannel.applied();
        standbyWorker.haWork(nowNs);
        return (int)(standbyChannel.applied() - before);
    }

    private static int agentWork(final HaSideChannel channel)
    {
        try
        {
            return channel.transport().agent().doWork();
        }
        catch (final RuntimeException ex)
        {
            throw ex;
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    @Override
    public long sentMessages()
    {
        return crashed ? activeCountersAtCrash[0] + activeCountersAtCrash[1] : sent(activeChannel);
    }

    private static long sent(final HaSideChannel channel)
    {
        final HaTransport transport = channel.transport();
        return transport.counter(TransportCounter.MESSAGES_SENT) +
            transport.counter(TransportCounter.RESYNC_MESSAGES_SENT);
    }

    @Override
    public long appliedMessages()
    {
        return standbyChannel.applied();
    }

    @Override
    public String summary()
    {
        final long[] a = crashed ? activeCountersAtCrash : activeCounters();
        final HaTransport standby = standbyChannel.transport();
        return String.format(Locale.ROOT, "active: %,d messages in %,d envelopes, %,d bytes; back pressure %,d, " +
            "ring full %,d, send failures %,d; standby: %,d gaps, %,d resync requests; as owner with its peer dead, " +
            "%,d messages sent, %,d handed back unsent", a[0], a[2], a[3], a[4], a[5], a[6],
            standby.counter(TransportCounter.GAPS), standby.counter(TransportCounter.RESYNC_REQUESTS_SENT),
            standby.counter(TransportCounter.MESSAGES_SENT), standby.counter(TransportCounter.MESSAGES_RETURNED));
    }

    private long[] activeCounters()
    {
        final HaTransport t = activeChannel.transport();
        return new long[] {
            t.counter(TransportCounter.MESSAGES_SENT),
            t.counter(TransportCounter.RESYNC_MESSAGES_SENT),
            t.counter(TransportCounter.ENVELOPES_SENT),
            t.counter(TransportCounter.BYTES_SENT),
            t.counter(TransportCounter.BACK_PRESSURE_EVENTS),
            t.counter(TransportCounter.RING_FULL),
            t.counter(TransportCounter.SEND_FAILURES) };
    }

    @Override
    public void crashActive()
    {
        if (!crashed)
        {
            activeCountersAtCrash = activeCounters();
            crashed = true;
            activeChannel.close();
        }
    }

    @Override
    public void close()
    {
        CloseHelper.quietClose(standbyChannel);
        if (!crashed)
        {
            CloseHelper.quietClose(activeChannel);
        }
    }
}
