package io.tandem.node.synth;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.tandem.node.decode.Checksums;

/**
 * Builds complete Ethernet frames (optional 802.1Q / 802.1ad tags, IPv4 or IPv6, TCP / UDP / ICMP echo or a raw IP
 * payload) into one reused buffer, with every length and checksum filled in, and splits the last built datagram into
 * IPv4 or IPv6 fragments.
 * <p>
 * A frame is described by a fluent chain that starts with {@link #ethernet(long, long)} (which forgets the previous
 * frame), then the IP layer, then the transport layer with its options, then the payload, and ends with
 * {@link #build()}:
 * <pre>
 * final int length = builder.ethernet(srcMac, dstMac).vlan(100).ipv4(src, dst).ipId(7)
 *     .tcp(40000, 80, seq, ack, Packet.TH_ACK | Packet.TH_PSH, 502).timestamps(tsval, tsecr)
 *     .payload(bytes, 0, bytes.length).build();
 * sink.write(builder.buffer(), 0, length, timeNs);
 * </pre>
 * Nothing is allocated per frame: the payload source is only referenced until {@link #build()} copies it. One
 * instance serves one thread.
 */
public final class FrameBuilder
{
    /** Capacity of the frame buffer: the largest IP datagram plus link headers. */
    public static final int MAX_FRAME_LENGTH = 65_535 + 128;
    /** Ethernet header length without tags. */
    public static final int ETHERNET_HEADER_LENGTH = 14;
    /** EtherType of IPv4. */
    public static final int ETHERTYPE_IPV4 = 0x0800;
    /** EtherType of IPv6. */
    public static final int ETHERTYPE_IPV6 = 0x86DD;
    /** TPID of an 802.1Q tag. */
    public static final int ETHERTYPE_8021Q = 0x8100;
    /** TPID of an 802.1ad (QinQ service) tag. */
    public static final int ETHERTYPE_8021AD = 0x88A8;
    /** IP protocol number of ICMP. */
    public static final int IPPROTO_ICMP = 1;
    /** IP protocol number of TCP. */
    public static final int IPPROTO_TCP = 6;
    /** IP protocol number of UDP. */
    public static final int IPPROTO_UDP = 17;
    /** IPv6 next-header value of the fragment extension header. */
    public static final int IPPROTO_FRAGMENT = 44;
    /** IP protocol number of ICMPv6. */
    public static final int IPPROTO_ICMPV6 = 58;
    /** Most VLAN tags on one frame. */
    public static final int MAX_VLANS = 3;
    /** Most SACK blocks in one TCP option. */
    public static final int MAX_SACK_BLOCKS = 4;
    /** IPv4 header length (no options are written). */
    public static final int IPV4_HEADER_LENGTH = 20;
    /** IPv6 fixed header length. */
    public static final int IPV6_HEADER_LENGTH = 40;
    /** IPv6 fragment extension header length. */
    public static final int IPV6_FRAGMENT_HEADER_LENGTH = 8;
    /** TCP header length without options. */
    public static final int TCP_HEADER_LENGTH = 20;
    /** UDP header length. */
    public static final int UDP_HEADER_LENGTH = 8;
    /** ICMP echo header length. */
    public static final int ICMP_ECHO_HEADER_LENGTH = 8;

    private static final int MAX_TCP_OPTIONS_LENGTH = 40;
    private static final int TRANSPORT_NONE = 0;
    private static final int TRANSPORT_RAW = 1;
    private static final int TRANSPORT_TCP = 2;
    private static final int TRANSPORT_UDP = 3;
    private static final int TRANSPORT_ICMP_ECHO = 4;

    private final UnsafeBuffer buffer;

    private long srcMac;
    private long dstMac;
    private int vlanCount;
    private final int[] vlanTpids = new int[MAX_VLANS];
    private final int[] vlanIds = new int[MAX_VLANS];

