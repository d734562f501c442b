package io.tandem.node.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.node.decode.Packet;
import io.tandem.node.io.PcapFileWriter;
import io.tandem.node.synth.FrameBuilder;
import io.tandem.node.synth.SynthManifest;
import io.tandem.node.synth.SynthOptions;
import io.tandem.node.synth.TrafficSynthesizer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

class AnalyzeCommandTest
{
    private static final long T0 = 1_700_000_000_000_000_000L;
    private static final long CLIENT_MAC = 0x0200_0000_0001L;
    private static final long SERVER_MAC = 0x0200_0000_0002L;

    private final ObjectMapper mapper = new ObjectMapper();
    private final StringWriter err = new StringWriter();

    @TempDir
    Path dir;

    private int analyze(final String... args)
    {
        final CommandLine cli = TandemCommand.commandLine();
        cli.setErr(new PrintWriter(err, true));
        final String[] all = new String[args.length + 1];
        all[0] = "analyze";
        System.arraycopy(args, 0, all, 1, args.length);
        return cli.execute(all);
    }

    private List<JsonNode> eve(final Path file) throws IOException
    {
        final List<JsonNode> records = new ArrayList<>();
        for (final String line : Files.readAllLines(file))
        {
            if (!line.isBlank())
            {
                records.add(mapper.readTree(line));
            }
        }
        return records;
    }

    private static List<JsonNode> ofType(final List<JsonNode> records, final String type)
    {
        return records.stream().filter(r -> type.equals(r.get("event_type").asText())).toList();
    }

    private static String key(final String proto, final String src, final int sport, final String dst, final int dport)
    {
        return proto + " " + src + ":" + sport + " > " + dst + ":" + dport;
    }

    @Test
    void shouldReportEveryFlowOfAMixedSynthCaptureExactlyAsTheGeneratorRecordedIt() throws IOException
    {
        final Path pcap = dir.resolve("mix.pcap");
        final SynthManifest manifest = new TrafficSynthesizer(new SynthOptions()
            .seed(7).sessions(400).concurrency(40)
            .udpPct(20).ipv6Pct(25).vlanPct(25).fragPct(10).midstreamPct(10).onesidePct(10)
            .lossPct(10).retransPct(10).overlapPct(10).reorderPct(10).rstPct(10)).generate(pcap, false);
        final Path eveFile = dir.resolve("eve.json");

        assertThat(analyze("--pcap", pcap.toString(), "--eve", eveFile.toString())).isZero();

        final List<JsonNode> records = eve(eveFile);
        final Map<String, JsonNode> flows = new HashMap<>();
        for (final JsonNode flow : ofType(records, "flow"))
        {
            final String key = key(flow.get("proto").asText(), flow.get("src_ip").asText(),
                flow.get("src_port").asInt(), flow.get("dest_ip").asText(), flow.get("dest_port").asInt());
            assertThat(flows.put(key, flow)).as("one record per flow: %s", key).isNull();
        }
        assertThat(flows).hasSize(manifest.size());

        int fragmented = 0;
        int vlanTagged = 0;
        for (final SynthManifest.Flow expected : manifest.flows())
        {
            final String key = key(expected.protocol() == 6 ? "TCP" : "UDP", expected.srcIp(), expected.srcPort(),
                expected.dstIp(), expected.dstPort());
            final JsonNode flow = flows.get(key);
            assertThat(flow).as("flow %s", key).isNotNull();
            assertThat(flow.at("/flow/pkts_toserver").asLong()).as("%s toserver", key)
                .isEqualTo(expected.datagramsToServer());
            assertThat(flow.at("/flow/pkts_toclient").asLong()).as("%s toclient", key)
                .isEqualTo(expected.datagramsToClient());
            assertThat(flow.at("/flow/bytes_toserver").asLong()).isEqualTo(expected.datagramBytesToServer());
            assertThat(flow.at("/flow/bytes_toclient").asLong()).isEqualTo(expected.datagramBytesToClient());
            assertThat(flow.at("/flow/reason").asText()).isIn("shutdown", "timeout");
            if (expected.protocol() == 17)
            {
                final boolean bothWays = expected.datagramsToServer() > 0 && expected.datagramsToClient() > 0;
                assertThat(flow.at("/flow/state").asText()).isEqualTo(bothWays ? "established" : "new");
            }
            if (expected.vlanCount() > 0)
            {
                vlanTagged++;
                assertThat(flow.get("vlan").get(expected.vlanCount() - 1).asInt())
                    .isEqualTo(expected.vlanCount() == 2 ? expected.innerVlan() : expected.outerVlan());
            }
            if (expected.pktsToServer() + expected.pktsToClient() >
                expected.datagramsToServer() + expected.datagramsToClient())
            {
                fragmented++;
            }
        }
        assertThat(fragmented).as("fragmented flows exercised").isPositive();
        assertThat(vlanTagged).as("VLAN flows exercised").isPositive();

        final JsonNode stats = ofType(records, "stats").get(0).get("stats");
        assertThat(stats.at("/capture/packets").asLong()).isEqualTo(
            manifest.flows().stream().mapToLong(f -> f.pktsToServer() + f.pktsToClient()).sum());
        assertThat(stats.at("/defrag/ipv4/reassembled").asLong() + stats.at("/defrag/ipv6/reassembled").asLong())
            .isPositive();
        assertThat(stats.at("/flow/total").asLong()).isEqualTo(manifest.size());
        assertThat(err.toString()).contains("packets", "flows", "pps");
    }

