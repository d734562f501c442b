package io.tandem.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.node.applayer.StreamConsumer;
import io.tandem.node.config.TandemConfig;
import io.tandem.node.flow.Flow;
import io.tandem.node.flow.FlowKey;
import io.tandem.node.io.PcapFileSource;
import io.tandem.node.io.PcapFileWriter;
import io.tandem.node.output.IpFormat;
import io.tandem.node.worker.Worker;
import io.tandem.node.worker.WorkerContexts;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/**
 * The HA failover drill through the command line, as the HA issue states it: a synthetic capture (HTTP, TLS, SSH and
 * SMTP among plain streams) is split in two by packet count; node 1 analyses the first half writing an HA file, node
 * 2 the second half primed from it; every session that spans the split must end on node 2 as on one node that read
 * the whole capture.
 * <p>
 * Reassembled bytes: node 2 never saw the bytes node 1 reassembled, so its SHA-256 cannot be the whole stream's.
 * What must hold instead is that the two nodes together reassembled the single node's stream exactly once: node 1's
 * bytes plus node 2's bytes equal the single node's (gaps likewise), node 1's digest is that of the single node's
 * stream up to node 1's byte count, and node 2's digest that of the rest. The single node's streams themselves come
 * from a worker built from the same configuration with a recording consumer, checked against the single node's EVE
 * digest first.
 */
class AnalyzeFailoverTest
{
    private static final String[] HA_OFF_THROTTLES = {
        "--set", "ha.enabled=true", "--set", "ha.min-session-lifetime=0", "--set", "ha.min-sync-interval=0" };

    private static final DateTimeFormatter EVE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSZ");

