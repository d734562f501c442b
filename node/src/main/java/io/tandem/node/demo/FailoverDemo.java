package io.tandem.node.demo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

import io.tandem.node.config.TandemConfig;
import io.tandem.node.flow.Flow;
import io.tandem.node.flow.FlowEndListener;
import io.tandem.node.flow.FlowEndReason;
import io.tandem.node.flow.FlowKey;
import io.tandem.node.flow.FlowState;
import io.tandem.node.ha.HaContext;
import io.tandem.node.ha.HaEnvelopes;
import io.tandem.node.ha.HaManager;
import io.tandem.node.ha.HaMessageBatch;
import io.tandem.node.ha.HaMessageSink;
import io.tandem.node.io.PacketHandler;
import io.tandem.node.io.PcapFileSource;
import io.tandem.node.synth.SynthManifest;
import io.tandem.node.synth.SynthOptions;
import io.tandem.node.synth.TrafficSynthesizer;
import io.tandem.node.tcp.TcpEngine;
import io.tandem.node.tcp.TcpSession;
import io.tandem.node.tcp.TcpStreamTracker;
import io.tandem.node.tcp.reassembly.Reassembler;
import io.tandem.node.tcp.reassembly.ReassemblySession;
import io.tandem.node.worker.Worker;
import io.tandem.node.worker.WorkerContexts;
import io.tandem.proto.ha.v1.Envelope;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * The failover scenario behind {@code tandem demo}.
 * <ol>
 *     <li>Generate a seeded capture: thousands of concurrent TCP (with data) and UDP sessions, with think times so
 *     that many live for seconds.</li>
 *     <li>Reference: one node (HA off) processes the whole capture; every session's outcome (TCP state, packets and
 *     bytes per direction) and where its reassembled bytes lay in each stream are kept, and its flows are checked
 *     against the generator's ground truth.</li>
 *     <li>The active (node 1) processes the capture up to the kill point on its own thread, replicating to the
 *     standby (node 2, its own thread) through an {@link HaLink}. Then the active dies between two batches: no
 *     shutdown, no last flush of throttled changes, no deletes. What it had already sent may still arrive.</li>
 *     <li>Census, both nodes still: every session the reference had live at the kill point is looked up in both
 *     flow tables: live on the active, held in standby, and in sync (counters, TCP state and sequence numbers
 *     equal).</li>
 *     <li>The rest of the capture moves to the standby, which takes the held sessions over on their first packet.
 *     </li>
 *     <li>Every taken-over session is compared with the reference.</li>
 * </ol>
 */
public final class FailoverDemo
{
    static final int ACTIVE_NODE_ID = 1;
    static final int STANDBY_NODE_ID = 2;
    private static final int BATCH = 256;
    private static final long CATCH_UP_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    private static final long NS_PER_MS = 1_000_000L;
    private static final int MAX_EXCHANGES = 5;
    private static final int MAX_THINK_TIME_MS = 3000;

    /**
     * Settings of one run.
     *
     * @param sessions sessions to generate.
     * @param seed     generator seed.
     * @param killAt   where the active dies, as a fraction of the capture's packets (0..1, exclusive).
     * @param speed    pace of the traffic fed to the active, as a multiple of capture time; 0 for as fast as it goes.
     * @param config   the nodes' configuration (both nodes and the reference use it).
     * @param work     directory for the capture (and the link's files).
     * @param link     makes the replication link, given the work directory.
     */
    public record Settings(
        int sessions, long seed, double killAt, double speed, TandemConfig config, Path work,
        Function<Path, HaLink> link)
    {
    }

