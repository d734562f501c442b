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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

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
