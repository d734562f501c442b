package io.tandem.node.output;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import io.tandem.node.cli.TandemCommand;
import io.tandem.node.decode.Packet;
import io.tandem.node.flow.FlowKey;
import io.tandem.node.io.PcapFileWriter;
import io.tandem.node.synth.FrameBuilder;
import io.tandem.node.synth.SynthManifest;
import io.tandem.node.synth.SynthOptions;
import io.tandem.node.synth.TrafficSynthesizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

class TcpDataWriterTest
{
    private static final int CLIENT = 0x0a000001;
    private static final int SERVER = 0x0a000002;

    @TempDir
    Path dir;

    private int analyze(final Path pcap, final Path out)
    {
        final CommandLine cli = TandemCommand.commandLine();
        cli.setErr(new PrintWriter(new StringWriter(), true));
        return cli.execute("analyze", "--no-progress", "--set", "stream.checksum-validation=no", "--pcap",
            pcap.toString(), "--eve", dir.resolve("eve.json").toString(), "--tcp-data", out.toString());
    }

    @Test
    void shouldNameFilesAfterSenderAndReceiverAsTcpflowDoes()
    {
        final FlowKey key = new FlowKey().set(4, 6, 0, CLIENT, 40000, 0, SERVER, 80);
        assertThat(TcpDataWriter.fileName(key, true)).isEqualTo("010.000.000.001.40000-010.000.000.002.00080");
        assertThat(TcpDataWriter.fileName(key, false)).isEqualTo("010.000.000.002.00080-010.000.000.001.40000");
        final FlowKey v6 = new FlowKey().set(6, 6, 0x20010db800000000L, 1, 443, 0x20010db800000000L, 2, 51000);
        assertThat(TcpDataWriter.fileName(v6, true)).isEqualTo("2001:db8::1.00443-2001:db8::2.51000");
    }

    @Test
    void shouldWriteEachDirectionsReassembledBytesToItsOwnFile() throws Exception
    {
        final Path pcap = dir.resolve("synth.pcap");
        final SynthManifest manifest = new TrafficSynthesizer(new SynthOptions().seed(5).sessions(40)
            .midstreamPct(0).onesidePct(0).udpPct(20).lossPct(0).vlanPct(0).overlapPct(20).reorderPct(20)
            .ipv6Pct(30)).generate(pcap, false);
        final Path out = dir.resolve("tcp-data");
        assertThat(analyze(pcap, out)).isZero();

        int files = 0;
        for (final SynthManifest.Flow f : manifest.flows())
        {
            if (f.protocol() != 6 || f.reversed())
            {
                continue;
            }
            final FlowKey key = new FlowKey().set(f.ipVersion(), 6, f.srcHi(), f.srcLo(), f.srcPort(), f.dstHi(),
                f.dstLo(), f.dstPort());
            for (final boolean toServer : new boolean[] {true, false})
            {
                final Path file = out.resolve(TcpDataWriter.fileName(key, toServer));
                if ((toServer ? f.payloadBytesToServer() : f.payloadBytesToClient()) == 0)
                {
                    assertThat(file).doesNotExist();
                    continue;
                }
                assertThat(Files.readAllBytes(file)).isEqualTo(f.payload(toServer));
                files++;
            }
        }
        assertThat(files).isGreaterThan(40);
        try (Stream<Path> all = Files.list(out))
        {
            assertThat(all.count()).isEqualTo(files);
        }
    }

    @Test
    void shouldNumberTheFilesOfALaterSessionOnTheSameTuple() throws Exception
    {
        final Path pcap = dir.resolve("reuse.pcap");
        final FrameBuilder b = new FrameBuilder();
        try (PcapFileWriter w = new PcapFileWriter(pcap, 1, false))
        {
            long t = 1_700_000_000_000_000_000L;
            for (final String data : new String[] {"first", "second"})
            {
                final int c = data.length() * 1000;
                final int s = 77_000;
                t = session(w, b, t, c, s, data);
            }
        }
        final Path out = dir.resolve("tcp-data");
        assertThat(analyze(pcap, out)).isZero();
        final String name = "010.000.000.001.40000-010.000.000.002.00080";
        assertThat(Files.readString(out.resolve(name), StandardCharsets.US_ASCII)).isEqualTo("first");
        assertThat(Files.readString(out.resolve(name + "c1"), StandardCharsets.US_ASCII)).isEqualTo("second");
    }

    private static long session(
        final PcapFileWriter w, final FrameBuilder b, final long startNs, final int c, final int s, final String data)
    {
        long t = startNs;
        t = write(w, b, t, true, Packet.TH_SYN, c, 0, null);
        t = write(w, b, t, false, Packet.TH_SYN | Packet.TH_ACK, s, c + 1, null);
        t = write(w, b, t, true, Packet.TH_ACK, c + 1, s + 1, null);
        t = write(w, b, t, true, Packet.TH_ACK | Packet.TH_PSH, c + 1, s + 1, data);
        t = write(w, b, t, false, Packet.TH_ACK, s + 1, c + 1 + data.length(), null);
        return write(w, b, t, true, Packet.TH_RST, c + 1 + data.length(), 0, null);
    }

    private static long write(
        final PcapFileWriter w, final FrameBuilder b, final long t, final boolean toServer, final int flags,
        final int seq, final int ack, final String data)
    {
        b.ethernet(0x020000000001L, 0x020000000002L);
        if (toServer)
        {
            b.ipv4(CLIENT, SERVER).tcp(40000, 80, seq, ack, flags, 65535);
        }
        else
        {
            b.ipv4(SERVER, CLIENT).tcp(80, 40000, seq, ack, flags, 65535);
        }
        if (data != null)
        {
            final byte[] bytes = data.getBytes(StandardCharsets.US_ASCII);
            b.payload(bytes, 0, bytes.length);
        }
        final int length = b.build();
        w.write(b.buffer(), 0, length, t);
        return t + 1_000_000L;
    }
}