    /**
     * How one session ended on a node.
     *
     * @param tcpState      TCP state, "none" for other protocols.
     * @param flowState     flow state.
     * @param pktsToServer  packets to the server.
     * @param pktsToClient  packets to the client.
     * @param bytesToServer bytes to the server.
     * @param bytesToClient bytes to the client.
     */
    record Outcome(
        String tcpState, String flowState, long pktsToServer, long pktsToClient, long bytesToServer, long bytesToClient)
    {
        static Outcome of(final Flow flow)
        {
            final TcpSession ssn = TcpEngine.session(flow);
            return new Outcome(ssn == null ? "none" : ssn.state.eveName(), flow.state().eveName(),
                flow.pktsToServer(), flow.pktsToClient(), flow.bytesToServer(), flow.bytesToClient());
        }
    }

    private static final class RefSession
    {
        final String id;
        final FlowKey key;
        final long startNs;
        final long endIndex;
        final Outcome outcome;
        final StreamLedger.Streams streams;

        RefSession(
            final String id, final Flow flow, final long endIndex, final Outcome outcome,
            final StreamLedger.Streams streams)
        {
            this.id = id;
            this.key = new FlowKey().set(flow.key());
            this.startNs = flow.startNs();
            this.endIndex = endIndex;
            this.outcome = outcome;
            this.streams = streams;
        }
    }

    private static final class LiveSession
    {
        final RefSession ref;
        final boolean old;
        final boolean held;
        final boolean inSync;
        final long[] activeBytes;
        final long[] activeQueued;

        LiveSession(
            final RefSession ref, final boolean old, final boolean held, final boolean inSync, final long[] activeBytes,
            final long[] activeQueued)
        {
            this.ref = ref;
            this.old = old;
            this.held = held;
            this.inSync = inSync;
            this.activeBytes = activeBytes;
            this.activeQueued = activeQueued;
        }
    }

    private record StandbyEnd(Outcome outcome, boolean standby, StreamLedger.Streams streams, long[] origin)
    {
    }

    private final Settings settings;
    private final FailoverReport report = new FailoverReport();
    private final Map<String, LiveSession> liveSessions = new HashMap<>();

    public FailoverDemo(final Settings settings)
    {
        this.settings = settings;
    }

    /**
     * The synthesizer settings of the demo's traffic.
     *
     * @param sessions sessions.
     * @param seed     seed.
     * @return the options.
     */
    static SynthOptions trafficOptions(final int sessions, final long seed)
    {
        return new SynthOptions().seed(seed).sessions(sessions).concurrency(Math.max(1, sessions / 4))
            .maxExchanges(MAX_EXCHANGES).maxThinkTimeMs(MAX_THINK_TIME_MS);
    }

    /**
     * Run the scenario.
     *
     * @return the figures.
     * @throws IOException          when the capture cannot be written or read.
     * @throws InterruptedException when interrupted while waiting for a node.
     */
    public FailoverReport run() throws IOException, InterruptedException
    {
        final Path pcap = settings.work().resolve("demo.pcap");
        final long genStartNs = System.nanoTime();
        final TrafficSynthesizer synth = new TrafficSynthesizer(trafficOptions(settings.sessions(), settings.seed()));
        final SynthManifest manifest = synth.generate(pcap, false);
        report.manifest = manifest;
        report.sessions = manifest.size();
        report.packets = synth.packets();
        report.generateNs = System.nanoTime() - genStartNs;
        report.speed = settings.speed();
        report.killIndex = Math.max(1, Math.min(report.packets - 1, Math.round(report.packets * settings.killAt())));

        final HaContext haCtx = HaContext.fromConfig(settings.config());
        report.replicationOn = haCtx.enabled();
        report.minSessionLifetimeMs = haCtx.minSessionLifetimeMs();
        report.minSyncIntervalMs = haCtx.minSyncIntervalMs();

        final long refStartNs = System.nanoTime();
        final Map<String, RefSession> reference = reference(pcap, manifest);
        report.referenceNs = System.nanoTime() - refStartNs;

        try (HaLink link = settings.link().apply(settings.work()))
        {
            report.link = link.description();
            failover(pcap, link, reference);
        }
        return report;
    }

