package io.tandem.node.decode;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.tandem.node.stats.StatsSink;
import io.tandem.node.stats.StatsSource;

import static io.tandem.node.decode.DecoderEvent.ETHERNET_PKT_TOO_SMALL;
import static io.tandem.node.decode.DecoderEvent.ETHERNET_UNKNOWN_ETHERTYPE;
import static io.tandem.node.decode.DecoderEvent.GRE_PKT_TOO_SMALL;
import static io.tandem.node.decode.DecoderEvent.GRE_VERSION0_FLAGS;
import static io.tandem.node.decode.DecoderEvent.GRE_VERSION0_HDR_TOO_BIG;
import static io.tandem.node.decode.DecoderEvent.GRE_VERSION0_RECUR;
import static io.tandem.node.decode.DecoderEvent.GRE_VERSION1_CHKSUM;
import static io.tandem.node.decode.DecoderEvent.GRE_VERSION1_FLAGS;
import static io.tandem.node.decode.DecoderEvent.GRE_VERSION1_HDR_TOO_BIG;
import static io.tandem.node.decode.DecoderEvent.GRE_VERSION1_NO_KEY;
import static io.tandem.node.decode.DecoderEvent.GRE_VERSION1_RECUR;
import static io.tandem.node.decode.DecoderEvent.GRE_VERSION1_ROUTE;
import static io.tandem.node.decode.DecoderEvent.GRE_VERSION1_SSR;
import static io.tandem.node.decode.DecoderEvent.GRE_VERSION1_WRONG_PROTOCOL;
import static io.tandem.node.decode.DecoderEvent.GRE_WRONG_VERSION;
import static io.tandem.node.decode.DecoderEvent.ICMPV4_IPV4_TRUNC_PKT;
import static io.tandem.node.decode.DecoderEvent.ICMPV4_IPV4_UNKNOWN_VER;
import static io.tandem.node.decode.DecoderEvent.ICMPV4_PKT_TOO_SMALL;
import static io.tandem.node.decode.DecoderEvent.ICMPV4_UNKNOWN_CODE;
import static io.tandem.node.decode.DecoderEvent.ICMPV4_UNKNOWN_TYPE;
import static io.tandem.node.decode.DecoderEvent.ICMPV6_EXPERIMENTATION_TYPE;
import static io.tandem.node.decode.DecoderEvent.ICMPV6_IPV6_TRUNC_PKT;
import static io.tandem.node.decode.DecoderEvent.ICMPV6_IPV6_UNKNOWN_VERSION;
import static io.tandem.node.decode.DecoderEvent.ICMPV6_MLD_MESSAGE_WITH_INVALID_HL;
import static io.tandem.node.decode.DecoderEvent.ICMPV6_PKT_TOO_SMALL;
import static io.tandem.node.decode.DecoderEvent.ICMPV6_UNASSIGNED_TYPE;
import static io.tandem.node.decode.DecoderEvent.ICMPV6_UNKNOWN_CODE;
import static io.tandem.node.decode.DecoderEvent.ICMPV6_UNKNOWN_TYPE;
import static io.tandem.node.decode.DecoderEvent.IPRAW_INVALID_IP_VERSION;
import static io.tandem.node.decode.DecoderEvent.IPV4_HLEN_TOO_SMALL;
import static io.tandem.node.decode.DecoderEvent.IPV4_ICMPV6;
import static io.tandem.node.decode.DecoderEvent.IPV4_IPLEN_SMALLER_THAN_HLEN;
import static io.tandem.node.decode.DecoderEvent.IPV4_OPT_DUPLICATE;
import static io.tandem.node.decode.DecoderEvent.IPV4_OPT_EOL_REQUIRED;
import static io.tandem.node.decode.DecoderEvent.IPV4_OPT_INVALID;
import static io.tandem.node.decode.DecoderEvent.IPV4_OPT_INVALID_LEN;
import static io.tandem.node.decode.DecoderEvent.IPV4_OPT_MALFORMED;
import static io.tandem.node.decode.DecoderEvent.IPV4_PKT_TOO_SMALL;
import static io.tandem.node.decode.DecoderEvent.IPV4_TRUNC_PKT;
import static io.tandem.node.decode.DecoderEvent.IPV4_WRONG_IP_VERSION;
import static io.tandem.node.decode.DecoderEvent.IPV6_DATA_AFTER_NONE_HEADER;
import static io.tandem.node.decode.DecoderEvent.IPV6_DSTOPTS_ONLY_PADDING;
import static io.tandem.node.decode.DecoderEvent.IPV6_DSTOPTS_UNKNOWN_OPT;
import static io.tandem.node.decode.DecoderEvent.IPV6_EXTHDR_AH_RES_NOT_NULL;
import static io.tandem.node.decode.DecoderEvent.IPV6_EXTHDR_DUPL_AH;
import static io.tandem.node.decode.DecoderEvent.IPV6_EXTHDR_DUPL_DH;
import static io.tandem.node.decode.DecoderEvent.IPV6_EXTHDR_DUPL_FH;
import static io.tandem.node.decode.DecoderEvent.IPV6_EXTHDR_DUPL_HH;
import static io.tandem.node.decode.DecoderEvent.IPV6_EXTHDR_DUPL_RH;
import static io.tandem.node.decode.DecoderEvent.IPV6_EXTHDR_INVALID_OPTLEN;
import static io.tandem.node.decode.DecoderEvent.IPV6_EXTHDR_USELESS_FH;
import static io.tandem.node.decode.DecoderEvent.IPV6_FH_NON_ZERO_RESERVED_FIELD;
import static io.tandem.node.decode.DecoderEvent.IPV6_FRAG_INVALID_LENGTH;
import static io.tandem.node.decode.DecoderEvent.IPV6_HOPOPTS_ONLY_PADDING;
import static io.tandem.node.decode.DecoderEvent.IPV6_HOPOPTS_UNKNOWN_OPT;
import static io.tandem.node.decode.DecoderEvent.IPV6_ICMPV4;
import static io.tandem.node.decode.DecoderEvent.IPV6_PKT_TOO_SMALL;
import static io.tandem.node.decode.DecoderEvent.IPV6_RH_TYPE_0;
import static io.tandem.node.decode.DecoderEvent.IPV6_TRUNC_EXTHDR;
import static io.tandem.node.decode.DecoderEvent.IPV6_TRUNC_PKT;
import static io.tandem.node.decode.DecoderEvent.IPV6_UNKNOWN_NEXT_HEADER;
import static io.tandem.node.decode.DecoderEvent.IPV6_WRONG_IP_VERSION;
import static io.tandem.node.decode.DecoderEvent.IPV6_ZERO_LEN_PADN;
import static io.tandem.node.decode.DecoderEvent.LTNULL_PKT_TOO_SMALL;
import static io.tandem.node.decode.DecoderEvent.LTNULL_UNSUPPORTED_TYPE;
import static io.tandem.node.decode.DecoderEvent.MPLS_BAD_LABEL_IMPLICIT_NULL;
import static io.tandem.node.decode.DecoderEvent.MPLS_BAD_LABEL_RESERVED;
import static io.tandem.node.decode.DecoderEvent.MPLS_BAD_LABEL_ROUTER_ALERT;
import static io.tandem.node.decode.DecoderEvent.MPLS_HEADER_TOO_SMALL;
import static io.tandem.node.decode.DecoderEvent.MPLS_PKT_TOO_SMALL;
import static io.tandem.node.decode.DecoderEvent.MPLS_UNKNOWN_PAYLOAD_TYPE;
import static io.tandem.node.decode.DecoderEvent.PPP_IP4_PKT_TOO_SMALL;
import static io.tandem.node.decode.DecoderEvent.PPP_IP6_PKT_TOO_SMALL;
import static io.tandem.node.decode.DecoderEvent.PPP_PKT_TOO_SMALL;
import static io.tandem.node.decode.DecoderEvent.PPP_UNSUP_PROTO;
import static io.tandem.node.decode.DecoderEvent.PPP_VJU_PKT_TOO_SMALL;
import static io.tandem.node.decode.DecoderEvent.PPP_WRONG_TYPE;
import static io.tandem.node.decode.DecoderEvent.SLL_PKT_TOO_SMALL;
import static io.tandem.node.decode.DecoderEvent.TCP_HLEN_TOO_SMALL;
import static io.tandem.node.decode.DecoderEvent.TCP_INVALID_OPTLEN;
import static io.tandem.node.decode.DecoderEvent.TCP_OPT_DUPLICATE;
import static io.tandem.node.decode.DecoderEvent.TCP_OPT_INVALID_LEN;
import static io.tandem.node.decode.DecoderEvent.TCP_PKT_TOO_SMALL;
import static io.tandem.node.decode.DecoderEvent.TOO_MANY_LAYERS;
import static io.tandem.node.decode.DecoderEvent.UDP_HLEN_TOO_SMALL;
import static io.tandem.node.decode.DecoderEvent.UDP_LEN_INVALID;
import static io.tandem.node.decode.DecoderEvent.VLAN_HEADER_TOO_SMALL;
import static io.tandem.node.decode.DecoderEvent.VLAN_TOO_MANY_LAYERS;

