package io.tandem.node.decode;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;

/**
 * Internet checksums (RFC 1071) over Agrona buffers, without allocation: the IPv4 header checksum and the
 * TCP / UDP / ICMPv6 checksums with their IPv4 or IPv6 pseudo-header, and ICMPv4's plain checksum.
 * <p>
 * The {@code *Sum} methods return the folded one's-complement sum; a received header or segment is valid when the
 * sum over it, checksum field included, folds to {@code 0xFFFF}. The checksum to write into a header is
 * {@code ~sum & 0xFFFF} computed with the field zeroed.
 */
public final class Checksums
{
    private static final boolean NATIVE_LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private Checksums()
    {
    }

    /**
     * One's-complement sum of {@code length} bytes, added to {@code initial}, not folded.
     * <p>
     * The bulk is read as 64-bit words in the machine's byte order, 32 bytes a step into two independent pairs of
     * accumulators (the high and low 32-bit halves of each word), with one bounds check for the whole range instead of
     * one per load; then folded to 16 bits and, on a little-endian machine, byte-swapped: the one's-complement sum does
     * not depend on the byte order it is computed in or on the word size, only the result's bytes swap (RFC 1071,
     * 2.(B) and 2.(C)).
     *
     * @param buffer  bytes.
     * @param offset  first byte.
     * @param length  number of bytes (an odd tail is padded with zero).
     * @param initial running sum to add to.
     * @return the unfolded 64-bit sum.
     * @throws IndexOutOfBoundsException when the range is not within the buffer.
     */
    public static long sum(final DirectBuffer buffer, final int offset, final int length, final long initial)
    {
        if (length <= 0)
        {
            return initial;
        }
        buffer.boundsCheck(offset, length);
        final byte[] array = buffer.byteArray();
        final long address = buffer.addressOffset() + offset;
        final int bulkEnd = length & ~7;
        long high0 = 0;
        long low0 = 0;
        long high1 = 0;
        long low1 = 0;
        int i = 0;
        for (; i + 32 <= bulkEnd; i += 32)
        {
            final long a = UnsafeApi.getLong(array, address + i);
            final long b = UnsafeApi.getLong(array, address + i + 8);
            final long c = UnsafeApi.getLong(array, address + i + 16);
            final long d = UnsafeApi.getLong(array, address + i + 24);
            high0 += (a >>> 32) + (b >>> 32);
            low0 += (a & 0xFFFF_FFFFL) + (b & 0xFFFF_FFFFL);
            high1 += (c >>> 32) + (d >>> 32);
            low1 += (c & 0xFFFF_FFFFL) + (d & 0xFFFF_FFFFL);
        }
        for (; i < bulkEnd; i += 8)
        {
            final long a = UnsafeApi.getLong(array, address + i);
            high0 += a >>> 32;
            low0 += a & 0xFFFF_FFFFL;
        }
        final int folded = fold(fold32(high0) + fold32(low0) + fold32(high1) + fold32(low1));
        long sum = initial + (NATIVE_LITTLE_ENDIAN ? (((folded & 0xFF) << 8) | (folded >>> 8)) : folded);
        for (; i + 2 <= length; i += 2)
        {
            sum += buffer.getShort(offset + i, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        }
        if (i < length)
        {
            sum += (buffer.getByte(offset + i) & 0xFF) << 8;
        }
        return sum;
    }

    /**
     * Fold a running sum into 16 bits.
     *
     * @param sum unfolded sum.
     * @return the folded 16-bit one's-complement sum.
     */
    public static int fold(final long sum)
    {
        long s = sum;
        while ((s >>> 16) != 0)
        {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int)s;
    }

    /**
     * Checksum value for an IPv4 header whose checksum field holds zero (or validity test: 0 means valid when the
     * field holds the received checksum).
     *
     * @param buffer       bytes.
     * @param offset       of the IPv4 header.
     * @param headerLength IHL * 4.
     * @return {@code ~sum & 0xFFFF}.
     */
    public static int ipv4HeaderChecksum(final DirectBuffer buffer, final int offset, final int headerLength)
    {
        return ~fold(sum(buffer, offset, headerLength, 0)) & 0xFFFF;
    }

    /**
     * Sum of the IPv4 pseudo-header for a transport checksum.
     *
     * @param srcAddress     IPv4 source address.
     * @param dstAddress     IPv4 destination address.
     * @param protocol       IP protocol.
     * @param transportLength length of the transport header and payload.
     * @return the unfolded sum.
     */
    public static long ipv4PseudoHeaderSum(
        final int srcAddress, final int dstAddress, final int protocol, final int transportLength)
    {
        return (srcAddress >>> 16) + (srcAddress & 0xFFFF) + (dstAddress >>> 16) + (dstAddress & 0xFFFF) +
            protocol + transportLength;
    }

    /**
     * Sum of the IPv6 pseudo-header for a transport checksum.
     *
     * @param srcHi          source address, high 64 bits.
     * @param srcLo          source address, low 64 bits.
     * @param dstHi          destination address, high 64 bits.
     * @param dstLo          destination address, low 64 bits.
     * @param nextHeader     upper-layer protocol.
     * @param transportLength upper-layer packet length.
     * @return the unfolded sum.
     */
    public static long ipv6PseudoHeaderSum(
        final long srcHi,
        final long srcLo,
        final long dstHi,
        final long dstLo,
        final int nextHeader,
        final int transportLength)
    {
        return words(srcHi) + words(srcLo) + words(dstHi) + words(dstLo) +
            (transportLength >>> 16) + (transportLength & 0xFFFF) + nextHeader;
    }

    /**
     * Checksum of a transport segment (TCP, UDP, ICMPv6) with its pseudo-header sum. Computed with the checksum field
     * zeroed it is the value to write; computed over a received segment it is 0 when the segment is valid.
     *
     * @param pseudoHeaderSum from {@link #ipv4PseudoHeaderSum} or {@link #ipv6PseudoHeaderSum}.
     * @param buffer          bytes.
     * @param offset          of the transport header.
     * @param length          transport header and payload length.
     * @return {@code ~sum & 0xFFFF}.
     */
    public static int transportChecksum(
        final long pseudoHeaderSum, final DirectBuffer buffer, final int offset, final int length)
    {
        return ~fold(sum(buffer, offset, length, pseudoHeaderSum)) & 0xFFFF;
    }

    /**
     * ICMPv4 checksum (no pseudo-header).
     *
     * @param buffer bytes.
     * @param offset of the ICMP header.
     * @param length ICMP header and payload length.
     * @return {@code ~sum & 0xFFFF}.
     */
    public static int icmpv4Checksum(final DirectBuffer buffer, final int offset, final int length)
    {
        return ~fold(sum(buffer, offset, length, 0)) & 0xFFFF;
    }

    private static long fold32(final long sum)
    {
        return (sum >>> 32) + (sum & 0xFFFF_FFFFL);
    }

    private static long words(final long value)
    {
        return (value >>> 48) + ((value >>> 32) & 0xFFFF) + ((value >>> 16) & 0xFFFF) + (value & 0xFFFF);
    }
}
