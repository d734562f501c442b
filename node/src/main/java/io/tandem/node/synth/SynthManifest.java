package io.tandem.node.synth;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;

/**
 * Ground truth of a synthesized capture: one {@link Flow} per session that has at least one captured packet, in
 * session (flow id) order.
 * <p>
 * Orientation follows what a flow table sees: the <em>client</em> is the side that sent the first captured packet
 * (for a one-sided capture of a server's answers that is the real server), and "to server" is from that side.
 */
public final class SynthManifest
{
    /** No close seen: a UDP flow. */
    public static final int CLOSE_NONE = 0;
    /** Closed by FIN, FIN-ACK, ACK. */
    public static final int CLOSE_FIN = 1;
    /** Torn down by a RST. */
    public static final int CLOSE_RST = 2;

    private final List<Flow> flows;

    SynthManifest(final List<Flow> flows)
    {
        this.flows = Collections.unmodifiableList(flows);
    }

    /**
     * Every flow, in flow id order.
     *
     * @return unmodifiable list.
     */
    public List<Flow> flows()
    {
        return flows;
    }

    /**
     * Number of flows.
     *
     * @return the count.
     */
    public int size()
    {
        return flows.size();
    }

    /**
     * Flows that carry an anomaly.
     *
     * @param anomaly to look for.
     * @return a new list.
     */
    public List<Flow> flowsWith(final SynthAnomaly anomaly)
    {
        final List<Flow> result = new ArrayList<>();
        for (final Flow flow : flows)
        {
            if (anomaly.in(flow.anomalies()))
            {
                result.add(flow);
            }
        }
        return result;
    }

