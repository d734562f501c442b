package io.tandem.node.admin;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.node.stats.StatsSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class AdminServerTest
{
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();

    private static StatsSnapshot snapshot(final long packets, final long flows)
    {
        final Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("decoder.pkts", packets);
        counters.put("flow.total", flows);
        counters.put("decoder.event.ipv4.trunc_pkt", 1L);
        return new StatsSnapshot(1, counters);
    }

    private HttpResponse<String> get(final AdminServer server, final String path) throws Exception
    {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldSumWorkersCountersIntoPrometheusTextAndStatusJson() throws Exception
    {
        final AtomicBoolean ready = new AtomicBoolean(false);
        try (AdminServer server = new AdminServer(new InetSocketAddress("127.0.0.1", 0),
            () -> List.of(snapshot(100, 3), snapshot(50, 2)), ready::get, Map.of("node", "test-node")))
        {
            final HttpResponse<String> metrics = get(server, "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
            assertThat(metrics.body())
                .contains("tandem_decoder_pkts 150")
                .contains("tandem_flow_total 5")
                .contains("tandem_decoder_event_ipv4_trunc_pkt 2")
                .contains("# HELP tandem_flow_total Tandem counter flow.total");

            assertThat(get(server, "/ready").statusCode()).isEqualTo(503);
            ready.set(true);
            assertThat(get(server, "/ready").statusCode()).isEqualTo(200);

            final JsonNode status = new ObjectMapper().readTree(get(server, "/api/v1/status").body());
            assertThat(status.get("node").asText()).isEqualTo("test-node");
            assertThat(status.get("ready").asBoolean()).isTrue();
            assertThat(status.at("/counters/decoder.pkts").asLong()).isEqualTo(150);

            assertThat(get(server, "/health").body()).isEqualTo("ok\n");
            assertThat(get(server, "/missing").statusCode()).isEqualTo(404);
            final HttpRequest post = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/health"))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.noBody()).build();
            assertThat(http.send(post, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(405);
        }
    }

    @Test
    void shouldKeepTheLargestPacketAndTheTotalsAveragePacketSizeAcrossWorkers()
    {
        final Map<String, Long> first = new LinkedHashMap<>();
        first.put("decoder.pkts", 10L);
        first.put("decoder.bytes", 1000L);
        first.put("decoder.avg_pkt_size", 100L);
        first.put("decoder.max_pkt_size", 1500L);
        final Map<String, Long> second = new LinkedHashMap<>(first);
        second.put("decoder.pkts", 30L);
        second.put("decoder.bytes", 9000L);
        second.put("decoder.avg_pkt_size", 300L);
        second.put("decoder.max_pkt_size", 900L);
        try (AdminServer server = new AdminServer(new InetSocketAddress("127.0.0.1", 0),
            () -> List.of(new StatsSnapshot(1, first), new StatsSnapshot(1, second)), () -> true, Map.of()))
        {
            assertThat(server.totals())
                .containsEntry("decoder.pkts", 40L)
                .containsEntry("decoder.max_pkt_size", 1500L)
                .containsEntry("decoder.avg_pkt_size", 250L);
        }
    }

    @Test
    void shouldNameMetricsAfterTheDottedCounters()
    {
        assertThat(AdminServer.metricName("decoder.event.ipv4.trunc_pkt")).isEqualTo(
            "tandem_decoder_event_ipv4_trunc_pkt");
        assertThat(AdminServer.metricName("flow.end.tcp-reuse")).isEqualTo("tandem_flow_end_tcp_reuse");
    }
}