    private int ipVersion;
    private long srcHi;
    private long srcLo;
    private long dstHi;
    private long dstLo;
    private int ipId;
    private int ttl;
    private int tos;
    private int flowLabel;
    private boolean dontFragment;
    private int fragmentOffsetBytes;
    private boolean moreFragments;

    private int transport;
    private int rawProtocol;
    private int srcPort;
    private int dstPort;
    private int seq;
    private int ack;
    private int tcpFlags;
    private int window;
    private int mss;
    private int windowScale;
    private boolean sackPermitted;
    private int sackBlockCount;
    private final int[] sackEdges = new int[MAX_SACK_BLOCKS * 2];
    private boolean timestamps;
    private int tsval;
    private int tsecr;
    private boolean echoRequest;
    private int echoId;
    private int echoSeq;

    private DirectBuffer payloadBuffer;
    private byte[] payloadArray;
    private int payloadOffset;
    private int payloadLength;

    private int frameLength;
    private int l3Offset;
    private int l4Offset;
    private int ipDatagramLength;
    private int builtProtocol;

    /**
     * A builder with its own frame buffer of {@link #MAX_FRAME_LENGTH} bytes.
     */
    public FrameBuilder()
    {
        buffer = new UnsafeBuffer(new byte[MAX_FRAME_LENGTH]);
    }

    /**
     * The buffer frames are built into, from index 0. Reused (overwritten) by the next {@link #build()}.
     *
     * @return the frame buffer.
     */
    public UnsafeBuffer buffer()
    {
        return buffer;
    }

    /**
     * Start a new frame: forget everything set for the previous one.
     *
     * @param srcMac source MAC address in the low 48 bits.
     * @param dstMac destination MAC address in the low 48 bits.
     * @return this.
     */
    public FrameBuilder ethernet(final long srcMac, final long dstMac)
    {
        this.srcMac = srcMac;
        this.dstMac = dstMac;
        vlanCount = 0;
        ipVersion = 0;
        transport = TRANSPORT_NONE;
        payloadBuffer = null;
        payloadArray = null;
        payloadOffset = 0;
        payloadLength = 0;
        return this;
    }

    /**
     * Add an 802.1Q tag (TPID 0x8100) inside any tags added before.
     *
     * @param vlanId VLAN id, 0..4095.
     * @return this.
     */
    public FrameBuilder vlan(final int vlanId)
    {
        return tag(ETHERTYPE_8021Q, vlanId);
    }

    /**
     * Add an 802.1ad service tag (TPID 0x88A8) and an 802.1Q customer tag inside it.
     *
     * @param outerVlanId service VLAN id.
     * @param innerVlanId customer VLAN id.
     * @return this.
     */
    public FrameBuilder qinq(final int outerVlanId, final int innerVlanId)
    {
        tag(ETHERTYPE_8021AD, outerVlanId);
        return tag(ETHERTYPE_8021Q, innerVlanId);
    }

    /**
     * IPv4 layer with defaults: identification 0, TTL 64, TOS 0, DF clear, not a fragment.
     *
     * @param srcAddress source address.
     * @param dstAddress destination address.
     * @return this.
     */
    public FrameBuilder ipv4(final int srcAddress, final int dstAddress)
    {
        ipVersion = 4;
        srcHi = 0;
        srcLo = srcAddress & 0xFFFF_FFFFL;
        dstHi = 0;
        dstLo = dstAddress & 0xFFFF_FFFFL;
        resetIp();
        return this;
    }

    /**
     * IPv6 layer with defaults: hop limit 64, traffic class 0, flow label 0.
     *
     * @param srcHi source address, high 64 bits.
     * @param srcLo source address, low 64 bits.
     * @param dstHi destination address, high 64 bits.
     * @param dstLo destination address, low 64 bits.
     * @return this.
     */
    public FrameBuilder ipv6(final long srcHi, final long srcLo, final long dstHi, final long dstLo)
    {
        ipVersion = 6;
        this.srcHi = srcHi;
        this.srcLo = srcLo;
        this.dstHi = dstHi;
        this.dstLo = dstLo;
        resetIp();
        return this;
    }

