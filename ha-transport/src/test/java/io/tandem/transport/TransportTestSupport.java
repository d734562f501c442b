package io.tandem.transport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import io.aeron.driver.MediaDriver;
import com.google.protobuf.InvalidProtocolBufferException;
import io.aeron.driver.ThreadingMode;
import io.tandem.proto.ha.v1.SessionKey;
import io.tandem.proto.ha.v1.SessionMessage;
import io.tandem.proto.ha.v1.SessionUpdate;

import static org.assertj.core.api.Assertions.fail;

/**
 * Helpers of the transport tests: session messages, free ports, a shared driver for IPC, a manual clock, and a poll
 * loop that drives agents on the test thread until a condition holds or a generous deadline passes.
 */
final class TransportTestSupport
{
    static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(60);

    private TransportTestSupport()
    {
    }

    static SessionMessage update(final int port)
    {
        return SessionMessage.newBuilder().setUpdate(SessionUpdate.newBuilder()
            .setKey(SessionKey.newBuilder().setIpVersion(4).setIpProtocol(6).setLowerAddrLo(0x0A000001L)
                .setUpperAddrLo(0x0A000002L).setLowerPort(port).setUpperPort(80))
            .setIpProtocol(6).setSessionFlags(port)).build();
    }

    static SessionMessage message(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        try
        {
            return SessionMessage.parseFrom(bytes);
        }
        catch (final InvalidProtocolBufferException ex)
        {
            throw new IllegalStateException("the transport handed over bytes that are not a session message", ex);
        }
    }

    static boolean offer(final HaTransport transport, final long tag, final SessionMessage message)
    {
        final byte[] bytes = message.toByteArray();
        return transport.offer(tag, new UnsafeBuffer(bytes), 0, bytes.length);
    }

    static int freeUdpPort()
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

    static MediaDriver sharedDriver(final Path dir)
    {
        return MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(dir.resolve("shared-driver").toString())
            .threadingMode(ThreadingMode.SHARED)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .publicationTermBufferLength(64 * 1024)
            .ipcTermBufferLength(64 * 1024)
            .counterValuesBufferLength(1024 * 1024));
    }

    static void pollUntil(final String what, final BooleanSupplier condition, final HaTransport... transports)
    {
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        final IdleStrategy idle = new BackoffIdleStrategy(10, 10, 1_000, 1_000_000);
        while (!condition.getAsBoolean())
        {
            int work = 0;
            for (final HaTransport transport : transports)
            {
                work += work(transport);
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail("timed out waiting for " + what);
            }
            idle.idle(work);
        }
    }

    static int work(final HaTransport transport)
    {
        try
        {
            return transport.agent().doWork();
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** A clock the test moves. */
    static final class ManualClock implements NanoClock
    {
        private volatile long nowNs = 1_000_000_000L;

        public long nanoTime()
        {
            return nowNs;
        }

        void advance(final long deltaNs)
        {
            nowNs += deltaNs;
        }
    }

    /** A resync source over a fixed list of sessions. */
    static final class ListResyncSource implements ResyncSource
    {
        private final List<SessionMessage> sessions = new ArrayList<>();
        private int next;
        private int begun;

        ListResyncSource(final int firstPort, final int count)
        {
            for (int i = 0; i < count; i++)
            {
                sessions.add(update(firstPort + i));
            }
        }

        public long beginResync(final long resyncId)
        {
            begun++;
            next = 0;
            return sessions.size();
        }

        public boolean produce(final ResyncSink sink, final int limit)
        {
            for (int i = 0; i < limit && next < sessions.size(); i++)
            {
                final byte[] bytes = sessions.get(next).toByteArray();
                if (!sink.accept(new UnsafeBuffer(bytes), 0, bytes.length))
                {
                    return false;
                }
                next++;
            }
            return next == sessions.size();
        }

        int begun()
        {
            return begun;
        }
    }

    /** Session messages received by one node: (sender, lower port) in arrival order. */
    static final class Received implements SessionMessageHandler
    {
        final List<int[]> messages = new ArrayList<>();

        public void onSessionMessage(final int senderNodeId, final DirectBuffer buffer, final int offset,
            final int length)
        {
            messages.add(new int[]{senderNodeId, message(buffer, offset, length).getUpdate().getKey().getLowerPort()});
        }

        List<Integer> portsFrom(final int sender)
        {
            final List<Integer> ports = new ArrayList<>();
            for (final int[] m : messages)
            {
                if (m[0] == sender)
                {
                    ports.add(m[1]);
                }
            }
            return ports;
        }
    }
}
