package io.tandem.node.decode;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * One packet as the decoders see it: a reusable per-worker scratch structure, filled in place by
 * {@link PacketDecoder} over the frame bytes and read by the later stages (defrag, flow, tcp).
 * <p>
 * Nothing here is allocated per packet: {@link #buffer} is re-wrapped over each frame, every other field is a
 * primitive that is reset by {@link #reset()}. Fields are public on purpose, as in Suricata's {@code Packet}: this is a
 * C-style record shared by the pipeline stages of one worker thread, never published to another thread.
 * <p>
 * Offsets are relative to index 0 of {@link #buffer}. Addresses are held as two longs each (big-endian halves of the
 * 128-bit address); an IPv4 address is in the low 32 bits of {@code *Lo} with {@code *Hi} zero.
 */
public final class Packet
{
    /** Most decoder events recorded on one packet (as Suricata's PACKET_ENGINE_EVENT_MAX). */
    public static final int MAX_EVENTS = 15;
    /** Most VLAN layers kept for the flow key. */
    public static final int MAX_VLANS = 3;
    /** Most SACK blocks in a TCP option. */
    public static final int MAX_SACK_BLOCKS = 4;

    /** IP version value when no IP layer was decoded. */
    public static final int IP_NONE = 0;

    /** TCP flag bits, as in the TCP header. */
    public static final int TH_FIN = 0x01;
    /** SYN flag. */
    public static final int TH_SYN = 0x02;
    /** RST flag. */
    public static final int TH_RST = 0x04;
    /** PSH flag. */
    public static final int TH_PSH = 0x08;
    /** ACK flag. */
    public static final int TH_ACK = 0x10;
    /** URG flag. */
    public static final int TH_URG = 0x20;
    /** ECE flag. */
    public static final int TH_ECN = 0x40;
    /** CWR flag. */
    public static final int TH_CWR = 0x80;

    // ---- frame -------------------------------------------------------------------------------------------------
    /** The bytes being decoded: the captured frame, or a defragmenter's reassembly buffer. */
    public final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);
    /** Captured length of the frame in {@link #buffer}. */
    public int capturedLength;
    /** Length of the packet on the wire (pcap's orig_len). */
    public int wireLength;
    /** Capture timestamp in nanoseconds since the epoch. */
    public long timestampNs;
    /** pcap link type of the frame (LINKTYPE_* value). */
    public int linkType;
    /** 1-based position of the packet in its source (Suricata's pcap_cnt). */
    public long packetNumber;

    // ---- layer 2 -----------------------------------------------------------------------------------------------
    /** Number of VLAN ids in {@link #vlanIds} (outermost first). */
    public int vlanCount;
    /** VLAN ids, outermost first. */
    public final int[] vlanIds = new int[MAX_VLANS];
    /** Encapsulation layers crossed (VLAN, MPLS, GRE, tunnels) - bounded to stop decoder recursion. */
    public int layerCount;

    // ---- layer 3 -----------------------------------------------------------------------------------------------
    /** 4 or 6 for the innermost IP header decoded, or {@link #IP_NONE}. */
    public int ipVersion;
    /** Offset of the innermost IP header. */
    public int l3Offset;
    /** Length of the IP header, including IPv4 options or IPv6 extension headers. */
    public int l3HeaderLength;
    /** Length of the IP packet (header and payload) as bounded by its own length field. */
    public int ipTotalLength;
    /** Source address, high 64 bits (0 for IPv4). */
    public long srcHi;
    /** Source address, low 64 bits (IPv4 address in the low 32 bits). */
    public long srcLo;
    /** Destination address, high 64 bits (0 for IPv4). */
    public long dstHi;
    /** Destination address, low 64 bits. */
    public long dstLo;
    /** IPv4 TTL or IPv6 hop limit. */
    public int ttl;
    /** IPv4 identification, or the IPv6 fragment header's identification. */
    public int ipId;
    /** True when this IP packet is a fragment (MF set or offset non-zero) that the defragmenter must see. */
    public boolean fragment;
    /** Fragment offset in bytes. */
    public int fragmentOffset;
    /** More-fragments flag. */
    public boolean moreFragments;
    /** Offset of the fragment's payload (after the IPv4 header or the IPv6 fragment header). */
    public int fragmentPayloadOffset;
    /** IPv6: offset of the fragment extension header (the unfragmentable part ends here). */
    public int fragmentHeaderOffset;
    /** IPv6: the fragment header's next-header value (the protocol of the reassembled payload). */
    public int fragmentNextHeader;
    /** IPv6: offset of the byte holding the next-header value that names the fragment header. */
    public int fragmentPrevNextHeaderOffset;
    /** True when this packet was rebuilt by the defragmenter. */
    public boolean reassembled;

    // ---- layer 4 -----------------------------------------------------------------------------------------------
    /** IP protocol of the innermost transport (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, ...); -1 when none. */
    public int protocol;
    /** Offset of the transport header. */
    public int l4Offset;
    /** Length of the transport header (TCP including options). */
    public int l4HeaderLength;
    /** Source port (0 for protocols without ports). */
    public int srcPort;
    /** Destination port (0 for protocols without ports). */
    public int dstPort;
    /** ICMP type, or -1. */
    public int icmpType;
    /** ICMP code, or -1. */
    public int icmpCode;

    // ---- TCP ---------------------------------------------------------------------------------------------------
    /** TCP flags byte ({@link #TH_FIN} ... {@link #TH_CWR}). */
    public int tcpFlags;
    /** Sequence number (unsigned 32 bits in an int; compare wrap-safe). */
    public int seq;
    /** Acknowledgement number. */
    public int ack;
    /** Raw (unscaled) window. */
    public int window;
    /** Urgent pointer. */
    public int urgentPointer;
    /** MSS option value, or -1. */
    public int optMss;
    /** Window scale option shift, or -1. */
    public int optWindowScale;
    /** SACK-permitted option present. */
    public boolean optSackPermitted;
    /** Number of SACK blocks in {@link #sackBlocks}. */
    public int sackBlockCount;
    /** SACK blocks as (left, right) pairs. */
    public final int[] sackBlocks = new int[MAX_SACK_BLOCKS * 2];
    /** Timestamp option present. */
    public boolean optTimestamp;
    /** TSval. */
    public int tsVal;
    /** TSecr. */
    public int tsEcr;
    /** TCP Fast Open option present. */
    public boolean optTfo;
    /** TFO cookie length (0 for a cookie request). */
    public int tfoCookieLength;
    /** TCP MD5 signature option present. */
    public boolean optMd5;
    /** TCP-AO option present. */
    public boolean optAo;

    // ---- payload and checks ------------------------------------------------------------------------------------
    /** Offset of the transport payload. */
    public int payloadOffset;
    /** Length of the transport payload. */
    public int payloadLength;
    /** True when a checksum (IPv4 header, TCP, UDP or ICMP) was checked and found wrong. */
    public boolean checksumInvalid;
    /** True when the decoders found the packet unusable for the stream engine. */
    public boolean invalid;

    // ---- events ------------------------------------------------------------------------------------------------
    /** Number of events in {@link #events}. */
    public int eventCount;
    /** Decoder event ordinals raised on this packet. */
    public final short[] events = new short[MAX_EVENTS];

    /**
     * Clear every decoded field before the next frame.
     */
    public void reset()
    {
        vlanCount = 0;
        layerCount = 0;
        ipVersion = IP_NONE;
        l3Offset = 0;
        l3HeaderLength = 0;
        ipTotalLength = 0;
        srcHi = 0;
        srcLo = 0;
        dstHi = 0;
        dstLo = 0;
        ttl = 0;
        ipId = 0;
        fragment = false;
        fragmentOffset = 0;
        moreFragments = false;
        fragmentPayloadOffset = 0;
        fragmentHeaderOffset = 0;
        fragmentNextHeader = 0;
        fragmentPrevNextHeaderOffset = 0;
        reassembled = false;
        resetTransport();
        checksumInvalid = false;
        invalid = false;
        eventCount = 0;
    }

    /**
     * Clear the transport-layer fields (used again when a reassembled datagram is decoded).
     */
    public void resetTransport()
    {
        protocol = -1;
        l4Offset = 0;
        l4HeaderLength = 0;
        srcPort = 0;
        dstPort = 0;
        icmpType = -1;
        icmpCode = -1;
        tcpFlags = 0;
        seq = 0;
        ack = 0;
        window = 0;
        urgentPointer = 0;
        optMss = -1;
        optWindowScale = -1;
        optSackPermitted = false;
        sackBlockCount = 0;
        optTimestamp = false;
        tsVal = 0;
        tsEcr = 0;
        optTfo = false;
        tfoCookieLength = 0;
        optMd5 = false;
        optAo = false;
        payloadOffset = 0;
        payloadLength = 0;
    }

    /**
     * Record a decoder event on this packet; events past {@link #MAX_EVENTS} are dropped (still counted by the
     * caller's counters).
     *
     * @param event raised.
     */
    public void raise(final DecoderEvent event)
    {
        if (eventCount < MAX_EVENTS)
        {
            events[eventCount++] = (short)event.ordinal();
        }
    }

    /**
     * Whether an event was raised on this packet.
     *
     * @param event to look for.
     * @return true if raised.
     */
    public boolean hasEvent(final DecoderEvent event)
    {
        for (int i = 0; i < eventCount; i++)
        {
            if (events[i] == event.ordinal())
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Is this a TCP packet.
     *
     * @return true for TCP.
     */
    public boolean isTcp()
    {
        return protocol == 6;
    }

    /**
     * Is this a UDP packet.
     *
     * @return true for UDP.
     */
    public boolean isUdp()
    {
        return protocol == 17;
    }
}