/**
 * Decodes a frame in place into a {@link Packet}: link layer, VLAN / MPLS / PPP / GRE / IP-in-IP encapsulations,
 * IPv4 (options) or IPv6 (extension headers), then TCP (options), UDP, ICMPv4 or ICMPv6, with Suricata's decoder
 * events and counters. The innermost IP header is the one recorded in the packet.
 * <p>
 * One instance per worker thread: it keeps per-worker counters and allocates nothing per packet. It never throws on
 * malformed input; every read is bounded by the captured length and by the lengths the headers claim.
 * <p>
 * Checksums (IPv4 header, TCP, UDP, ICMPv4, ICMPv6) are checked when {@link DecodeContext#checksumValidation()} is on
 * and the frame was captured whole (captured length not shorter than the wire length); a wrong one sets
 * {@link Packet#checksumInvalid} and is counted, the packet is still decoded.
 */
public final class PacketDecoder implements StatsSource
{
    private static final ByteOrder NET = ByteOrder.BIG_ENDIAN;

    private static final int ETHERNET_HEADER_LENGTH = 14;
    private static final int IPV4_HEADER_LENGTH = 20;
    private static final int IPV6_HEADER_LENGTH = 40;
    private static final int TCP_HEADER_LENGTH = 20;

    /**
     * NOP, NOP, timestamp kind and length: the option block most TCP stacks send on every segment (RFC 7323 appendix
     * A), decoded in one step.
     */
    private static final int ALIGNED_TIMESTAMP_PREFIX = 0x0101_080A;
    private static final int ALIGNED_TIMESTAMP_LENGTH = 12;
    private static final int UDP_HEADER_LENGTH = 8;
    private static final int ICMP_HEADER_LENGTH = 8;

    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_ARP = 0x0806;
    private static final int ETHERTYPE_IPV6 = 0x86DD;
    private static final int ETHERTYPE_VLAN = 0x8100;
    private static final int ETHERTYPE_QINQ = 0x88A8;
    private static final int ETHERTYPE_QINQ_OLD = 0x9100;
    private static final int ETHERTYPE_MPLS_UNICAST = 0x8847;
    private static final int ETHERTYPE_MPLS_MULTICAST = 0x8848;
    private static final int ETHERTYPE_PPP = 0x880B;
    private static final int ETHERTYPE_TEB = 0x6558;

    private static final int PROTO_HOPOPTS = 0;
    private static final int PROTO_ICMP = 1;
    private static final int PROTO_IPIP = 4;
    private static final int PROTO_TCP = 6;
    private static final int PROTO_UDP = 17;
    private static final int PROTO_IPV6 = 41;
    private static final int PROTO_ROUTING = 43;
    private static final int PROTO_FRAGMENT = 44;
    private static final int PROTO_GRE = 47;
    private static final int PROTO_ESP = 50;
    private static final int PROTO_AH = 51;
    private static final int PROTO_ICMPV6 = 58;
    private static final int PROTO_NONE = 59;
    private static final int PROTO_DSTOPTS = 60;
    private static final int PROTO_MH = 135;
    private static final int PROTO_HIP = 139;
    private static final int PROTO_SHIM6 = 140;

    private static final int NFLOG_TLV_PAYLOAD = 9;

    private final boolean checksumValidation;
    private final int maxLayers;
    private final long[] eventCounts = new long[DecoderEvent.count()];

    private UnsafeBuffer buffer;
    private boolean checkSums;
    private boolean sackSeen;

    private long pkts;
    private long bytes;
    private long maxPktSize;
    private long invalid;
    private long ipv4;
    private long ipv6;
    private long ethernet;
    private long arp;
    private long unknownEthertype;
    private long raw;
    private long nullLink;
    private long sll;
    private long nflog;
    private long tcp;
    private long udp;
    private long icmpv4;
    private long icmpv6;
    private long ppp;
    private long gre;
    private long vlan;
    private long vlanQinq;
    private long vlanQinqinq;
    private long mpls;
    private long ipv4InIpv6;
    private long ipv6InIpv6;
    private long ipv4InIpv4;
    private long ipv6InIpv4;
    private long ipv4ChecksumInvalid;
    private long tcpChecksumInvalid;
    private long udpChecksumInvalid;
    private long icmpv4ChecksumInvalid;
    private long icmpv6ChecksumInvalid;

    /**
     * Decoder with the given settings.
     *
     * @param context settings; validated here.
     */
    public PacketDecoder(final DecodeContext context)
    {
        context.conclude();
        this.checksumValidation = context.checksumValidation();
        this.maxLayers = context.maxLayers();
    }

    /**
     * Decode one captured frame. The caller has wrapped {@link Packet#buffer} over the frame, set
     * {@link Packet#capturedLength}, {@link Packet#wireLength}, {@link Packet#timestampNs}, {@link Packet#linkType},
     * {@link Packet#packetNumber} and called {@link Packet#reset()}.
     *
     * @param p packet to fill.
     * @return true when a valid IP layer was decoded and nothing made the packet invalid: it can go on to the
     * defragmenter (when {@link Packet#fragment}) or the flow table.
     */
    public boolean decode(final Packet p)
    {
        buffer = p.buffer;
        final int length = Math.max(0, Math.min(p.capturedLength, buffer.capacity()));
        pkts++;
        bytes += length;
        maxPktSize = Math.max(maxPktSize, length);
        checkSums = checksumValidation && p.capturedLength >= p.wireLength;

        switch (p.linkType)
        {
            case LinkType.ETHERNET:
                decodeEthernet(p, 0, length);
                break;
            case LinkType.NULL:
                decodeNull(p, length, false);
                break;
            case LinkType.LOOP:
                decodeNull(p, length, true);
                break;
            case LinkType.RAW:
            case LinkType.RAW_DLT_12:
            case LinkType.RAW_DLT_14:
                raw++;
                decodeRaw(p, 0, length);
                break;
            case LinkType.IPV4:
                decodeIpv4(p, 0, length);
                break;
            case LinkType.IPV6:
                decodeIpv6(p, 0, length);
                break;
            case LinkType.LINUX_SLL:
                decodeSll(p, length, false);
                break;
            case LinkType.LINUX_SLL2:
                decodeSll(p, length, true);
                break;
            case LinkType.PPP:
                decodePpp(p, 0, length);
                break;
            case LinkType.NFLOG:
                decodeNflog(p, length);
                break;
            default:
                p.invalid = true;
                break;
        }
        return finish(p);
    }