    /**
     * IPv4 identification (low 16 bits), also the IPv6 fragment header identification used by
     * {@link #fragment(int, int, MutableDirectBuffer, int)}.
     *
     * @param ipId identification.
     * @return this.
     */
    public FrameBuilder ipId(final int ipId)
    {
        this.ipId = ipId;
        return this;
    }

    /**
     * IPv4 TTL or IPv6 hop limit.
     *
     * @param ttl 0..255.
     * @return this.
     */
    public FrameBuilder ttl(final int ttl)
    {
        this.ttl = ttl;
        return this;
    }

    /**
     * IPv4 TOS or IPv6 traffic class.
     *
     * @param tos 0..255.
     * @return this.
     */
    public FrameBuilder tos(final int tos)
    {
        this.tos = tos;
        return this;
    }

    /**
     * IPv6 flow label.
     *
     * @param flowLabel 20 bits.
     * @return this.
     */
    public FrameBuilder flowLabel(final int flowLabel)
    {
        this.flowLabel = flowLabel;
        return this;
    }

    /**
     * IPv4 don't-fragment flag.
     *
     * @param dontFragment true to set DF.
     * @return this.
     */
    public FrameBuilder dontFragment(final boolean dontFragment)
    {
        this.dontFragment = dontFragment;
        return this;
    }

    /**
     * IPv4 fragment fields written as given, for hand-built fragments (usually with {@link #raw(int)} when the
     * offset is not 0, since only the first fragment carries the transport header).
     *
     * @param offsetBytes   fragment offset in bytes, a multiple of 8.
     * @param moreFragments MF flag.
     * @return this.
     */
    public FrameBuilder ipv4Fragment(final int offsetBytes, final boolean moreFragments)
    {
        if ((offsetBytes & 7) != 0 || offsetBytes < 0 || offsetBytes > 0xFFF8)
        {
            throw new IllegalArgumentException("fragment offset must be a multiple of 8 up to 65528: " + offsetBytes);
        }
        this.fragmentOffsetBytes = offsetBytes;
        this.moreFragments = moreFragments;
        return this;
    }

    /**
     * TCP layer without options (add them with {@link #mss(int)}, {@link #windowScale(int)},
     * {@link #sackPermitted()}, {@link #sackBlock(int, int)}, {@link #timestamps(int, int)}).
     *
     * @param srcPort source port.
     * @param dstPort destination port.
     * @param seq     sequence number.
     * @param ack     acknowledgement number.
     * @param flags   TCP flag bits (see {@code Packet.TH_*}).
     * @param window  window field (unscaled).
     * @return this.
     */
    public FrameBuilder tcp(
        final int srcPort, final int dstPort, final int seq, final int ack, final int flags, final int window)
    {
        transport = TRANSPORT_TCP;
        this.srcPort = srcPort;
        this.dstPort = dstPort;
        this.seq = seq;
        this.ack = ack;
        this.tcpFlags = flags;
        this.window = window;
        mss = -1;
        windowScale = -1;
        sackPermitted = false;
        sackBlockCount = 0;
        timestamps = false;
        return this;
    }

    /**
     * TCP MSS option.
     *
     * @param mss maximum segment size.
     * @return this.
     */
    public FrameBuilder mss(final int mss)
    {
        this.mss = mss;
        return this;
    }

    /**
     * TCP window scale option.
     *
     * @param shift scale shift count, 0..14.
     * @return this.
     */
    public FrameBuilder windowScale(final int shift)
    {
        this.windowScale = shift;
        return this;
    }

    /**
     * TCP SACK-permitted option.
     *
     * @return this.
     */
    public FrameBuilder sackPermitted()
    {
        this.sackPermitted = true;
        return this;
    }