    private Map<String, RefSession> reference(final Path pcap, final SynthManifest manifest) throws IOException
    {
        final StreamLedger ledger = new StreamLedger(true);
        final Map<String, RefSession> sessions = new HashMap<>();
        final Map<String, long[]> byTuple = new HashMap<>();
        final Worker[] worker = new Worker[1];
        worker[0] = worker(ledger, (flow, reason) ->
        {
            final String id = id(flow);
            final Outcome outcome = Outcome.of(flow);
            sessions.put(id, new RefSession(id, flow, worker[0].packetsSeen(), outcome, ledger.remove(flow)));
            byTuple.merge(tuple(flow.key()), new long[] { flow.pktsToServer(), flow.pktsToClient(),
                flow.bytesToServer(), flow.bytesToClient() }, FailoverDemo::add);
        });
        try (PcapFileSource source = PcapFileSource.open(pcap))
        {
            worker[0].drain(source);
        }
        int agree = 0;
        for (final SynthManifest.Flow expected : manifest.flows())
        {
            final long[] got = byTuple.get(tuple(expected));
            if (got != null && got[0] == expected.datagramsToServer() && got[1] == expected.datagramsToClient() &&
                got[2] == expected.datagramBytesToServer() && got[3] == expected.datagramBytesToClient())
            {
                agree++;
            }
        }
        report.referenceFlows = byTuple.size();
        report.referenceAgreeing = agree;
        return sessions;
    }

    private void failover(final Path pcap, final HaLink link, final Map<String, RefSession> reference)
        throws IOException, InterruptedException
    {
        final ReplicationLag lag = new ReplicationLag();
        final StreamLedger activeLedger = new StreamLedger(false);
        final StreamLedger standbyLedger = new StreamLedger(false);
        final Map<String, StandbyEnd> standbyEnds = new HashMap<>();

        final Worker active = worker(activeLedger, (flow, reason) ->
        {
        });
        HaManager activeManager = null;
        if (report.replicationOn)
        {
            activeManager = link.enableActive(active, haContext(ACTIVE_NODE_ID), new HaMessageSink()
            {
                @Override
                public void onEnvelope(final Envelope envelope)
                {
                    lag.sent(envelope.hasSessions() ? envelope.getSessions().getMessagesCount() : 0);
                }

                @Override
                public void onSessions(final HaMessageBatch batch, final long timeNs, final HaEnvelopes envelopes)
                {
                    lag.sent(batch.size());
                }
            });
        }
        final Worker standby = worker(standbyLedger, (flow, reason) ->
            standbyEnds.put(id(flow), standbyEnd(flow, standbyLedger.remove(flow))));
        link.enableStandby(standby, haContext(STANDBY_NODE_ID));
        link.connect();

        final PcapFileSource moved = PcapFileSource.open(pcap);
        try (moved)
        {
            long skipped = 0;
            final PacketHandler skip = (frame, capturedLength, wireLength, timestampNs, linkType) ->
            {
            };
            while (skipped < report.killIndex)
            {
                skipped += moved.poll(skip, (int)Math.min(BATCH, report.killIndex - skipped));
            }

            final PacketClock clock = new PacketClock();
            final StandbyRunner standbyRunner = new StandbyRunner(standby, link, lag, moved, clock);
            final ActiveRunner activeRunner =
                new ActiveRunner(active, link, pcap, report.killIndex, clock, settings.speed());
            final Thread standbyThread = new Thread(standbyRunner, "tandem-demo-standby");
            final Thread activeThread = new Thread(activeRunner, "tandem-demo-active");
            standbyThread.start();
            try
            {
                final long activeStartNs = System.nanoTime();
                activeThread.start();
                activeThread.join();
                rethrow(activeRunner.failure);
                final long killNs = activeRunner.endNs;
                report.activeNs = killNs - activeStartNs;
                report.inFlightAtKill = Math.max(0, link.sentMessages() - link.appliedMessages());
                final long deadlineNs = killNs + CATCH_UP_TIMEOUT_NS;
                while (link.appliedMessages() < link.sentMessages() && System.nanoTime() < deadlineNs &&
                    standbyThread.isAlive())
                {
                    LockSupport.parkNanos(10_000);
                }
                report.caughtUpNs = System.nanoTime() - killNs;
                report.neverArrived = Math.max(0, link.sentMessages() - link.appliedMessages());
                link.crashActive();

                standbyRunner.pause.countDown();
                standbyRunner.paused.await();
                rethrow(standbyRunner.failure);
                census(active, activeManager, activeLedger, standby, reference);

                standbyRunner.moveNs = System.nanoTime();
                standbyRunner.resume.countDown();
                standbyThread.join();
                rethrow(standbyRunner.failure);
            }
            finally
            {
                stop(activeThread, standbyThread, standbyRunner);
            }
            report.firstMovedPacketNs = standbyRunner.firstHandledNs - standbyRunner.moveNs;
            report.allMovedPacketsNs = standbyRunner.lastHandledNs - standbyRunner.moveNs;
            report.movedPackets = standbyRunner.packets;
            report.linkSummary = link.summary();
        }

        report.lagSamples = lag.samples();
        report.lagUnmeasured = lag.unmeasured();
        report.lagP50Ns = lag.percentileNs(50);
        report.lagP99Ns = lag.percentileNs(99);
        report.lagMaxNs = lag.percentileNs(100);
        final Map<String, Long> standbyCounters = counters(standby);
        report.standbyPromoted = standbyCounters.getOrDefault("ha.sessions.promoted", 0L);
        report.takeoverGaps = standbyCounters.getOrDefault("ha.takeover.gaps", 0L);
        report.takeoverGapBytes = standbyCounters.getOrDefault("ha.takeover.gap_bytes", 0L);
        compare(standbyEnds);
    }