    /**
     * Decode a datagram rebuilt by the defragmenter: an IPv4 datagram (offset and MF cleared, total length fixed) or
     * an IPv6 packet without its fragment header. {@link Packet#buffer} is wrapped over it, the link-layer fields
     * (VLAN ids, timestamp, link type, packet number, wire length) are kept, every other field is cleared and decoded
     * again from the IP layer, transport checksums included. {@link Packet#reassembled} is set.
     *
     * @param p        packet that carried the last fragment.
     * @param datagram bytes of the reassembled datagram, from index 0.
     * @param length   datagram length.
     * @return true when a valid IP layer was decoded.
     */
    public boolean decodeReassembled(final Packet p, final DirectBuffer datagram, final int length)
    {
        final int bounded = Math.max(0, Math.min(length, datagram.capacity()));
        final int vlans = p.vlanCount;
        p.buffer.wrap(datagram, 0, bounded);
        p.reset();
        p.vlanCount = vlans;
        p.reassembled = true;
        p.capturedLength = bounded;
        buffer = p.buffer;
        checkSums = checksumValidation;
        if (bounded < 1)
        {
            invalidEvent(p, IPV4_PKT_TOO_SMALL);
        }
        else
        {
            final int version = u8(0) >> 4;
            if (version == 4)
            {
                decodeIpv4(p, 0, bounded);
            }
            else if (version == 6)
            {
                decodeIpv6(p, 0, bounded);
            }
            else
            {
                invalidEvent(p, IPRAW_INVALID_IP_VERSION);
            }
        }
        return finish(p);
    }