    /**
     * Write the manifest as JSON lines, one object per flow.
     *
     * @param path file to create or truncate.
     */
    public void writeJsonLines(final Path path)
    {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(path)))
        {
            writeJsonLines(out);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write " + path, ex);
        }
    }

    /**
     * Write the manifest as JSON lines, one object per flow. The stream is flushed, not closed.
     *
     * @param out where to write.
     * @throws IOException when writing fails.
     */
    public void writeJsonLines(final OutputStream out) throws IOException
    {
        final JsonGenerator generator = new JsonFactory()
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
            .createGenerator(out, JsonEncoding.UTF8);
        generator.setPrettyPrinter(new MinimalPrettyPrinter("\n"));
        for (final Flow flow : flows)
        {
            flow.writeJson(generator);
        }
        if (!flows.isEmpty())
        {
            generator.writeRaw('\n');
        }
        generator.close();
        out.flush();
    }

    /**
     * Format an address held as two longs (IPv4 in the low 32 bits of {@code lo}).
     *
     * @param ipVersion 4 or 6.
     * @param hi        high 64 bits.
     * @param lo        low 64 bits.
     * @return dotted quad or compressed IPv6 text.
     */
    public static String formatAddress(final int ipVersion, final long hi, final long lo)
    {
        if (ipVersion == 4)
        {
            return ((lo >>> 24) & 0xFF) + "." + ((lo >>> 16) & 0xFF) + "." + ((lo >>> 8) & 0xFF) + "." + (lo & 0xFF);
        }
        final int[] groups = new int[8];
        for (int i = 0; i < 4; i++)
        {
            groups[i] = (int)((hi >>> (48 - 16 * i)) & 0xFFFF);
            groups[i + 4] = (int)((lo >>> (48 - 16 * i)) & 0xFFFF);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; i++)
        {
            int j = i;
            while (j < 8 && groups[j] == 0)
            {
                j++;
            }
            if (j - i > bestLength)
            {
                bestStart = i;
                bestLength = j - i;
            }
        }
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < 8; i++)
        {
            if (i == bestStart)
            {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':')
            {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }

    /**
     * One flow as captured. Counts are per direction in this flow's orientation (see {@link SynthManifest}).
     *
     * @param flowId                        session number, 0 first, in generation order.
     * @param protocol                      6 (TCP) or 17 (UDP).
     * @param ipVersion                     4 or 6.
     * @param srcHi                         client address, high 64 bits (0 for IPv4).
     * @param srcLo                         client address, low 64 bits (IPv4 in the low 32).
     * @param srcPort                       client port.
     * @param dstHi                         server address, high 64 bits.
     * @param dstLo                         server address, low 64 bits.
     * @param dstPort                       server port.
     * @param vlanCount                     VLAN tags on every packet (0..2).
     * @param outerVlan                     outer VLAN id, or 0.
     * @param innerVlan                     inner VLAN id when double tagged, or 0.
     * @param pktsToServer                  captured frames (pcap records, each fragment one) client to server.
     * @param pktsToClient                  captured frames server to client.
     * @param bytesToServer                 sum of those frames' lengths client to server.
     * @param bytesToClient                 sum of those frames' lengths server to client.
     * @param datagramsToServer             captured IP datagrams after reassembly client to server.
     * @param datagramsToClient             captured IP datagrams after reassembly server to client.
     * @param datagramBytesToServer         their frame lengths as if unfragmented, client to server.
     * @param datagramBytesToClient         their frame lengths as if unfragmented, server to client.
     * @param payloadBytesToServer          stream bytes the server's application receives.
     * @param payloadBytesToClient          stream bytes the client's application receives.
     * @param capturedPayloadBytesToServer  distinct stream bytes present in the capture, client to server.
     * @param capturedPayloadBytesToClient  distinct stream bytes present in the capture, server to client.
     * @param payloadKeyToServer            {@link PayloadPattern} key of the client to server stream.
     * @param payloadKeyToClient            {@link PayloadPattern} key of the server to client stream.
     * @param payloadCrcToServer            CRC32C of the server application's stream.
     * @param payloadCrcToClient            CRC32C of the client application's stream.
     * @param isnToServer                   initial sequence number of the client (TCP), else 0.
     * @param isnToClient                   initial sequence number of the server (TCP), else 0.
     * @param anomalies                     {@link SynthAnomaly} bits.
     * @param close                         {@link #CLOSE_NONE}, {@link #CLOSE_FIN} or {@link #CLOSE_RST}.
     * @param firstNs                       timestamp of the first captured frame.
     * @param lastNs                        timestamp of the last captured frame.
     * @param reversed                      true when the manifest's client is the session's real server.
     */
    public record Flow(
        long flowId,
        int protocol,
        int ipVersion,
        long srcHi,
        long srcLo,
        int srcPort,
        long dstHi,
        long dstLo,
        int dstPort,
        int vlanCount,
        int outerVlan,
        int innerVlan,
        long pktsToServer,
        long pktsToClient,
        long bytesToServer,
        long bytesToClient,
        long datagramsToServer,
        long datagramsToClient,
        long datagramBytesToServer,
        long datagramBytesToClient,
        long payloadBytesToServer,
        long payloadBytesToClient,
        long capturedPayloadBytesToServer,
        long capturedPayloadBytesToClient,
        int payloadKeyToServer,
        int payloadKeyToClient,
        long payloadCrcToServer,
        long payloadCrcToClient,
        int isnToServer,
        int isnToClient,
        int anomalies,
        int close,
        long firstNs,
        long lastNs,
        boolean reversed)
    {
        /**
         * Client address as text.
         *
         * @return the address.
         */
        public String srcIp()
        {
            return formatAddress(ipVersion, srcHi, srcLo);
        }

        /**
         * Server address as text.
         *
         * @return the address.
         */
        public String dstIp()
        {
            return formatAddress(ipVersion, dstHi, dstLo);
        }

        /**
         * Whether this flow carries an anomaly.
         *
         * @param anomaly to test.
         * @return true when it does.
         */
        public boolean has(final SynthAnomaly anomaly)
        {
            return anomaly.in(anomalies);
        }

        /**
         * The stream one direction's receiving application sees, regenerated (allocates; for tests and tools).
         *
         * @param toServer true for the client to server stream.
         * @return the bytes.
         */
        public byte[] payload(final boolean toServer)
        {
            final long length = toServer ? payloadBytesToServer : payloadBytesToClient;
            return PayloadPattern.bytes(toServer ? payloadKeyToServer : payloadKeyToClient, 0, Math.toIntExact(length));
        }

        void writeJson(final JsonGenerator generator) throws IOException
        {
            generator.writeStartObject();
            generator.writeNumberField("flow_id", flowId);
            generator.writeStringField("proto", protocol == 6 ? "TCP" : "UDP");
            generator.writeNumberField("ip_version", ipVersion);
            generator.writeStringField("src_ip", srcIp());
            generator.writeNumberField("src_port", srcPort);
            generator.writeStringField("dest_ip", dstIp());
            generator.writeNumberField("dest_port", dstPort);
            generator.writeArrayFieldStart("vlan");
            if (vlanCount > 0)
            {
                generator.writeNumber(outerVlan);
            }
            if (vlanCount > 1)
            {
                generator.writeNumber(innerVlan);
            }
            generator.writeEndArray();
            generator.writeNumberField("pkts_toserver", pktsToServer);
            generator.writeNumberField("pkts_toclient", pktsToClient);
            generator.writeNumberField("bytes_toserver", bytesToServer);
            generator.writeNumberField("bytes_toclient", bytesToClient);
            generator.writeNumberField("datagrams_toserver", datagramsToServer);
            generator.writeNumberField("datagrams_toclient", datagramsToClient);
            generator.writeNumberField("datagram_bytes_toserver", datagramBytesToServer);
            generator.writeNumberField("datagram_bytes_toclient", datagramBytesToClient);
            generator.writeNumberField("payload_bytes_toserver", payloadBytesToServer);
            generator.writeNumberField("payload_bytes_toclient", payloadBytesToClient);
            generator.writeNumberField("captured_payload_bytes_toserver", capturedPayloadBytesToServer);
            generator.writeNumberField("captured_payload_bytes_toclient", capturedPayloadBytesToClient);
            generator.writeNumberField("payload_key_toserver", payloadKeyToServer);
            generator.writeNumberField("payload_key_toclient", payloadKeyToClient);
            generator.writeNumberField("payload_crc32c_toserver", payloadCrcToServer);
            generator.writeNumberField("payload_crc32c_toclient", payloadCrcToClient);
            if (protocol == 6)
            {
                generator.writeNumberField("isn_toserver", isnToServer & 0xFFFF_FFFFL);
                generator.writeNumberField("isn_toclient", isnToClient & 0xFFFF_FFFFL);
            }
            generator.writeStringField(
                "close", close == CLOSE_FIN ? "fin" : (close == CLOSE_RST ? "rst" : "none"));
            generator.writeNumberField("first_ns", firstNs);
            generator.writeNumberField("last_ns", lastNs);
            generator.writeBooleanField("reversed", reversed);
            generator.writeArrayFieldStart("anomalies");
            for (final SynthAnomaly anomaly : SynthAnomaly.values())
            {
                if (anomaly.in(anomalies))
                {
                    generator.writeString(anomaly.jsonName());
                }
            }
            generator.writeEndArray();
            generator.writeEndObject();
        }
    }
}
