package io.tandem.node.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.tandem.node.config.TandemConfig;
import io.tandem.node.flow.Flow;
import io.tandem.node.flow.FlowEndReason;
import io.tandem.node.io.Encapsulation;
import io.tandem.node.io.MirrorFeedSource;
import io.tandem.node.io.PacketHandler;
import io.tandem.node.io.PacketSource;
import io.tandem.node.io.PcapFileSource;
import io.tandem.node.io.PcapFileWriter;
import io.tandem.node.synth.SynthOptions;
import io.tandem.node.synth.TrafficSynthesizer;
import io.tandem.node.worker.Worker;
import io.tandem.node.worker.WorkerContexts;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

class ReplayCommandTest
{
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(30);
    private static final long T0 = 1_700_000_000_000_000_000L;

    private final StringWriter err = new StringWriter();
    private final List<MirrorFeedSource> sources = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void tearDown()
    {
        sources.forEach(MirrorFeedSource::close);
    }

    private int replay(final String... args)
    {
        final picocli.CommandLine cli = TandemCommand.commandLine();
        cli.setErr(new PrintWriter(err, true));
        final String[] all = new String[args.length + 1];
        all[0] = "replay";
        System.arraycopy(args, 0, all, 1, args.length);
        return cli.execute(all);
    }

    private MirrorFeedSource listen(final Encapsulation encapsulation)
    {
        final MirrorFeedSource source = MirrorFeedSource.open(new MirrorFeedSource.Context()
            .bindAddress("127.0.0.1")
            .port(0)
            .encapsulation(encapsulation)
            .receiveBufferBytes(8 * 1024 * 1024));
        sources.add(source);
        return source;
    }

    private Path synthCapture(final long seed, final int sessions)
    {
        final Path pcap = dir.resolve("synth-" + seed + ".pcap");
        new TrafficSynthesizer(new SynthOptions().seed(seed).sessions(sessions).concurrency(4)
            .requestMaxBytes(1200).responseMaxBytes(6000).udpPct(20).ipv6Pct(20).vlanPct(20))
            .generate(pcap, false);
        return pcap;
    }

    private static List<byte[]> framesOf(final Path pcap)
    {
        final List<byte[]> frames = new ArrayList<>();
        try (PcapFileSource source = PcapFileSource.open(pcap))
        {
            drainInto(source, Integer.MAX_VALUE, (frame, capturedLength, wireLength, timestampNs, linkType) ->
            {
                final byte[] bytes = new byte[capturedLength];
                frame.getBytes(0, bytes);
                frames.add(bytes);
            });
        }
        return frames;
    }

    private static List<byte[]> receive(final MirrorFeedSource source, final int count)
    {
        final List<byte[]> frames = new ArrayList<>();
        drainInto(source, count, (frame, capturedLength, wireLength, timestampNs, linkType) ->
        {
            assertThat(linkType).isEqualTo(1);
            final byte[] bytes = new byte[capturedLength];
            frame.getBytes(0, bytes);
            frames.add(bytes);
        });
        return frames;
    }

    private static long drainInto(final PacketSource source, final long count, final PacketHandler handler)
    {
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        long delivered = 0;
        while (delivered < count && !source.isEndOfStream())
        {
            final int polled = source.poll(handler, 256);
            delivered += polled;
            if (0 == polled && source instanceof MirrorFeedSource)
            {
                if (System.nanoTime() > deadlineNs)
                {
                    fail("only " + delivered + " of " + count + " frames arrived");
                }
                Thread.yield();
            }
        }
        return delivered;
    }