    private void census(
        final Worker active, final HaManager activeManager, final StreamLedger activeLedger, final Worker standby,
        final Map<String, RefSession> reference)
    {
        final long killTimeNs = active.lastTimestampNs();
        final long lifetimeNs = report.minSessionLifetimeMs * NS_PER_MS;
        report.killTimeNs = killTimeNs - reference.values().stream().mapToLong(r -> r.startNs).min().orElse(0);
        for (final RefSession ref : reference.values())
        {
            if (ref.startNs > killTimeNs || ref.endIndex <= report.killIndex)
            {
                continue;
            }
            final Flow a = active.flowTable().lookup(ref.key);
            if (a == null || a.standby() || a.startNs() != ref.startNs)
            {
                continue;
            }
            final Flow s = standby.flowTable().lookup(ref.key);
            final boolean held = s != null && s.standby() && s.startNs() == ref.startNs;
            final boolean old = killTimeNs - ref.startNs >= lifetimeNs;
            report.liveOpen += a.state() == FlowState.CLOSED ? 0 : 1;
            final StreamLedger.Streams streams = activeLedger.peek(a);
            final ReassemblySession queued = Reassembler.state(a);
            final LiveSession live = new LiveSession(ref, old, held, held && sameState(a, s),
                new long[] { streams.bytes[0], streams.bytes[1] }, queued == null ? new long[2] : new long[] {
                    queued.stream(true).segments().bytes(), queued.stream(false).segments().bytes() });
            if (old)
            {
                report.liveOld++;
                report.heldOld += held ? 1 : 0;
                report.inSyncOld += live.inSync ? 1 : 0;
                if (!held)
                {
                    report.lost++;
                    report.problem("lost: " + ref.id + " (live at the kill, " +
                        (killTimeNs - ref.startNs) / NS_PER_MS + " ms old, not held by the standby)");
                }
                else if (!live.inSync)
                {
                    report.outOfSyncOld++;
                    report.problem("out of sync at the kill: " + ref.id + " active " + Outcome.of(a) +
                        " standby " + Outcome.of(s));
                }
            }
            else
            {
                report.liveYoung++;
                report.heldYoung += held ? 1 : 0;
                report.inSyncYoung += live.inSync ? 1 : 0;
            }
            liveSessions.put(ref.id, live);
        }
        final Map<String, Long> standbyCounters = counters(standby);
        report.synced = standbyCounters.getOrDefault("flow.standby_inserted", 0L);
        report.updatesApplied = standbyCounters.getOrDefault("ha.updates.received", 0L);
        report.deletesApplied = standbyCounters.getOrDefault("ha.deletes.received", 0L);
        if (activeManager != null)
        {
            report.updatesSent = activeManager.updatesSent();
            report.deletesSent = activeManager.deletesSent();
            report.pendingAtKill = activeManager.dirtySessions();
        }
    }

