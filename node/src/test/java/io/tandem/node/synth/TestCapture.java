package io.tandem.node.synth;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.agrona.concurrent.UnsafeBuffer;

import io.tandem.node.decode.Checksums;

/**
 * Test-side pcap reader and frame parser, independent of the production readers: reads records, parses Ethernet /
 * VLAN / IPv4 / IPv6 (+fragment header) / TCP / UDP, reassembles fragments and checks every checksum.
 */
final class TestCapture
{
    /** One pcap record. */
    record Frame(long timestampNs, byte[] bytes)
    {
    }

    /** One IP datagram after reassembly, with its transport parsed. */
    static final class Datagram
    {
        long timestampNs;
        int frameCount;
        int frameBytes;
        int unfragmentedFrameLength;
        boolean fragmented;
        int[] vlans = new int[0];
        int[] tpids = new int[0];
        int ipVersion;
        String src;
        String dst;
        int protocol;
        int srcPort;
        int dstPort;
        int seq;
        int ack;
        int flags;
        int window;
        int tcpHeaderLength;
        int ipId;
        boolean dontFragment;
        byte[] payload;
        boolean transportChecksumValid;

        String key()
        {
            return protocol + " " + src + ":" + srcPort + " " + dst + ":" + dstPort + " " + Arrays.toString(vlans);
        }

        String reverseKey()
        {
            return protocol + " " + dst + ":" + dstPort + " " + src + ":" + srcPort + " " + Arrays.toString(vlans);
        }
    }

    final List<Frame> frames = new ArrayList<>();
    final List<Datagram> datagrams = new ArrayList<>();
    int fragmentFrames;
    int badIpHeaderChecksums;

    private final Map<String, List<byte[]>> pendingFragments = new HashMap<>();

