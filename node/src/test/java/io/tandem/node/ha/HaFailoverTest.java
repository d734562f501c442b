package io.tandem.node.ha;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.tandem.node.applayer.AppProto;
import io.tandem.node.applayer.AppProtoDetector;
import io.tandem.node.flow.Flow;
import io.tandem.node.flow.FlowEndReason;
import io.tandem.node.ha.spi.HaRecordRegistry;
import io.tandem.node.synth.SynthOptions;
import io.tandem.node.synth.TrafficSynthesizer;
import io.tandem.node.tcp.TcpEngine;
import io.tandem.node.tcp.TcpSession;
import io.tandem.node.worker.Worker;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

class HaFailoverTest
{
    private static final int BATCH = 64;
    private static final int THROTTLE_MS = 1000;

    @TempDir
    Path dir;

    private record Frame(byte[] bytes, long timestampNs)
    {
    }

    private record Outcome(
        String tcpState, String flowState, long pktsToServer, long pktsToClient, long bytesToServer, long bytesToClient)
    {
    }

    @ParameterizedTest
    @ValueSource(ints = { 3, 2 })
    void shouldEndEverySessionSpanningTheSplitOnTheSecondNodeAsOneNodeWould(final int splitDivisor) throws IOException
    {
        final List<Frame> frames = new ArrayList<>();
        new TrafficSynthesizer(new SynthOptions().seed(42).sessions(400).concurrency(60))
            .generate((frame, capturedLength, wireLength, timestampNs, linkType) ->
            {
                final byte[] copy = new byte[capturedLength];
                frame.getBytes(0, copy);
                frames.add(new Frame(copy, timestampNs));
            });
        final int splitIndex = frames.size() / splitDivisor;
        final long splitNs = frames.get(splitIndex).timestampNs();

        final Map<String, Outcome> single = new HashMap<>();
        final Map<String, Long> singleLastNs = new HashMap<>();
        final Worker one = worker(single, singleLastNs);
        feed(one, frames, Long.MIN_VALUE, Long.MAX_VALUE);
        one.finish(FlowEndReason.SHUTDOWN);

        final Path file = dir.resolve("node1.ha");
        final Map<String, Outcome> first = new HashMap<>();
        final Worker node1 = worker(first, new HashMap<>());
        try (HaFileSink sink = new HaFileSink(file, 64L * 1024 * 1024))
        {
            node1.enableHa(context(1), new HaRecordRegistry(), sink);
            feed(node1, frames, Long.MIN_VALUE, splitNs);
            node1.finish(FlowEndReason.SHUTDOWN);
        }
        assertThat(node1.haManager().updatesSent()).isPositive();

        final Map<String, Outcome> second = new HashMap<>();
        final Worker node2 = worker(second, new HashMap<>());
        final HaManager manager2 = node2.enableHa(context(2), new HaRecordRegistry(), HaMessageSink.NONE);
        assertThat(manager2.prime(file)).isPositive();
        final int standbyAtStart = node2.flowTable().standbyFlows();
        feed(node2, frames, splitNs, Long.MAX_VALUE);
        node2.finish(FlowEndReason.SHUTDOWN);

        int spanning = 0;
        final List<String> mismatches = new ArrayList<>();
        for (final Map.Entry<String, Outcome> e : single.entrySet())
        {
            final String id = e.getKey();
            final long startNs = Long.parseLong(id.substring(id.lastIndexOf('@') + 1));
            if (!id.startsWith("v4/6 ") && !id.startsWith("v6/6 ") || startNs >= splitNs ||
                singleLastNs.get(id) < splitNs)
            {
                continue;
            }
            spanning++;
            final Outcome onSecond = second.get(id);
            if (!e.getValue().equals(onSecond))
            {
                mismatches.add(id + " one node " + e.getValue() + " second node " + onSecond);
            }
        }
        System.out.printf("failover: %d packets, split at packet %d, %d flows on one node, %d standby sessions " +
            "primed on node 2, %d TCP sessions span the split, %d differ%n", frames.size(), splitIndex,
            single.size(), standbyAtStart, spanning, mismatches.size());
        assertThat(spanning).isGreaterThan(20);
        assertThat(mismatches).isEmpty();
    }