    private static void assertSameFrames(final List<byte[]> actual, final List<byte[]> expected)
    {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++)
        {
            assertThat(actual.get(i)).as("frame %d", i).isEqualTo(expected.get(i));
        }
    }

    @ParameterizedTest
    @EnumSource(Encapsulation.class)
    void shouldDeliverEveryFrameOfTheCaptureByteIdenticalAtTopSpeed(final Encapsulation encapsulation)
    {
        final Path pcap = synthCapture(42, 12);
        final List<byte[]> expected = framesOf(pcap);
        assertThat(expected).hasSizeBetween(100, 1000);
        final MirrorFeedSource source = listen(encapsulation);

        final int exit = replay("--pcap", pcap.toString(), "--to", "127.0.0.1:" + source.port(),
            "--encap", encapsulation.name().toLowerCase(), "--vni", "4242", "--top-speed");

        assertThat(exit).as(err.toString()).isZero();
        assertSameFrames(receive(source, expected.size()), expected);
        assertThat(source.poll((f, c, w, t, l) -> fail("unexpected frame"), 10)).isZero();
        assertThat(err.toString())
            .contains(expected.size() + " frames sent")
            .contains("0 frames skipped")
            .contains(encapsulation.name().toLowerCase() + " vni 4242");
    }

    @Test
    void shouldPaceLoopsAtAFixedRateAndKeepTheirOrder()
    {
        final Path pcap = synthCapture(5, 3);
        final List<byte[]> once = framesOf(pcap);
        final MirrorFeedSource source = listen(Encapsulation.GENEVE);

        final int exit = replay("--pcap", pcap.toString(), "--to", "localhost:" + source.port(),
            "--encap", "GENEVE", "--pps", "50000", "--loop", "3");

        assertThat(exit).as(err.toString()).isZero();
        final List<byte[]> expected = new ArrayList<>();
        for (int i = 0; i < 3; i++)
        {
            expected.addAll(once);
        }
        assertSameFrames(receive(source, expected.size()), expected);
        assertThat(err.toString()).contains(expected.size() + " frames sent").contains("3 loop(s)");
    }

    @Test
    void shouldSendOnlyThePacketsFromAndUntilTheGivenNumbersSoTwoRunsSplitTheCapture()
    {
        final Path pcap = synthCapture(7, 6);
        final List<byte[]> all = framesOf(pcap);
        final int split = all.size() / 3;
        final MirrorFeedSource first = listen(Encapsulation.VXLAN);
        final MirrorFeedSource second = listen(Encapsulation.VXLAN);

        assertThat(replay("--pcap", pcap.toString(), "--to", "127.0.0.1:" + first.port(), "--top-speed",
            "--until", Integer.toString(split))).as(err.toString()).isZero();
        assertThat(replay("--pcap", pcap.toString(), "--to", "127.0.0.1:" + second.port(), "--top-speed",
            "--from", Integer.toString(split + 1))).as(err.toString()).isZero();

        assertSameFrames(receive(first, split), all.subList(0, split));
        assertSameFrames(receive(second, all.size() - split), all.subList(split, all.size()));
        assertThat(first.poll((f, c, w, t, l) -> fail("unexpected frame"), 10)).isZero();
        assertThat(second.poll((f, c, w, t, l) -> fail("unexpected frame"), 10)).isZero();
    }

    @Test
    void shouldKeepTheCaptureTimingScaledBySpeed()
    {
        final Path pcap = synthCapture(6, 2);
        final List<byte[]> expected = framesOf(pcap);
        final MirrorFeedSource source = listen(Encapsulation.VXLAN);

        final int exit = replay("--pcap", pcap.toString(), "--to", "127.0.0.1:" + source.port(), "--speed", "50");

        assertThat(exit).as(err.toString()).isZero();
        assertSameFrames(receive(source, expected.size()), expected);
    }

    @Test
    void shouldSkipAndCountFramesThatAreNotEthernetOrTooLarge()
    {
        final Path raw = dir.resolve("raw.pcap");
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[65_600]);
        try (PcapFileWriter writer = new PcapFileWriter(raw, 101, false))
        {
            for (int i = 0; i < 3; i++)
            {
                writer.write(frame, 0, 40, T0 + i);
            }
        }
        final MirrorFeedSource source = listen(Encapsulation.VXLAN);
        assertThat(replay("--pcap", raw.toString(), "--to", "127.0.0.1:" + source.port(), "--top-speed")).isZero();
        assertThat(err.toString())
            .contains("0 frames sent")
            .contains("3 frames skipped: 3 not Ethernet (link types [101]), 0 too large");

        final Path big = dir.resolve("big.pcap");
        try (PcapFileWriter writer = new PcapFileWriter(big, 1, false))
        {
            writer.write(frame, 0, 60, T0);
            writer.write(frame, 0, 65_500, T0 + 1);
            writer.write(frame, 0, 61, T0 + 2);
        }
        err.getBuffer().setLength(0);
        assertThat(replay("--pcap", big.toString(), "--to", "127.0.0.1:" + source.port(), "--top-speed")).isZero();
        assertThat(err.toString())
            .contains("2 frames sent")
            .contains("1 frames skipped: 0 not Ethernet, 1 too large");
        final List<byte[]> received = receive(source, 2);
        assertThat(received.get(0)).hasSize(60);
        assertThat(received.get(1)).hasSize(61);
    }

    @Test
    void shouldRejectConflictingOrImpossibleOptions()
    {
        final Path pcap = synthCapture(1, 1);
        final String file = pcap.toString();
        assertThat(replay("--pcap", file, "--to", "127.0.0.1:4789", "--speed", "2", "--top-speed")).isEqualTo(2);
        assertThat(replay("--pcap", file, "--to", "127.0.0.1:4789", "--pps", "10", "--top-speed")).isEqualTo(2);
        assertThat(replay("--pcap", file, "--to", "127.0.0.1:4789", "--vni", "16777216")).isEqualTo(2);
        assertThat(replay("--pcap", file, "--to", "127.0.0.1:4789", "--speed", "0")).isEqualTo(2);
        assertThat(replay("--pcap", file, "--to", "127.0.0.1:4789", "--encap", "gre")).isEqualTo(2);
        assertThat(replay("--pcap", file, "--to", "127.0.0.1")).isEqualTo(2);
        assertThat(replay("--pcap", file, "--to", "127.0.0.1:0")).isEqualTo(2);
        assertThat(replay("--pcap", file, "--to", "127.0.0.1:4789", "--from", "0")).isEqualTo(2);
        assertThat(replay("--pcap", file, "--to", "127.0.0.1:4789", "--from", "5", "--until", "4")).isEqualTo(2);
        assertThat(replay("--pcap", dir.resolve("missing.pcap").toString(), "--to", "127.0.0.1:4789"))
            .isEqualTo(AnalyzeCommand.EXIT_BAD_INPUT);
        assertThat(err.toString()).contains("--vni").contains("--speed").contains("--from").contains("--until")
            .contains("missing.pcap");
    }

    @Test
    void shouldFindTheSameFlowsLiveThroughAWorkerAsFromTheCapture()
    {
        final Path pcap = synthCapture(77, 20);
        final int frameCount = framesOf(pcap).size();

        final List<String> fromCapture = new ArrayList<>();
        final Worker direct = worker(fromCapture);
        try (PcapFileSource source = PcapFileSource.open(pcap))
        {
            drainInto(source, Long.MAX_VALUE, direct);
        }
        direct.finish(FlowEndReason.SHUTDOWN);

        final MirrorFeedSource source = listen(Encapsulation.VXLAN);
        assertThat(replay("--pcap", pcap.toString(), "--to", "127.0.0.1:" + source.port(), "--top-speed"))
            .as(err.toString()).isZero();
        final List<String> live = new ArrayList<>();
        final Worker worker = worker(live);
        assertThat(drainInto(source, frameCount, worker)).isEqualTo(frameCount);
        worker.finish(FlowEndReason.SHUTDOWN);

        assertThat(fromCapture).hasSizeGreaterThanOrEqualTo(20);
        assertThat(live).containsExactlyInAnyOrderElementsOf(fromCapture);
        assertThat(worker.packetsSeen()).isEqualTo(direct.packetsSeen());
    }

    private static Worker worker(final List<String> flows)
    {
        return new Worker(WorkerContexts.from(TandemConfig.defaults()),
            (flow, reason) -> flows.add(describe(flow)), (packet, event) -> { });
    }

    private static String describe(final Flow flow)
    {
        return String.format("%s pkts %d/%d bytes %d/%d flags %x/%x", flow.key(), flow.pktsToServer(),
            flow.pktsToClient(), flow.bytesToServer(), flow.bytesToClient(), flow.tcpFlagsToServer(),
            flow.tcpFlagsToClient());
    }
}