    /**
     * Add a TCP SACK block (at most {@link #MAX_SACK_BLOCKS}, and at most 3 together with timestamps).
     *
     * @param leftEdge  first sequence number of the block.
     * @param rightEdge sequence number after the block.
     * @return this.
     */
    public FrameBuilder sackBlock(final int leftEdge, final int rightEdge)
    {
        if (sackBlockCount == MAX_SACK_BLOCKS)
        {
            throw new IllegalStateException("at most " + MAX_SACK_BLOCKS + " SACK blocks");
        }
        sackEdges[sackBlockCount * 2] = leftEdge;
        sackEdges[sackBlockCount * 2 + 1] = rightEdge;
        sackBlockCount++;
        return this;
    }

    /**
     * TCP timestamps option.
     *
     * @param tsval timestamp value.
     * @param tsecr timestamp echo reply.
     * @return this.
     */
    public FrameBuilder timestamps(final int tsval, final int tsecr)
    {
        this.timestamps = true;
        this.tsval = tsval;
        this.tsecr = tsecr;
        return this;
    }

    /**
     * UDP layer.
     *
     * @param srcPort source port.
     * @param dstPort destination port.
     * @return this.
     */
    public FrameBuilder udp(final int srcPort, final int dstPort)
    {
        transport = TRANSPORT_UDP;
        this.srcPort = srcPort;
        this.dstPort = dstPort;
        return this;
    }

    /**
     * ICMP echo request or reply: ICMPv4 type 8/0 over IPv4, ICMPv6 type 128/129 over IPv6.
     *
     * @param request    true for a request, false for a reply.
     * @param identifier echo identifier.
     * @param sequence   echo sequence number.
     * @return this.
     */
    public FrameBuilder icmpEcho(final boolean request, final int identifier, final int sequence)
    {
        transport = TRANSPORT_ICMP_ECHO;
        this.echoRequest = request;
        this.echoId = identifier;
        this.echoSeq = sequence;
        return this;
    }

    /**
     * No transport header: the payload follows the IP header directly, with this protocol number.
     *
     * @param protocol IP protocol / next header value.
     * @return this.
     */
    public FrameBuilder raw(final int protocol)
    {
        transport = TRANSPORT_RAW;
        this.rawProtocol = protocol;
        return this;
    }

    /**
     * Payload after the transport header, copied at {@link #build()}.
     *
     * @param source bytes.
     * @param offset first byte.
     * @param length number of bytes.
     * @return this.
     */
    public FrameBuilder payload(final DirectBuffer source, final int offset, final int length)
    {
        payloadBuffer = source;
        payloadArray = null;
        payloadOffset = offset;
        payloadLength = length;
        return this;
    }

    /**
     * Payload after the transport header, copied at {@link #build()}.
     *
     * @param source bytes.
     * @param offset first byte.
     * @param length number of bytes.
     * @return this.
     */
    public FrameBuilder payload(final byte[] source, final int offset, final int length)
    {
        payloadArray = source;
        payloadBuffer = null;
        payloadOffset = offset;
        payloadLength = length;
        return this;
    }

    /**
     * Write the frame into {@link #buffer()} from index 0.
     *
     * @return the frame length.
     */
    public int build()
    {
        if (ipVersion == 0 || transport == TRANSPORT_NONE)
        {
            throw new IllegalStateException("a frame needs an IP layer and a transport (or raw) layer");
        }
        int offset = 12;
        buffer.putShort(0, (short)(dstMac >>> 32), ByteOrder.BIG_ENDIAN);
        buffer.putInt(2, (int)dstMac, ByteOrder.BIG_ENDIAN);
        buffer.putShort(6, (short)(srcMac >>> 32), ByteOrder.BIG_ENDIAN);
        buffer.putInt(8, (int)srcMac, ByteOrder.BIG_ENDIAN);
        for (int i = 0; i < vlanCount; i++)
        {
            buffer.putShort(offset, (short)vlanTpids[i], ByteOrder.BIG_ENDIAN);
            buffer.putShort(offset + 2, (short)(vlanIds[i] & 0x0FFF), ByteOrder.BIG_ENDIAN);
            offset += 4;
        }
        buffer.putShort(offset, (short)(ipVersion == 4 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6), ByteOrder.BIG_ENDIAN);
        l3Offset = offset + 2;
        final int ipHeaderLength = ipVersion == 4 ? IPV4_HEADER_LENGTH : IPV6_HEADER_LENGTH;
        l4Offset = l3Offset + ipHeaderLength;
        final int l4Length = writeTransport(l4Offset);
        ipDatagramLength = ipHeaderLength + l4Length;
        if (ipDatagramLength > 65_535 + (ipVersion == 6 ? IPV6_HEADER_LENGTH : 0))
        {
            throw new IllegalStateException("IP datagram too long: " + ipDatagramLength);
        }
        writeIpHeader(buffer, l3Offset, builtProtocol, l4Length, fragmentOffsetBytes, moreFragments, dontFragment);
        writeTransportChecksum(l4Length);
        frameLength = l4Offset + l4Length;
        return frameLength;
    }