    /**
     * Number of times an event was raised by this decoder.
     *
     * @param event to look up.
     * @return how many times it was raised.
     */
    public long eventCount(final DecoderEvent event)
    {
        return eventCounts[event.ordinal()];
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void reportStats(final StatsSink sink)
    {
        sink.counter("decoder.pkts", pkts);
        sink.counter("decoder.bytes", bytes);
        sink.counter("decoder.invalid", invalid);
        sink.counter("decoder.ipv4", ipv4);
        sink.counter("decoder.ipv6", ipv6);
        sink.counter("decoder.ethernet", ethernet);
        sink.counter("decoder.arp", arp);
        sink.counter("decoder.unknown_ethertype", unknownEthertype);
        sink.counter("decoder.raw", raw);
        sink.counter("decoder.null", nullLink);
        sink.counter("decoder.sll", sll);
        sink.counter("decoder.nflog", nflog);
        sink.counter("decoder.tcp", tcp);
        sink.counter("decoder.udp", udp);
        sink.counter("decoder.icmpv4", icmpv4);
        sink.counter("decoder.icmpv6", icmpv6);
        sink.counter("decoder.ppp", ppp);
        sink.counter("decoder.gre", gre);
        sink.counter("decoder.vlan", vlan);
        sink.counter("decoder.vlan_qinq", vlanQinq);
        sink.counter("decoder.vlan_qinqinq", vlanQinqinq);
        sink.counter("decoder.mpls", mpls);
        sink.counter("decoder.ipv4_in_ipv6", ipv4InIpv6);
        sink.counter("decoder.ipv6_in_ipv6", ipv6InIpv6);
        sink.counter("decoder.ipv4_in_ipv4", ipv4InIpv4);
        sink.counter("decoder.ipv6_in_ipv4", ipv6InIpv4);
        sink.counter("decoder.avg_pkt_size", pkts == 0 ? 0 : bytes / pkts);
        sink.counter("decoder.max_pkt_size", maxPktSize);
        sink.counter("decoder.checksum.ipv4_invalid", ipv4ChecksumInvalid);
        sink.counter("decoder.checksum.tcp_invalid", tcpChecksumInvalid);
        sink.counter("decoder.checksum.udp_invalid", udpChecksumInvalid);
        sink.counter("decoder.checksum.icmpv4_invalid", icmpv4ChecksumInvalid);
        sink.counter("decoder.checksum.icmpv6_invalid", icmpv6ChecksumInvalid);
        for (int i = 0; i < eventCounts.length; i++)
        {
            if (eventCounts[i] != 0)
            {
                sink.counter("decoder.event." + DecoderEvent.fromOrdinal(i).eventName(), eventCounts[i]);
            }
        }
    }

    private boolean finish(final Packet p)
    {
        if (p.invalid)
        {
            invalid++;
        }
        return p.ipVersion != Packet.IP_NONE && !p.invalid;
    }

    // ---- link layers -------------------------------------------------------------------------------------------

    private void decodeEthernet(final Packet p, final int off, final int len)
    {
        ethernet++;
        if (!enterLayer(p))
        {
            return;
        }
        if (len < ETHERNET_HEADER_LENGTH)
        {
            invalidEvent(p, ETHERNET_PKT_TOO_SMALL);
            return;
        }
        decodeEthertype(p, u16(off + 12), off + ETHERNET_HEADER_LENGTH, len - ETHERNET_HEADER_LENGTH);
    }

    private void decodeEthertype(final Packet p, final int type, final int off, final int len)
    {
        switch (type)
        {
            case ETHERTYPE_IPV4:
                decodeIpv4(p, off, len);
                break;
            case ETHERTYPE_IPV6:
                decodeIpv6(p, off, len);
                break;
            case ETHERTYPE_VLAN:
            case ETHERTYPE_QINQ:
            case ETHERTYPE_QINQ_OLD:
                decodeVlan(p, off, len);
                break;
            case ETHERTYPE_MPLS_UNICAST:
            case ETHERTYPE_MPLS_MULTICAST:
                decodeMpls(p, off, len);
                break;
            case ETHERTYPE_PPP:
                decodePpp(p, off, len);
                break;
            case ETHERTYPE_TEB:
                decodeEthernet(p, off, len);
                break;
            case ETHERTYPE_ARP:
                arp++;
                break;
            default:
                unknownEthertype++;
                event(p, ETHERNET_UNKNOWN_ETHERTYPE);
                break;
        }
    }

    private void decodeVlan(final Packet p, final int off, final int len)
    {
        if (!enterLayer(p))
        {
            return;
        }
        if (len < 4)
        {
            invalidEvent(p, VLAN_HEADER_TOO_SMALL);
            return;
        }
        if (p.vlanCount >= Packet.MAX_VLANS)
        {
            invalidEvent(p, VLAN_TOO_MANY_LAYERS);
            return;
        }
        if (p.vlanCount == 0)
        {
            vlan++;
        }
        else if (p.vlanCount == 1)
        {
            vlanQinq++;
        }
        else
        {
            vlanQinqinq++;
        }
        p.vlanIds[p.vlanCount++] = u16(off) & 0x0FFF;
        decodeEthertype(p, u16(off + 2), off + 4, len - 4);
    }

    private void decodeMpls(final Packet p, final int off, final int len)
    {
        mpls++;
        if (!enterLayer(p))
        {
            return;
        }
        int cur = off;
        int rem = len;
        int shim;
        do
        {
            if (rem < 4)
            {
                invalidEvent(p, MPLS_HEADER_TOO_SMALL);
                return;
            }
            shim = buffer.getInt(cur, NET);
            cur += 4;
            rem -= 4;
        }
        while ((shim & 0x100) == 0);

        final int label = shim >>> 12;
        if (label == 0)
        {
            decodeIpv4(p, cur, rem);
            return;
        }
        if (label == 2)
        {
            decodeIpv6(p, cur, rem);
            return;
        }
        if (label == 1)
        {
            event(p, MPLS_BAD_LABEL_ROUTER_ALERT);
        }
        else if (label == 3)
        {
            event(p, MPLS_BAD_LABEL_IMPLICIT_NULL);
        }
        else if (label < 16)
        {
            event(p, MPLS_BAD_LABEL_RESERVED);
        }
        if (rem < 1)
        {
            invalidEvent(p, MPLS_PKT_TOO_SMALL);
            return;
        }
        switch (u8(cur) >> 4)
        {
            case 4:
                decodeIpv4(p, cur, rem);
                break;
            case 6:
                decodeIpv6(p, cur, rem);
                break;
            case 0:
                if (rem < 4)
                {
                    invalidEvent(p, MPLS_PKT_TOO_SMALL);
                    return;
                }
                decodeEthernet(p, cur + 4, rem - 4);
                break;
            default:
                invalidEvent(p, MPLS_UNKNOWN_PAYLOAD_TYPE);
                break;
        }
    }

    private void decodeNull(final Packet p, final int len, final boolean networkOrder)
    {
        nullLink++;
        if (!enterLayer(p))
        {
            return;
        }
        if (len < 4)
        {
            invalidEvent(p, LTNULL_PKT_TOO_SMALL);
            return;
        }
        int family = buffer.getInt(0, networkOrder ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        if (!networkOrder && (family & 0xFFFF0000) != 0)
        {
            family = Integer.reverseBytes(family);
        }
        switch (family)
        {
            case 2:
                decodeIpv4(p, 4, len - 4);
                break;
            case 24:
            case 28:
            case 30:
                decodeIpv6(p, 4, len - 4);
                break;
            default:
                invalidEvent(p, LTNULL_UNSUPPORTED_TYPE);
                break;
        }
    }

    private void decodeRaw(final Packet p, final int off, final int len)
    {
        if (len < IPV4_HEADER_LENGTH)
        {
            invalidEvent(p, IPV4_PKT_TOO_SMALL);
            return;
        }
        final int version = u8(off) >> 4;
        if (version == 4)
        {
            decodeIpv4(p, off, len);
        }
        else if (version == 6)
        {
            decodeIpv6(p, off, len);
        }
        else
        {
            invalidEvent(p, IPRAW_INVALID_IP_VERSION);
        }
    }

    private void decodeSll(final Packet p, final int len, final boolean version2)
    {
        sll++;
        if (!enterLayer(p))
        {
            return;
        }
        final int headerLength = version2 ? 20 : 16;
        if (len < headerLength)
        {
            invalidEvent(p, SLL_PKT_TOO_SMALL);
            return;
        }
        decodeEthertype(p, u16(version2 ? 0 : 14), headerLength, len - headerLength);
    }

    private void decodePpp(final Packet p, final int off, final int len)
    {
        ppp++;
        if (!enterLayer(p))
        {
            return;
        }
        int cur = off;
        int rem = len;
        if (rem >= 2 && u8(cur) == 0xFF && u8(cur + 1) == 0x03)
        {
            cur += 2;
            rem -= 2;
        }
        if (rem < 1)
        {
            invalidEvent(p, PPP_PKT_TOO_SMALL);
            return;
        }
        final int proto;
        if ((u8(cur) & 1) != 0)
        {
            proto = u8(cur);
            cur++;
            rem--;
        }
        else
        {
            if (rem < 2)
            {
                invalidEvent(p, PPP_PKT_TOO_SMALL);
                return;
            }
            proto = u16(cur);
            cur += 2;
            rem -= 2;
        }
        decodePppProtocol(p, proto, cur, rem);
    }

    private void decodePppProtocol(final Packet p, final int proto, final int off, final int len)
    {
        switch (proto)
        {
            case 0x0021:
                if (len < IPV4_HEADER_LENGTH)
                {
                    invalidEvent(p, PPP_IP4_PKT_TOO_SMALL);
                    return;
                }
                decodeIpv4(p, off, len);
                break;
            case 0x0057:
                if (len < IPV6_HEADER_LENGTH)
                {
                    invalidEvent(p, PPP_IP6_PKT_TOO_SMALL);
                    return;
                }
                decodeIpv6(p, off, len);
                break;
            case 0x002F:
                if (len < IPV4_HEADER_LENGTH)
                {
                    invalidEvent(p, PPP_VJU_PKT_TOO_SMALL);
                    return;
                }
                if ((u8(off) >> 4) == 4)
                {
                    decodeIpv4(p, off, len);
                }
                break;
            case 0x002D:
            case 0x0201:
            case 0x0203:
            case 0x0231:
            case 0x8021:
            case 0x8057:
            case 0x80FD:
            case 0x8207:
            case 0xC021:
            case 0xC023:
            case 0xC025:
            case 0xC223:
                event(p, PPP_UNSUP_PROTO);
                break;
            default:
                invalidEvent(p, PPP_WRONG_TYPE);
                break;
        }
    }

    private void decodeNflog(final Packet p, final int len)
    {
        nflog++;
        if (!enterLayer(p))
        {
            return;
        }
        if (len < 4)
        {
            p.invalid = true;
            return;
        }
        final int family = u8(0);
        int cur = 4;
        while (cur + 4 <= len)
        {
            final int tlvLength = buffer.getShort(cur, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
            final int tlvType = buffer.getShort(cur + 2, ByteOrder.LITTLE_ENDIAN) & 0x7FFF;
            if (tlvLength < 4 || tlvLength > len - cur)
            {
                p.invalid = true;
                return;
            }
            if (tlvType == NFLOG_TLV_PAYLOAD)
            {
                if (family == 2)
                {
                    decodeIpv4(p, cur + 4, tlvLength - 4);
                }
                else if (family == 10)
                {
                    decodeIpv6(p, cur + 4, tlvLength - 4);
                }
                else
                {
                    decodeRaw(p, cur + 4, tlvLength - 4);
                }
                return;
            }
            cur += (tlvLength + 3) & ~3;
        }
    }

    // ---- tunnels -----------------------------------------------------------------------------------------------

    private void decodeGre(final Packet p, final int off, final int len)
    {
        gre++;
        if (!enterLayer(p))
        {
            return;
        }
        if (len < 4)
        {
            invalidEvent(p, GRE_PKT_TOO_SMALL);
            return;
        }
        final int flags = u16(off);
        final int proto = u16(off + 2);
        final int version = flags & 0x7;
        final int headerLength;
        if (version == 0)
        {
            headerLength = greVersion0HeaderLength(p, off, len, flags);
        }
        else if (version == 1)
        {
            headerLength = greVersion1HeaderLength(p, len, flags, proto);
        }
        else
        {
            invalidEvent(p, GRE_WRONG_VERSION);
            return;
        }
        if (headerLength < 0)
        {
            return;
        }
        final int payOff = off + headerLength;
        final int payLen = len - headerLength;
        switch (proto)
        {
            case ETHERTYPE_IPV4:
                decodeIpv4(p, payOff, payLen);
                break;
            case ETHERTYPE_IPV6:
                decodeIpv6(p, payOff, payLen);
                break;
            case ETHERTYPE_TEB:
                decodeEthernet(p, payOff, payLen);
                break;
            case ETHERTYPE_PPP:
                if (payLen > 0)
                {
                    decodePpp(p, payOff, payLen);
                }
                break;
            case ETHERTYPE_VLAN:
            case ETHERTYPE_QINQ:
            case ETHERTYPE_QINQ_OLD:
                decodeVlan(p, payOff, payLen);
                break;
            case ETHERTYPE_MPLS_UNICAST:
            case ETHERTYPE_MPLS_MULTICAST:
                decodeMpls(p, payOff, payLen);
                break;
            default:
                break;
        }
    }

    private int greVersion0HeaderLength(final Packet p, final int off, final int len, final int flags)
    {
        if ((flags & 0x0700) != 0)
        {
            invalidEvent(p, GRE_VERSION0_RECUR);
            return -1;
        }
        if ((flags & 0x0078) != 0)
        {
            invalidEvent(p, GRE_VERSION0_FLAGS);
            return -1;
        }
        int headerLength = 4;
        if ((flags & 0xC000) != 0)
        {
            headerLength += 4;
        }
        if ((flags & 0x2000) != 0)
        {
            headerLength += 4;
        }
        if ((flags & 0x1000) != 0)
        {
            headerLength += 4;
        }
        if (headerLength > len)
        {
            invalidEvent(p, GRE_VERSION0_HDR_TOO_BIG);
            return -1;
        }
        if ((flags & 0x4000) != 0)
        {
            while (true)
            {
                if (headerLength + 4 > len)
                {
                    invalidEvent(p, GRE_VERSION0_HDR_TOO_BIG);
                    return -1;
                }
                final int family = u16(off + headerLength);
                final int sreLength = u8(off + headerLength + 3);
                headerLength += 4 + sreLength;
                if (headerLength > len)
                {
                    invalidEvent(p, GRE_VERSION0_HDR_TOO_BIG);
                    return -1;
                }
                if (family == 0 && sreLength == 0)
                {
                    break;
                }
            }
        }
        return headerLength;
    }

    private int greVersion1HeaderLength(final Packet p, final int len, final int flags, final int proto)
    {
        final DecoderEvent error;
        if ((flags & 0x8000) != 0)
        {
            error = GRE_VERSION1_CHKSUM;
        }
        else if ((flags & 0x4000) != 0)
        {
            error = GRE_VERSION1_ROUTE;
        }
        else if ((flags & 0x0800) != 0)
        {
            error = GRE_VERSION1_SSR;
        }
        else if ((flags & 0x0700) != 0)
        {
            error = GRE_VERSION1_RECUR;
        }
        else if ((flags & 0x0078) != 0)
        {
            error = GRE_VERSION1_FLAGS;
        }
        else if (proto != ETHERTYPE_PPP)
        {
            error = GRE_VERSION1_WRONG_PROTOCOL;
        }
        else if ((flags & 0x2000) == 0)
        {
            error = GRE_VERSION1_NO_KEY;
        }
        else
        {
            error = null;
        }
        if (error != null)
        {
            invalidEvent(p, error);
            return -1;
        }
        int headerLength = 8;
        if ((flags & 0x1000) != 0)
        {
            headerLength += 4;
        }
        if ((flags & 0x0080) != 0)
        {
            headerLength += 4;
        }
        if (headerLength > len)
        {
            invalidEvent(p, GRE_VERSION1_HDR_TOO_BIG);
            return -1;
        }
        return headerLength;
    }

    // ---- IPv4 --------------------------------------------------------------------------------------------------

    private void decodeIpv4(final Packet p, final int off, final int len)
    {
        ipv4++;
        if (!enterLayer(p))
        {
            return;
        }
        if (len < IPV4_HEADER_LENGTH)
        {
            invalidEvent(p, IPV4_PKT_TOO_SMALL);
            return;
        }
        final int versionIhl = u8(off);
        if ((versionIhl >> 4) != 4)
        {
            invalidEvent(p, IPV4_WRONG_IP_VERSION);
            return;
        }
        final int headerLength = (versionIhl & 0xF) << 2;
        if (headerLength < IPV4_HEADER_LENGTH)
        {
            invalidEvent(p, IPV4_HLEN_TOO_SMALL);
            return;
        }
        final int totalLength = u16(off + 2);
        if (totalLength < headerLength)
        {
            invalidEvent(p, IPV4_IPLEN_SMALLER_THAN_HLEN);
            return;
        }
        if (len < totalLength)
        {
            invalidEvent(p, IPV4_TRUNC_PKT);
            return;
        }
        if (headerLength > IPV4_HEADER_LENGTH &&
            !decodeIpv4Options(p, off + IPV4_HEADER_LENGTH, headerLength - IPV4_HEADER_LENGTH))
        {
            return;
        }
        if (checkSums && Checksums.ipv4HeaderChecksum(buffer, off, headerLength) != 0)
        {
            p.checksumInvalid = true;
            ipv4ChecksumInvalid++;
        }

        p.ipVersion = 4;
        p.l3Offset = off;
        p.l3HeaderLength = headerLength;
        p.ipTotalLength = totalLength;
        p.srcHi = 0;
        p.srcLo = buffer.getInt(off + 12, NET) & 0xFFFF_FFFFL;
        p.dstHi = 0;
        p.dstLo = buffer.getInt(off + 16, NET) & 0xFFFF_FFFFL;
        p.ttl = u8(off + 8);
        p.ipId = u16(off + 4);
        final int proto = u8(off + 9);
        p.protocol = proto;
        final int fragmentField = u16(off + 6);
        p.fragmentOffset = (fragmentField & 0x1FFF) << 3;
        p.moreFragments = (fragmentField & 0x2000) != 0;
        if (p.moreFragments || p.fragmentOffset != 0)
        {
            p.fragment = true;
            p.fragmentPayloadOffset = off + headerLength;
            return;
        }
        p.fragment = false;
        decodeIpv4Payload(p, proto, off + headerLength, totalLength - headerLength);
    }

    private void decodeIpv4Payload(final Packet p, final int proto, final int off, final int len)
    {
        switch (proto)
        {
            case PROTO_TCP:
                decodeTcp(p, off, len);
                break;
            case PROTO_UDP:
                decodeUdp(p, off, len);
                break;
            case PROTO_ICMP:
                decodeIcmpv4(p, off, len);
                break;
            case PROTO_ICMPV6:
                invalidEvent(p, IPV4_ICMPV6);
                break;
            case PROTO_IPIP:
                ipv4InIpv4++;
                decodeIpv4(p, off, len);
                break;
            case PROTO_IPV6:
                ipv6InIpv4++;
                decodeIpv6(p, off, len);
                break;
            case PROTO_GRE:
                decodeGre(p, off, len);
                break;
            default:
                break;
        }
    }

    private boolean decodeIpv4Options(final Packet p, final int off, final int len)
    {
        int seen = 0;
        int i = 0;
        while (i < len)
        {
            final int type = u8(off + i);
            if (type == 0)
            {
                break;
            }
            if (type == 1)
            {
                i++;
                continue;
            }
            if (len - i < 2)
            {
                invalidEvent(p, IPV4_OPT_EOL_REQUIRED);
                return false;
            }
            final int optionLength = u8(off + i + 1);
            if (optionLength > len - i || optionLength < 2)
            {
                invalidEvent(p, IPV4_OPT_INVALID_LEN);
                return false;
            }
            final int bit = ipv4OptionBit(type);
            if (bit == 0)
            {
                event(p, IPV4_OPT_INVALID);
            }
            else if ((seen & bit) != 0)
            {
                event(p, IPV4_OPT_DUPLICATE);
            }
            else
            {
                seen |= bit;
                if (!validateIpv4Option(p, type, off + i, optionLength))
                {
                    return false;
                }
            }
            i += optionLength;
        }
        return true;
    }

    private static int ipv4OptionBit(final int type)
    {
        switch (type)
        {
            case 7:
                return 1;
            case 25:
                return 1 << 1;
            case 68:
                return 1 << 2;
            case 130:
                return 1 << 3;
            case 131:
                return 1 << 4;
            case 133:
                return 1 << 5;
            case 134:
                return 1 << 6;
            case 136:
                return 1 << 7;
            case 137:
                return 1 << 8;
            case 148:
                return 1 << 9;
            default:
                return 0;
        }
    }

    private boolean validateIpv4Option(final Packet p, final int type, final int off, final int len)
    {
        final DecoderEvent error;
        switch (type)
        {
            case 7:
            case 131:
            case 137:
                error = validateIpv4Route(off, len);
                break;
            case 68:
                error = validateIpv4Timestamp(off, len);
                break;
            case 25:
                error = len != 8 ? IPV4_OPT_INVALID_LEN : null;
                break;
            case 136:
            case 148:
                error = len != 4 ? IPV4_OPT_INVALID_LEN : null;
                break;
            case 134:
                error = len < 10 ? IPV4_OPT_INVALID_LEN : null;
                break;
            default:
                error = len < 3 ? IPV4_OPT_INVALID_LEN : null;
                break;
        }
        if (error != null)
        {
            invalidEvent(p, error);
            return false;
        }
        return true;
    }

    private DecoderEvent validateIpv4Route(final int off, final int len)
    {
        if (len < 3)
        {
            return IPV4_OPT_INVALID_LEN;
        }
        final int pointer = u8(off + 2);
        if (pointer < 4 || (pointer % 4) != 0 || pointer > len + 1)
        {
            return IPV4_OPT_MALFORMED;
        }
        return null;
    }

    private DecoderEvent validateIpv4Timestamp(final int off, final int len)
    {
        if (len < 5)
        {
            return IPV4_OPT_INVALID_LEN;
        }
        final int pointer = u8(off + 2);
        if (pointer < 5)
        {
            return IPV4_OPT_MALFORMED;
        }
        final int flag = u8(off + 3) & 0x0F;
        final int recordSize = (flag == 1 || flag == 3) ? 8 : 4;
        if (((pointer - 5) % recordSize) != 0 || pointer > len + 1)
        {
            return IPV4_OPT_MALFORMED;
        }
        return null;
    }

    // ---- IPv6 --------------------------------------------------------------------------------------------------

    private void decodeIpv6(final Packet p, final int off, final int len)
    {
        ipv6++;
        if (!enterLayer(p))
        {
            return;
        }
        if (len < IPV6_HEADER_LENGTH)
        {
            invalidEvent(p, IPV6_PKT_TOO_SMALL);
            return;
        }
        if ((u8(off) >> 4) != 6)
        {
            invalidEvent(p, IPV6_WRONG_IP_VERSION);
            return;
        }
        final int payloadLength = u16(off + 4);
        if (len < IPV6_HEADER_LENGTH + payloadLength)
        {
            invalidEvent(p, IPV6_TRUNC_PKT);
            return;
        }
        p.ipVersion = 6;
        p.l3Offset = off;
        p.l3HeaderLength = IPV6_HEADER_LENGTH;
        p.ipTotalLength = IPV6_HEADER_LENGTH + payloadLength;
        p.srcHi = buffer.getLong(off + 8, NET);
        p.srcLo = buffer.getLong(off + 16, NET);
        p.dstHi = buffer.getLong(off + 24, NET);
        p.dstLo = buffer.getLong(off + 32, NET);
        p.ttl = u8(off + 7);
        p.ipId = 0;
        p.fragment = false;
        p.fragmentOffset = 0;
        p.moreFragments = false;
        decodeIpv6Headers(p, off, off + 6, off + IPV6_HEADER_LENGTH, payloadLength);
    }

    private void decodeIpv6Headers(
        final Packet p, final int ipOff, final int firstNextHeaderOff, final int payloadOff, final int payloadLength)
    {
        boolean hopByHop = false;
        boolean routing = false;
        boolean fragmentHeader = false;
        boolean auth = false;
        int dstOpts = 0;
        int nextHeaderOff = firstNextHeaderOff;
        int nh = u8(firstNextHeaderOff);
        int cur = payloadOff;
        int rem = payloadLength;
        while (true)
        {
            p.l3HeaderLength = cur - ipOff;
            p.protocol = nh;
            if (nh == PROTO_NONE)
            {
                if (rem > 0)
                {
                    event(p, IPV6_DATA_AFTER_NONE_HEADER);
                }
                return;
            }
            if (rem < 2)
            {
                invalidEvent(p, IPV6_TRUNC_EXTHDR);
                return;
            }
            int headerLength = 0;
            switch (nh)
            {
                case PROTO_TCP:
                    decodeTcp(p, cur, rem);
                    return;
                case PROTO_UDP:
                    decodeUdp(p, cur, rem);
                    return;
                case PROTO_ICMPV6:
                    decodeIcmpv6(p, cur, rem);
                    return;
                case PROTO_IPIP:
                    ipv4InIpv6++;
                    decodeIpv4(p, cur, rem);
                    return;
                case PROTO_IPV6:
                    ipv6InIpv6++;
                    decodeIpv6(p, cur, rem);
                    return;
                case PROTO_GRE:
                    decodeGre(p, cur, rem);
                    return;
                case PROTO_ICMP:
                    event(p, IPV6_ICMPV4);
                    return;
                case PROTO_ESP:
                    return;
                case PROTO_ROUTING:
                    headerLength = 8 + u8(cur + 1) * 8;
                    if (headerLength > rem)
                    {
                        invalidEvent(p, IPV6_TRUNC_EXTHDR);
                        return;
                    }
                    routingHeader(p, routing, cur);
                    routing = true;
                    break;
                case PROTO_HOPOPTS:
                case PROTO_DSTOPTS:
                    headerLength = (u8(cur + 1) + 1) << 3;
                    if (headerLength > rem)
                    {
                        invalidEvent(p, IPV6_TRUNC_EXTHDR);
                        return;
                    }
                    if (nh == PROTO_HOPOPTS ? hopByHop : dstOpts >= 2)
                    {
                        event(p, nh == PROTO_HOPOPTS ? IPV6_EXTHDR_DUPL_HH : IPV6_EXTHDR_DUPL_DH);
                    }
                    else
                    {
                        if (nh == PROTO_HOPOPTS)
                        {
                            hopByHop = true;
                        }
                        else
                        {
                            dstOpts++;
                        }
                        decodeIpv6Options(p, nh == PROTO_HOPOPTS, cur + 2, headerLength - 2);
                    }
                    break;
                case PROTO_FRAGMENT:
                    headerLength = 8;
                    if (headerLength > rem)
                    {
                        invalidEvent(p, IPV6_TRUNC_EXTHDR);
                        return;
                    }
                    if (u8(cur + 1) != 0)
                    {
                        event(p, IPV6_FH_NON_ZERO_RESERVED_FIELD);
                    }
                    if (fragmentHeader)
                    {
                        event(p, IPV6_EXTHDR_DUPL_FH);
                        break;
                    }
                    fragmentHeader = true;
                    if (decodeIpv6Fragment(p, ipOff, nextHeaderOff, cur, rem))
                    {
                        return;
                    }
                    break;
                case PROTO_AH:
                    headerLength = 12;
                    if (u8(cur + 1) > 0)
                    {
                        headerLength += (u8(cur + 1) - 1) * 4;
                    }
                    if (headerLength > rem)
                    {
                        invalidEvent(p, IPV6_TRUNC_EXTHDR);
                        return;
                    }
                    authHeader(p, auth, cur);
                    auth = true;
                    break;
                case PROTO_MH:
                case PROTO_HIP:
                case PROTO_SHIM6:
                    headerLength = 8 + u8(cur + 1) * 8;
                    if (headerLength > rem)
                    {
                        invalidEvent(p, IPV6_TRUNC_EXTHDR);
                        return;
                    }
                    break;
                default:
                    event(p, IPV6_UNKNOWN_NEXT_HEADER);
                    return;
            }
            nextHeaderOff = cur;
            nh = u8(cur);
            cur += headerLength;
            rem -= headerLength;
        }
    }

    private void routingHeader(final Packet p, final boolean duplicate, final int cur)
    {
        if (duplicate)
        {
            event(p, IPV6_EXTHDR_DUPL_RH);
        }
        else if (u8(cur + 2) == 0)
        {
            event(p, IPV6_RH_TYPE_0);
        }
    }

    private void authHeader(final Packet p, final boolean duplicate, final int cur)
    {
        if (u16(cur + 2) != 0)
        {
            event(p, IPV6_EXTHDR_AH_RES_NOT_NULL);
        }
        if (duplicate)
        {
            event(p, IPV6_EXTHDR_DUPL_AH);
        }
    }

    /**
     * Handle the first fragment header.
     *
     * @return true when decoding stops here (a real fragment, or an invalid one); false for an atomic fragment whose
     * payload is decoded directly.
     */
    private boolean decodeIpv6Fragment(
        final Packet p, final int ipOff, final int nextHeaderOff, final int cur, final int rem)
    {
        final int offsetField = u16(cur + 2);
        final int fragmentOffset = offsetField & 0xFFF8;
        final boolean more = (offsetField & 1) != 0;
        p.ipId = buffer.getInt(cur + 4, NET);
        if (fragmentOffset == 0 && !more)
        {
            event(p, IPV6_EXTHDR_USELESS_FH);
            return false;
        }
        if (more && (rem % 8) != 0)
        {
            invalidEvent(p, IPV6_FRAG_INVALID_LENGTH);
            return true;
        }
        p.fragment = true;
        p.fragmentOffset = fragmentOffset;
        p.moreFragments = more;
        p.fragmentHeaderOffset = cur;
        p.fragmentNextHeader = u8(cur);
        p.fragmentPrevNextHeaderOffset = nextHeaderOff;
        p.fragmentPayloadOffset = cur + 8;
        p.l3HeaderLength = cur - ipOff;
        p.protocol = p.fragmentNextHeader;
        return true;
    }

    private void decodeIpv6Options(final Packet p, final boolean hopByHop, final int off, final int len)
    {
        int padCount = 0;
        int otherCount = 0;
        int i = 0;
        while (i < len)
        {
            final int type = u8(off + i);
            if (type == 0)
            {
                padCount++;
                i++;
                continue;
            }
            if (i + 1 >= len)
            {
                invalidEvent(p, IPV6_EXTHDR_INVALID_OPTLEN);
                break;
            }
            final int optionLength = u8(off + i + 1);
            if (i + 2 + optionLength > len)
            {
                invalidEvent(p, IPV6_EXTHDR_INVALID_OPTLEN);
                break;
            }
            if (type == 1)
            {
                padCount++;
                if (optionLength == 0)
                {
                    event(p, IPV6_ZERO_LEN_PADN);
                }
            }
            else if ((type == 0x05 && optionLength < 2) ||
                (type == 0xC2 && optionLength < 4) ||
                (type == 0xC9 && optionLength < 16))
            {
                invalidEvent(p, IPV6_EXTHDR_INVALID_OPTLEN);
                break;
            }
            else if (type == 0x05 || type == 0xC2 || type == 0xC9)
            {
                otherCount++;
            }
            else
            {
                event(p, hopByHop ? IPV6_HOPOPTS_UNKNOWN_OPT : IPV6_DSTOPTS_UNKNOWN_OPT);
                otherCount++;
            }
            i += optionLength + 2;
        }
        if (padCount > 0 && otherCount == 0)
        {
            event(p, hopByHop ? IPV6_HOPOPTS_ONLY_PADDING : IPV6_DSTOPTS_ONLY_PADDING);
        }
    }

    // ---- transport ---------------------------------------------------------------------------------------------

    private void decodeTcp(final Packet p, final int off, final int len)
    {
        tcp++;
        if (len < TCP_HEADER_LENGTH)
        {
            invalidEvent(p, TCP_PKT_TOO_SMALL);
            return;
        }
        final int headerLength = (u8(off + 12) >> 4) << 2;
        if (len < headerLength)
        {
            invalidEvent(p, TCP_HLEN_TOO_SMALL);
            return;
        }
        if (headerLength < TCP_HEADER_LENGTH)
        {
            invalidEvent(p, TCP_INVALID_OPTLEN);
            return;
        }
        p.resetTransport();
        p.protocol = PROTO_TCP;
        p.l4Offset = off;
        p.l4HeaderLength = headerLength;
        p.srcPort = u16(off);
        p.dstPort = u16(off + 2);
        p.seq = buffer.getInt(off + 4, NET);
        p.ack = buffer.getInt(off + 8, NET);
        p.tcpFlags = u8(off + 13);
        p.window = u16(off + 14);
        p.urgentPointer = u16(off + 18);
        if (headerLength > TCP_HEADER_LENGTH)
        {
            decodeTcpOptions(p, off + TCP_HEADER_LENGTH, headerLength - TCP_HEADER_LENGTH);
        }
        p.payloadOffset = off + headerLength;
        p.payloadLength = len - headerLength;
        if (checkSums && transportChecksum(p, PROTO_TCP, off, len) != 0)
        {
            p.checksumInvalid = true;
            tcpChecksumInvalid++;
        }
    }

    private void decodeTcpOptions(final Packet p, final int off, final int len)
    {
        sackSeen = false;
        int i = 0;
        if (len >= ALIGNED_TIMESTAMP_LENGTH && buffer.getInt(off, NET) == ALIGNED_TIMESTAMP_PREFIX)
        {
            p.optTimestamp = true;
            p.tsVal = buffer.getInt(off + 4, NET);
            p.tsEcr = buffer.getInt(off + 8, NET);
            i = ALIGNED_TIMESTAMP_LENGTH;
        }
        while (i < len)
        {
            final int kind = u8(off + i);
            if (kind == 0)
            {
                break;
            }
            if (kind == 1)
            {
                i++;
                continue;
            }
            if (len - i < 2)
            {
                break;
            }
            final int optionLength = u8(off + i + 1);
            if (optionLength > len - i || optionLength < 2)
            {
                invalidEvent(p, TCP_OPT_INVALID_LEN);
                return;
            }
            decodeTcpOption(p, kind, off + i, optionLength);
            i += optionLength;
        }
    }

    private void decodeTcpOption(final Packet p, final int kind, final int o, final int optionLength)
    {
        switch (kind)
        {
            case 2:
                if (optionLength != 4)
                {
                    event(p, TCP_OPT_INVALID_LEN);
                }
                else if (p.optMss >= 0)
                {
                    event(p, TCP_OPT_DUPLICATE);
                }
                else
                {
                    p.optMss = u16(o + 2);
                }
                break;
            case 3:
                if (optionLength != 3)
                {
                    event(p, TCP_OPT_INVALID_LEN);
                }
                else if (p.optWindowScale >= 0)
                {
                    event(p, TCP_OPT_DUPLICATE);
                }
                else
                {
                    p.optWindowScale = u8(o + 2);
                }
                break;
            case 4:
                if (optionLength != 2)
                {
                    event(p, TCP_OPT_INVALID_LEN);
                }
                else if (p.optSackPermitted)
                {
                    event(p, TCP_OPT_DUPLICATE);
                }
                else
                {
                    p.optSackPermitted = true;
                }
                break;
            case 5:
                if (optionLength != 2 && (optionLength < 10 || optionLength > 34 || (optionLength - 2) % 8 != 0))
                {
                    event(p, TCP_OPT_INVALID_LEN);
                }
                else if (sackSeen)
                {
                    event(p, TCP_OPT_DUPLICATE);
                }
                else
                {
                    sackSeen = true;
                    final int blocks = (optionLength - 2) / 8;
                    for (int b = 0; b < blocks; b++)
                    {
                        p.sackBlocks[b * 2] = buffer.getInt(o + 2 + b * 8, NET);
                        p.sackBlocks[b * 2 + 1] = buffer.getInt(o + 6 + b * 8, NET);
                    }
                    p.sackBlockCount = blocks;
                }
                break;
            case 8:
                if (optionLength != 10)
                {
                    event(p, TCP_OPT_INVALID_LEN);
                }
                else if (p.optTimestamp)
                {
                    event(p, TCP_OPT_DUPLICATE);
                }
                else
                {
                    p.optTimestamp = true;
                    p.tsVal = buffer.getInt(o + 2, NET);
                    p.tsEcr = buffer.getInt(o + 6, NET);
                }
                break;
            case 34:
                if (optionLength != 2 && (optionLength < 4 || optionLength > 18 || (optionLength & 1) != 0))
                {
                    event(p, TCP_OPT_INVALID_LEN);
                }
                else
                {
                    setTfo(p, optionLength - 2);
                }
                break;
            case 253:
            case 254:
                if (optionLength == 4 || optionLength == 12)
                {
                    if (u16(o + 2) == 0xF989)
                    {
                        setTfo(p, optionLength - 4);
                    }
                }
                else
                {
                    event(p, TCP_OPT_INVALID_LEN);
                }
                break;
            case 19:
                if (optionLength != 18)
                {
                    invalidEvent(p, TCP_OPT_INVALID_LEN);
                }
                else
                {
                    p.optMd5 = true;
                }
                break;
            case 29:
                if (optionLength < 4)
                {
                    invalidEvent(p, TCP_OPT_INVALID_LEN);
                }
                else
                {
                    p.optAo = true;
                }
                break;
            default:
                break;
        }
    }

    private void setTfo(final Packet p, final int cookieLength)
    {
        if (p.optTfo)
        {
            event(p, TCP_OPT_DUPLICATE);
        }
        else
        {
            p.optTfo = true;
            p.tfoCookieLength = cookieLength;
        }
    }

    private void decodeUdp(final Packet p, final int off, final int len)
    {
        udp++;
        if (len < UDP_HEADER_LENGTH)
        {
            invalidEvent(p, UDP_HLEN_TOO_SMALL);
            return;
        }
        final int udpLength = u16(off + 4);
        if (udpLength < UDP_HEADER_LENGTH || udpLength > len)
        {
            invalidEvent(p, UDP_LEN_INVALID);
            return;
        }
        p.resetTransport();
        p.protocol = PROTO_UDP;
        p.l4Offset = off;
        p.l4HeaderLength = UDP_HEADER_LENGTH;
        p.srcPort = u16(off);
        p.dstPort = u16(off + 2);
        p.payloadOffset = off + UDP_HEADER_LENGTH;
        p.payloadLength = udpLength - UDP_HEADER_LENGTH;
        final boolean noChecksum = p.ipVersion == 4 && u16(off + 6) == 0;
        if (checkSums && !noChecksum && transportChecksum(p, PROTO_UDP, off, udpLength) != 0)
        {
            p.checksumInvalid = true;
            udpChecksumInvalid++;
        }
    }

    private void icmpHeader(final Packet p, final int protocol, final int off, final int len)
    {
        p.resetTransport();
        p.protocol = protocol;
        p.l4Offset = off;
        p.l4HeaderLength = ICMP_HEADER_LENGTH;
        p.icmpType = u8(off);
        p.icmpCode = u8(off + 1);
        p.payloadOffset = off + ICMP_HEADER_LENGTH;
        p.payloadLength = len - ICMP_HEADER_LENGTH;
    }

    private void decodeIcmpv4(final Packet p, final int off, final int len)
    {
        icmpv4++;
        if (len < ICMP_HEADER_LENGTH)
        {
            invalidEvent(p, ICMPV4_PKT_TOO_SMALL);
            return;
        }
        icmpHeader(p, PROTO_ICMP, off, len);
        final int type = p.icmpType;
        final int code = p.icmpCode;
        final int maxCode;
        boolean error = false;
        switch (type)
        {
            case 0:
            case 8:
            case 10:
            case 13:
            case 14:
            case 15:
            case 16:
            case 17:
            case 18:
                maxCode = 0;
                break;
            case 9:
                maxCode = code == 16 ? 16 : 0;
                break;
            case 3:
                maxCode = 15;
                error = true;
                break;
            case 4:
                maxCode = 0;
                error = true;
                break;
            case 5:
                maxCode = 3;
                error = true;
                break;
            case 11:
                maxCode = 1;
                error = true;
                break;
            case 12:
                maxCode = 2;
                error = true;
                break;
            default:
                maxCode = -1;
                break;
        }
        if (maxCode < 0)
        {
            event(p, ICMPV4_UNKNOWN_TYPE);
        }
        else if (code > maxCode)
        {
            event(p, ICMPV4_UNKNOWN_CODE);
        }
        else if (error)
        {
            if (p.payloadLength < IPV4_HEADER_LENGTH)
            {
                event(p, ICMPV4_IPV4_TRUNC_PKT);
            }
            else if ((u8(p.payloadOffset) >> 4) != 4)
            {
                event(p, ICMPV4_IPV4_UNKNOWN_VER);
            }
        }
        if (checkSums && Checksums.icmpv4Checksum(buffer, off, len) != 0)
        {
            p.checksumInvalid = true;
            icmpv4ChecksumInvalid++;
        }
    }

    private void decodeIcmpv6(final Packet p, final int off, final int len)
    {
        icmpv6++;
        if (len < ICMP_HEADER_LENGTH)
        {
            invalidEvent(p, ICMPV6_PKT_TOO_SMALL);
            return;
        }
        icmpHeader(p, PROTO_ICMPV6, off, len);
        final int type = p.icmpType;
        final int code = p.icmpCode;
        classifyIcmpv6(p, type, code);
        if (checkSums && transportChecksum(p, PROTO_ICMPV6, off, len) != 0)
        {
            p.checksumInvalid = true;
            icmpv6ChecksumInvalid++;
        }
    }

    private void classifyIcmpv6(final Packet p, final int type, final int code)
    {
        int maxCode = 0;
        boolean error = false;
        if (type >= 1 && type <= 4)
        {
            error = true;
            maxCode = type == 1 ? 6 : type == 2 ? 0 : type == 3 ? 1 : 2;
        }
        else if (type == 130 || type == 131 || type == 132 || type == 143)
        {
            if (p.ttl != 1)
            {
                event(p, ICMPV6_MLD_MESSAGE_WITH_INVALID_HL);
            }
        }
        else if (type == 138)
        {
            maxCode = code == 255 ? 255 : 1;
        }
        else if (type == 139 || type == 140)
        {
            maxCode = 2;
        }
        else if (type == 100 || type == 101 || type == 200 || type == 201)
        {
            event(p, ICMPV6_EXPERIMENTATION_TYPE);
            return;
        }
        else if ((type > 4 && type < 100) || (type > 101 && type < 127) || (type > 161 && type < 200) ||
            (type > 201 && type < 255))
        {
            event(p, ICMPV6_UNASSIGNED_TYPE);
            return;
        }
        else if (type < 128 || type > 161)
        {
            event(p, ICMPV6_UNKNOWN_TYPE);
            return;
        }
        if (code > maxCode)
        {
            event(p, ICMPV6_UNKNOWN_CODE);
        }
        else if (error)
        {
            if (p.payloadLength < IPV6_HEADER_LENGTH)
            {
                event(p, ICMPV6_IPV6_TRUNC_PKT);
            }
            else if ((u8(p.payloadOffset) >> 4) != 6)
            {
                event(p, ICMPV6_IPV6_UNKNOWN_VERSION);
            }
        }
    }

    private int transportChecksum(final Packet p, final int proto, final int off, final int len)
    {
        final long pseudo = p.ipVersion == 4 ?
            Checksums.ipv4PseudoHeaderSum((int)p.srcLo, (int)p.dstLo, proto, len) :
            Checksums.ipv6PseudoHeaderSum(p.srcHi, p.srcLo, p.dstHi, p.dstLo, proto, len);
        return Checksums.transportChecksum(pseudo, buffer, off, len);
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    private boolean enterLayer(final Packet p)
    {
        if (++p.layerCount > maxLayers)
        {
            invalidEvent(p, TOO_MANY_LAYERS);
            return false;
        }
        return true;
    }

    private void event(final Packet p, final DecoderEvent event)
    {
        p.raise(event);
        eventCounts[event.ordinal()]++;
    }

    private void invalidEvent(final Packet p, final DecoderEvent event)
    {
        event(p, event);
        p.invalid = true;
    }

    private int u8(final int index)
    {
        return buffer.getByte(index) & 0xFF;
    }

    private int u16(final int index)
    {
        return buffer.getShort(index, NET) & 0xFFFF;
    }
}
