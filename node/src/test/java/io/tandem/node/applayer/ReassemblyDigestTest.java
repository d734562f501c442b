package io.tandem.node.applayer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.node.cli.TandemCommand;
import io.tandem.node.synth.SynthManifest;
import io.tandem.node.synth.SynthOptions;
import io.tandem.node.synth.TrafficSynthesizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ReassemblyDigestTest
{
    @TempDir
    Path dir;

    private Map<String, JsonNode> analyze(final Path pcap, final Path eve, final boolean digest) throws Exception
    {
        final CommandLine cli = TandemCommand.commandLine();
        cli.setErr(new PrintWriter(new StringWriter(), true));
        final int rc = digest ?
            cli.execute("analyze", "--reassembly-digest", "--no-progress", "--set",
                "stream.checksum-validation=no", "--pcap", pcap.toString(), "--eve", eve.toString()) :
            cli.execute("analyze", "--no-progress", "--pcap", pcap.toString(), "--eve", eve.toString());
        assertThat(rc).isZero();
        final ObjectMapper mapper = new ObjectMapper();
        final Map<String, JsonNode> flows = new HashMap<>();
        for (final String line : Files.readAllLines(eve))
        {
            final JsonNode e = mapper.readTree(line);
            if ("flow".equals(e.path("event_type").asText()) && "TCP".equals(e.path("proto").asText()))
            {
                flows.put(e.path("src_ip").asText() + ":" + e.path("src_port").asInt(), e);
            }
        }
        return flows;
    }

    private static String sha256(final byte[] bytes) throws Exception
    {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void shouldReportEachDirectionsBytesAndSha256WhenAsked() throws Exception
    {
        final Path pcap = dir.resolve("synth.pcap");
        final SynthManifest manifest = new TrafficSynthesizer(new SynthOptions().seed(7).sessions(40)
            .midstreamPct(0).onesidePct(0).udpPct(0).lossPct(0).vlanPct(0).overlapPct(20).reorderPct(20))
            .generate(pcap, false);
        final Map<String, JsonNode> flows = analyze(pcap, dir.resolve("eve.json"), true);
        int checked = 0;
        for (final SynthManifest.Flow f : manifest.flows())
        {
            if (f.protocol() != 6 || f.reversed())
            {
                continue;
            }
            final JsonNode r = flows.get(f.srcIp() + ":" + f.srcPort()).path("reassembly");
            assertThat(r.path("toserver").path("bytes").asLong()).isEqualTo(f.payloadBytesToServer());
            assertThat(r.path("toserver").path("gap_bytes").asLong()).isZero();
            assertThat(r.path("toserver").path("sha256").asText()).isEqualTo(sha256(f.payload(true)));
            assertThat(r.path("toclient").path("bytes").asLong()).isEqualTo(f.payloadBytesToClient());
            assertThat(r.path("toclient").path("sha256").asText()).isEqualTo(sha256(f.payload(false)));
            checked++;
        }
        assertThat(checked).isGreaterThan(20);

        final Map<String, JsonNode> plain = analyze(pcap, dir.resolve("plain.json"), false);
        assertThat(plain.values()).allSatisfy(e -> assertThat(e.has("reassembly")).isFalse());
    }

    @Test
    void shouldReportGapsOfLostDataAndFlagTheDirection() throws Exception
    {
        final Path pcap = dir.resolve("lossy.pcap");
        final SynthManifest manifest = new TrafficSynthesizer(new SynthOptions().seed(11).sessions(60)
            .midstreamPct(0).onesidePct(0).udpPct(0).lossPct(40).vlanPct(0).rstPct(0))
            .generate(pcap, false);
        final Map<String, JsonNode> flows = analyze(pcap, dir.resolve("eve.json"), true);
        int gapped = 0;
        for (final SynthManifest.Flow f : manifest.flows())
        {
            if (f.protocol() != 6 || f.reversed())
            {
                continue;
            }
            final JsonNode e = flows.get(f.srcIp() + ":" + f.srcPort());
            final JsonNode ts = e.path("reassembly").path("toserver");
            final JsonNode tc = e.path("reassembly").path("toclient");
            assertThat(ts.path("bytes").asLong()).isEqualTo(f.capturedPayloadBytesToServer());
            assertThat(tc.path("bytes").asLong()).isEqualTo(f.capturedPayloadBytesToClient());
            assertThat(e.path("tcp").path("ts_gap").asBoolean()).isEqualTo(ts.path("gap_bytes").asLong() > 0);
            assertThat(e.path("tcp").path("tc_gap").asBoolean()).isEqualTo(tc.path("gap_bytes").asLong() > 0);
            if (ts.path("gaps").asLong() + tc.path("gaps").asLong() > 0)
            {
                gapped++;
            }
        }
        assertThat(gapped).isGreaterThan(5);
    }

    @Test
    void shouldExchangeItsDirectionsWhenTheFlowIsReversed() throws Exception
    {
        final ReassemblyDigest digest = new ReassemblyDigest();
        final io.tandem.node.flow.Flow flow = new io.tandem.node.flow.Flow();
        final byte[] response = "HTTP/1.1 200 OK\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        digest.onData(flow, true, new org.agrona.concurrent.UnsafeBuffer(response), 0, response.length, 0);
        digest.onData(flow, true, null, 0, 5, StreamConsumer.FLAG_GAP);
        digest.onDirectionReversed(flow);
        final ReassemblyDigest.Result result = digest.remove(flow);
        assertThat(result.toClient().bytes()).isEqualTo(response.length);
        assertThat(result.toClient().gapBytes()).isEqualTo(5);
        assertThat(result.toClient().sha256()).isEqualTo(sha256(response));
        assertThat(result.toServer().bytes()).isZero();
        assertThat(result.toServer().sha256()).isEqualTo(sha256(new byte[0]));
    }
}