    /**
     * Length of the last built frame.
     *
     * @return bytes.
     */
    public int frameLength()
    {
        return frameLength;
    }

    /**
     * Offset of the IP header in the last built frame.
     *
     * @return offset.
     */
    public int l3Offset()
    {
        return l3Offset;
    }

    /**
     * Offset of the transport header (or raw payload) in the last built frame.
     *
     * @return offset.
     */
    public int l4Offset()
    {
        return l4Offset;
    }

    /**
     * Offset of the payload in the last built frame.
     *
     * @return offset.
     */
    public int payloadOffset()
    {
        return frameLength - payloadLength;
    }

    /**
     * Length of the IP datagram (header included) of the last built frame.
     *
     * @return bytes.
     */
    public int ipDatagramLength()
    {
        return ipDatagramLength;
    }

    /**
     * Bytes per fragment (a multiple of 8) that split the last built datagram's fragmentable part into at most
     * {@code count} fragments.
     *
     * @param count wanted number of fragments, at least 1.
     * @return data bytes per fragment.
     */
    public int fragmentDataBytes(final int count)
    {
        if (count < 1)
        {
            throw new IllegalArgumentException("fragment count must be positive: " + count);
        }
        final int fragmentable = fragmentableLength();
        final int perFragment = (fragmentable + count - 1) / count;
        return Math.max(8, (perFragment + 7) & ~7);
    }

    /**
     * Number of fragments the last built datagram splits into.
     *
     * @param fragmentDataBytes data bytes per fragment, a positive multiple of 8.
     * @return number of fragments.
     */
    public int fragmentCount(final int fragmentDataBytes)
    {
        checkFragmentDataBytes(fragmentDataBytes);
        return Math.max(1, (fragmentableLength() + fragmentDataBytes - 1) / fragmentDataBytes);
    }

