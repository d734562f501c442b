package io.tandem.node.worker;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.tandem.node.io.PacketHandler;
import io.tandem.node.io.PacketSource;
import io.tandem.node.stats.StatsSink;
import io.tandem.node.stats.StatsSnapshot;
import io.tandem.node.stats.StatsSource;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.EpochNanoClock;

/**
 * Runs one {@link Worker} over one live {@link PacketSource} as an Agrona {@link Agent}: each duty cycle drains up to a
 * batch of packets (then the HA manager sends what is due), lets the worker's timer run by the clock (a live feed has
 * no packet time when it is quiet), does the HA side channel's share of work ({@link Worker#haWork(long)}), and once a
 * second publishes a {@link StatsSnapshot} for readers on other threads.
 * <p>
 * With several workers it runs a {@link WorkerGroup}'s reading side instead: each duty cycle drains up to a batch of
 * packets into the group's {@link PacketDispatcher} (which hands each to its worker's ring) and passes the clock's
 * ticks on to every worker; its snapshot holds the source's and the dispatcher's counters, and {@link #snapshots()}
 * adds each worker's.
 */
public final class WorkerAgent implements Agent
{
    private static final int BATCH = 256;
    private static final long SNAPSHOT_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);

    private final Worker worker;
    private final WorkerGroup group;
    private final PacketHandler handler;
    private final PacketSource source;
    private final StatsSource[] extraStats;
    private final EpochNanoClock clock;
    private final String name;
    private final CountDownLatch closed = new CountDownLatch(1);
    private long stopAfterPackets = Long.MAX_VALUE;
    private long nextSnapshotNs;
    private volatile StatsSnapshot snapshot = StatsSnapshot.EMPTY;

    /**
     * An agent for one worker.
     *
     * @param name       of the agent (thread name).
     * @param worker     the pipeline.
     * @param source     where packets come from.
     * @param clock      wall clock for expiry and snapshots.
     * @param extraStats further counters to include in snapshots (the source's, for instance).
     */
    public WorkerAgent(
        final String name,
        final Worker worker,
        final PacketSource source,
        final EpochNanoClock clock,
        final StatsSource... extraStats)
    {
        this.name = name;
        this.worker = worker;
        this.group = null;
        this.handler = worker;
        this.source = source;
        this.clock = clock;
        this.extraStats = extraStats.clone();
    }

    /**
     * An agent reading one live source into several workers; it stops the group's workers when it stops only
     * through {@link WorkerGroup#finish()}, which its owner calls once this agent has closed.
     *
     * @param name       of the agent (thread name).
     * @param group      the workers, each on its own thread.
     * @param source     where packets come from.
     * @param clock      wall clock for expiry and snapshots.
     * @param extraStats further counters to include in this agent's snapshot (the source's, for instance).
     */
    public WorkerAgent(
        final String name,
        final WorkerGroup group,
        final PacketSource source,
        final EpochNanoClock clock,
        final StatsSource... extraStats)
    {
        this.name = name;
        this.worker = null;
        this.group = group;
        this.handler = group.dispatcher();
        this.source = source;
        this.clock = clock;
        this.extraStats = extraStats.clone();
    }

    @Override
    public int doWork()
    {
        final int packets = source.poll(handler, BATCH);
        if (worker == null)
        {
            return packets + dispatch();
        }
        if (packets > 0)
        {
            worker.endOfBatch();
        }
        if (worker.packetsSeen() >= stopAfterPackets)
        {
            throw new AgentTerminationException("stopped after " + worker.packetsSeen() + " packets");
        }
        final long nowNs = clock.nanoTime();
        worker.tick(nowNs);
        final int haWork = worker.haWork(nowNs);
        if (nowNs >= nextSnapshotNs)
        {
            snapshot = StatsSnapshot.of(nowNs, this::reportAll);
            nextSnapshotNs = nowNs + SNAPSHOT_INTERVAL_NS;
        }
        return packets + haWork;
    }

    private int dispatch()
    {
        final PacketDispatcher dispatcher = group.dispatcher();
        try
        {
            group.checkFailure();
        }
        catch (final IllegalStateException ex)
        {
            throw new AgentTerminationException(ex);
        }
        if (dispatcher.packets() >= stopAfterPackets)
        {
            throw new AgentTerminationException("stopped after " + dispatcher.packets() + " packets");
        }
        final long nowNs = clock.nanoTime();
        dispatcher.tick(nowNs);
        if (nowNs >= nextSnapshotNs)
        {
            snapshot = StatsSnapshot.of(nowNs, this::reportAll);
            nextSnapshotNs = nowNs + SNAPSHOT_INTERVAL_NS;
        }
        return 0;
    }

    @Override
    public void onClose()
    {
        snapshot = StatsSnapshot.of(clock.nanoTime(), this::reportAll);
        closed.countDown();
    }

    /**
     * Stop the agent (it terminates itself) once this many packets were handled; for tests and bounded runs.
     *
     * @param packets the bound.
     * @return this.
     */
    public WorkerAgent stopAfterPackets(final long packets)
    {
        stopAfterPackets = packets;
        return this;
    }

    /**
     * Wait until the agent has closed (terminated itself or was closed by its runner).
     *
     * @param timeoutNs longest wait.
     * @return true if it closed.
     * @throws InterruptedException if interrupted while waiting.
     */
    public boolean awaitClosed(final long timeoutNs) throws InterruptedException
    {
        return closed.await(timeoutNs, TimeUnit.NANOSECONDS);
    }

    @Override
    public String roleName()
    {
        return name;
    }

    /**
     * The latest published counters; safe to call from any thread.
     *
     * @return the snapshot.
     */
    public StatsSnapshot snapshot()
    {
        return snapshot;
    }

    /**
     * This agent's latest snapshot and, with several workers, each worker's; safe to call from any thread. The
     * admin server adds them up.
     *
     * @return the snapshots.
     */
    public List<StatsSnapshot> snapshots()
    {
        if (group == null)
        {
            return List.of(snapshot);
        }
        final List<StatsSnapshot> snapshots = new ArrayList<>(group.snapshots());
        snapshots.addFirst(snapshot);
        return snapshots;
    }

    /**
     * Packets handled: by the worker, or with several workers handed to them.
     *
     * @return the count.
     */
    public long packets()
    {
        return worker == null ? group.dispatcher().packets() : worker.packetsSeen();
    }

    /**
     * The worker this agent runs (only to be touched on the agent's thread, or after it stopped); null when it reads
     * for a {@link WorkerGroup}.
     *
     * @return the worker.
     */
    public Worker worker()
    {
        return worker;
    }

    private void reportAll(final StatsSink sink)
    {
        for (final StatsSource extra : extraStats)
        {
            extra.reportStats(sink);
        }
        if (worker == null)
        {
            group.dispatcher().reportStats(sink);
        }
        else
        {
            worker.reportStats(sink);
        }
    }
}