    /**
     * Throttled replication and a crash: node 1 (min-sync-interval 1000 ms) stops without its final updates, as a
     * killed node would; node 2 takes over from what reached it.
     */
    @Test
    void shouldLeaveAThrottledStandbyAtMostOneIntervalBehindAndTakeOverWithTakeoverGapsAndNoEvents() throws IOException
    {
        final long intervalNs = THROTTLE_MS * 1_000_000L;
        final List<Frame> frames = new ArrayList<>();
        new TrafficSynthesizer(new SynthOptions().seed(42).sessions(400).concurrency(60).appPct(80))
            .generate((frame, capturedLength, wireLength, timestampNs, linkType) ->
            {
                final byte[] copy = new byte[capturedLength];
                frame.getBytes(0, copy);
                frames.add(new Frame(copy, timestampNs));
            });
        final long splitNs = frames.get(frames.size() / 2).timestampNs();

        final Observed single = new Observed(splitNs);
        final Worker one = single.worker();
        feed(one, frames, Long.MIN_VALUE, Long.MAX_VALUE);
        one.finish(FlowEndReason.SHUTDOWN);

        final Path file = dir.resolve("node1.ha");
        final Observed first = new Observed(splitNs);
        final Worker node1 = first.worker();
        final Map<String, Long> ownerLastNs = new HashMap<>();
        final Map<String, AppProto> ownerApp = new HashMap<>();
        final long maxBatchSpanNs;
        try (HaFileSink sink = new HaFileSink(file, 64L * 1024 * 1024))
        {
            node1.enableHa(context(1).minSyncIntervalMs(THROTTLE_MS), new HaRecordRegistry(), sink);
            maxBatchSpanNs = feed(node1, frames, Long.MIN_VALUE, splitNs);
            node1.flowTable().forEachFlow(flow ->
            {
                ownerLastNs.put(id(flow), flow.lastNs());
                ownerApp.put(id(flow), first.detector.appProto(flow));
            });
        }
        assertThat(node1.haManager().dirtySessions()).as("changes still throttled at the crash").isPositive();

        final Observed second = new Observed(splitNs);
        final Worker node2 = second.worker();
        node2.enableHa(context(2), new HaRecordRegistry(), HaMessageSink.NONE).prime(file);
        final Map<String, Long> standbyLastNs = new HashMap<>();
        node2.flowTable().forEachFlow(flow -> standbyLastNs.put(id(flow), flow.lastNs()));
        long maxLagNs = 0;
        int behind = 0;
        for (final Map.Entry<String, Long> e : standbyLastNs.entrySet())
        {
            final Long ownerNs = ownerLastNs.get(e.getKey());
            if (ownerNs == null)
            {
                continue;
            }
            final long lagNs = ownerNs - e.getValue();
            maxLagNs = Math.max(maxLagNs, lagNs);
            behind += lagNs > 0 ? 1 : 0;
        }
        feed(node2, frames, splitNs, Long.MAX_VALUE);
        node2.finish(FlowEndReason.SHUTDOWN);

        int spanning = 0;
        int identified = 0;
        final List<String> extraEvents = new ArrayList<>();
        final List<String> appMismatches = new ArrayList<>();
        final List<String> stateMismatches = new ArrayList<>();
        for (final Map.Entry<String, Long> e : ownerLastNs.entrySet())
        {
            final String id = e.getKey();
            if (!single.outcomes.containsKey(id) || single.lastNs.get(id) < splitNs || !id.contains("/6 "))
            {
                continue;
            }
            spanning++;
            final Outcome expected = single.outcomes.get(id);
            final Outcome actual = second.outcomes.get(id);
            if (actual == null || !expected.tcpState().equals(actual.tcpState()) ||
                !expected.flowState().equals(actual.flowState()))
            {
                stateMismatches.add(id + " " + expected + " vs " + actual);
            }
            final List<String> events = new ArrayList<>(second.events.getOrDefault(id, List.of()));
            single.events.getOrDefault(id, List.of()).stream().filter(ev -> ev.startsWith("after ")).forEach(ev ->
                events.remove(ev));
            if (!events.isEmpty())
            {
                extraEvents.add(id + " " + events);
            }
            if (ownerApp.get(id).known())
            {
                identified++;
                if (second.apps.get(id) != single.apps.get(id))
                {
                    appMismatches.add(id + " " + single.apps.get(id) + " vs " + second.apps.get(id));
                }
            }
        }
        final HaManager manager2 = node2.haManager();
        final long reassemblyTakeoverGapBytes = counter(node2, "tcp.reassembly_takeover_gap_bytes");
        System.out.printf("throttled failover (min-sync-interval %d ms, crash at packet %d): %d standby sessions, %d " +
            "behind the owner, largest lag %.1f ms (bound %.1f ms); %d TCP sessions span the crash, %d with a " +
            "protocol identified before it; takeover gaps: %d at promotion (%d bytes of sequence space), %d bytes " +
            "in streams; %d sessions with extra events, %d app_proto differ, %d TCP or flow states differ%n",
            THROTTLE_MS, frames.size() / 2, standbyLastNs.size(), behind, maxLagNs / 1e6,
            (intervalNs + maxBatchSpanNs) / 1e6, spanning, identified,
            manager2.takeoverGaps(), manager2.takeoverGapBytes(), reassemblyTakeoverGapBytes, extraEvents.size(),
            appMismatches.size(), stateMismatches.size());
        assertThat(behind).as("the throttle left sessions behind").isPositive();
        assertThat(maxLagNs).as("at most one interval (and one batch) behind").isLessThanOrEqualTo(
            intervalNs + maxBatchSpanNs);
        assertThat(manager2.takeoverGaps() + reassemblyTakeoverGapBytes).isPositive();
        assertThat(counter(node2, "ha.takeover.gaps")).isEqualTo(manager2.takeoverGaps());
        assertThat(extraEvents).as("no event the single node did not raise").isEmpty();
        assertThat(identified).isGreaterThan(10);
        assertThat(appMismatches).isEmpty();
        assertThat(stateMismatches).isEmpty();
    }

