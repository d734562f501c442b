package io.tandem.node.worker;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.tandem.node.config.TandemConfig;
import io.tandem.node.decode.DecodeContext;
import io.tandem.node.io.PacketHandler;
import io.tandem.node.io.PacketSource;
import io.tandem.node.stats.StatsSnapshot;
import io.tandem.node.synth.FrameBuilder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

class WorkerAgentTest
{
    private static final long T0 = 1_700_000_000_000_000_000L;

    /**
     * A live source that hands out the frames it was given once, then stays quiet.
     */
    private static final class QuietSource implements PacketSource
    {
        private final List<byte[]> frames = new ArrayList<>();
        private final long[] clock;

        QuietSource(final long[] clock)
        {
            this.clock = clock;
        }

        @Override
        public int poll(final PacketHandler handler, final int limit)
        {
            int delivered = 0;
            while (!frames.isEmpty() && delivered < limit)
            {
                final byte[] frame = frames.remove(0);
                handler.onPacket(new UnsafeBuffer(frame), frame.length, frame.length, clock[0], 1);
                delivered++;
            }
            return delivered;
        }

        @Override
        public boolean isEndOfStream()
        {
            return false;
        }

        @Override
        public String name()
        {
            return "quiet";
        }

        @Override
        public void close()
        {
        }
    }

    private static byte[] copy(final FrameBuilder builder, final int length)
    {
        final byte[] bytes = new byte[length];
        builder.buffer().getBytes(0, bytes);
        return bytes;
    }

    @Test
    void shouldRunTheWorkersTimerByTheClockWhenNoPacketComes()
    {
        final long[] clock = { T0 };
        final QuietSource source = new QuietSource(clock);
        final FrameBuilder builder = new FrameBuilder();
        final byte[] payload = new byte[64];
        source.frames.add(copy(builder, builder.ethernet(1, 2).ipv4(0x0a000001, 0x0a000002).udp(5353, 53)
            .payload(payload, 0, payload.length).build()));
        source.frames.add(copy(builder, builder.ethernet(1, 2).ipv4(0x0a000001, 0x0a000002).ipId(7)
            .ipv4Fragment(0, true).udp(5353, 54).payload(payload, 0, payload.length).build()));

        final List<String> ended = new ArrayList<>();
        final Worker worker = new Worker(WorkerContexts.from(TandemConfig.defaults()),
            (flow, reason) -> ended.add(flow.key().serverPort() + ":" + reason.eveName()), (p, event) -> { });
        final WorkerAgent agent = new WorkerAgent("test", worker, source, () -> clock[0]);

        assertThat(agent.doWork()).isEqualTo(2);
        clock[0] = T0 + TimeUnit.SECONDS.toNanos(61);
        assertThat(agent.doWork()).isZero();

        assertThat(ended).containsExactly("53:timeout");
        assertThat(agent.snapshot().counters()).containsEntry("defrag.ipv4.timeouts", 1L);
    }

    @Test
    @Timeout(30)
    void shouldDispatchToAGroupTickItsWorkersByTheClockAndPublishEachWorkersSnapshot() throws Exception
    {
        final long[] clock = { T0 };
        final QuietSource source = new QuietSource(clock);
        final FrameBuilder builder = new FrameBuilder();
        final byte[] payload = new byte[64];
        final int hosts = 16;
        for (int i = 0; i < hosts; i++)
        {
            source.frames.add(copy(builder, builder.ethernet(1, 2).ipv4(0x0a000001 + i, 0x0a010001).udp(5353, 53)
                .payload(payload, 0, payload.length).build()));
        }
        final List<String> ended = new CopyOnWriteArrayList<>();
        final List<Worker> workers = new ArrayList<>();
        for (int i = 0; i < 2; i++)
        {
            workers.add(new Worker(WorkerContexts.from(TandemConfig.defaults(), i, 2),
                (flow, reason) -> ended.add(reason.eveName()), (p, event) -> { }));
        }
        try (WorkerGroup group = new WorkerGroup("test", workers, new DecodeContext(), () -> clock[0]))
        {
            final WorkerAgent agent = new WorkerAgent("reader", group, source, () -> clock[0]);
            assertThat(agent.doWork()).isEqualTo(hosts);
            assertThat(agent.packets()).isEqualTo(hosts);
            assertThat(agent.worker()).isNull();

            clock[0] = T0 + TimeUnit.SECONDS.toNanos(61);
            agent.doWork();
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (ended.size() < hosts && System.nanoTime() < deadlineNs)
            {
                Thread.onSpinWait();
            }
            assertThat(ended).hasSize(hosts).containsOnly("timeout");

            agent.onClose();
            group.finish();
            final List<StatsSnapshot> snapshots = agent.snapshots();
            assertThat(snapshots).hasSize(3);
            final long first = snapshots.get(0).counters().get("dispatch.worker_0.packets");
            assertThat(first).isPositive().isLessThan(hosts);
            assertThat(snapshots.get(1).counters()).containsEntry("flow.total", first);
            assertThat(snapshots.get(2).counters()).containsEntry("flow.total", hosts - first);
        }
    }
}
