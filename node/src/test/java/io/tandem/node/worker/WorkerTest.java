package io.tandem.node.worker;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import io.tandem.node.applayer.AppProtoDetector;
import io.tandem.node.config.TandemConfig;
import io.tandem.node.decode.DecoderEvent;
import io.tandem.node.flow.FlowEndReason;
import io.tandem.node.synth.SynthManifest;
import io.tandem.node.synth.SynthOptions;
import io.tandem.node.synth.TrafficSynthesizer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WorkerTest
{
    private record Frame(byte[] bytes, long timeNs)
    {
    }

    private static List<Frame> synthFrames(final SynthOptions options)
    {
        final List<Frame> frames = new ArrayList<>();
        new TrafficSynthesizer(options).generate((buffer, capturedLength, wireLength, timestampNs, linkType) ->
        {
            final byte[] bytes = new byte[capturedLength];
            buffer.getBytes(0, bytes);
            frames.add(new Frame(bytes, timestampNs));
        });
        return frames;
    }

    @Test
    void shouldForgetEveryFlowsDetectionStateOnceTheFlowEndedWhateverItsListener()
    {
        final List<Frame> frames = synthFrames(new SynthOptions().seed(8).sessions(200).concurrency(20).appPct(80));
        final AppProtoDetector detector = new AppProtoDetector();
        final long[] identifiedAtEnd = new long[1];
        final Worker worker = new Worker(WorkerContexts.from(TandemConfig.defaults()).streamConsumer(detector),
            (flow, reason) ->
            {
                if (detector.appProto(flow).known())
                {
                    identifiedAtEnd[0]++;
                }
            },
            (p, event) -> { });

        final UnsafeBuffer view = new UnsafeBuffer(0, 0);
        for (final Frame frame : frames)
        {
            view.wrap(frame.bytes());
            worker.onPacket(view, frame.bytes().length, frame.bytes().length, frame.timeNs(), 1);
        }
        assertThat(detector.trackedFlows()).isPositive();
        worker.finish(FlowEndReason.SHUTDOWN);

        assertThat(identifiedAtEnd[0]).as("detection still known to the flow listener").isGreaterThan(100);
        assertThat(detector.trackedFlows()).isZero();
    }

    @Test
    void shouldSurviveMutatedTrafficThroughEveryStageAndKeepItsBooksStraight()
    {
        final List<Frame> frames = synthFrames(new SynthOptions().seed(21).sessions(300).concurrency(30)
            .udpPct(20).ipv6Pct(30).vlanPct(30).fragPct(30));
        final SplittableRandom random = new SplittableRandom(1234);
        final long[] flowsEnded = new long[1];
        final long[] packetsInFlows = new long[1];
        final List<DecoderEvent> events = new ArrayList<>();
        final Worker worker = new Worker(WorkerContexts.from(TandemConfig.defaults()),
            (flow, reason) ->
            {
                flowsEnded[0]++;
                packetsInFlows[0] += flow.pktsToServer() + flow.pktsToClient();
            },
            (p, event) -> events.add(event));

        final UnsafeBuffer view = new UnsafeBuffer(0, 0);
        long fed = 0;
        for (int round = 0; round < 20; round++)
        {
            for (final Frame frame : frames)
            {
                final byte[] bytes = frame.bytes().clone();
                final int mutations = random.nextInt(4);
                for (int m = 0; m < mutations; m++)
                {
                    bytes[random.nextInt(bytes.length)] = (byte)random.nextInt(256);
                }
                final int length = random.nextInt(10) == 0 ? random.nextInt(bytes.length + 1) : bytes.length;
                view.wrap(bytes, 0, Math.max(length, 0));
                worker.onPacket(view, length, bytes.length, frame.timeNs() + round * 3_600_000_000_000L, 1);
                fed++;
            }
        }
        worker.finish(FlowEndReason.SHUTDOWN);

        assertThat(worker.packetsSeen()).isEqualTo(fed);
        assertThat(worker.flowTable().activeFlows()).isZero();
        assertThat(flowsEnded[0]).isPositive();
        assertThat(packetsInFlows[0]).isPositive().isLessThanOrEqualTo(fed);
        assertThat(events).as("mutations raise decoder events").isNotEmpty();
    }

    @Test
    void shouldAccountReassembledDatagramsOnceWhateverTheFragmentOrder()
    {
        final List<Frame> frames = new ArrayList<>();
        final SynthManifest manifest = new TrafficSynthesizer(new SynthOptions().seed(8).sessions(40).concurrency(1)
            .udpPct(50).fragPct(100).vlanPct(30).ipv6Pct(30).requestMinBytes(600).requestMaxBytes(1400)
            .responseMinBytes(600).responseMaxBytes(1400)).generate((buffer, length, wireLength, timeNs, linkType) ->
            {
                final byte[] bytes = new byte[length];
                buffer.getBytes(0, bytes);
                frames.add(new Frame(bytes, timeNs));
            });
        final long datagrams = manifest.flows().stream()
            .mapToLong(f -> f.datagramsToServer() + f.datagramsToClient()).sum();
        final long capturedFrames = manifest.flows().stream().mapToLong(f -> f.pktsToServer() + f.pktsToClient()).sum();
        assertThat(capturedFrames).as("the capture really is fragmented").isGreaterThan(datagrams);

        final List<Frame> reversedFragments = new ArrayList<>(frames);
        int i = 0;
        while (i < reversedFragments.size())
        {
            int j = i + 1;
            final long timeNs = reversedFragments.get(i).timeNs();
            while (j < reversedFragments.size() && reversedFragments.get(j).timeNs() == timeNs)
            {
                j++;
            }
            java.util.Collections.reverse(reversedFragments.subList(i, j));
            i = j;
        }
        assertThat(reversedFragments).isNotEqualTo(frames);

        assertThat(packetsInFlows(frames)).isEqualTo(datagrams);
        assertThat(packetsInFlows(reversedFragments)).isEqualTo(datagrams);
    }

    private static long packetsInFlows(final List<Frame> frames)
    {
        final long[] packets = new long[1];
        final Worker worker = new Worker(WorkerContexts.from(TandemConfig.defaults()),
            (flow, reason) -> packets[0] += flow.pktsToServer() + flow.pktsToClient(), (p, event) -> { });
        final UnsafeBuffer view = new UnsafeBuffer(0, 0);
        for (final Frame frame : frames)
        {
            view.wrap(frame.bytes());
            worker.onPacket(view, frame.bytes().length, frame.bytes().length, frame.timeNs(), 1);
        }
        worker.finish(FlowEndReason.SHUTDOWN);
        return packets[0];
    }
}
