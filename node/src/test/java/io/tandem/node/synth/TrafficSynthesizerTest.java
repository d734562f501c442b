package io.tandem.node.synth;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.tandem.node.applayer.AppProto;
import io.tandem.node.applayer.AppProtoDetector;
import io.tandem.node.decode.Packet;

import static org.assertj.core.api.Assertions.assertThat;

class TrafficSynthesizerTest
{
    @TempDir
    Path dir;

    private static SynthOptions small()
    {
        return new SynthOptions().sessions(300).concurrency(20).requestMaxBytes(5000).responseMaxBytes(9000);
    }

    private static String sha256(final Path file) throws IOException, NoSuchAlgorithmException
    {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    private Generated generate(final SynthOptions options) throws IOException
    {
        final Path pcap = dir.resolve("synth-" + System.identityHashCode(options) + ".pcap");
        final TrafficSynthesizer synthesizer = new TrafficSynthesizer(options);
        final SynthManifest manifest = synthesizer.generate(pcap, true);
        final TestCapture capture = TestCapture.read(pcap);
        assertThat(capture.frames).hasSize((int)synthesizer.packets());
        return new Generated(manifest, capture, byFlow(manifest, capture));
    }

    record Generated(SynthManifest manifest, TestCapture capture, Map<Long, FlowView> flows)
    {
    }

    /** Datagrams of one manifest flow, split by manifest direction. */
    static final class FlowView
    {
        final SynthManifest.Flow flow;
        final List<TestCapture.Datagram> toServer = new ArrayList<>();
        final List<TestCapture.Datagram> toClient = new ArrayList<>();

        FlowView(final SynthManifest.Flow flow)
        {
            this.flow = flow;
        }

        List<TestCapture.Datagram> direction(final boolean server)
        {
            return server ? toServer : toClient;
        }
    }

    private static String key(final SynthManifest.Flow flow)
    {
        final int[] vlans = flow.vlanCount() == 2 ? new int[] { flow.outerVlan(), flow.innerVlan() } :
            flow.vlanCount() == 1 ? new int[] { flow.outerVlan() } : new int[0];
        return flow.protocol() + " " + flow.srcIp() + ":" + flow.srcPort() + " " + flow.dstIp() + ":" +
            flow.dstPort() + " " + Arrays.toString(vlans);
    }

    private static Map<Long, FlowView> byFlow(final SynthManifest manifest, final TestCapture capture)
    {
        final Map<String, FlowView> byKey = new HashMap<>();
        final Map<Long, FlowView> byId = new HashMap<>();
        for (final SynthManifest.Flow flow : manifest.flows())
        {
            final FlowView view = new FlowView(flow);
            assertThat(byKey.put(key(flow), view)).as("unique 5-tuple").isNull();
            byId.put(flow.flowId(), view);
        }
        for (final TestCapture.Datagram d : capture.datagrams)
        {
            final FlowView forward = byKey.get(d.key());
            if (forward != null)
            {
                forward.toServer.add(d);
            }
            else
            {
                final FlowView reverse = byKey.get(d.reverseKey());
                assertThat(reverse).as("datagram %s belongs to a manifest flow", d.key()).isNotNull();
                reverse.toClient.add(d);
            }
        }
        return byId;
    }

    @Test
    void shouldWriteByteIdenticalFilesForTheSameSeedAndDifferentForAnother() throws Exception
    {
        final SynthOptions options = small().fragPct(20).overlapPct(20).reorderPct(20);
        final Path a = dir.resolve("a.pcap");
        final Path b = dir.resolve("b.pcap");
        final Path c = dir.resolve("c.pcap");
        final SynthManifest ma = new TrafficSynthesizer(options).generate(a, false);
        final SynthManifest mb = new TrafficSynthesizer(options).generate(b, false);
        new TrafficSynthesizer(options.copy().seed(2)).generate(c, false);

        assertThat(sha256(a)).isEqualTo(sha256(b));
        assertThat(sha256(a)).isNotEqualTo(sha256(c));
        final ByteArrayOutputStream ja = new ByteArrayOutputStream();
        final ByteArrayOutputStream jb = new ByteArrayOutputStream();
        ma.writeJsonLines(ja);
        mb.writeJsonLines(jb);
        assertThat(ja.toByteArray()).isEqualTo(jb.toByteArray());
    }

    @Test
    void shouldWriteValidChecksumsAndNonDecreasingTimestampsOnEveryFrame() throws IOException
    {
        final Generated g = generate(small().fragPct(30).ipv6Pct(30).vlanPct(30));
        assertThat(g.capture.badIpHeaderChecksums).isZero();
        assertThat(g.capture.fragmentFrames).isPositive();
        for (final TestCapture.Datagram d : g.capture.datagrams)
        {
            assertThat(d.transportChecksumValid).as("checksum of %s", d.key()).isTrue();
        }
        long last = Long.MIN_VALUE;
        for (final TestCapture.Frame frame : g.capture.frames)
        {
            assertThat(frame.timestampNs()).isGreaterThanOrEqualTo(last);
            last = frame.timestampNs();
        }
        assertThat(g.capture.frames.get(0).timestampNs()).isGreaterThanOrEqualTo(new SynthOptions().startTimeNs());
    }

    @Test
    void shouldMatchManifestCountsWithAStraightCountOfThePcap() throws IOException
    {
        final Generated g = generate(small().lossPct(20).retransPct(20).overlapPct(20).reorderPct(20)
            .midstreamPct(20).onesidePct(20).fragPct(20).udpPct(20));
        assertThat(g.manifest.size()).isGreaterThan(250);
        long frames = 0;
        for (final FlowView view : g.flows.values())
        {
            final SynthManifest.Flow f = view.flow;
            frames += f.pktsToServer() + f.pktsToClient();
            assertThat(frameCount(view.toServer)).isEqualTo(f.pktsToServer());
            assertThat(frameCount(view.toClient)).isEqualTo(f.pktsToClient());
            assertThat(frameBytes(view.toServer)).isEqualTo(f.bytesToServer());
            assertThat(frameBytes(view.toClient)).isEqualTo(f.bytesToClient());
            assertThat((long)view.toServer.size()).isEqualTo(f.datagramsToServer());
            assertThat((long)view.toClient.size()).isEqualTo(f.datagramsToClient());
            assertThat(view.toServer.stream().mapToLong(d -> d.unfragmentedFrameLength).sum())
                .isEqualTo(f.datagramBytesToServer());
            assertThat(view.toServer).isNotEmpty();
            assertThat(view.toServer.get(0).timestampNs).isEqualTo(f.firstNs());
            assertThat(distinctPayload(view, true)).isEqualTo(f.capturedPayloadBytesToServer());
            assertThat(distinctPayload(view, false)).isEqualTo(f.capturedPayloadBytesToClient());
            assertThat(f.has(SynthAnomaly.FRAGMENTED))
                .isEqualTo(view.toServer.stream().anyMatch(d -> d.fragmented) ||
                    view.toClient.stream().anyMatch(d -> d.fragmented));
            final boolean oneSided = f.pktsToClient() == 0;
            if (!f.has(SynthAnomaly.ONE_SIDED))
            {
                assertThat(oneSided).isFalse();
            }
            final CRC32C crc = new CRC32C();
            crc.update(f.payload(true));
            assertThat(crc.getValue()).isEqualTo(f.payloadCrcToServer());
        }
        assertThat(frames).isEqualTo(g.capture.frames.size());
    }

    private static long frameCount(final List<TestCapture.Datagram> datagrams)
    {
        return datagrams.stream().mapToLong(d -> d.frameCount).sum();
    }

    private static long frameBytes(final List<TestCapture.Datagram> datagrams)
    {
        return datagrams.stream().mapToLong(d -> d.frameBytes).sum();
    }

    private static long distinctPayload(final FlowView view, final boolean toServer)
    {
        final List<TestCapture.Datagram> datagrams = view.direction(toServer);
        if (view.flow.protocol() == 17)
        {
            return datagrams.stream().mapToLong(d -> d.payload.length).sum();
        }
        final int isn = toServer ? view.flow.isnToServer() : view.flow.isnToClient();
        final BitSet seen = new BitSet();
        for (final TestCapture.Datagram d : datagrams)
        {
            if (d.payload.length > 0)
            {
                final int relative = (int)((d.seq - isn - 1) & 0xFFFF_FFFFL);
                seen.set(relative, relative + d.payload.length);
            }
        }
        return seen.cardinality();
    }

    @Test
    void shouldKeepSeqAndAckConsistentAndCarryTheApplicationStream() throws IOException
    {
        final Generated g = generate(small().wrapPct(50).lossPct(30).reorderPct(30).retransPct(30)
            .udpPct(0).onesidePct(0).midstreamPct(0).rstPct(30).overlapPct(0));
        assertThat(g.manifest.flowsWith(SynthAnomaly.SEQ_WRAP)).isNotEmpty();
        for (final FlowView view : g.flows.values())
        {
            final SynthManifest.Flow f = view.flow;
            for (final boolean toServer : new boolean[] { true, false })
            {
                final int isn = toServer ? f.isnToServer() : f.isnToClient();
                final int peerIsn = toServer ? f.isnToClient() : f.isnToServer();
                final long peerBytes = toServer ? f.payloadBytesToClient() : f.payloadBytesToServer();
                final byte[] stream = f.payload(toServer);
                final List<TestCapture.Datagram> datagrams = view.direction(toServer);
                final TestCapture.Datagram syn = datagrams.get(0);
                assertThat(syn.flags & Packet.TH_SYN).isNotZero();
                assertThat(syn.seq).isEqualTo(isn);
                long lastAck = -1;
                for (final TestCapture.Datagram d : datagrams.subList(1, datagrams.size()))
                {
                    final long relative = (d.seq - isn - 1) & 0xFFFF_FFFFL;
                    assertThat(relative + d.payload.length).isLessThanOrEqualTo(stream.length + 1L);
                    if (d.payload.length > 0)
                    {
                        assertThat(d.payload)
                            .isEqualTo(Arrays.copyOfRange(stream, (int)relative, (int)relative + d.payload.length));
                    }
                    final long relativeAck = (d.ack - peerIsn - 1) & 0xFFFF_FFFFL;
                    assertThat(relativeAck).isLessThanOrEqualTo(peerBytes + 1);
                    assertThat(relativeAck).isGreaterThanOrEqualTo(lastAck);
                    lastAck = relativeAck;
                }
                final TestCapture.Datagram last = datagrams.get(datagrams.size() - 1);
                if ((last.flags & (Packet.TH_FIN | Packet.TH_RST)) != 0)
                {
                    assertThat((last.seq - isn - 1) & 0xFFFF_FFFFL).isEqualTo(stream.length);
                }
            }
            final List<TestCapture.Datagram> all = new ArrayList<>(view.toServer);
            all.addAll(view.toClient);
            final boolean fin = all.stream().anyMatch(d -> (d.flags & Packet.TH_FIN) != 0);
            final boolean rst = all.stream().anyMatch(d -> (d.flags & Packet.TH_RST) != 0);
            assertThat(rst).isEqualTo(f.has(SynthAnomaly.RST));
            assertThat(fin).isEqualTo(!f.has(SynthAnomaly.RST));
        }
    }

    @Test
    void shouldOpenStreamsWithTheApplicationProtocolOfTheServerPortWhenAppPctIsSet() throws IOException
    {
        final Map<Integer, AppProto> byPort = Map.of(80, AppProto.HTTP, 443, AppProto.TLS, 22, AppProto.SSH,
            25, AppProto.SMTP);
        final Generated g = generate(small().appPct(100).udpPct(0).midstreamPct(0).onesidePct(0).lossPct(0)
            .overlapPct(0));
        final Map<AppProto, Integer> seen = new HashMap<>();
        for (final FlowView view : g.flows.values())
        {
            final SynthManifest.Flow f = view.flow;
            final AppProto expected = byPort.get(f.dstPort());
            assertThat(expected).as("server port %d", f.dstPort()).isNotNull();
            for (final boolean toServer : new boolean[] { true, false })
            {
                final byte[] stream = f.payload(toServer);
                final int n = Math.min(stream.length, AppProtoDetector.DETECT_BYTES);
                assertThat(AppProtoDetector.detect(stream, n, toServer, f.dstPort())).isEqualTo(expected);
                final int isn = toServer ? f.isnToServer() : f.isnToClient();
                for (final TestCapture.Datagram d : view.direction(toServer))
                {
                    final long relative = (d.seq - isn - 1) & 0xFFFF_FFFFL;
                    if (d.payload.length > 0)
                    {
                        assertThat(d.payload).as("captured bytes are the manifest's stream").isEqualTo(
                            Arrays.copyOfRange(stream, (int)relative, (int)relative + d.payload.length));
                    }
                }
            }
            seen.merge(expected, 1, Integer::sum);
        }
        assertThat(seen).containsOnlyKeys(AppProto.HTTP, AppProto.TLS, AppProto.SSH, AppProto.SMTP);

        final SynthManifest plain = new TrafficSynthesizer(small()).generate(dir.resolve("plain.pcap"), false);
        assertThat(plain.flows()).as("no preamble without appPct").allSatisfy(f ->
            assertThat(f.payloadKeyToServer() | f.payloadKeyToClient()).isLessThan(PayloadPattern.TABLE_LENGTH));
    }

    @Test
    void shouldRetransmitDifferentDataAtTheSameSequenceNumbersWhenOverlapIsAlways() throws IOException
    {
        final Generated g = generate(small().overlapPct(100).udpPct(0).retransPct(0).lossPct(0).reorderPct(0));
        assertThat(g.manifest.flowsWith(SynthAnomaly.OVERLAP)).hasSize(g.manifest.size());
        for (final FlowView view : g.flows.values())
        {
            assertThat(copies(view)).containsExactly(0, 1);
        }
    }

    @Test
    void shouldRetransmitTheSameDataWhenRetransIsAlways() throws IOException
    {
        final Generated g = generate(small().retransPct(100).udpPct(0).overlapPct(0).lossPct(0));
        for (final FlowView view : g.flows.values())
        {
            assertThat(view.flow.has(SynthAnomaly.RETRANSMISSION)).isTrue();
            assertThat(copies(view)).containsExactly(1, 0);
        }
    }

    /** Segments repeating an earlier segment's sequence range: {same data, different data (every byte)}. */
    private static int[] copies(final FlowView view)
    {
        final int[] counts = new int[2];
        for (final boolean toServer : new boolean[] { true, false })
        {
            final Map<Integer, byte[]> bySeq = new HashMap<>();
            for (final TestCapture.Datagram d : view.direction(toServer))
            {
                if (d.payload.length == 0)
                {
                    continue;
                }
                final byte[] before = bySeq.putIfAbsent(d.seq, d.payload);
                if (before == null)
                {
                    continue;
                }
                assertThat(before).hasSameSizeAs(d.payload);
                if (Arrays.equals(before, d.payload))
                {
                    counts[0]++;
                }
                else
                {
                    for (int i = 0; i < before.length; i++)
                    {
                        assertThat(before[i]).isNotEqualTo(d.payload[i]);
                    }
                    counts[1]++;
                }
            }
        }
        return counts;
    }

    @Test
    void shouldLeaveAGapThatTheReceiverAcksPastWhenLossIsAlways() throws IOException
    {
        final Generated g = generate(small().lossPct(100).udpPct(0).onesidePct(0));
        for (final FlowView view : g.flows.values())
        {
            final SynthManifest.Flow f = view.flow;
            assertThat(f.has(SynthAnomaly.LOSS)).isTrue();
            final long missing = f.payloadBytesToServer() - f.capturedPayloadBytesToServer() +
                f.payloadBytesToClient() - f.capturedPayloadBytesToClient();
            assertThat(missing).isPositive();
            assertThat(distinctPayload(view, true) + distinctPayload(view, false))
                .isEqualTo(f.payloadBytesToServer() + f.payloadBytesToClient() - missing);
        }
    }

    @Test
    void shouldCaptureDataSegmentsOutOfOrderWhenReorderIsAlways() throws IOException
    {
        final Generated g = generate(small().reorderPct(100).udpPct(0).requestMinBytes(3000).onesidePct(0));
        assertThat(g.manifest.flowsWith(SynthAnomaly.REORDER)).hasSize(g.manifest.size());
        for (final FlowView view : g.flows.values())
        {
            int backwards = 0;
            for (final boolean toServer : new boolean[] { true, false })
            {
                final int isn = toServer ? view.flow.isnToServer() : view.flow.isnToClient();
                long highest = -1;
                for (final TestCapture.Datagram d : view.direction(toServer))
                {
                    final long relative = (d.seq - isn) & 0xFFFF_FFFFL;
                    if (d.payload.length > 0 && relative < highest)
                    {
                        backwards++;
                    }
                    highest = Math.max(highest, relative);
                }
            }
            assertThat(backwards).isEqualTo(1);
        }
    }

    @Test
    void shouldApplyMidstreamOneSidedRstIpv6VlanFragAndUdpRates() throws IOException
    {
        final Generated midstream = generate(small().midstreamPct(100).udpPct(0));
        assertThat(midstream.capture.datagrams).noneMatch(d -> (d.flags & Packet.TH_SYN) != 0);
        assertThat(midstream.manifest.flowsWith(SynthAnomaly.MIDSTREAM)).hasSize(midstream.manifest.size());

        final Generated oneSided = generate(small().onesidePct(100));
        for (final FlowView view : oneSided.flows.values())
        {
            assertThat(view.toClient).isEmpty();
            assertThat(view.flow.has(SynthAnomaly.ONE_SIDED)).isTrue();
        }
        assertThat(oneSided.manifest.flows()).anyMatch(SynthManifest.Flow::reversed);

        final Generated rst = generate(small().rstPct(100).udpPct(0).onesidePct(0));
        assertThat(rst.capture.datagrams).noneMatch(d -> (d.flags & Packet.TH_FIN) != 0);
        assertThat(rst.capture.datagrams.stream().filter(d -> (d.flags & Packet.TH_RST) != 0).count())
            .isEqualTo(rst.manifest.size());

        final Generated v6vlan = generate(small().ipv6Pct(100).vlanPct(100));
        assertThat(v6vlan.capture.datagrams).allMatch(d -> d.ipVersion == 6 && d.vlans.length >= 1);
        assertThat(v6vlan.capture.datagrams).anyMatch(d -> d.vlans.length == 2 && d.tpids[0] == 0x88A8);

        final Generated frag = generate(small().fragPct(100).udpPct(50));
        assertThat(frag.capture.datagrams).allMatch(d -> d.payload.length < SynthSession.MIN_FRAGMENTED_PAYLOAD ||
            d.fragmented);
        assertThat(frag.capture.datagrams).allMatch(d -> d.transportChecksumValid);

        final Generated udp = generate(small().udpPct(100));
        assertThat(udp.capture.datagrams).allMatch(d -> d.protocol == 17);
        for (final FlowView view : udp.flows.values())
        {
            assertThat(view.flow.close()).isEqualTo(SynthManifest.CLOSE_NONE);
        }
    }

    @Test
    void shouldWriteOneJsonLinePerFlow() throws IOException
    {
        final SynthManifest manifest = new TrafficSynthesizer(small().sessions(50)).generate(
            dir.resolve("m.pcap"), false);
        final Path json = dir.resolve("m.json");
        manifest.writeJsonLines(json);
        final List<String> lines = Files.readAllLines(json);
        assertThat(lines).hasSize(manifest.size());
        final com.fasterxml.jackson.databind.JsonNode first =
            new com.fasterxml.jackson.databind.ObjectMapper().readTree(lines.get(0));
        final SynthManifest.Flow flow = manifest.flows().get(0);
        assertThat(first.get("src_ip").asText()).isEqualTo(flow.srcIp());
        assertThat(first.get("pkts_toserver").asLong()).isEqualTo(flow.pktsToServer());
        assertThat(first.get("bytes_toclient").asLong()).isEqualTo(flow.bytesToClient());
    }

    @Test
    void shouldFormatIpv6AddressesCompressed()
    {
        assertThat(SynthManifest.formatAddress(6, 0xFD00_0000_0000_0001L, 5)).isEqualTo("fd00:0:0:1::5");
        assertThat(SynthManifest.formatAddress(6, 0, 1)).isEqualTo("::1");
        assertThat(SynthManifest.formatAddress(4, 0, 0x0A010203L)).isEqualTo("10.1.2.3");
    }
}
