package io.tandem.node.output;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.tandem.node.applayer.AppProto;
import io.tandem.node.applayer.AppProtoDetector;
import io.tandem.node.applayer.ReassemblyDigest;
import io.tandem.node.decode.DecoderEvent;
import io.tandem.node.decode.DecoderEventListener;
import io.tandem.node.decode.Packet;
import io.tandem.node.flow.Flow;
import io.tandem.node.flow.FlowEndListener;
import io.tandem.node.flow.FlowEndReason;
import io.tandem.node.flow.FlowKey;
import io.tandem.node.tcp.TcpEngine;
import io.tandem.node.tcp.TcpEventListener;
import io.tandem.node.tcp.TcpSession;
import io.tandem.node.tcp.TcpStreamEvent;
import io.tandem.node.tcp.TcpStreamTracker;

/**
 * Writes EVE JSON lines with Suricata's field names: {@code flow} records when flows end, {@code anomaly} records
 * for decoder and stream events, and {@code stats} records. One JSON object per line, streamed through Jackson's
 * generator.
 */
public final class EveWriter
    implements FlowEndListener, DecoderEventListener, TcpEventListener, AutoCloseable
{
    private static final DateTimeFormatter TIMESTAMP =
        DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSZ").withZone(ZoneOffset.UTC);

    private final JsonGenerator json;
    private final StringBuilder scratch = new StringBuilder(64);
    private long flowRecords;
    private ReassemblyDigest reassemblyDigest;
    private AppProtoDetector appProtoDetector;
    private long anomalyRecords;

    /**
     * Write EVE to a stream, which this writer then owns (closing the writer closes it).
     *
     * @param out the stream.
     */
    public EveWriter(final OutputStream out)
    {
        try
        {
            json = new JsonFactory().createGenerator(out, JsonEncoding.UTF8);
            json.setRootValueSeparator(new com.fasterxml.jackson.core.io.SerializedString("\n"));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    @Override
    public void onFlowEnd(final Flow flow, final FlowEndReason reason)
    {
        try
        {
            json.writeStartObject();
            json.writeStringField("timestamp", timestamp(flow.startNs()));
            json.writeNumberField("flow_id", flow.flowId());
            json.writeStringField("event_type", "flow");
            final FlowKey key = flow.key();
            writeTuple(key.ipVersion(), key.protocol(), key.clientHi(), key.clientLo(), key.clientPort(),
                key.serverHi(), key.serverLo(), key.serverPort());
            if (key.vlanCount() > 0)
            {
                json.writeArrayFieldStart("vlan");
                for (int i = 0; i < key.vlanCount(); i++)
                {
                    json.writeNumber(key.vlanId(i));
                }
                json.writeEndArray();
            }
            if (flow.icmpType() >= 0)
            {
                json.writeNumberField("icmp_type", flow.icmpType());
                json.writeNumberField("icmp_code", flow.icmpCode());
            }
            if (appProtoDetector != null)
            {
                writeAppProto(flow);
            }
            json.writeObjectFieldStart("flow");
            json.writeNumberField("pkts_toserver", flow.pktsToServer());
            json.writeNumberField("pkts_toclient", flow.pktsToClient());
            json.writeNumberField("bytes_toserver", flow.bytesToServer());
            json.writeNumberField("bytes_toclient", flow.bytesToClient());
            json.writeStringField("start", timestamp(flow.startNs()));
            json.writeStringField("end", timestamp(flow.lastNs()));
            json.writeNumberField("age", Math.floorDiv(flow.lastNs(), 1_000_000_000L) -
                Math.floorDiv(flow.startNs(), 1_000_000_000L));
            json.writeStringField("state", flow.state().eveName());
            json.writeStringField("reason", reason.eveName());
            json.writeEndObject();
            if (key.protocol() == 6)
            {
                final TcpSession ssn = TcpEngine.session(flow);
                writeTcpFlags(flow.tcpFlagsToServer(), flow.tcpFlagsToClient(), ssn);
                if (reassemblyDigest != null)
                {
                    writeReassembly(reassemblyDigest.remove(flow));
                }
            }
            json.writeEndObject();
            flowRecords++;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Write one {@code anomaly} record of type {@code decode} for an event raised on a packet.
     *
     * @param p     the packet (its decoded tuple is written when it has one).
     * @param event the event.
     */
    @Override
    public void onDecoderEvent(final Packet p, final DecoderEvent event)
    {
        try
        {
            json.writeStartObject();
            json.writeStringField("timestamp", timestamp(p.timestampNs));
            json.writeNumberField("pcap_cnt", p.packetNumber);
            json.writeStringField("event_type", "anomaly");
            if (p.ipVersion != Packet.IP_NONE)
            {
                writeTuple(p.ipVersion, p.protocol, p.srcHi, p.srcLo, p.srcPort, p.dstHi, p.dstLo, p.dstPort);
            }
            json.writeObjectFieldStart("anomaly");
            json.writeStringField("type", "decode");
            json.writeStringField("event", "decoder." + event.eventName());
            json.writeEndObject();
            json.writeEndObject();
            anomalyRecords++;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Write one {@code anomaly} record of type {@code stream} for a stream event raised on a packet.
     *
     * @param p     the packet.
     * @param flow  its flow.
     * @param event the event.
     */
    @Override
    public void onStreamEvent(final Packet p, final Flow flow, final TcpStreamEvent event)
    {
        try
        {
            json.writeStartObject();
            json.writeStringField("timestamp", timestamp(p.timestampNs));
            if (flow != null)
            {
                json.writeNumberField("flow_id", flow.flowId());
            }
            json.writeNumberField("pcap_cnt", p.packetNumber);
            json.writeStringField("event_type", "anomaly");
            writeTuple(p.ipVersion, p.protocol, p.srcHi, p.srcLo, p.srcPort, p.dstHi, p.dstLo, p.dstPort);
            json.writeObjectFieldStart("anomaly");
            json.writeStringField("type", "stream");
            json.writeStringField("event", event.eveName());
            json.writeEndObject();
            json.writeEndObject();
            anomalyRecords++;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Write a {@code stats} record; dotted counter names become nested objects ({@code decoder.pkts} is
     * {@code "decoder":{"pkts":...}}). A name that is both a counter and a prefix of others keeps its dotted tail.
     *
     * @param timestampNs time of the record.
     * @param counters    counter names and values, in the order to write them.
     */
    public void writeStats(final long timestampNs, final Map<String, Long> counters)
    {
        try
        {
            json.writeStartObject();
            json.writeStringField("timestamp", timestamp(timestampNs));
            json.writeStringField("event_type", "stats");
            json.writeFieldName("stats");
            StatsTree.of(counters).write(json);
            json.writeEndObject();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Flow records written.
     *
     * @return the count.
     */
    public long flowRecords()
    {
        return flowRecords;
    }

    /**
     * Anomaly records written.
     *
     * @return the count.
     */
    public long anomalyRecords()
    {
        return anomalyRecords;
    }

    /**
     * Push buffered records out.
     */
    public void flush()
    {
        try
        {
            json.flush();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    @Override
    public void close()
    {
        try
        {
            json.writeRaw('\n');
            json.close();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Suricata's EVE timestamp: local date-time with microseconds and a numeric offset (always UTC here).
     *
     * @param timeNs nanoseconds since the epoch.
     * @return e.g. {@code 2026-11-23T12:00:00.123456+0000}.
     */
    public static String timestamp(final long timeNs)
    {
        return TIMESTAMP.format(Instant.ofEpochSecond(
            Math.floorDiv(timeNs, 1_000_000_000L), Math.floorMod(timeNs, 1_000_000_000L)));
    }

    /**
     * EVE {@code proto} value of an IP protocol number.
     *
     * @param protocol the number.
     * @return the name Suricata writes.
     */
    public static String protocolName(final int protocol)
    {
        return switch (protocol)
        {
            case 6 -> "TCP";
            case 17 -> "UDP";
            case 1 -> "ICMP";
            case 58 -> "IPv6-ICMP";
            case 47 -> "GRE";
            case 132 -> "SCTP";
            default -> String.format("%03d", protocol);
        };
    }

    /**
     * Add per-direction reassembly summaries to TCP flow records.
     *
     * @param digest the digest consumer the worker feeds.
     * @return this.
     */
    public EveWriter reassemblyDigest(final ReassemblyDigest digest)
    {
        reassemblyDigest = digest;
        return this;
    }

    /**
     * Add {@code app_proto} (and {@code app_proto_ts}/{@code app_proto_tc} when a direction differs) to flow records.
     *
     * @param detector the detector the worker feeds.
     * @return this.
     */
    public EveWriter appProtoDetector(final AppProtoDetector detector)
    {
        appProtoDetector = detector;
        return this;
    }

    private void writeAppProto(final Flow flow) throws IOException
    {
        final AppProto proto = appProtoDetector.appProto(flow);
        if (proto != AppProto.UNKNOWN)
        {
            json.writeStringField("app_proto", proto.eveName());
            final AppProto ts = appProtoDetector.appProto(flow, true);
            final AppProto tc = appProtoDetector.appProto(flow, false);
            if (ts != AppProto.UNKNOWN && ts != proto)
            {
                json.writeStringField("app_proto_ts", ts.eveName());
            }
            if (tc != AppProto.UNKNOWN && tc != proto)
            {
                json.writeStringField("app_proto_tc", tc.eveName());
            }
        }
    }

    private void writeReassembly(final ReassemblyDigest.Result result) throws IOException
    {
        json.writeObjectFieldStart("reassembly");
        writeDirection("toserver", result.toServer());
        writeDirection("toclient", result.toClient());
        json.writeEndObject();
    }

    private void writeDirection(final String name, final ReassemblyDigest.Direction d) throws IOException
    {
        json.writeObjectFieldStart(name);
        json.writeNumberField("bytes", d.bytes());
        json.writeNumberField("gaps", d.gaps());
        json.writeNumberField("gap_bytes", d.gapBytes());
        if (d.takeoverGapBytes() > 0)
        {
            json.writeNumberField("takeover_gap_bytes", d.takeoverGapBytes());
        }
        json.writeStringField("sha256", d.sha256());
        json.writeEndObject();
    }

    private void writeTuple(
        final int ipVersion,
        final int protocol,
        final long srcHi,
        final long srcLo,
        final int srcPort,
        final long dstHi,
        final long dstLo,
        final int dstPort) throws IOException
    {
        final boolean ports = protocol == 6 || protocol == 17 || protocol == 132;
        scratch.setLength(0);
        json.writeStringField("src_ip", IpFormat.append(scratch, ipVersion, srcHi, srcLo).toString());
        if (ports)
        {
            json.writeNumberField("src_port", srcPort);
        }
        scratch.setLength(0);
        json.writeStringField("dest_ip", IpFormat.append(scratch, ipVersion, dstHi, dstLo).toString());
        if (ports)
        {
            json.writeNumberField("dest_port", dstPort);
        }
        json.writeStringField("proto", protocol < 0 ? "" : protocolName(protocol));
    }

    private void writeTcpFlags(final int toServer, final int toClient, final TcpSession ssn) throws IOException
    {
        final String state = ssn == null ? null : ssn.state.eveName();
        final int all = toServer | toClient;
        json.writeObjectFieldStart("tcp");
        json.writeStringField("tcp_flags", hex2(all));
        json.writeStringField("tcp_flags_ts", hex2(toServer));
        json.writeStringField("tcp_flags_tc", hex2(toClient));
        flag("syn", all, Packet.TH_SYN);
        flag("fin", all, Packet.TH_FIN);
        flag("rst", all, Packet.TH_RST);
        flag("psh", all, Packet.TH_PSH);
        flag("ack", all, Packet.TH_ACK);
        flag("urg", all, Packet.TH_URG);
        flag("ecn", all, Packet.TH_ECN);
        flag("cwr", all, Packet.TH_CWR);
        if (state != null)
        {
            json.writeStringField("state", state);
            if (ssn.client.has(TcpStreamTracker.FLAG_GAP))
            {
                json.writeBooleanField("ts_gap", true);
            }
            if (ssn.server.has(TcpStreamTracker.FLAG_GAP))
            {
                json.writeBooleanField("tc_gap", true);
            }
        }
        json.writeEndObject();
    }

    private void flag(final String name, final int flags, final int bit) throws IOException
    {
        if ((flags & bit) != 0)
        {
            json.writeBooleanField(name, true);
        }
    }

    private static String hex2(final int value)
    {
        final String hex = Integer.toHexString(value & 0xFF);
        return hex.length() == 1 ? "0" + hex : hex;
    }
}
