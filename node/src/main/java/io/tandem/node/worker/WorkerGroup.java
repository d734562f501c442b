package io.tandem.node.worker;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.tandem.node.decode.DecodeContext;
import io.tandem.node.flow.FlowEndReason;
import io.tandem.node.io.PacketSource;
import io.tandem.node.stats.StatsSink;
import io.tandem.node.stats.StatsSnapshot;
import io.tandem.node.stats.StatsTotals;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * Several {@link Worker}s, each on its own thread (an Agrona {@link Agent}), fed by one {@link PacketDispatcher}
 * through a single-producer single-consumer ring each. Each worker owns its shard of the flows (the dispatcher sends
 * every packet of a flow to the same one), so the per-packet path takes no lock and copies each frame once, into
 * the ring.
 * <p>
 * The caller builds the workers (one set of listeners each: EVE writers, stream consumers), reads its source into
 * {@link #dispatcher()}, then calls {@link #finish()}: every worker ends its flows and stops, and the counters of
 * all of them can be read, summed, with {@link #reportStats(StatsSink)}. A failure on a worker thread stops the
 * dispatcher and is rethrown by {@link #finish()}.
 * <p>
 * A live source is read by a {@link WorkerAgent} made for the group: it dispatches the packets and the clock's
 * ticks, and the workers publish {@link #snapshots()} of their counters for the admin server.
 */
public final class WorkerGroup implements AutoCloseable
{
    /** Bytes of each worker's ring (a power of two; the largest frame it takes is an eighth of it). */
    public static final int RING_BYTES = 4 * 1024 * 1024;
    private static final int BATCH = 256;
    private static final long SNAPSHOT_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);

    private final List<Worker> workers;
    private final List<AgentRunner> runners = new ArrayList<>();
    private final List<RingAgent> agents = new ArrayList<>();
    private final EpochNanoClock snapshotClock;
    private final CountDownLatch finished;
    private final PacketDispatcher dispatcher;
    private volatile Throwable failure;

    /**
     * Check made while the dispatcher waits for room in a ring: a failed worker would never make any.
     */
    @FunctionalInterface
    interface FailureCheck
    {
        /**
         * Throw if a worker failed.
         */
        void check();
    }

    /**
     * Start one thread per worker.
     *
     * @param name    prefix of the threads' names.
     * @param workers the workers, built by the caller (at least one).
     * @param decode  the workers' decoder settings (the dispatcher decodes alike to find each packet's addresses).
     */
    public WorkerGroup(final String name, final List<Worker> workers, final DecodeContext decode)
    {
        this(name, workers, decode, null);
    }

    /**
     * Start one thread per worker; each publishes a snapshot of its counters once a second by the clock and when it
     * stops (see {@link #snapshots()}), as a {@link WorkerAgent} does for a live source.
     *
     * @param name          prefix of the threads' names.
     * @param workers       the workers, built by the caller (at least one).
     * @param decode        the workers' decoder settings (the dispatcher decodes alike to find each packet's
     *                      addresses).
     * @param snapshotClock wall clock of the snapshots; null for none (a capture file's run reads the counters at
     *                      the end with {@link #reportStats(StatsSink)}).
     */
    public WorkerGroup(
        final String name, final List<Worker> workers, final DecodeContext decode, final EpochNanoClock snapshotClock)
    {
        this.snapshotClock = snapshotClock;
        if (workers.isEmpty())
        {
            throw new IllegalArgumentException("a worker group needs at least one worker");
        }
        this.workers = List.copyOf(workers);
        finished = new CountDownLatch(workers.size());
        final RingBuffer[] rings = new RingBuffer[workers.size()];
        for (int i = 0; i < rings.length; i++)
        {
            rings[i] = new OneToOneRingBuffer(new UnsafeBuffer(BufferUtil.allocateDirectAligned(
                RING_BYTES + RingBufferDescriptor.TRAILER_LENGTH, BitUtil.CACHE_LINE_LENGTH)));
        }
        dispatcher = new PacketDispatcher(rings, decode, this::checkFailure);
        for (int i = 0; i < rings.length; i++)
        {
            agents.add(new RingAgent(name + "-" + i, workers.get(i), rings[i]));
        }
        for (final RingAgent agent : agents)
        {
            final AgentRunner runner = new AgentRunner(
                new BackoffIdleStrategy(
                    10, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(100)),
                this::onError, null, agent);
            runners.add(runner);
            AgentRunner.startOnThread(runner);
        }
    }

    /**
     * Where the source's packets go.
     *
     * @return the dispatcher.
     */
    public PacketDispatcher dispatcher()
    {
        return dispatcher;
    }

    /**
     * The workers.
     *
     * @return them, in dispatch order.
     */
    public List<Worker> workers()
    {
        return workers;
    }

    /**
     * Read a finite source (a capture file) to its end through the workers, then {@link #finish()}.
     *
     * @param source the source; not closed here.
     * @return packets the source delivered.
     */
    public long drain(final PacketSource source)
    {
        long packets = 0;
        while (!source.isEndOfStream())
        {
            packets += source.poll(dispatcher, BATCH);
        }
        finish();
        return packets;
    }

    /**
     * End of input: every worker processes what is queued, ends its live flows (reason {@code shutdown}) and stops.
     * Returns once all have; their state may then be read on this thread.
     *
     * @throws IllegalStateException when a worker failed (the failure is the cause).
     */
    public void finish()
    {
        checkFailure();
        dispatcher.end();
        try
        {
            while (!finished.await(100, TimeUnit.MILLISECONDS))
            {
                checkFailure();
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the workers finished", ex);
        }
        checkFailure();
    }

    /**
     * The counters of every worker, summed (the largest packet is the largest of all, the average packet size is
     * the total's), then the dispatcher's. Call after {@link #finish()}.
     *
     * @param sink receives each counter once.
     */
    public void reportStats(final StatsSink sink)
    {
        final StatsTotals totals = new StatsTotals();
        for (final Worker worker : workers)
        {
            worker.reportStats(totals);
        }
        final Map<String, Long> sums = totals.totals();
        dispatcher.reportStats(sums::put);
        sums.forEach(sink::counter);
    }

    /**
     * Each worker's latest published counters (with a snapshot clock; empty snapshots without); safe to call from
     * any thread.
     *
     * @return one snapshot per worker, in dispatch order.
     */
    public List<StatsSnapshot> snapshots()
    {
        final List<StatsSnapshot> snapshots = new ArrayList<>(agents.size());
        for (final RingAgent agent : agents)
        {
            snapshots.add(agent.snapshot);
        }
        return snapshots;
    }

    /**
     * Stop the threads (they have stopped already after {@link #finish()}).
     */
    @Override
    public void close()
    {
        for (final AgentRunner runner : runners)
        {
            runner.close();
        }
    }

    private void onError(final Throwable throwable)
    {
        if (failure == null && !(throwable instanceof AgentTerminationException))
        {
            failure = throwable;
        }
    }

    /**
     * Throw if a worker failed: a reader of a live source checks it in its duty cycle, as the group stops then.
     *
     * @throws IllegalStateException when a worker failed (the failure is the cause).
     */
    void checkFailure()
    {
        final Throwable t = failure;
        if (t != null)
        {
            throw new IllegalStateException("a worker failed: " + t, t);
        }
    }

    /**
     * One worker's duty cycle: read its ring, process packets and ticks, finish at the end of input.
     */
    private final class RingAgent implements Agent, MessageHandler
    {
        private final String name;
        private final Worker worker;
        private final RingBuffer ring;
        private boolean ended;
        private long nextSnapshotNs;
        private volatile StatsSnapshot snapshot = StatsSnapshot.EMPTY;

        RingAgent(final String name, final Worker worker, final RingBuffer ring)
        {
            this.name = name;
            this.worker = worker;
            this.ring = ring;
        }

        @Override
        public int doWork()
        {
            if (failure != null)
            {
                throw new AgentTerminationException("another worker failed");
            }
            final int read = ring.read(this, BATCH);
            if (ended)
            {
                throw new AgentTerminationException("end of input");
            }
            if (snapshotClock != null)
            {
                final long nowNs = snapshotClock.nanoTime();
                if (nowNs >= nextSnapshotNs)
                {
                    snapshot = StatsSnapshot.of(nowNs, worker);
                    nextSnapshotNs = nowNs + SNAPSHOT_INTERVAL_NS;
                }
            }
            return read;
        }

        @Override
        public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
        {
            final long timestampNs = buffer.getLong(index + PacketDispatcher.TIMESTAMP_OFFSET);
            switch (msgTypeId)
            {
                case PacketDispatcher.PACKET -> worker.onDispatchedPacket(
                    buffer,
                    index + PacketDispatcher.FRAME_OFFSET,
                    length - PacketDispatcher.FRAME_OFFSET,
                    buffer.getInt(index + PacketDispatcher.WIRE_LENGTH_OFFSET),
                    timestampNs,
                    buffer.getInt(index + PacketDispatcher.LINK_TYPE_OFFSET),
                    buffer.getLong(index + PacketDispatcher.PACKET_NUMBER_OFFSET));
                case PacketDispatcher.TICK -> worker.tick(timestampNs);
                case PacketDispatcher.END ->
                {
                    worker.finish(FlowEndReason.SHUTDOWN);
                    ended = true;
                }
                default -> throw new IllegalStateException("unknown message type " + msgTypeId);
            }
        }

        @Override
        public void onClose()
        {
            if (snapshotClock != null)
            {
                snapshot = StatsSnapshot.of(snapshotClock.nanoTime(), worker);
            }
            finished.countDown();
        }

        @Override
        public String roleName()
        {
            return name;
        }
    }
}
