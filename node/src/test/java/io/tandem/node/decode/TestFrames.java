package io.tandem.node.decode;

import java.nio.ByteOrder;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Test-only frame builder: hex literals and headers with correct lengths and checksums, addresses fixed
 * (IPv4 10.0.0.1 -> 10.0.0.2, IPv6 2001:db8::1 -> 2001:db8::2).
 */
final class TestFrames
{
    static final int SRC4 = 0x0a000001;
    static final int DST4 = 0x0a000002;
    static final long V6_HI = 0x20010db800000000L;
    static final long SRC6_LO = 1;
    static final long DST6_LO = 2;

    private TestFrames()
    {
    }

    static byte[] hex(final String hex)
    {
        final String clean = hex.replaceAll("\\s", "");
        final byte[] bytes = new byte[clean.length() / 2];
        for (int i = 0; i < bytes.length; i++)
        {
            bytes[i] = (byte)Integer.parseInt(clean.substring(i * 2, i * 2 + 2), 16);
        }
        return bytes;
    }

    static byte[] concat(final byte[]... parts)
    {
        int length = 0;
        for (final byte[] part : parts)
        {
            length += part.length;
        }
        final byte[] out = new byte[length];
        int at = 0;
        for (final byte[] part : parts)
        {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }

    static byte[] ethernet(final int ethertype, final byte[] payload)
    {
        final byte[] header = hex("000000000001 000000000002");
        return concat(header, u16(ethertype), payload);
    }

    static byte[] vlanTag(final int id, final int ethertype)
    {
        return concat(u16(id), u16(ethertype));
    }

    static byte[] u16(final int value)
    {
        return new byte[]{ (byte)(value >>> 8), (byte)value };
    }

    static byte[] u32(final int value)
    {
        return new byte[]{ (byte)(value >>> 24), (byte)(value >>> 16), (byte)(value >>> 8), (byte)value };
    }

    static byte[] tcp(
        final int sport, final int dport, final int seq, final int ack, final int flags, final byte[] options,
        final byte[] payload)
    {
        final int headerLength = 20 + options.length;
        final byte[] header = concat(
            u16(sport), u16(dport), u32(seq), u32(ack),
            new byte[]{ (byte)((headerLength / 4) << 4), (byte)flags }, u16(65535), u16(0), u16(0));
        return concat(header, options, payload);
    }

    static byte[] tcp(final byte[] options, final byte[] payload)
    {
        return tcp(1234, 80, 1000, 2000, Packet.TH_ACK | Packet.TH_PSH, options, payload);
    }

    static byte[] udp(final int sport, final int dport, final byte[] payload)
    {
        return concat(u16(sport), u16(dport), u16(8 + payload.length), u16(0), payload);
    }

    static byte[] icmp(final int type, final int code, final byte[] body)
    {
        return concat(new byte[]{ (byte)type, (byte)code, 0, 0, 0, 1, 0, 1 }, body);
    }

    static byte[] ipv4(final int proto, final byte[] payload)
    {
        return ipv4(proto, new byte[0], 0, payload);
    }

    /**
     * IPv4 packet with correct header checksum and (for TCP, UDP, ICMP) transport checksum.
     */
    static byte[] ipv4(final int proto, final byte[] options, final int flagsAndOffset, final byte[] payload)
    {
        final int headerLength = 20 + options.length;
        final byte[] transport = payload.clone();
        fixTransportChecksum(transport, proto, false);
        final byte[] packet = concat(
            new byte[]{ (byte)(0x40 | (headerLength / 4)), 0 }, u16(headerLength + transport.length), u16(0x1234),
            u16(flagsAndOffset), new byte[]{ 64, (byte)proto, 0, 0 }, u32(SRC4), u32(DST4), options, transport);
        final UnsafeBuffer buffer = new UnsafeBuffer(packet);
        buffer.putShort(10, (short)Checksums.ipv4HeaderChecksum(buffer, 0, headerLength), ByteOrder.BIG_ENDIAN);
        return packet;
    }

    /**
     * IPv6 packet: {@code headers} is the chain of extension headers (may be empty) followed by the upper-layer
     * payload of protocol {@code upperProto}, whose checksum is fixed when it is TCP, UDP or ICMPv6.
     */
    static byte[] ipv6(final int nextHeader, final byte[] extensionHeaders, final int upperProto, final byte[] upper)
    {
        final byte[] transport = upper.clone();
        fixTransportChecksum(transport, upperProto, true);
        final byte[] payload = concat(extensionHeaders, transport);
        return concat(
            hex("60000000"), u16(payload.length), new byte[]{ (byte)nextHeader, 64 },
            u32((int)(V6_HI >>> 32)), u32(0), u32(0), u32(1),
            u32((int)(V6_HI >>> 32)), u32(0), u32(0), u32(2), payload);
    }

    static byte[] ipv6(final int proto, final byte[] upper)
    {
        return ipv6(proto, new byte[0], proto, upper);
    }

    private static void fixTransportChecksum(final byte[] transport, final int proto, final boolean v6)
    {
        UnsafeBuffer buffer = new UnsafeBuffer(transport);
        final int at;
        final int checksum;
        if (proto == 6 && transport.length >= 20)
        {
            at = 16;
        }
        else if (proto == 17 && transport.length >= 8)
        {
            at = 6;
            final int udpLength = buffer.getShort(4, ByteOrder.BIG_ENDIAN) & 0xFFFF;
            if (udpLength >= 8 && udpLength < transport.length)
            {
                buffer = new UnsafeBuffer(transport, 0, udpLength);
            }
        }
        else if ((proto == 1 || proto == 58) && transport.length >= 8)
        {
            at = 2;
        }
        else
        {
            return;
        }
        buffer.putShort(at, (short)0, ByteOrder.BIG_ENDIAN);
        final int length = buffer.capacity();
        final long pseudo = v6 ?
            Checksums.ipv6PseudoHeaderSum(V6_HI, SRC6_LO, V6_HI, DST6_LO, proto, length) :
            Checksums.ipv4PseudoHeaderSum(SRC4, DST4, proto, length);
        if (proto == 1)
        {
            checksum = Checksums.icmpv4Checksum(buffer, 0, length);
        }
        else
        {
            checksum = Checksums.transportChecksum(pseudo, buffer, 0, length);
        }
        buffer.putShort(at, (short)(proto == 17 && checksum == 0 ? 0xFFFF : checksum), ByteOrder.BIG_ENDIAN);
    }
}