    private final ObjectMapper mapper = new ObjectMapper();
    private final StringWriter err = new StringWriter();

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} sessions split at {1}/{2} of the packets")
    @CsvSource({ "400, 1, 3, 0", "400, 1, 2, 0", "600, 3, 5, 1" })
    void shouldEndEverySessionSpanningTheSplitOnTheSecondNodeAsOneNodeWould(
        final int sessions, final int numerator, final int denominator, final int expectedTakeoverGaps)
        throws IOException
    {
        final Path whole = dir.resolve("whole.pcap");
        assertThat(tandem("synth", "--out", whole.toString(), "--seed", "5", "--sessions", String.valueOf(sessions),
            "--concurrency", "60", "--app-pct", "80")).isZero();
        final Path first = dir.resolve("first.pcap");
        final Path second = dir.resolve("second.pcap");
        final long splitNs = split(whole, first, second, numerator, denominator);

        final Path haFile = dir.resolve("node1.ha");
        final Path eveSingle = dir.resolve("single.json");
        final Path eve1 = dir.resolve("node1.json");
        final Path eve2 = dir.resolve("node2.json");
        assertThat(tandem("analyze", "--pcap", whole.toString(), "--eve", eveSingle.toString(),
            "--reassembly-digest")).isZero();
        assertThat(tandem(concat(new String[] { "analyze", "--pcap", first.toString(), "--eve", eve1.toString(),
            "--reassembly-digest", "--set", "ha.node-id=1", "--set", "ha.runtime-output-file=" + haFile },
            HA_OFF_THROTTLES))).isZero();
        assertThat(tandem(concat(new String[] { "analyze", "--pcap", second.toString(), "--eve", eve2.toString(),
            "--reassembly-digest", "--set", "ha.node-id=2", "--set", "ha.startup-input-file=" + haFile },
            HA_OFF_THROTTLES))).isZero();

        final Map<String, JsonNode> single = flows(eveSingle);
        final Map<String, JsonNode> node1 = flows(eve1);
        final Map<String, JsonNode> node2 = flows(eve2);
        final Map<String, byte[][]> streams = streams(whole);
        final Map<String, Long> seqGapEvents = seqGapEvents(eve2);

        int spanning = 0;
        int spanningTcp = 0;
        int withAppProto = 0;
        long node2Bytes = 0;
        long takeoverGapBytes = 0;
        final List<String> differing = new ArrayList<>();
        final List<String> takeoverGaps = new ArrayList<>();
        for (final Map.Entry<String, JsonNode> e : single.entrySet())
        {
            final JsonNode one = e.getValue();
            if (nanos(one.at("/flow/start").asText()) >= splitNs || nanos(one.at("/flow/end").asText()) < splitNs)
            {
                continue;
            }
            spanning++;
            final String key = e.getKey();
            final JsonNode onFirst = node1.get(key);
            final JsonNode onSecond = node2.get(key);
            if (onFirst == null || onSecond == null)
            {
                differing.add(key + ": missing on node " + (onFirst == null ? 1 : 2));
                continue;
            }
            final List<String> why = new ArrayList<>();
            for (final String field : new String[] { "/app_proto", "/app_proto_ts", "/app_proto_tc", "/flow/state",
                "/flow/reason", "/flow/pkts_toserver", "/flow/pkts_toclient", "/flow/bytes_toserver",
                "/flow/bytes_toclient", "/flow/start", "/flow/end", "/tcp/state", "/tcp/tcp_flags_ts",
                "/tcp/tcp_flags_tc" })
            {
                if (!one.at(field).equals(onSecond.at(field)))
                {
                    why.add(field + " " + one.at(field) + " vs " + onSecond.at(field));
                }
            }
            if (one.has("app_proto") && !"failed".equals(one.get("app_proto").asText()))
            {
                withAppProto++;
            }
            if ("TCP".equals(one.get("proto").asText()))
            {
                spanningTcp++;
                final byte[][] stream = streams.get(key);
                assertThat(stream).as("recorded stream of %s", key).isNotNull();
                for (final String direction : new String[] { "toserver", "toclient" })
                {
                    final byte[] bytes = stream["toserver".equals(direction) ? 0 : 1];
                    node2Bytes += onSecond.at("/reassembly/" + direction + "/bytes").asLong();
                    final long held = onSecond.at("/reassembly/" + direction + "/takeover_gap_bytes").asLong();
                    if (held > 0)
                    {
                        takeoverGaps.add(key + " " + direction + " " + held);
                        takeoverGapBytes += held;
                    }
                    compareStream(why, direction, bytes, one, onFirst, onSecond, held);
                }
                if (seqGapEvents.getOrDefault(key, 0L) > one.at("/reassembly/toserver/gaps").asLong() +
                    one.at("/reassembly/toclient/gaps").asLong())
                {
                    why.add("node 2 raised reassembly gap events the single node did not");
                }
            }
            if (!why.isEmpty())
            {
                differing.add(key + ": " + String.join("; ", why));
            }
        }
        System.out.printf("failover via analyze (%d flows, split at %d/%d): %d sessions span the split (%d TCP, %d " +
            "with an application protocol), node 2 reassembled %d bytes of them, %d directions had takeover gaps, %d " +
            "differ%n", single.size(), numerator, denominator, spanning, spanningTcp, withAppProto, node2Bytes,
            takeoverGaps.size(), differing.size());
        assertThat(differing).isEmpty();
        assertThat(takeoverGaps).as("takeover gaps: data only node 1 held (queued beyond a hole)")
            .hasSize(expectedTakeoverGaps);
        assertThat(stat(eve2, "/tcp/reassembly_takeover_gap_bytes")).isEqualTo(takeoverGapBytes);
        assertThat(spanningTcp).isGreaterThan(20);
        assertThat(withAppProto).isGreaterThan(10);
        assertThat(node2Bytes).isPositive();
    }

    private static void compareStream(
        final List<String> why, final String direction, final byte[] stream, final JsonNode one,
        final JsonNode onFirst, final JsonNode onSecond, final long takeoverGapBytes)
    {
        final String at = "/reassembly/" + direction + "/";
        if (!sha256(stream, 0, stream.length).equals(one.at(at + "sha256").asText()))
        {
            why.add(direction + ": recorded stream is not the single node's");
            return;
        }
        final long bytes1 = onFirst.at(at + "bytes").asLong();
        final long bytes2 = onSecond.at(at + "bytes").asLong();
        if (bytes1 + bytes2 + takeoverGapBytes != stream.length)
        {
            why.add(direction + " bytes " + bytes1 + " + " + bytes2 + " (+ " + takeoverGapBytes +
                " in takeover gaps) vs " + stream.length);
            return;
        }
        if (!sha256(stream, 0, (int)bytes1).equals(onFirst.at(at + "sha256").asText()))
        {
            why.add(direction + ": node 1's bytes are not the stream's first " + bytes1);
        }
        if (takeoverGapBytes == 0 &&
            !sha256(stream, (int)bytes1, stream.length).equals(onSecond.at(at + "sha256").asText()))
        {
            why.add(direction + ": node 2's bytes are not the stream's last " + bytes2);
        }
        for (final String field : new String[] { "gaps", "gap_bytes" })
        {
            final long sum = onFirst.at(at + field).asLong() + onSecond.at(at + field).asLong();
            if (sum != one.at(at + field).asLong())
            {
                why.add(direction + " " + field + " " + sum + " vs " + one.at(at + field).asLong());
            }
        }
    }

    private int tandem(final String... args)
    {
        final CommandLine cli = TandemCommand.commandLine();
        cli.setErr(new PrintWriter(err, true));
        final int status = cli.execute(args);
        if (status != 0)
        {
            System.err.println(err);
        }
        return status;
    }

    private static String[] concat(final String[] a, final String[] b)
    {
        final String[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /**
     * Split a capture by packet count, moving the split forward past packets of equal time.
     */
    private static long split(
        final Path whole, final Path first, final Path second, final int numerator, final int denominator)
    {
        final List<Long> times = new ArrayList<>();
        try (PcapFileSource source = PcapFileSource.open(whole))
        {
            while (!source.isEndOfStream())
            {
                source.poll((frame, captured, wire, timestampNs, linkType) -> times.add(timestampNs), 256);
            }
        }
        int at = times.size() * numerator / denominator;
        while (times.get(at - 1).equals(times.get(at)))
        {
            at++;
        }
        final long splitNs = times.get(at);
        try (PcapFileSource source = PcapFileSource.open(whole);
            PcapFileWriter a = new PcapFileWriter(first, 1, true);
            PcapFileWriter b = new PcapFileWriter(second, 1, true))
        {
            while (!source.isEndOfStream())
            {
                source.poll((frame, captured, wire, timestampNs, linkType) ->
                    (timestampNs < splitNs ? a : b).write(frame, 0, captured, wire, timestampNs), 256);
            }
        }
        return splitNs;
    }

    private Map<String, JsonNode> flows(final Path eve) throws IOException
    {
        final Map<String, JsonNode> flows = new HashMap<>();
        for (final String line : Files.readAllLines(eve))
        {
            final JsonNode record = mapper.readTree(line);
            if ("flow".equals(record.get("event_type").asText()))
            {
                final String key = key(record.get("proto").asText(), record.get("src_ip").asText(),
                    record.get("src_port").asInt(), record.get("dest_ip").asText(), record.get("dest_port").asInt(),
                    vlan(record));
                assertThat(flows.put(key, record)).as("one record per flow: %s", key).isNull();
            }
        }
        return flows;
    }

    private Map<String, Long> seqGapEvents(final Path eve) throws IOException
    {
        final Map<String, Long> events = new HashMap<>();
        for (final String line : Files.readAllLines(eve))
        {
            final JsonNode r = mapper.readTree(line);
            if ("anomaly".equals(r.get("event_type").asText()) &&
                "stream.reassembly_seq_gap".equals(r.at("/anomaly/event").asText()))
            {
                final boolean fromClient = r.get("src_port").asInt() > r.get("dest_port").asInt();
                final String key = fromClient ?
                    key(r.get("proto").asText(), r.get("src_ip").asText(), r.get("src_port").asInt(),
                    r.get("dest_ip").asText(), r.get("dest_port").asInt(), vlan(r)) :
                    key(r.get("proto").asText(), r.get("dest_ip").asText(), r.get("dest_port").asInt(),
                    r.get("src_ip").asText(), r.get("src_port").asInt(), vlan(r));
                events.merge(key, 1L, Long::sum);
            }
        }
        return events;
    }

    private long stat(final Path eve, final String path) throws IOException
    {
        for (final String line : Files.readAllLines(eve))
        {
            final JsonNode r = mapper.readTree(line);
            if ("stats".equals(r.get("event_type").asText()))
            {
                return r.get("stats").at(path).asLong();
            }
        }
        throw new AssertionError("no stats record in " + eve);
    }

    private static String vlan(final JsonNode record)
    {
        return record.has("vlan") ? record.get("vlan").toString() : "[]";
    }

    private static String key(
        final String proto, final String src, final int sport, final String dst, final int dport, final String vlan)
    {
        return proto + " " + src + ":" + sport + " > " + dst + ":" + dport + " vlan " + vlan;
    }

    private static long nanos(final String eveTime)
    {
        final Instant t = OffsetDateTime.parse(eveTime, EVE_TIME).toInstant();
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    /**
     * The single node's reassembled streams (data bytes in order, gaps left out, as the EVE digest covers them), from
     * a worker built from the same default configuration as {@code analyze}'s.
     */
    private static Map<String, byte[][]> streams(final Path whole)
    {
        final Map<Long, ByteArrayOutputStream[]> live = new HashMap<>();
        final Map<String, byte[][]> done = new HashMap<>();
        final Worker.Context ctx = WorkerContexts.from(TandemConfig.load(null, List.of()));
        ctx.streamConsumer(new StreamConsumer()
        {
            @Override
            public void onData(
                final Flow flow, final boolean toServer, final DirectBuffer buffer, final int offset,
                final int length, final int flags)
            {
                if (buffer != null && (flags & FLAG_GAP) == 0 && length > 0)
                {
                    final byte[] b = new byte[length];
                    buffer.getBytes(offset, b);
                    live.computeIfAbsent(flow.flowId(), id -> new ByteArrayOutputStream[] {
                        new ByteArrayOutputStream(), new ByteArrayOutputStream() })[toServer ? 0 : 1]
                        .writeBytes(b);
                }
            }
        });
        final Worker worker = new Worker(ctx, (flow, reason) ->
        {
            final ByteArrayOutputStream[] s = live.remove(flow.flowId());
            final FlowKey k = flow.key();
            final StringBuilder vlan = new StringBuilder("[");
            for (int i = 0; i < k.vlanCount(); i++)
            {
                vlan.append(i == 0 ? "" : ",").append(k.vlanId(i));
            }
            done.put(key(k.protocol() == 6 ? "TCP" : "other",
                IpFormat.toString(k.ipVersion(), k.clientHi(), k.clientLo()), k.clientPort(),
                IpFormat.toString(k.ipVersion(), k.serverHi(), k.serverLo()), k.serverPort(), vlan + "]"),
                s == null ? new byte[][] { new byte[0], new byte[0] } :
                new byte[][] { s[0].toByteArray(), s[1].toByteArray() });
        }, (p, event) ->
        {
        });
        try (PcapFileSource source = PcapFileSource.open(whole))
        {
            worker.drain(source);
        }
        return done;
    }

    private static String sha256(final byte[] bytes, final int from, final int to)
    {
        try
        {
            final MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(bytes, from, to - from);
            return HexFormat.of().formatHex(md.digest());
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