    /**
     * Write one fragment of the last built datagram as a complete frame (same link header): for IPv4 the header
     * is copied with total length, offset/MF and checksum rewritten (DF cleared); for IPv6 a fragment extension
     * header carrying {@link #ipId(int)} is inserted after the fixed header. The built frame is left untouched.
     *
     * @param index             fragment number, 0 first.
     * @param fragmentDataBytes data bytes per fragment, a positive multiple of 8.
     * @param destination       buffer to write into (not {@link #buffer()}).
     * @param destinationOffset where the fragment frame starts.
     * @return the fragment frame length.
     */
    public int fragment(
        final int index,
        final int fragmentDataBytes,
        final MutableDirectBuffer destination,
        final int destinationOffset)
    {
        final int count = fragmentCount(fragmentDataBytes);
        if (index < 0 || index >= count)
        {
            throw new IllegalArgumentException("fragment index " + index + " not in 0.." + (count - 1));
        }
        final int fragmentable = fragmentableLength();
        final int dataOffset = index * fragmentDataBytes;
        final int dataLength = Math.min(fragmentDataBytes, fragmentable - dataOffset);
        final boolean last = index == count - 1;
        destination.putBytes(destinationOffset, buffer, 0, l3Offset);
        final int ipOffset = destinationOffset + l3Offset;
        if (ipVersion == 4)
        {
            writeIpHeader(
                destination,
                ipOffset,
                builtProtocol,
                dataLength,
                fragmentOffsetBytes + dataOffset,
                !last || moreFragments,
                false);
            destination.putBytes(ipOffset + IPV4_HEADER_LENGTH, buffer, l4Offset + dataOffset, dataLength);
            return l3Offset + IPV4_HEADER_LENGTH + dataLength;
        }
        writeIpHeader(
            destination, ipOffset, IPPROTO_FRAGMENT, IPV6_FRAGMENT_HEADER_LENGTH + dataLength, 0, false, false);
        final int fragmentHeader = ipOffset + IPV6_HEADER_LENGTH;
        destination.putByte(fragmentHeader, (byte)builtProtocol);
        destination.putByte(fragmentHeader + 1, (byte)0);
        destination.putShort(fragmentHeader + 2, (short)(dataOffset | (last ? 0 : 1)), ByteOrder.BIG_ENDIAN);
        destination.putInt(fragmentHeader + 4, ipId, ByteOrder.BIG_ENDIAN);
        destination.putBytes(fragmentHeader + IPV6_FRAGMENT_HEADER_LENGTH, buffer, l4Offset + dataOffset, dataLength);
        return l3Offset + IPV6_HEADER_LENGTH + IPV6_FRAGMENT_HEADER_LENGTH + dataLength;
    }

    private FrameBuilder tag(final int tpid, final int vlanId)
    {
        if (vlanCount == MAX_VLANS)
        {
            throw new IllegalStateException("at most " + MAX_VLANS + " VLAN tags");
        }
        if (vlanId < 0 || vlanId > 4095)
        {
            throw new IllegalArgumentException("VLAN id not in 0..4095: " + vlanId);
        }
        vlanTpids[vlanCount] = tpid;
        vlanIds[vlanCount] = vlanId;
        vlanCount++;
        return this;
    }

    private void resetIp()
    {
        ipId = 0;
        ttl = 64;
        tos = 0;
        flowLabel = 0;
        dontFragment = false;
        fragmentOffsetBytes = 0;
        moreFragments = false;
    }

    private int fragmentableLength()
    {
        if (frameLength == 0)
        {
            throw new IllegalStateException("no frame built yet");
        }
        return ipDatagramLength - (ipVersion == 4 ? IPV4_HEADER_LENGTH : IPV6_HEADER_LENGTH);
    }

    private static void checkFragmentDataBytes(final int fragmentDataBytes)
    {
        if (fragmentDataBytes <= 0 || (fragmentDataBytes & 7) != 0)
        {
            throw new IllegalArgumentException("fragment data bytes must be a positive multiple of 8: " +
                fragmentDataBytes);
        }
    }

    private int writeTransport(final int offset)
    {
        final int headerLength;
        switch (transport)
        {
            case TRANSPORT_TCP:
                builtProtocol = IPPROTO_TCP;
                headerLength = writeTcpHeader(offset);
                break;
            case TRANSPORT_UDP:
                builtProtocol = IPPROTO_UDP;
                headerLength = UDP_HEADER_LENGTH;
                buffer.putShort(offset, (short)srcPort, ByteOrder.BIG_ENDIAN);
                buffer.putShort(offset + 2, (short)dstPort, ByteOrder.BIG_ENDIAN);
                buffer.putShort(offset + 4, (short)(UDP_HEADER_LENGTH + payloadLength), ByteOrder.BIG_ENDIAN);
                buffer.putShort(offset + 6, (short)0);
                break;
            case TRANSPORT_ICMP_ECHO:
                builtProtocol = ipVersion == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;
                headerLength = ICMP_ECHO_HEADER_LENGTH;
                final int type = ipVersion == 4 ? (echoRequest ? 8 : 0) : (echoRequest ? 128 : 129);
                buffer.putByte(offset, (byte)type);
                buffer.putByte(offset + 1, (byte)0);
                buffer.putShort(offset + 2, (short)0);
                buffer.putShort(offset + 4, (short)echoId, ByteOrder.BIG_ENDIAN);
                buffer.putShort(offset + 6, (short)echoSeq, ByteOrder.BIG_ENDIAN);
                break;
            default:
                builtProtocol = rawProtocol;
                headerLength = 0;
                break;
        }
        if (payloadLength > 0)
        {
            final int at = offset + headerLength;
            if (at + payloadLength > buffer.capacity())
            {
                throw new IllegalStateException("payload too long: " + payloadLength);
            }
            if (payloadArray != null)
            {
                buffer.putBytes(at, payloadArray, payloadOffset, payloadLength);
            }
            else
            {
                buffer.putBytes(at, payloadBuffer, payloadOffset, payloadLength);
            }
        }
        return headerLength + payloadLength;
    }