    @Test
    void shouldProcessATornCaptureUpToTheTearWarnAndSucceed() throws IOException
    {
        final Path pcap = dir.resolve("torn.pcap");
        new TrafficSynthesizer(new SynthOptions().seed(3).sessions(20).concurrency(5)).generate(pcap, false);
        final long size = Files.size(pcap);
        try (FileChannel channel = FileChannel.open(pcap, StandardOpenOption.WRITE))
        {
            channel.truncate(size - 7);
        }
        final Path eveFile = dir.resolve("eve.json");

        assertThat(analyze("--pcap", pcap.toString(), "--eve", eveFile.toString())).isZero();

        assertThat(err.toString()).contains("warning", "torn record");
        final List<JsonNode> records = eve(eveFile);
        assertThat(ofType(records, "flow")).hasSize(20);
        assertThat(ofType(records, "stats").get(0).at("/stats/capture/torn").asLong()).isEqualTo(1);
    }

    @Test
    void shouldExitTwoNamingTheFileWhenItIsNotACapture() throws IOException
    {
        final Path notes = dir.resolve("notes.txt");
        Files.writeString(notes, "Hello, this is not a capture file at all.");
        assertThat(analyze("--pcap", notes.toString(), "--eve", dir.resolve("eve.json").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("notes.txt", "not a capture file", "a1b2c3d4");
    }

    @Test
    void shouldExitTwoNamingTheKeyWhenAConfigValueIsBad() throws IOException
    {
        final Path pcap = dir.resolve("one.pcap");
        writeFrames(pcap, udpFrame(0, 53, 10));
        assertThat(analyze("--pcap", pcap.toString(), "--set", "flow.memcap=64qb")).isEqualTo(2);
        assertThat(err.toString()).contains("flow.memcap", "64qb");

        err.getBuffer().setLength(0);
        assertThat(analyze("--pcap", pcap.toString(), "--set", "flow.hash-sise=10")).isEqualTo(2);
        assertThat(err.toString()).contains("flow.hash-sise", "unknown key", "hash-size");
    }

    @Test
    void shouldHandSessionsOverThroughAnHaFileWhenACaptureIsSplitBetweenTwoNodes() throws IOException
    {
        final Path firstHalf = dir.resolve("first.pcap");
        final Path secondHalf = dir.resolve("second.pcap");
        final List<byte[]> frames = new ArrayList<>();
        final List<Long> times = new ArrayList<>();
        new TrafficSynthesizer(new SynthOptions().seed(11).sessions(200).concurrency(40))
            .generate((frame, capturedLength, wireLength, timestampNs, linkType) ->
            {
                final byte[] copy = new byte[capturedLength];
                frame.getBytes(0, copy);
                frames.add(copy);
                times.add(timestampNs);
            });
        final long splitNs = times.get(times.size() / 2);
        try (PcapFileWriter first = new PcapFileWriter(firstHalf, 1, true);
            PcapFileWriter second = new PcapFileWriter(secondHalf, 1, true))
        {
            for (int i = 0; i < frames.size(); i++)
            {
                final UnsafeBuffer buffer = new UnsafeBuffer(frames.get(i));
                (times.get(i) < splitNs ? first : second).write(buffer, 0, frames.get(i).length, times.get(i));
            }
        }
        final Path haFile = dir.resolve("node1.ha");
        final Path eve1 = dir.resolve("eve1.json");
        final Path eve2 = dir.resolve("eve2.json");

        assertThat(analyze("--pcap", firstHalf.toString(), "--eve", eve1.toString(), "--set", "ha.enabled=true",
            "--set", "ha.node-id=1", "--set", "ha.min-session-lifetime=0", "--set", "ha.min-sync-interval=0",
            "--set", "ha.runtime-output-file=" + haFile)).isZero();
        assertThat(haFile).exists();
        assertThat(analyze("--pcap", secondHalf.toString(), "--eve", eve2.toString(), "--set", "ha.enabled=true",
            "--set", "ha.node-id=2", "--set", "ha.min-session-lifetime=0", "--set", "ha.min-sync-interval=0",
            "--set", "ha.startup-input-file=" + haFile)).isZero();

        final JsonNode stats1 = ofType(eve(eve1), "stats").get(0).get("stats");
        final JsonNode stats2 = ofType(eve(eve2), "stats").get(0).get("stats");
        assertThat(stats1.at("/ha/updates/sent").asLong()).isPositive();
        assertThat(stats2.at("/ha/updates/received").asLong()).isEqualTo(stats1.at("/ha/updates/sent").asLong());
        assertThat(stats2.at("/flow/standby_promoted").asLong()).isPositive();
        assertThat(stats2.at("/ha/sessions/tcp_restored").asLong()).isPositive();
    }

    @Test
    void shouldReadTheConfigFileAndLetSetOverrideIt() throws IOException
    {
        final Path pcap = dir.resolve("vlans.pcap");
        writeFrames(pcap, udpFrame(100, 53, 0), udpFrame(200, 53, 0));
        final Path yaml = dir.resolve("tandem.yaml");
        Files.writeString(yaml, "vlan:\n  use-for-tracking: no\n");

        final Path fromFile = dir.resolve("file.json");
        assertThat(analyze("--pcap", pcap.toString(), "--config", yaml.toString(), "--eve", fromFile.toString()))
            .isZero();
        assertThat(ofType(eve(fromFile), "flow")).hasSize(1);

        final Path overridden = dir.resolve("set.json");
        assertThat(analyze("--pcap", pcap.toString(), "--config", yaml.toString(),
            "--set", "vlan.use-for-tracking=yes", "--eve", overridden.toString())).isZero();
        assertThat(ofType(eve(overridden), "flow")).hasSize(2);
    }

    @Test
    void shouldApplyConfiguredFlowTimeoutsByPacketTime() throws IOException
    {
        final Path pcap = dir.resolve("idle.pcap");
        writeFrames(pcap, udpFrame(0, 53, 0), udpFrame(0, 53, 5));

        final Path defaults = dir.resolve("defaults.json");
        assertThat(analyze("--pcap", pcap.toString(), "--eve", defaults.toString())).isZero();
        assertThat(ofType(eve(defaults), "flow")).hasSize(1);

        final Path shortTimeout = dir.resolve("short.json");
        assertThat(analyze("--pcap", pcap.toString(), "--set", "flow-timeouts.udp.new=2",
            "--eve", shortTimeout.toString())).isZero();
        final List<JsonNode> flows = ofType(eve(shortTimeout), "flow");
        assertThat(flows).hasSize(2);
        assertThat(flows.get(0).at("/flow/reason").asText()).isEqualTo("timeout");
        assertThat(flows.get(1).at("/flow/reason").asText()).isEqualTo("shutdown");
    }

    @Test
    void shouldCountBadChecksumsOnlyWhenValidationIsOnAndWriteDecoderAnomalies() throws IOException
    {
        final FrameBuilder builder = new FrameBuilder();
        final int length = builder.ethernet(CLIENT_MAC, SERVER_MAC).ipv4(0x0a000001, 0x0a000002)
            .tcp(40000, 80, 1000, 0, Packet.TH_SYN, 65535).build();
        final Frame badChecksum = frame(builder, length, T0);
        badChecksum.bytes()[builder.l4Offset() + 16] ^= 0x55;

        final Frame badUdpLength = udpFrame(0, 53, 0);
        badUdpLength.bytes()[14 + 20 + 4] = 0;
        badUdpLength.bytes()[14 + 20 + 5] = 4;

        final Path pcap = dir.resolve("bad.pcap");
        writeFrames(pcap, badChecksum, badUdpLength);

        final Path on = dir.resolve("on.json");
        assertThat(analyze("--pcap", pcap.toString(), "--eve", on.toString())).isZero();
        final List<JsonNode> records = eve(on);
        assertThat(ofType(records, "stats").get(0).at("/stats/decoder/checksum/tcp_invalid").asLong()).isEqualTo(1);
        assertThat(ofType(records, "anomaly")).extracting(r -> r.at("/anomaly/event").asText())
            .contains("decoder.udp.len_invalid");
        assertThat(ofType(records, "flow")).as("a bad checksum still counts in its flow").hasSize(1);

        final Path off = dir.resolve("off.json");
        assertThat(analyze("--pcap", pcap.toString(), "--set", "stream.checksum-validation=no",
            "--eve", off.toString())).isZero();
        assertThat(ofType(eve(off), "stats").get(0).at("/stats/decoder/checksum/tcp_invalid").asLong()).isZero();
    }

    @Test
    void shouldWriteTheSameRecordsAndSummedCountersWithTwoWorkersAsWithOne() throws IOException
    {
        final Path pcap = dir.resolve("mix.pcap");
        new TrafficSynthesizer(new SynthOptions()
            .seed(11).sessions(600).concurrency(60)
            .udpPct(20).ipv6Pct(25).vlanPct(25).fragPct(10).midstreamPct(10).onesidePct(10)
            .lossPct(10).retransPct(10).overlapPct(10).reorderPct(10).rstPct(10)).generate(pcap, false);
        final Path one = dir.resolve("one.json");
        final Path two = dir.resolve("two.json");

        assertThat(analyze("--pcap", pcap.toString(), "--eve", one.toString(), "--reassembly-digest")).isZero();
        assertThat(analyze("--pcap", pcap.toString(), "--eve", two.toString(), "--reassembly-digest",
            "--workers", "2")).isZero();

        final List<JsonNode> single = eve(one);
        final List<JsonNode> parallel = eve(two);
        assertThat(ofType(single, "flow")).hasSize(600);
        assertThat(ofType(single, "anomaly")).isNotEmpty();
        assertThat(withoutFlowIds(parallel)).isEqualTo(withoutFlowIds(single));

        final JsonNode singleStats = ofType(single, "stats").getFirst().get("stats");
        final JsonNode parallelStats = ofType(parallel, "stats").getFirst().get("stats");
        assertThat(parallelStats.get("dispatch").get("workers").asInt()).isEqualTo(2);
        assertThat(parallelStats.get("dispatch").get("worker_0").get("packets").asLong() +
            parallelStats.get("dispatch").get("worker_1").get("packets").asLong())
            .isEqualTo(singleStats.get("decoder").get("pkts").asLong());
        for (final String section : List.of("decoder", "defrag", "tcp", "flow"))
        {
            final Map<String, Object> a = counters(singleStats.get(section));
            final Map<String, Object> b = counters(parallelStats.get(section));
            a.keySet().removeIf(name -> name.endsWith("memuse") || name.contains("prealloc"));
            b.keySet().removeIf(name -> name.endsWith("memuse") || name.contains("prealloc"));
            assertThat(b).as(section).isEqualTo(a);
        }
    }

    private List<String> withoutFlowIds(final List<JsonNode> records)
    {
        final List<String> lines = new ArrayList<>();
        for (final JsonNode record : records)
        {
            if (!"stats".equals(record.get("event_type").asText()))
            {
                ((com.fasterxml.jackson.databind.node.ObjectNode)record).remove("flow_id");
                lines.add(record.toString());
            }
        }
        lines.sort(null);
        return lines;
    }

    private Map<String, Object> counters(final JsonNode section)
    {
        return mapper.convertValue(section, new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>()
        {
        });
    }

    private record Frame(byte[] bytes, long timeNs)
    {
    }

    private static Frame frame(final FrameBuilder builder, final int length, final long timeNs)
    {
        final byte[] bytes = new byte[length];
        builder.buffer().getBytes(0, bytes, 0, length);
        return new Frame(bytes, timeNs);
    }

    private static Frame udpFrame(final int vlan, final int dstPort, final int second)
    {
        final FrameBuilder builder = new FrameBuilder().ethernet(CLIENT_MAC, SERVER_MAC);
        if (vlan > 0)
        {
            builder.vlan(vlan);
        }
        final byte[] payload = "query".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        final int length = builder.ipv4(0x0a000001, 0x0a000002).udp(5353, dstPort)
            .payload(payload, 0, payload.length).build();
        return frame(builder, length, T0 + second * 1_000_000_000L);
    }

    private static void writeFrames(final Path pcap, final Frame... frames)
    {
        try (PcapFileWriter writer = new PcapFileWriter(pcap, 1, false))
        {
            for (final Frame frame : frames)
            {
                writer.write(new UnsafeBuffer(frame.bytes()), 0, frame.bytes().length, frame.timeNs());
            }
        }
    }
}
