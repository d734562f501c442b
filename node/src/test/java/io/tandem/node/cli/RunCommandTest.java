package io.tandem.node.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.node.synth.SynthManifest;
import io.tandem.node.synth.SynthOptions;
import io.tandem.node.synth.TrafficSynthesizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

class RunCommandTest
{
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path dir;

    private static int freeUdpPort() throws IOException
    {
        try (DatagramSocket socket = new DatagramSocket(0))
        {
            return socket.getLocalPort();
        }
    }

    private static int freeTcpPort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            return socket.getLocalPort();
        }
    }

    private HttpResponse<String> get(final int port, final String path) throws IOException, InterruptedException
    {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> awaitStatus(final int port, final String path, final int status, final long deadlineNs)
        throws InterruptedException
    {
        HttpResponse<String> last = null;
        while (System.nanoTime() < deadlineNs)
        {
            try
            {
                last = get(port, path);
                if (last.statusCode() == status)
                {
                    return last;
                }
            }
            catch (final IOException notUpYet)
            {
                last = null;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(path + " never answered " + status + " (last: " +
            (last == null ? "no answer" : last.statusCode() + " " + last.body()) + ")");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldTrackReplayedTrafficServeAdminEndpointsAndStopAfterThePackets() throws Exception
    {
        final Path pcap = dir.resolve("feed.pcap");
        final SynthManifest manifest = new TrafficSynthesizer(new SynthOptions().seed(17).sessions(60)
            .concurrency(10).appPct(80)).generate(pcap, false);
        final long frames = manifest.flows().stream().mapToLong(f -> f.pktsToServer() + f.pktsToClient()).sum();
        final int mirrorPort = freeUdpPort();
        final int adminPort = freeTcpPort();
        final Path eve = dir.resolve("eve.json");
        final StringWriter err = new StringWriter();

        final CompletableFuture<Integer> node = CompletableFuture.supplyAsync(() ->
        {
            final CommandLine cli = TandemCommand.commandLine();
            cli.setErr(new PrintWriter(err, true));
            return cli.execute("run", "--mirror-bind", "127.0.0.1", "--mirror-port", Integer.toString(mirrorPort),
                "--admin-port", Integer.toString(adminPort), "--eve", eve.toString(),
                "--until-packets", Long.toString(frames));
        });

        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        awaitStatus(adminPort, "/ready", 200, deadlineNs);
        assertThat(get(adminPort, "/health").body()).isEqualTo("ok\n");
        assertThat(get(adminPort, "/nowhere").statusCode()).isEqualTo(404);
        final HttpResponse<String> status = get(adminPort, "/api/v1/status");
        assertThat(status.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(status.body()).contains("\"ready\":true");

        final CommandLine replay = TandemCommand.commandLine();
        replay.setErr(new PrintWriter(new StringWriter(), true));
        assertThat(replay.execute("replay", "--pcap", pcap.toString(), "--to", "127.0.0.1:" + mirrorPort,
            "--pps", "5000")).isZero();

        assertThat(node.get(60, TimeUnit.SECONDS)).isZero();
        assertThat(err.toString()).contains("stopped after " + frames + " packets").doesNotContain("worker error");
        final long flowRecords = Files.readAllLines(eve).stream().filter(l -> l.contains("\"event_type\":\"flow\""))
            .count();
        assertThat(flowRecords).isEqualTo(manifest.size());

        final Path analyzed = dir.resolve("analyze.json");
        final CommandLine analyze = TandemCommand.commandLine();
        analyze.setErr(new PrintWriter(new StringWriter(), true));
        assertThat(analyze.execute("analyze", "--pcap", pcap.toString(), "--eve", analyzed.toString())).isZero();
        final Map<String, String> runProtos = appProtos(Files.readAllLines(eve));
        final Map<String, String> analyzeProtos = appProtos(Files.readAllLines(analyzed));
        assertThat(runProtos).isEqualTo(analyzeProtos);
        assertThat(runProtos.values().stream().filter(p -> !p.startsWith("/") && !p.startsWith("failed/")).count())
            .isGreaterThan(20);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldSpreadTheFeedOverTwoWorkersAndLogEveryFlowOnceAsAnalyzeDoes() throws Exception
    {
        final Path pcap = dir.resolve("feed.pcap");
        final SynthManifest manifest = new TrafficSynthesizer(new SynthOptions().seed(29).sessions(80)
            .concurrency(10)).generate(pcap, false);
        final long frames = manifest.flows().stream().mapToLong(f -> f.pktsToServer() + f.pktsToClient()).sum();
        final int mirrorPort = freeUdpPort();
        final int adminPort = freeTcpPort();
        final Path eve = dir.resolve("eve.json");
        final StringWriter err = new StringWriter();

        final CompletableFuture<Integer> node = CompletableFuture.supplyAsync(() ->
        {
            final CommandLine cli = TandemCommand.commandLine();
            cli.setErr(new PrintWriter(err, true));
            return cli.execute("run", "--mirror-bind", "127.0.0.1", "--mirror-port", Integer.toString(mirrorPort),
                "--admin-port", Integer.toString(adminPort), "--eve", eve.toString(),
                "--until-packets", Long.toString(frames), "--set", "threading.workers=2");
        });

        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        awaitStatus(adminPort, "/ready", 200, deadlineNs);
        final JsonNode identity = new ObjectMapper().readTree(get(adminPort, "/api/v1/status").body());
        assertThat(identity.get("workers").asInt()).isEqualTo(2);

        assertThat(replay(pcap, mirrorPort, "--until", Long.toString(frames - 1))).isZero();
        final JsonNode counters = awaitCounters(adminPort, c -> c.path("decoder.pkts").asLong() == frames - 1 &&
            c.path("dispatch.worker_0.packets").asLong() + c.path("dispatch.worker_1.packets").asLong() == frames - 1,
            deadlineNs);
        assertThat(counters.get("dispatch.workers").asLong()).isEqualTo(2);
        final long toFirst = counters.get("dispatch.worker_0.packets").asLong();
        final long toSecond = counters.get("dispatch.worker_1.packets").asLong();
        assertThat(toFirst).isPositive();
        assertThat(toSecond).isPositive();
        assertThat(counters.get("decoder.max_pkt_size").asLong()).isLessThanOrEqualTo(65_535);
        assertValidPrometheusText(get(adminPort, "/metrics").body());

        assertThat(replay(pcap, mirrorPort, "--from", Long.toString(frames))).isZero();
        assertThat(node.get(60, TimeUnit.SECONDS)).isZero();
        assertThat(err.toString()).contains("2 workers").contains("stopped after " + frames + " packets")
            .doesNotContain("worker error");

        final Path analyzed = dir.resolve("analyze.json");
        final CommandLine analyze = TandemCommand.commandLine();
        analyze.setErr(new PrintWriter(new StringWriter(), true));
        assertThat(analyze.execute("analyze", "--pcap", pcap.toString(), "--eve", analyzed.toString())).isZero();
        final List<String> runFlows = flowCounts(Files.readAllLines(eve));
        assertThat(runFlows).hasSize(manifest.size());
        assertThat(runFlows).containsExactlyInAnyOrderElementsOf(flowCounts(Files.readAllLines(analyzed)));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldRefuseHaOnSeveralWorkers()
    {
        final StringWriter err = new StringWriter();
        final CommandLine cli = TandemCommand.commandLine();
        cli.setErr(new PrintWriter(err, true));
        final int exit = cli.execute("run", "--mirror-port", "0", "--admin-port", "0",
            "--eve", dir.resolve("eve.json").toString(), "--set", "threading.workers=2", "--set", "ha.enabled=yes");
        assertThat(exit).isEqualTo(AnalyzeCommand.EXIT_BAD_INPUT);
        assertThat(err.toString()).contains("configuration: threading.workers: 2")
            .contains("HA on one worker only");
        assertThat(dir.resolve("eve.json")).doesNotExist();
    }

    private static int replay(final Path pcap, final int mirrorPort, final String... range)
    {
        final CommandLine replay = TandemCommand.commandLine();
        replay.setErr(new PrintWriter(new StringWriter(), true));
        final List<String> args = new ArrayList<>(List.of("replay", "--pcap", pcap.toString(),
            "--to", "127.0.0.1:" + mirrorPort, "--pps", "5000"));
        args.addAll(List.of(range));
        return replay.execute(args.toArray(new String[0]));
    }

    private JsonNode awaitCounters(final int port, final Predicate<JsonNode> condition, final long deadlineNs)
        throws Exception
    {
        JsonNode counters = null;
        while (System.nanoTime() < deadlineNs)
        {
            counters = new ObjectMapper().readTree(get(port, "/api/v1/status").body()).get("counters");
            if (condition.test(counters))
            {
                return counters;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the counters never got there (last: " + counters + ")");
    }

    /**
     * Every sample line is a valid metric name and value, no sample is given twice, and every metric is typed once.
     */
    private static void assertValidPrometheusText(final String text)
    {
        final Set<String> samples = new HashSet<>();
        final Set<String> typed = new HashSet<>();
        for (final String line : text.split("\n"))
        {
            if (line.startsWith("# TYPE "))
            {
                assertThat(typed.add(line.split(" ")[2])).as(line).isTrue();
            }
            else if (!line.isEmpty() && !line.startsWith("#"))
            {
                final String[] parts = line.split(" ");
                assertThat(parts).as(line).hasSize(2);
                assertThat(parts[0]).matches("[a-zA-Z_:][a-zA-Z0-9_:]*");
                assertThat(Double.parseDouble(parts[1])).isNotNaN();
                assertThat(samples.add(parts[0])).as(line).isTrue();
            }
        }
        assertThat(samples).contains("tandem_dispatch_worker_0_packets", "tandem_dispatch_worker_1_packets",
            "tandem_decoder_pkts");
    }

    /**
     * Each flow record's 5-tuple, VLANs and packet and byte counts per direction, one string per record.
     */
    private static List<String> flowCounts(final List<String> eveLines) throws IOException
    {
        final ObjectMapper json = new ObjectMapper();
        final List<String> flows = new ArrayList<>();
        for (final String line : eveLines)
        {
            if (line.isBlank())
            {
                continue;
            }
            final JsonNode record = json.readTree(line);
            if ("flow".equals(record.path("event_type").asText()))
            {
                final JsonNode flow = record.path("flow");
                flows.add(record.path("proto").asText() + " " + record.path("src_ip").asText() + ":" +
                    record.path("src_port").asText() + " " + record.path("dest_ip").asText() + ":" +
                    record.path("dest_port").asText() + " " + record.path("vlan") + " " +
                    flow.path("pkts_toserver").asLong() + "/" + flow.path("pkts_toclient").asLong() + " " +
                    flow.path("bytes_toserver").asLong() + "/" + flow.path("bytes_toclient").asLong());
            }
        }
        return flows;
    }

    /**
     * Each flow record's {@code app_proto} (empty when absent), keyed by its 5-tuple.
     */
    private static Map<String, String> appProtos(final List<String> eveLines) throws IOException
    {
        final ObjectMapper json = new ObjectMapper();
        final Map<String, String> protos = new HashMap<>();
        for (final String line : eveLines)
        {
            final JsonNode record = json.readTree(line);
            if ("flow".equals(record.path("event_type").asText()))
            {
                final String key = record.path("proto").asText() + " " + record.path("src_ip").asText() + ":" +
                    record.path("src_port").asText() + " " + record.path("dest_ip").asText() + ":" +
                    record.path("dest_port").asText() + " " + record.path("vlan").toString();
                protos.put(key, record.path("app_proto").asText() + "/" + record.path("app_proto_ts").asText() +
                    "/" + record.path("app_proto_tc").asText());
            }
        }
        return protos;
    }
}
