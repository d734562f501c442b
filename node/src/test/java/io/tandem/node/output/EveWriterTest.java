package io.tandem.node.output;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.node.decode.DecoderEvent;
import io.tandem.node.decode.Packet;
import io.tandem.node.flow.FlowEndReason;
import io.tandem.node.flow.FlowTable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class EveWriterTest
{
    private static final long T0 = 1_258_921_156_036_582_000L;
    private final ObjectMapper mapper = new ObjectMapper();

    private static Packet syn()
    {
        final Packet p = new Packet();
        p.reset();
        p.ipVersion = 4;
        p.protocol = 6;
        p.srcLo = (147L << 24) | (183 << 16) | (77 << 8) | 73;
        p.dstLo = (155L << 24) | (166 << 16) | (235 << 8) | 43;
        p.srcPort = 38212;
        p.dstPort = 25;
        p.tcpFlags = Packet.TH_SYN;
        p.capturedLength = 66;
        p.timestampNs = T0;
        p.packetNumber = 1;
        return p;
    }

    private List<JsonNode> lines(final ByteArrayOutputStream out) throws Exception
    {
        final List<JsonNode> nodes = new java.util.ArrayList<>();
        for (final String line : out.toString(StandardCharsets.UTF_8).split("\n"))
        {
            if (!line.isBlank())
            {
                nodes.add(mapper.readTree(line));
            }
        }
        return nodes;
    }

    @Test
    void shouldWriteASingleSynFlowAsSuricataDoes() throws Exception
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (EveWriter eve = new EveWriter(out))
        {
            final FlowTable table = new FlowTable(new FlowTable.Context(), eve);
            table.handle(syn(), T0);
            table.flushAll(FlowEndReason.SHUTDOWN);
        }
        final List<JsonNode> records = lines(out);
        assertThat(records).hasSize(1);
        final JsonNode flow = records.get(0);
        assertThat(flow.get("event_type").asText()).isEqualTo("flow");
        assertThat(flow.get("src_ip").asText()).isEqualTo("147.183.77.73");
        assertThat(flow.get("src_port").asInt()).isEqualTo(38212);
        assertThat(flow.get("dest_ip").asText()).isEqualTo("155.166.235.43");
        assertThat(flow.get("dest_port").asInt()).isEqualTo(25);
        assertThat(flow.get("proto").asText()).isEqualTo("TCP");
        assertThat(flow.get("timestamp").asText()).isEqualTo("2009-11-22T20:19:16.036582+0000");
        assertThat(flow.at("/flow/pkts_toserver").asLong()).isEqualTo(1);
        assertThat(flow.at("/flow/pkts_toclient").asLong()).isZero();
        assertThat(flow.at("/flow/bytes_toserver").asLong()).isEqualTo(66);
        assertThat(flow.at("/flow/bytes_toclient").asLong()).isZero();
        assertThat(flow.at("/flow/age").asLong()).isZero();
        assertThat(flow.at("/flow/state").asText()).isEqualTo("new");
        assertThat(flow.at("/flow/reason").asText()).isEqualTo("shutdown");
        assertThat(flow.at("/tcp/tcp_flags").asText()).isEqualTo("02");
        assertThat(flow.at("/tcp/tcp_flags_ts").asText()).isEqualTo("02");
        assertThat(flow.at("/tcp/tcp_flags_tc").asText()).isEqualTo("00");
        assertThat(flow.at("/tcp/syn").asBoolean()).isTrue();
        assertThat(flow.at("/tcp/fin").isMissingNode()).isTrue();
        assertThat(flow.get("flow_id").asLong()).isPositive();
    }

    @Test
    void shouldWriteVlansAndIcmpTypeWithoutPorts() throws Exception
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (EveWriter eve = new EveWriter(out))
        {
            final FlowTable table = new FlowTable(new FlowTable.Context(), eve);
            final Packet echo = syn();
            echo.resetTransport();
            echo.protocol = 1;
            echo.icmpType = 8;
            echo.icmpCode = 0;
            echo.vlanCount = 2;
            echo.vlanIds[0] = 1;
            echo.vlanIds[1] = 10;
            table.handle(echo, T0);
            table.flushAll(FlowEndReason.SHUTDOWN);
        }
        final JsonNode flow = lines(out).get(0);
        assertThat(flow.get("proto").asText()).isEqualTo("ICMP");
        assertThat(flow.get("vlan").toString()).isEqualTo("[1,10]");
        assertThat(flow.get("icmp_type").asInt()).isEqualTo(8);
        assertThat(flow.has("src_port")).isFalse();
        assertThat(flow.has("tcp")).isFalse();
    }

    @Test
    void shouldWriteDecoderAnomaliesWithSuricataEventNames() throws Exception
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (EveWriter eve = new EveWriter(out))
        {
            final Packet p = syn();
            p.protocol = 17;
            eve.onDecoderEvent(p, DecoderEvent.UDP_LEN_INVALID);
            final Packet noIp = new Packet();
            noIp.reset();
            noIp.packetNumber = 7;
            eve.onDecoderEvent(noIp, DecoderEvent.ETHERNET_PKT_TOO_SMALL);
        }
        final List<JsonNode> records = lines(out);
        assertThat(records).hasSize(2);
        assertThat(records.get(0).get("event_type").asText()).isEqualTo("anomaly");
        assertThat(records.get(0).at("/anomaly/type").asText()).isEqualTo("decode");
        assertThat(records.get(0).at("/anomaly/event").asText()).isEqualTo("decoder.udp.len_invalid");
        assertThat(records.get(0).get("proto").asText()).isEqualTo("UDP");
        assertThat(records.get(0).get("pcap_cnt").asLong()).isEqualTo(1);
        assertThat(records.get(1).has("src_ip")).isFalse();
        assertThat(records.get(1).at("/anomaly/event").asText()).isEqualTo("decoder.ethernet.pkt_too_small");
    }

    @Test
    void shouldNestDottedCountersInTheStatsRecord() throws Exception
    {
        final Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("decoder.pkts", 10L);
        counters.put("decoder.event.ipv4.trunc_pkt", 2L);
        counters.put("flow.total", 3L);
        counters.put("flow.tcp", 1L);
        counters.put("flow.tcp.reuse", 4L);
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (EveWriter eve = new EveWriter(out))
        {
            eve.writeStats(T0, counters);
        }
        final JsonNode stats = lines(out).get(0);
        assertThat(stats.get("event_type").asText()).isEqualTo("stats");
        assertThat(stats.at("/stats/decoder/pkts").asLong()).isEqualTo(10);
        assertThat(stats.at("/stats/decoder/event/ipv4/trunc_pkt").asLong()).isEqualTo(2);
        assertThat(stats.at("/stats/flow/total").asLong()).isEqualTo(3);
        assertThat(stats.at("/stats/flow/tcp").asLong()).isEqualTo(1);
        assertThat(stats.at("/stats/flow/tcp.reuse").asLong()).isEqualTo(4);
    }

    @Test
    void shouldFormatIpv6AsRfc5952()
    {
        assertThat(IpFormat.toString(6, 0x2001_4860_4860_0000L, 0x0000_0000_0000_8888L))
            .isEqualTo("2001:4860:4860::8888");
        assertThat(IpFormat.toString(6, 0, 1)).isEqualTo("::1");
        assertThat(IpFormat.toString(6, 0, 0)).isEqualTo("::");
        assertThat(IpFormat.toString(6, 0x2001_0db8_0000_0001L, 0x0000_0000_0001_0000L))
            .isEqualTo("2001:db8:0:1::1:0");
        assertThat(IpFormat.toString(6, 0x2001_0db8_0000_0000L, 0x0001_0000_0000_0001L))
            .isEqualTo("2001:db8::1:0:0:1");
        assertThat(IpFormat.toString(6, 0xfe80_0000_0000_0000L, 0x0000_0000_0000_0000L)).isEqualTo("fe80::");
        assertThat(IpFormat.toString(4, 0, 0x0a000001L)).isEqualTo("10.0.0.1");
    }
}