    /**
     * A worker with app-layer detection, recording per session its outcome, last packet time, protocol and stream
     * events (prefixed "before " or "after " the split).
     */
    private final class Observed
    {
        final AppProtoDetector detector = new AppProtoDetector();
        final Map<String, Outcome> outcomes = new HashMap<>();
        final Map<String, Long> lastNs = new HashMap<>();
        final Map<String, AppProto> apps = new HashMap<>();
        final Map<String, List<String>> events = new HashMap<>();
        final long splitNs;

        Observed(final long splitNs)
        {
            this.splitNs = splitNs;
        }

        Worker worker()
        {
            return new Worker(new Worker.Context().streamConsumer(detector), (flow, reason) ->
            {
                final String id = id(flow);
                final TcpSession ssn = TcpEngine.session(flow);
                outcomes.put(id, new Outcome(ssn == null ? "none" : ssn.state.eveName(), flow.state().eveName(),
                    flow.pktsToServer(), flow.pktsToClient(), flow.bytesToServer(), flow.bytesToClient()));
                lastNs.put(id, flow.lastNs());
                apps.put(id, detector.appProto(flow));
            }, (p, e) ->
            {
            }, (p, flow, event) -> events.computeIfAbsent(id(flow), k -> new ArrayList<>())
                .add((p.timestampNs >= splitNs ? "after " : "before ") + event.eventName()));
        }
    }

    private static long counter(final Worker worker, final String name)
    {
        final long[] value = { -1 };
        worker.reportStats((n, v) ->
        {
            if (n.equals(name))
            {
                value[0] = v;
            }
        });
        return value[0];
    }

    private static HaContext context(final int nodeId)
    {
        return new HaContext().enabled(true).nodeId(nodeId).minSessionLifetimeMs(0).minSyncIntervalMs(0);
    }

    private static Worker worker(final Map<String, Outcome> outcomes, final Map<String, Long> lastNs)
    {
        return new Worker(new Worker.Context(), (flow, reason) ->
        {
            final String id = id(flow);
            final TcpSession ssn = TcpEngine.session(flow);
            outcomes.put(id, new Outcome(ssn == null ? "none" : ssn.state.eveName(), flow.state().eveName(),
                flow.pktsToServer(), flow.pktsToClient(), flow.bytesToServer(), flow.bytesToClient()));
            lastNs.put(id, flow.lastNs());
        }, (p, e) ->
        {
        });
    }

    private static String id(final Flow flow)
    {
        return flow.key() + "@" + flow.startNs();
    }

    /**
     * Feed frames in batches of {@value #BATCH}, ending each batch; returns the longest time a batch spanned.
     */
    private static long feed(final Worker worker, final List<Frame> frames, final long fromNs, final long toNs)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);
        int inBatch = 0;
        long batchStartNs = 0;
        long maxSpanNs = 0;
        for (final Frame f : frames)
        {
            if (f.timestampNs() >= fromNs && f.timestampNs() < toNs)
            {
                if (inBatch == 0)
                {
                    batchStartNs = f.timestampNs();
                }
                buffer.wrap(f.bytes());
                worker.onPacket(buffer, f.bytes().length, f.bytes().length, f.timestampNs(), 1);
                if (++inBatch == BATCH)
                {
                    worker.endOfBatch();
                    inBatch = 0;
                    maxSpanNs = Math.max(maxSpanNs, f.timestampNs() - batchStartNs);
                }
            }
        }
        worker.endOfBatch();
        return maxSpanNs;
    }
}