    private void compare(final Map<String, StandbyEnd> standbyEnds)
    {
        for (final LiveSession live : liveSessions.values())
        {
            final StandbyEnd end = standbyEnds.get(live.ref.id);
            if (!live.held || end == null || end.standby())
            {
                continue;
            }
            final RefSession ref = live.ref;
            boolean streamsMatch = true;
            for (int d = 0; d < 2; d++)
            {
                final long from = end.origin()[d];
                final long refAfter = ref.streams.bytesFrom(d, from);
                final long refGapsAfter = ref.streams.gapBytesFrom(d, from);
                final long neverSeen = end.streams().takeoverGapBytes[d];
                final long standbyGaps = end.streams().gapBytes[d];
                if (end.streams().bytes[d] > refAfter || standbyGaps > refGapsAfter ||
                    end.streams().bytes[d] + standbyGaps + neverSeen != refAfter + refGapsAfter)
                {
                    streamsMatch = false;
                }
                else
                {
                    report.neverSeenBytes += neverSeen;
                    report.neverSeenDirections += neverSeen > 0 ? 1 : 0;
                }
                report.reassembledAfterTakeover += end.streams().bytes[d];
            }
            final boolean outcomeMatch = end.outcome().equals(ref.outcome);
            if (live.old)
            {
                report.takenOverOld++;
            }
            else
            {
                report.takenOverYoung++;
            }
            if (streamsMatch && outcomeMatch)
            {
                report.matching++;
            }
            else if (!streamsMatch)
            {
                report.streamMismatches++;
                report.problem("reassembly differs after takeover: " + ref.id + detail(ref, end, live));
            }
            else if (live.old)
            {
                report.outcomeMismatchesOld++;
                report.problem("differs from one node: " + ref.id + " one node " + ref.outcome + " standby " +
                    end.outcome());
            }
            else
            {
                report.behindYoung++;
            }
        }
    }

    private static String detail(final RefSession ref, final StandbyEnd end, final LiveSession live)
    {
        final StringBuilder sb = new StringBuilder();
        for (int d = 0; d < 2; d++)
        {
            sb.append(d == 0 ? " to server: " : "; to client: ").append("from offset ").append(end.origin()[d])
                .append(" one node ").append(ref.streams.bytesFrom(d, end.origin()[d])).append('+')
                .append(ref.streams.gapBytesFrom(d, end.origin()[d])).append(" gap, standby ")
                .append(end.streams().bytes[d]).append('+').append(end.streams().gapBytes[d])
                .append(" gap+").append(end.streams().takeoverGapBytes[d]).append(" takeover gap, active before ")
                .append(live.activeBytes[d]).append(" of ")
                .append(ref.streams.bytes[d]).append(" with ").append(live.activeQueued[d]).append(" queued");
        }
        return sb.toString();
    }

    private static StandbyEnd standbyEnd(final Flow flow, final StreamLedger.Streams streams)
    {
        final long[] origin = new long[2];
        final TcpSession ssn = TcpEngine.session(flow);
        if (ssn != null)
        {
            origin[0] = origin(ssn.client);
            origin[1] = origin(ssn.server);
        }
        return new StandbyEnd(Outcome.of(flow), flow.standby(), streams, origin);
    }

    private static long origin(final TcpStreamTracker tracker)
    {
        return tracker.has(TcpStreamTracker.FLAG_TAKEN_OVER) ? tracker.takeoverOffset : 0;
    }