    static TestCapture read(final Path path) throws IOException
    {
        final ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(path)).order(ByteOrder.LITTLE_ENDIAN);
        final int magic = file.getInt(0);
        final boolean nanos = magic == 0xa1b23c4d;
        if (!nanos && magic != 0xa1b2c3d4)
        {
            throw new IllegalStateException("not a little-endian pcap: " + Integer.toHexString(magic));
        }
        if (file.getInt(20) != 1)
        {
            throw new IllegalStateException("link type");
        }
        final TestCapture capture = new TestCapture();
        int position = 24;
        while (position < file.limit())
        {
            final long seconds = file.getInt(position) & 0xFFFF_FFFFL;
            final long fraction = file.getInt(position + 4) & 0xFFFF_FFFFL;
            final int length = file.getInt(position + 8);
            final int wire = file.getInt(position + 12);
            if (wire != length)
            {
                throw new IllegalStateException("wire length differs");
            }
            final byte[] bytes = new byte[length];
            file.get(position + 16, bytes);
            final long timestampNs = seconds * 1_000_000_000L + (nanos ? fraction : fraction * 1000);
            capture.frames.add(new Frame(timestampNs, bytes));
            capture.parse(timestampNs, bytes);
            position += 16 + length;
        }
        if (!capture.pendingFragments.isEmpty())
        {
            throw new IllegalStateException("incomplete fragments: " + capture.pendingFragments.keySet());
        }
        return capture;
    }

    private static int u16(final byte[] b, final int i)
    {
        return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
    }

    private static int s32(final byte[] b, final int i)
    {
        return (u16(b, i) << 16) | u16(b, i + 2);
    }

    private static long s64(final byte[] b, final int i)
    {
        return ((long)s32(b, i) << 32) | (s32(b, i + 4) & 0xFFFF_FFFFL);
    }

    private void parse(final long timestampNs, final byte[] b)
    {
        int offset = 12;
        int type = u16(b, offset);
        final List<Integer> vlans = new ArrayList<>();
        final List<Integer> tpids = new ArrayList<>();
        while (type == 0x8100 || type == 0x88A8)
        {
            tpids.add(type);
            vlans.add(u16(b, offset + 2) & 0xFFF);
            offset += 4;
            type = u16(b, offset);
        }
        final int l3 = offset + 2;
        final Datagram d = new Datagram();
        d.timestampNs = timestampNs;
        d.vlans = vlans.stream().mapToInt(Integer::intValue).toArray();
        d.tpids = tpids.stream().mapToInt(Integer::intValue).toArray();
        final UnsafeBuffer buffer = new UnsafeBuffer(b);
        final byte[] l4;
        final long pseudo;
        if (type == 0x0800)
        {
            d.ipVersion = 4;
            if (Checksums.ipv4HeaderChecksum(buffer, l3, 20) != 0)
            {
                badIpHeaderChecksums++;
            }
            final int total = u16(b, l3 + 2);
            d.ipId = u16(b, l3 + 4);
            final int flagsOffset = u16(b, l3 + 6);
            d.dontFragment = (flagsOffset & 0x4000) != 0;
            final boolean more = (flagsOffset & 0x2000) != 0;
            final int fragmentOffset = (flagsOffset & 0x1FFF) * 8;
            d.protocol = b[l3 + 9] & 0xFF;
            final int src = s32(b, l3 + 12);
            final int dst = s32(b, l3 + 16);
            d.src = SynthManifest.formatAddress(4, 0, src & 0xFFFF_FFFFL);
            d.dst = SynthManifest.formatAddress(4, 0, dst & 0xFFFF_FFFFL);
            final byte[] data = Arrays.copyOfRange(b, l3 + 20, l3 + total);
            if (more || fragmentOffset > 0)
            {
                fragmentFrames++;
                final String key = "4 " + d.src + " " + d.dst + " " + d.ipId;
                final byte[] whole = addFragment(key, fragmentOffset, more, data, b.length);
                if (whole == null)
                {
                    return;
                }
                d.fragmented = true;
                l4 = whole;
            }
            else
            {
                l4 = data;
            }
            pseudo = Checksums.ipv4PseudoHeaderSum(src, dst, d.protocol, l4.length);
            d.unfragmentedFrameLength = l3 + 20 + l4.length;
        }
        else if (type == 0x86DD)
        {
            d.ipVersion = 6;
            final int payloadLength = u16(b, l3 + 4);
            int next = b[l3 + 6] & 0xFF;
            final long sHi = s64(b, l3 + 8);
            final long sLo = s64(b, l3 + 16);
            final long dHi = s64(b, l3 + 24);
            final long dLo = s64(b, l3 + 32);
            d.src = SynthManifest.formatAddress(6, sHi, sLo);
            d.dst = SynthManifest.formatAddress(6, dHi, dLo);
            if (next == 44)
            {
                fragmentFrames++;
                final int fh = l3 + 40;
                next = b[fh] & 0xFF;
                final int field = u16(b, fh + 2);
                final int id = s32(b, fh + 4);
                final byte[] data = Arrays.copyOfRange(b, fh + 8, l3 + 40 + payloadLength);
                final byte[] whole = addFragment(
                    "6 " + d.src + " " + d.dst + " " + id, field & 0xFFF8, (field & 1) != 0, data, b.length);
                if (whole == null)
                {
                    return;
                }
                d.fragmented = true;
                l4 = whole;
            }
            else
            {
                l4 = Arrays.copyOfRange(b, l3 + 40, l3 + 40 + payloadLength);
            }
            d.protocol = next;
            pseudo = Checksums.ipv6PseudoHeaderSum(sHi, sLo, dHi, dLo, next, l4.length);
            d.unfragmentedFrameLength = l3 + 40 + l4.length;
        }
        else
        {
            throw new IllegalStateException("ethertype " + Integer.toHexString(type));
        }
        final List<Integer> done = pendingFrameLengths;
        d.frameCount = done == null ? 1 : done.size();
        d.frameBytes = done == null ? b.length : done.stream().mapToInt(Integer::intValue).sum();
        pendingFrameLengths = null;
        d.transportChecksumValid = Checksums.transportChecksum(pseudo, new UnsafeBuffer(l4), 0, l4.length) == 0;
        d.srcPort = u16(l4, 0);
        d.dstPort = u16(l4, 2);
        if (d.protocol == 6)
        {
            d.seq = s32(l4, 4);
            d.ack = s32(l4, 8);
            d.tcpHeaderLength = ((l4[12] & 0xF0) >>> 4) * 4;
            d.flags = l4[13] & 0xFF;
            d.window = u16(l4, 14);
            d.payload = Arrays.copyOfRange(l4, d.tcpHeaderLength, l4.length);
        }
        else
        {
            d.payload = Arrays.copyOfRange(l4, 8, l4.length);
        }
        datagrams.add(d);
    }

    private List<Integer> pendingFrameLengths;
    private final Map<String, List<int[]>> fragmentMeta = new HashMap<>();
    private final Map<String, List<Integer>> fragmentFrameLengths = new HashMap<>();

    /** Returns the reassembled data when the last fragment arrives (fragments arrive in order here). */
    private byte[] addFragment(
        final String key, final int offset, final boolean more, final byte[] data, final int frameLength)
    {
        final List<byte[]> parts = pendingFragments.computeIfAbsent(key, k -> new ArrayList<>());
        final List<int[]> meta = fragmentMeta.computeIfAbsent(key, k -> new ArrayList<>());
        final List<Integer> lengths = fragmentFrameLengths.computeIfAbsent(key, k -> new ArrayList<>());
        parts.add(data);
        meta.add(new int[] { offset, data.length });
        lengths.add(frameLength);
        if (more)
        {
            return null;
        }
        int expected = 0;
        final java.io.ByteArrayOutputStream whole = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < parts.size(); i++)
        {
            if (meta.get(i)[0] != expected)
            {
                throw new IllegalStateException("fragment offset " + meta.get(i)[0] + " expected " + expected);
            }
            if (i < parts.size() - 1 && (meta.get(i)[1] & 7) != 0)
            {
                throw new IllegalStateException("non-final fragment length not a multiple of 8");
            }
            whole.writeBytes(parts.get(i));
            expected += meta.get(i)[1];
        }
        pendingFragments.remove(key);
        fragmentMeta.remove(key);
        pendingFrameLengths = fragmentFrameLengths.remove(key);
        return whole.toByteArray();
    }
}