    private int tcpOptionsLength()
    {
        int length = 0;
        if (mss >= 0)
        {
            length += 4;
        }
        if (timestamps)
        {
            length += 12;
        }
        else if (sackPermitted)
        {
            length += 4;
        }
        if (windowScale >= 0)
        {
            length += 4;
        }
        if (sackBlockCount > 0)
        {
            length += 4 + 8 * sackBlockCount;
        }
        return length;
    }

    private int writeTcpHeader(final int offset)
    {
        final int optionsLength = tcpOptionsLength();
        if (optionsLength > MAX_TCP_OPTIONS_LENGTH)
        {
            throw new IllegalStateException("TCP options need " + optionsLength + " bytes, at most 40 fit");
        }
        final int headerLength = TCP_HEADER_LENGTH + optionsLength;
        buffer.putShort(offset, (short)srcPort, ByteOrder.BIG_ENDIAN);
        buffer.putShort(offset + 2, (short)dstPort, ByteOrder.BIG_ENDIAN);
        buffer.putInt(offset + 4, seq, ByteOrder.BIG_ENDIAN);
        buffer.putInt(offset + 8, ack, ByteOrder.BIG_ENDIAN);
        buffer.putShort(offset + 12, (short)(((headerLength / 4) << 12) | (tcpFlags & 0xFF)), ByteOrder.BIG_ENDIAN);
        buffer.putShort(offset + 14, (short)window, ByteOrder.BIG_ENDIAN);
        buffer.putShort(offset + 16, (short)0);
        buffer.putShort(offset + 18, (short)0);
        int p = offset + TCP_HEADER_LENGTH;
        if (mss >= 0)
        {
            buffer.putByte(p, (byte)2);
            buffer.putByte(p + 1, (byte)4);
            buffer.putShort(p + 2, (short)mss, ByteOrder.BIG_ENDIAN);
            p += 4;
        }
        if (timestamps)
        {
            if (sackPermitted)
            {
                buffer.putByte(p, (byte)4);
                buffer.putByte(p + 1, (byte)2);
            }
            else
            {
                buffer.putByte(p, (byte)1);
                buffer.putByte(p + 1, (byte)1);
            }
            buffer.putByte(p + 2, (byte)8);
            buffer.putByte(p + 3, (byte)10);
            buffer.putInt(p + 4, tsval, ByteOrder.BIG_ENDIAN);
            buffer.putInt(p + 8, tsecr, ByteOrder.BIG_ENDIAN);
            p += 12;
        }
        else if (sackPermitted)
        {
            buffer.putByte(p, (byte)1);
            buffer.putByte(p + 1, (byte)1);
            buffer.putByte(p + 2, (byte)4);
            buffer.putByte(p + 3, (byte)2);
            p += 4;
        }
        if (windowScale >= 0)
        {
            buffer.putByte(p, (byte)1);
            buffer.putByte(p + 1, (byte)3);
            buffer.putByte(p + 2, (byte)3);
            buffer.putByte(p + 3, (byte)windowScale);
            p += 4;
        }
        if (sackBlockCount > 0)
        {
            buffer.putByte(p, (byte)1);
            buffer.putByte(p + 1, (byte)1);
            buffer.putByte(p + 2, (byte)5);
            buffer.putByte(p + 3, (byte)(2 + 8 * sackBlockCount));
            p += 4;
            for (int i = 0; i < sackBlockCount * 2; i++)
            {
                buffer.putInt(p, sackEdges[i], ByteOrder.BIG_ENDIAN);
                p += 4;
            }
        }
        return headerLength;
    }

