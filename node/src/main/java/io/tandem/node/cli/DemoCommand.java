package io.tandem.node.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import io.tandem.node.config.TandemConfig;
import io.tandem.node.decode.DecoderEventListener;
import io.tandem.node.flow.Flow;
import io.tandem.node.flow.FlowKey;
import io.tandem.node.io.PcapFileSource;
import io.tandem.node.synth.SynthManifest;
import io.tandem.node.synth.SynthOptions;
import io.tandem.node.synth.TrafficSynthesizer;
import io.tandem.node.worker.Worker;
import io.tandem.node.worker.WorkerContexts;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tandem demo}: the end-to-end job of a node as it stands. It generates a seeded capture with {@code synth},
 * analyses it through the whole pipeline, and checks every flow against the generator's ground truth. It exits
 * non-zero when any flow disagrees. (The HA failover demo replaces it when replication lands.)
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = "Generate traffic, analyse it end to end and check every flow against the ground truth.")
public final class DemoCommand implements Callable<Integer>
{
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--sessions", defaultValue = "20000",
        description = "Sessions to generate (default ${DEFAULT-VALUE}).")
    private int sessions;

    @Option(names = "--seed", defaultValue = "1", description = "Generator seed (default ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--dir", paramLabel = "DIR",
        description = "Keep the capture, manifest and EVE here (default: a temporary directory, removed after).")
    private Path dir;

    @Override
    public Integer call() throws IOException
    {
        final PrintWriter out = spec.commandLine().getOut();
        final Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("tandem-demo");
        try
        {
            final Path pcap = work.resolve("demo.pcap");
            final long genStartNs = System.nanoTime();
            final SynthManifest manifest = new TrafficSynthesizer(new SynthOptions().seed(seed).sessions(sessions)
                .concurrency(Math.max(1, Math.min(1000, sessions / 10)))).generate(pcap, false);
            final double genSeconds = (System.nanoTime() - genStartNs) / 1e9;
            if (dir != null)
            {
                manifest.writeJsonLines(work.resolve("demo.manifest.json"));
            }

            final Map<String, long[]> seen = new HashMap<>();
            final DecoderEventListener noEvents = (p, event) -> { };
            final Worker worker = new Worker(WorkerContexts.from(TandemConfig.defaults()),
                (flow, reason) -> seen.merge(key(flow), counts(flow), DemoCommand::add), noEvents);
            final long runStartNs = System.nanoTime();
            final long packets;
            try (PcapFileSource source = PcapFileSource.open(pcap))
            {
                packets = worker.drain(source);
            }
            final double runSeconds = (System.nanoTime() - runStartNs) / 1e9;

            int agree = 0;
            for (final SynthManifest.Flow expected : manifest.flows())
            {
                final long[] got = seen.get(key(expected.protocol(), expected.srcHi(), expected.srcLo(),
                    expected.srcPort(), expected.dstHi(), expected.dstLo(), expected.dstPort()));
                if (got != null && got[0] == expected.datagramsToServer() && got[1] == expected.datagramsToClient() &&
                    got[2] == expected.datagramBytesToServer() && got[3] == expected.datagramBytesToClient())
                {
                    agree++;
                }
            }

            out.printf("tandem demo: generated %d sessions, %d packets in %.2f s (%s)%n",
                manifest.size(), packets, genSeconds, dir != null ? pcap : "temporary");
            out.printf("analysed: %d packets, %d flows in %.2f s, %.0f packets/s%n",
                packets, seen.size(), runSeconds, packets / Math.max(runSeconds, 1e-9));
            out.printf("flows agreeing with the ground truth (packets and bytes per direction): %d of %d%n",
                agree, manifest.size());
            final boolean ok = agree == manifest.size() && seen.size() == manifest.size();
            out.println(ok ? "result: OK" : "result: MISMATCH");
            out.flush();
            return ok ? 0 : 1;
        }
        finally
        {
            if (dir == null)
            {
                deleteTree(work);
            }
        }
    }

    private static String key(final Flow flow)
    {
        final FlowKey k = flow.key();
        return key(k.protocol(), k.clientHi(), k.clientLo(), k.clientPort(),
            k.serverHi(), k.serverLo(), k.serverPort());
    }

    private static String key(
        final int protocol, final long srcHi, final long srcLo, final int srcPort, final long dstHi, final long dstLo,
        final int dstPort)
    {
        return protocol + "/" + srcHi + "/" + srcLo + "/" + srcPort + "/" + dstHi + "/" + dstLo + "/" + dstPort;
    }

    private static long[] counts(final Flow flow)
    {
        return new long[] { flow.pktsToServer(), flow.pktsToClient(), flow.bytesToServer(), flow.bytesToClient() };
    }

    private static long[] add(final long[] a, final long[] b)
    {
        return new long[] { a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3] };
    }

    private static void deleteTree(final Path root)
    {
        try (var paths = Files.walk(root))
        {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
