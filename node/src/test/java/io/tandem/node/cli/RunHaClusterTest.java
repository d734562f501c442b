package io.tandem.node.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.node.synth.SynthManifest;
import io.tandem.node.synth.SynthOptions;
import io.tandem.node.synth.TrafficSynthesizer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The done-when drill of the HA side channel: three {@code tandem run} nodes, each its own JVM (the test's JDK and
 * class path), replicate over UDP loopback (multi-destination-cast, authenticated). Node 1 takes mirrored traffic, node
 * 2 holds its sessions in standby, and node 3, started late, is resynced and reports ready with every session.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RunHaClusterTest
{
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(45);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Node> nodes = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void stopNodes() throws InterruptedException
    {
        for (final Node node : nodes)
        {
            node.process.destroy();
        }
        for (final Node node : nodes)
        {
            if (!node.process.waitFor(10, TimeUnit.SECONDS))
            {
                node.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private record Node(int id, Process process, int mirrorPort, int adminPort, Path log)
    {
    }

    @Test
    void shouldReplicateBetweenTwoRunProcessesAndResyncAThirdStartedLate() throws Exception
    {
        final long testStartNs = System.nanoTime();
        final Path pcap = dir.resolve("feed.pcap");
        final SynthManifest manifest = new TrafficSynthesizer(new SynthOptions().seed(23).sessions(80)
            .concurrency(80).udpPct(25).ipv6Pct(20).vlanPct(20)).generate(pcap, false);
        final int sessions = manifest.size();
        final Path key = dir.resolve("cluster.key");
        Files.writeString(key, "0123456789abcdef0123456789abcdef-drill\n");
        final int[] haPorts = {freeUdpPort(), freeUdpPort(), freeUdpPort()};

        final Node one = start(1, haPorts, key);
        final Node two = start(2, haPorts, key);
        awaitStatus(one, "/health", 200);
        awaitStatus(two, "/health", 200);
        awaitCounter(two, "ha.peer.1.state", (value) -> value == 0);

        final CommandLine replay = TandemCommand.commandLine();
        replay.setErr(new PrintWriter(new StringWriter(), true));
        assertThat(replay.execute("replay", "--pcap", pcap.toString(), "--to", "127.0.0.1:" + one.mirrorPort(),
            "--pps", "20000")).isZero();
        awaitCounter(one, "flow.active", (value) -> value == sessions);
        final JsonNode standbyOnTwo = awaitCounter(two, "flow.standby", (value) -> value == sessions);
        assertThat(standbyOnTwo.path("counters").path("flow.active").asLong()).isEqualTo(sessions);
        awaitCounter(one, "ha.transport.messages_sent", (value) -> value >= sessions);

        final long lateStartNs = System.nanoTime();
        final Node three = start(3, haPorts, key);
        awaitStatus(three, "/health", 200);
        awaitStatus(three, "/ready", 200);
        final long readyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lateStartNs);

        final JsonNode status = awaitCounter(three, "flow.standby", (value) -> value == sessions);
        final JsonNode counters = status.path("counters");
        assertThat(status.path("ready").asBoolean()).isTrue();
        assertThat(counters.path("ha.transport.resyncs_completed").asLong()).isEqualTo(2);
        assertThat(counters.path("ha.transport.ready_by_timeout").asLong()).isZero();
        assertThat(counters.path("ha.transport.auth_failures").asLong()).isZero();
        assertThat(counters.path("ha.side_channel.applied").asLong()).isGreaterThanOrEqualTo(sessions);
        final List<String> peers = new ArrayList<>();
        status.path("ha").path("peers").forEach((peer) ->
            peers.add(peer.path("node_id").asInt() + ":" + peer.path("state").asText()));
        assertThat(peers).containsExactly("1:up", "2:up");
        awaitCounter(one, "ha.side_channel.resync_messages", (value) -> value >= sessions);
        assertThat(get(three, "/metrics").body()).contains("tandem_ha_transport_resyncs_completed 2");

        System.out.printf("ha cluster drill: %d sessions replicated 1 -> 2; node 3 resynced (longest resync %d ms) " +
            "and ready %d ms after its start; %d ms in all%n", sessions,
            TimeUnit.NANOSECONDS.toMillis(counters.path("ha.transport.resync_max_duration_ns").asLong()), readyMs,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - testStartNs));
    }

    private Node start(final int id, final int[] haPorts, final Path key) throws IOException
    {
        final int mirrorPort = freeUdpPort();
        final int adminPort = freeTcpPort();
        final StringBuilder peers = new StringBuilder("[");
        for (int i = 0; i < haPorts.length; i++)
        {
            if (i != id - 1)
            {
                peers.append(peers.length() > 1 ? ", " : "").append("127.0.0.1:").append(haPorts[i]);
            }
        }
        peers.append(']');
        final Path log = dir.resolve("node-" + id + ".log");
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
            "--enable-native-access=ALL-UNNAMED",
            "-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-cp", classPath(),
            TandemCommand.class.getName(), "run",
            "--mirror-bind", "127.0.0.1", "--mirror-port", Integer.toString(mirrorPort),
            "--admin-port", Integer.toString(adminPort), "--eve", dir.resolve("eve-" + id + ".json").toString()));
        for (final String set : List.of(
            "ha.enabled=yes", "ha.use-side-channel=yes", "ha.node-id=" + id, "ha.cluster-id=7",
            "ha.min-session-lifetime=0", "ha.min-sync-interval=0", "ha.channel=mdc",
            "ha.local-endpoint=127.0.0.1:" + haPorts[id - 1], "ha.peers=" + peers,
            "ha.auth-key-file=" + key, "ha.resync-timeout=20000",
            "ha.aeron.data-dir=" + dir.resolve("aeron-" + id), "flow-timeouts.tcp.new=3600",
            "flow-timeouts.tcp.established=3600", "flow-timeouts.tcp.closed=3600", "flow-timeouts.udp.new=3600",
            "flow-timeouts.udp.established=3600"))
        {
            command.add("--set");
            command.add(set);
        }
        final Process process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(log.toFile()).start();
        final Node node = new Node(id, process, mirrorPort, adminPort, log);
        nodes.add(node);
        return node;
    }

    private static String classPath()
    {
        final String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    private HttpResponse<String> get(final Node node, final String path) throws IOException, InterruptedException
    {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.adminPort() + path))
            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private void awaitStatus(final Node node, final String path, final int status) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        String last = "no answer";
        while (System.nanoTime() - deadlineNs < 0)
        {
            assertAlive(node);
            try
            {
                final HttpResponse<String> response = get(node, path);
                if (response.statusCode() == status)
                {
                    return;
                }
                last = response.statusCode() + " " + response.body();
            }
            catch (final IOException notUpYet)
            {
                last = notUpYet.toString();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("node " + node.id() + " " + path + " never answered " + status + " (last: " + last +
            ")\n" + tail(node));
    }

    private JsonNode awaitCounter(final Node node, final String counter, final Predicate<Long> condition)
        throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        JsonNode last = null;
        while (System.nanoTime() - deadlineNs < 0)
        {
            assertAlive(node);
            try
            {
                last = JSON.readTree(get(node, "/api/v1/status").body());
                final JsonNode value = last.path("counters").path(counter);
                if (!value.isMissingNode() && condition.test(value.asLong()))
                {
                    return last;
                }
            }
            catch (final IOException notUpYet)
            {
                last = null;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("node " + node.id() + ": " + counter + " never came right (last status: " + last +
            ")\n" + tail(node));
    }

    private static void assertAlive(final Node node)
    {
        if (!node.process().isAlive())
        {
            throw new AssertionError("node " + node.id() + " exited with " + node.process().exitValue() + "\n" +
                tail(node));
        }
    }

    private static String tail(final Node node)
    {
        try
        {
            final List<String> lines = Files.readAllLines(node.log(), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        }
        catch (final IOException ex)
        {
            return "(no log: " + ex + ")";
        }
    }

    private static int freeUdpPort()
    {
        try (DatagramSocket socket = new DatagramSocket(0))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static int freeTcpPort()
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