    private static boolean sameState(final Flow a, final Flow s)
    {
        if (!Outcome.of(a).equals(Outcome.of(s)))
        {
            return false;
        }
        final TcpSession ta = TcpEngine.session(a);
        final TcpSession ts = TcpEngine.session(s);
        if (ta == null || ts == null)
        {
            return ta == ts;
        }
        return sameTracker(ta.client, ts.client) && sameTracker(ta.server, ts.server);
    }

    private static boolean sameTracker(final TcpStreamTracker a, final TcpStreamTracker s)
    {
        return a.isn == s.isn && a.nextSeq == s.nextSeq && a.lastAck == s.lastAck;
    }

    private HaContext haContext(final int nodeId)
    {
        return HaContext.fromConfig(settings.config()).enabled(true).nodeId(nodeId);
    }

    private Worker worker(final StreamLedger ledger, final FlowEndListener listener)
    {
        return WorkerContexts.newWorker(settings.config(), listener, (p, event) ->
        {
        }, ledger);
    }

    private static Map<String, Long> counters(final Worker worker)
    {
        final Map<String, Long> counters = new HashMap<>();
        worker.reportStats(counters::put);
        return counters;
    }

    private static String id(final Flow flow)
    {
        return flow.key() + "@" + flow.startNs();
    }

    private static String tuple(final FlowKey k)
    {
        return tuple(k.protocol(), k.clientHi(), k.clientLo(), k.clientPort(), k.serverHi(), k.serverLo(),
            k.serverPort());
    }

    private static String tuple(final SynthManifest.Flow f)
    {
        return tuple(f.protocol(), f.srcHi(), f.srcLo(), f.srcPort(), f.dstHi(), f.dstLo(), f.dstPort());
    }

    private static String tuple(
        final int protocol, final long srcHi, final long srcLo, final int srcPort, final long dstHi, final long dstLo,
        final int dstPort)
    {
        return protocol + "/" + srcHi + "/" + srcLo + "/" + srcPort + "/" + dstHi + "/" + dstLo + "/" + dstPort;
    }

