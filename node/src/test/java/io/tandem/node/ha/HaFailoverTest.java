package io.tandem.node.ha;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.tandem.node.flow.Flow;
import io.tandem.node.flow.FlowEndReason;
import io.tandem.node.ha.spi.HaRecordRegistry;
import io.tandem.node.synth.SynthOptions;
import io.tandem.node.synth.TrafficSynthesizer;
import io.tandem.node.tcp.TcpEngine;
import io.tandem.node.tcp.TcpSession;
import io.tandem.node.worker.Worker;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

class HaFailoverTest
{
    private static final int BATCH = 64;

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

    private static void feed(final Worker worker, final List<Frame> frames, final long fromNs, final long toNs)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);
        int inBatch = 0;
        for (final Frame f : frames)
        {
            if (f.timestampNs() >= fromNs && f.timestampNs() < toNs)
            {
                buffer.wrap(f.bytes());
                worker.onPacket(buffer, f.bytes().length, f.bytes().length, f.timestampNs(), 1);
                if (++inBatch == BATCH)
                {
                    worker.endOfBatch();
                    inBatch = 0;
                }
            }
        }
        worker.endOfBatch();
    }
}