    private void writeIpHeader(
        final MutableDirectBuffer target,
        final int offset,
        final int protocol,
        final int ipPayloadLength,
        final int fragmentOffset,
        final boolean more,
        final boolean df)
    {
        if (ipVersion == 4)
        {
            target.putByte(offset, (byte)0x45);
            target.putByte(offset + 1, (byte)tos);
            target.putShort(offset + 2, (short)(IPV4_HEADER_LENGTH + ipPayloadLength), ByteOrder.BIG_ENDIAN);
            target.putShort(offset + 4, (short)ipId, ByteOrder.BIG_ENDIAN);
            final int flagsAndOffset = (df ? 0x4000 : 0) | (more ? 0x2000 : 0) | (fragmentOffset >>> 3);
            target.putShort(offset + 6, (short)flagsAndOffset, ByteOrder.BIG_ENDIAN);
            target.putByte(offset + 8, (byte)ttl);
            target.putByte(offset + 9, (byte)protocol);
            target.putShort(offset + 10, (short)0);
            target.putInt(offset + 12, (int)srcLo, ByteOrder.BIG_ENDIAN);
            target.putInt(offset + 16, (int)dstLo, ByteOrder.BIG_ENDIAN);
            final int checksum = Checksums.ipv4HeaderChecksum(target, offset, IPV4_HEADER_LENGTH);
            target.putShort(offset + 10, (short)checksum, ByteOrder.BIG_ENDIAN);
        }
        else
        {
            target.putInt(
                offset, (6 << 28) | ((tos & 0xFF) << 20) | (flowLabel & 0xF_FFFF), ByteOrder.BIG_ENDIAN);
            target.putShort(offset + 4, (short)ipPayloadLength, ByteOrder.BIG_ENDIAN);
            target.putByte(offset + 6, (byte)protocol);
            target.putByte(offset + 7, (byte)ttl);
            target.putLong(offset + 8, srcHi, ByteOrder.BIG_ENDIAN);
            target.putLong(offset + 16, srcLo, ByteOrder.BIG_ENDIAN);
            target.putLong(offset + 24, dstHi, ByteOrder.BIG_ENDIAN);
            target.putLong(offset + 32, dstLo, ByteOrder.BIG_ENDIAN);
        }
    }

    private void writeTransportChecksum(final int l4Length)
    {
        if (transport == TRANSPORT_RAW)
        {
            return;
        }
        final int checksum;
        if (transport == TRANSPORT_ICMP_ECHO && ipVersion == 4)
        {
            checksum = Checksums.icmpv4Checksum(buffer, l4Offset, l4Length);
        }
        else
        {
            final long pseudo = ipVersion == 4 ?
                Checksums.ipv4PseudoHeaderSum((int)srcLo, (int)dstLo, builtProtocol, l4Length) :
                Checksums.ipv6PseudoHeaderSum(srcHi, srcLo, dstHi, dstLo, builtProtocol, l4Length);
            final int computed = Checksums.transportChecksum(pseudo, buffer, l4Offset, l4Length);
            checksum = transport == TRANSPORT_UDP && computed == 0 ? 0xFFFF : computed;
        }
        final int field = transport == TRANSPORT_TCP ? 16 : (transport == TRANSPORT_UDP ? 6 : 2);
        buffer.putShort(l4Offset + field, (short)checksum, ByteOrder.BIG_ENDIAN);
    }
}