    private static long[] add(final long[] a, final long[] b)
    {
        return new long[] { a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3] };
    }

    private static void stop(final Thread activeThread, final Thread standbyThread, final StandbyRunner standbyRunner)
        throws InterruptedException
    {
        standbyRunner.abort = true;
        standbyRunner.pause.countDown();
        standbyRunner.resume.countDown();
        activeThread.join();
        standbyThread.join();
    }

    private static void rethrow(final Throwable failure)
    {
        if (failure instanceof RuntimeException ex)
        {
            throw ex;
        }
        if (failure instanceof Error err)
        {
            throw err;
        }
        if (failure != null)
        {
            throw new IllegalStateException(failure);
        }
    }

    /**
     * The time both nodes go by while the active runs: its packet time (a capture has no other clock).
     */
    private static final class PacketClock
    {
        volatile long nowNs;
    }

    /**
     * The active node's thread: the capture up to the kill point, a batch at a time, each batch ending with the HA
     * manager's flush; then it stops dead.
     */
    private static final class ActiveRunner implements Runnable, PacketHandler
    {
        private static final long MAX_PARK_NS = 50_000;

        private final Worker worker;
        private final HaLink link;
        private final Path pcap;
        private final long packets;
        private final PacketClock clock;
        private final double speed;
        private long firstTimestampNs = Long.MIN_VALUE;
        private long startNs;
        private int sinceFlush;
        private volatile long endNs;
        private volatile Throwable failure;

        ActiveRunner(
            final Worker worker, final HaLink link, final Path pcap, final long packets, final PacketClock clock,
            final double speed)
        {
            this.worker = worker;
            this.link = link;
            this.pcap = pcap;
            this.packets = packets;
            this.clock = clock;
            this.speed = speed;
        }

        @Override
        public void run()
        {
            try (PcapFileSource source = PcapFileSource.open(pcap))
            {
                long done = 0;
                while (done < packets)
                {
                    final int n = source.poll(this, (int)Math.min(BATCH, packets - done));
                    if (n == 0)
                    {
                        break;
                    }
                    done += n;
                    endOfBatch();
                }
            }
            catch (final Throwable ex)
            {
                failure = ex;
            }
            finally
            {
                endNs = System.nanoTime();
            }
        }

        @Override
        public void onPacket(
            final DirectBuffer frame, final int capturedLength, final int wireLength, final long timestampNs,
            final int linkType)
        {
            if (speed > 0)
            {
                if (firstTimestampNs == Long.MIN_VALUE)
                {
                    firstTimestampNs = timestampNs;
                    startNs = System.nanoTime();
                }
                final long dueNs = startNs + (long)((timestampNs - firstTimestampNs) / speed);
                if (System.nanoTime() - dueNs < 0)
                {
                    endOfBatch();
                    long leftNs;
                    while ((leftNs = dueNs - System.nanoTime()) > 0)
                    {
                        link.activeWork(worker.lastTimestampNs());
                        LockSupport.parkNanos(Math.min(leftNs, MAX_PARK_NS));
                    }
                }
            }
            worker.onPacket(frame, capturedLength, wireLength, timestampNs, linkType);
            sinceFlush++;
        }

        private void endOfBatch()
        {
            if (sinceFlush > 0)
            {
                worker.endOfBatch();
                sinceFlush = 0;
            }
            link.activeWork(worker.lastTimestampNs());
            clock.nowNs = worker.lastTimestampNs();
        }
    }

    /**
     * The standby node's thread: applies what the link brings until asked to pause (the census), then takes the
     * moved traffic and ends every flow at the end of it.
     */
    private static final class StandbyRunner implements Runnable
    {
        final CountDownLatch pause = new CountDownLatch(1);
        final CountDownLatch paused = new CountDownLatch(1);
        final CountDownLatch resume = new CountDownLatch(1);
        private final Worker worker;
        private final HaLink link;
        private final ReplicationLag lag;
        private final PcapFileSource moved;
        private final PacketClock clock;
        private volatile long moveNs;
        private volatile long firstHandledNs;
        private volatile long lastHandledNs;
        private volatile long packets;
        private volatile boolean abort;
        private volatile Throwable failure;

        StandbyRunner(
            final Worker worker, final HaLink link, final ReplicationLag lag, final PcapFileSource moved,
            final PacketClock clock)
        {
            this.worker = worker;
            this.link = link;
            this.lag = lag;
            this.moved = moved;
            this.clock = clock;
        }

        @Override
        public void run()
        {
            try
            {
                final IdleStrategy idle = new BackoffIdleStrategy(
                    100, 10, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(100));
                while (pause.getCount() > 0)
                {
                    final int applied = link.standbyWork(clock.nowNs);
                    lag.applied(applied);
                    idle.idle(applied);
                }
                paused.countDown();
                resume.await();
                if (abort)
                {
                    return;
                }
                final PacketHandler first = (frame, capturedLength, wireLength, timestampNs, linkType) ->
                {
                    worker.onPacket(frame, capturedLength, wireLength, timestampNs, linkType);
                    if (firstHandledNs == 0)
                    {
                        firstHandledNs = System.nanoTime();
                    }
                };
                long count = moved.poll(first, 1);
                worker.endOfBatch();
                while (!moved.isEndOfStream() && !abort)
                {
                    final int n = moved.poll(worker, BATCH);
                    if (n == 0)
                    {
                        break;
                    }
                    count += n;
                    worker.endOfBatch();
                    lag.applied(link.standbyWork(worker.lastTimestampNs()));
                }
                lastHandledNs = System.nanoTime();
                packets = count;
                worker.finish(FlowEndReason.SHUTDOWN);
            }
            catch (final Throwable ex)
            {
                failure = ex;
                paused.countDown();
            }
        }
    }
}
