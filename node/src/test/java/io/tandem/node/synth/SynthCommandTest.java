package io.tandem.node.synth;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.tandem.node.cli.TandemCommand;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

class SynthCommandTest
{
    @TempDir
    Path dir;

    private final StringWriter err = new StringWriter();

    private int run(final String... args)
    {
        final CommandLine commandLine = TandemCommand.commandLine();
        commandLine.setErr(new PrintWriter(err, true));
        commandLine.setOut(new PrintWriter(new StringWriter(), true));
        return commandLine.execute(args);
    }

    @Test
    void shouldWritePcapAndManifestAndPrintASummary() throws Exception
    {
        final Path pcap = dir.resolve("out.pcap");
        final Path manifest = dir.resolve("out.jsonl");
        final int exit = run("synth", "--out", pcap.toString(), "--seed", "7", "--sessions", "40",
            "--concurrency", "5", "--req-size", "10-3000", "--resp-size", "0-5000", "--mss", "536",
            "--udp-pct", "25", "--frag-pct", "10", "--manifest", manifest.toString(), "--nanos");

        assertThat(exit).isZero();
        final TestCapture capture = TestCapture.read(pcap);
        final List<String> lines = Files.readAllLines(manifest);
        assertThat(lines).isNotEmpty().hasSizeLessThanOrEqualTo(40);
        assertThat(err.toString()).contains(capture.frames.size() + " packets").contains("40 sessions");
        assertThat(capture.datagrams).allMatch(d -> d.payload.length <= 536);

        final SynthManifest expected = new TrafficSynthesizer(new SynthOptions().seed(7).sessions(40)
            .concurrency(5).requestMinBytes(10).requestMaxBytes(3000).responseMinBytes(0).responseMaxBytes(5000)
            .mss(536).udpPct(25).fragPct(10)).generate(dir.resolve("api.pcap"), true);
        assertThat(Files.readAllBytes(dir.resolve("api.pcap"))).isEqualTo(Files.readAllBytes(pcap));
        assertThat(lines).hasSize(expected.size());
    }

    @Test
    void shouldWriteASynFloodFromDistinctSpoofedSources() throws Exception
    {
        final Path pcap = dir.resolve("flood.pcap");
        assertThat(run("synth", "--out", pcap.toString(), "--syn-flood", "500", "--seed", "4")).isZero();
        final TestCapture capture = TestCapture.read(pcap);
        assertThat(capture.datagrams).hasSize(500);
        assertThat(capture.datagrams).allMatch(d -> d.flags == io.tandem.node.decode.Packet.TH_SYN &&
            d.dstPort == SynFlood.SERVER_PORT && d.transportChecksumValid && d.payload.length == 0);
        assertThat(capture.datagrams.stream().map(TestCapture.Datagram::key).distinct()).hasSize(500);
        assertThat(err.toString()).contains("500 SYNs");
        assertThat(run("synth", "--out", pcap.toString(), "--syn-flood", "-1")).isEqualTo(2);
    }

    @Test
    void shouldRejectAPercentageOutOfRangeNamingTheOption()
    {
        final int exit = run("synth", "--out", dir.resolve("x.pcap").toString(), "--loss-pct", "150");
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("--loss-pct");
        assertThat(dir.resolve("x.pcap")).doesNotExist();
    }

    @Test
    void shouldRejectABadSizeRangeNamingTheOption()
    {
        assertThat(run("synth", "--out", dir.resolve("x.pcap").toString(), "--req-size", "9-3")).isEqualTo(2);
        assertThat(err.toString()).contains("--req-size");
    }

    @Test
    void shouldRejectNonPositiveSessionsNamingTheOption()
    {
        assertThat(run("synth", "--out", dir.resolve("x.pcap").toString(), "--sessions", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--sessions");
    }

    @Test
    void shouldRequireTheOutputFile()
    {
        assertThat(run("synth")).isEqualTo(2);
        assertThat(err.toString()).contains("--out");
    }
}
