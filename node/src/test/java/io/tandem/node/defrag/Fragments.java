package io.tandem.node.defrag;

import java.nio.ByteOrder;
import java.util.Arrays;

import io.tandem.node.decode.Checksums;
import io.tandem.node.decode.Packet;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Test-only builder of IPv4 / IPv6 fragments: writes the raw IP bytes (behind a 14-byte fake link header) and sets
 * the Packet fields as the decoder would.
 */
final class Fragments
{
    static final int LINK = 14;
    static final int ICMP = 1;
    static final int UDP = 17;
    static final int ICMPV6 = 58;
    static final long SRC4 = 0x01010101L;
    static final long DST4 = 0x02020202L;
    static final long SRC6_HI = 0x2001_0db8_0000_0001L;
    static final long SRC6_LO = 0x0000_0000_0000_0001L;
    static final long DST6_HI = 0x2001_0db8_0000_0002L;
    static final long DST6_LO = 0x0000_0000_0000_0002L;

    private Fragments()
    {
    }

    static byte[] fill(final char c, final int length)
    {
        final byte[] data = new byte[length];
        Arrays.fill(data, (byte)c);
        return data;
    }

    static byte[] blocks(final String letters)
    {
        final byte[] data = new byte[letters.length() * 8];
        for (int i = 0; i < letters.length(); i++)
        {
            Arrays.fill(data, i * 8, i * 8 + 8, (byte)letters.charAt(i));
        }
        return data;
    }

    static Packet ipv4(final int id, final int offset, final boolean mf, final byte[] data)
    {
        return ipv4(id, offset, mf, data, ICMP, new byte[0], SRC4, DST4);
    }

    static Packet ipv4(final int id, final int offset, final boolean mf, final char c, final int length)
    {
        return ipv4(id, offset, mf, fill(c, length));
    }

    static Packet ipv4(
        final int id,
        final int offset,
        final boolean mf,
        final byte[] data,
        final int proto,
        final byte[] options,
        final long src,
        final long dst)
    {
        final int hlen = 20 + options.length;
        final byte[] frame = new byte[LINK + hlen + data.length];
        final UnsafeBuffer b = new UnsafeBuffer(frame);
        final int ip = LINK;
        b.putByte(ip, (byte)(0x40 | (hlen >> 2)));
        b.putShort(ip + 2, (short)(hlen + data.length), ByteOrder.BIG_ENDIAN);
        b.putShort(ip + 4, (short)id, ByteOrder.BIG_ENDIAN);
        b.putShort(ip + 6, (short)((mf ? 0x2000 : 0) | (offset >> 3)), ByteOrder.BIG_ENDIAN);
        b.putByte(ip + 8, (byte)64);
        b.putByte(ip + 9, (byte)proto);
        b.putInt(ip + 12, (int)src, ByteOrder.BIG_ENDIAN);
        b.putInt(ip + 16, (int)dst, ByteOrder.BIG_ENDIAN);
        b.putBytes(ip + 20, options);
        b.putShort(ip + 10, (short)Checksums.ipv4HeaderChecksum(b, ip, hlen), ByteOrder.BIG_ENDIAN);
        b.putBytes(ip + hlen, data);

        final Packet p = new Packet();
        p.reset();
        p.buffer.wrap(frame);
        p.capturedLength = frame.length;
        p.ipVersion = 4;
        p.l3Offset = ip;
        p.l3HeaderLength = hlen;
        p.ipTotalLength = hlen + data.length;
        p.srcLo = src;
        p.dstLo = dst;
        p.ipId = id;
        p.fragment = true;
        p.fragmentOffset = offset;
        p.moreFragments = mf;
        p.fragmentPayloadOffset = ip + hlen;
        return p;
    }

    static Packet ipv6(final int id, final int offset, final boolean mf, final byte[] data)
    {
        return ipv6(id, offset, mf, data, ICMPV6, false);
    }

    static Packet ipv6(final int id, final int offset, final boolean mf, final char c, final int length)
    {
        return ipv6(id, offset, mf, fill(c, length));
    }

    /**
     * An IPv6 fragment, optionally with an 8-byte hop-by-hop header before the fragment header.
     */
    static Packet ipv6(
        final int id, final int offset, final boolean mf, final byte[] data, final int nextHeader, final boolean hbh)
    {
        final int ext = hbh ? 8 : 0;
        final int plen = ext + 8 + data.length;
        final byte[] frame = new byte[LINK + 40 + plen];
        final UnsafeBuffer b = new UnsafeBuffer(frame);
        final int ip = LINK;
        b.putInt(ip, 0x6000_0000, ByteOrder.BIG_ENDIAN);
        b.putShort(ip + 4, (short)plen, ByteOrder.BIG_ENDIAN);
        b.putByte(ip + 6, (byte)(hbh ? 0 : 44));
        b.putByte(ip + 7, (byte)64);
        b.putLong(ip + 8, SRC6_HI, ByteOrder.BIG_ENDIAN);
        b.putLong(ip + 16, SRC6_LO, ByteOrder.BIG_ENDIAN);
        b.putLong(ip + 24, DST6_HI, ByteOrder.BIG_ENDIAN);
        b.putLong(ip + 32, DST6_LO, ByteOrder.BIG_ENDIAN);
        int fh = ip + 40;
        int prevNh = ip + 6;
        if (hbh)
        {
            b.putByte(fh, (byte)44);
            b.putByte(fh + 1, (byte)0);
            b.putByte(fh + 2, (byte)1);
            b.putByte(fh + 3, (byte)4);
            prevNh = fh;
            fh += 8;
        }
        b.putByte(fh, (byte)nextHeader);
        b.putShort(fh + 2, (short)(offset | (mf ? 1 : 0)), ByteOrder.BIG_ENDIAN);
        b.putInt(fh + 4, id, ByteOrder.BIG_ENDIAN);
        b.putBytes(fh + 8, data);

        final Packet p = new Packet();
        p.reset();
        p.buffer.wrap(frame);
        p.capturedLength = frame.length;
        p.ipVersion = 6;
        p.l3Offset = ip;
        p.l3HeaderLength = 40 + ext;
        p.ipTotalLength = 40 + plen;
        p.srcHi = SRC6_HI;
        p.srcLo = SRC6_LO;
        p.dstHi = DST6_HI;
        p.dstLo = DST6_LO;
        p.ipId = id;
        p.fragment = true;
        p.fragmentOffset = offset;
        p.moreFragments = mf;
        p.fragmentHeaderOffset = fh;
        p.fragmentPayloadOffset = fh + 8;
        p.fragmentNextHeader = nextHeader;
        p.fragmentPrevNextHeaderOffset = prevNh;
        return p;
    }
}
