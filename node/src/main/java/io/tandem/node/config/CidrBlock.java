package io.tandem.node.config;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * An IPv4 or IPv6 network: an address with a prefix length, held as {@link io.tandem.node.decode.Packet} holds
 * addresses (an IPv4 address in the low 32 bits of {@link #lo()} with {@link #hi()} zero; an IPv6 address as two
 * big-endian 64-bit halves). Host bits beyond the prefix are cleared, as Suricata masks them.
 * <p>
 * Accepted text: a dotted-quad IPv4 address ({@code 10.0.0.1}, no leading zeros), an IPv6 literal without brackets or
 * zone ({@code 2001:db8::1}, {@code ::ffff:10.0.0.1}), each optionally followed by {@code /prefix}. Without a prefix
 * the block is one host (/32 or /128). Nothing is looked up in DNS.
 */
public final class CidrBlock
{
    private final int ipVersion;
    private final long hi;
    private final long lo;
    private final int prefixLength;

    private CidrBlock(final int ipVersion, final long hi, final long lo, final int prefixLength)
    {
        this.ipVersion = ipVersion;
        this.hi = hi;
        this.lo = lo;
        this.prefixLength = prefixLength;
    }

    /**
     * Parse an address or CIDR block.
     *
     * @param text the address, optionally with {@code /prefix}.
     * @return the block with host bits cleared.
     * @throws IllegalArgumentException saying what is wrong with the text.
     */
    public static CidrBlock parse(final String text)
    {
        final String trimmed = text.trim();
        final int slash = trimmed.indexOf('/');
        final String address = slash < 0 ? trimmed : trimmed.substring(0, slash);
        final boolean v6 = address.indexOf(':') >= 0;
        final int maxPrefix = v6 ? 128 : 32;
        int prefix = maxPrefix;
        if (slash >= 0)
        {
            final String prefixText = trimmed.substring(slash + 1);
            if (prefixText.isEmpty() || prefixText.length() > 3 || !allDigits(prefixText))
            {
                throw new IllegalArgumentException("prefix length '" + prefixText + "' is not a number");
            }
            prefix = Integer.parseInt(prefixText);
            if (prefix > maxPrefix)
            {
                throw new IllegalArgumentException(
                    "prefix length " + prefix + " is over " + maxPrefix + " for " + (v6 ? "IPv6" : "IPv4"));
            }
        }

        if (v6)
        {
            return ipv6(address, prefix);
        }
        return new CidrBlock(4, 0, parseIpv4(address) & mask32(prefix), prefix);
    }

    private static CidrBlock ipv6(final String address, final int prefix)
    {
        if (address.indexOf('%') >= 0 || address.indexOf('[') >= 0 || address.indexOf(']') >= 0)
        {
            throw new IllegalArgumentException("'" + address + "' is not a plain IPv6 address (no brackets, no zone)");
        }
        final InetAddress parsed;
        try
        {
            parsed = Inet6Address.ofLiteral(address);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("'" + address + "' is not an IPv6 address");
        }
        long hi = 0;
        long lo = 0;
        if (parsed instanceof Inet4Address)
        {
            // The JDK returns IPv4-mapped literals (::ffff:a.b.c.d) as IPv4; keep them IPv6 as the decoder sees them.
            lo = 0xFFFF_0000_0000L | (bytesToLong(parsed.getAddress(), 0, 4) & 0xFFFF_FFFFL);
        }
        else
        {
            final byte[] bytes = parsed.getAddress();
            hi = bytesToLong(bytes, 0, 8);
            lo = bytesToLong(bytes, 8, 8);
        }
        final long hiMask = prefix >= 64 ? -1L : (prefix == 0 ? 0 : -1L << (64 - prefix));
        final long loMask = prefix <= 64 ? 0 : (prefix == 128 ? -1L : -1L << (128 - prefix));
        return new CidrBlock(6, hi & hiMask, lo & loMask, prefix);
    }

    private static long parseIpv4(final String address)
    {
        final String[] parts = address.split("\\.", -1);
        if (parts.length != 4)
        {
            throw new IllegalArgumentException("'" + address + "' is not an IPv4 address (want a.b.c.d)");
        }
        long value = 0;
        for (final String part : parts)
        {
            if (part.isEmpty() || part.length() > 3 || !allDigits(part) || (part.length() > 1 && part.charAt(0) == '0'))
            {
                throw new IllegalArgumentException("'" + address + "' is not an IPv4 address (want a.b.c.d)");
            }
            final int octet = Integer.parseInt(part);
            if (octet > 255)
            {
                throw new IllegalArgumentException("'" + address + "' is not an IPv4 address (octet " + octet + ")");
            }
            value = (value << 8) | octet;
        }
        return value;
    }

    private static long mask32(final int prefix)
    {
        return prefix == 0 ? 0 : (0xFFFF_FFFFL << (32 - prefix)) & 0xFFFF_FFFFL;
    }

    private static boolean allDigits(final String text)
    {
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c < '0' || c > '9')
            {
                return false;
            }
        }
        return true;
    }

    private static long bytesToLong(final byte[] bytes, final int offset, final int length)
    {
        long value = 0;
        for (int i = offset; i < offset + length; i++)
        {
            value = (value << 8) | (bytes[i] & 0xFF);
        }
        return value;
    }

    /**
     * IP version of the block.
     *
     * @return 4 or 6.
     */
    public int ipVersion()
    {
        return ipVersion;
    }

    /**
     * High 64 bits of the network address (0 for IPv4).
     *
     * @return the high half, host bits cleared.
     */
    public long hi()
    {
        return hi;
    }

    /**
     * Low 64 bits of the network address (an IPv4 address in the low 32 bits).
     *
     * @return the low half, host bits cleared.
     */
    public long lo()
    {
        return lo;
    }

    /**
     * Number of leading bits that are the network.
     *
     * @return 0..32 for IPv4, 0..128 for IPv6.
     */
    public int prefixLength()
    {
        return prefixLength;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public boolean equals(final Object other)
    {
        return other instanceof CidrBlock that && ipVersion == that.ipVersion && hi == that.hi && lo == that.lo &&
            prefixLength == that.prefixLength;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int hashCode()
    {
        return Long.hashCode(hi) * 31 * 31 + Long.hashCode(lo) * 31 + prefixLength * 8 + ipVersion;
    }

    /**
     * The network in canonical form: {@code 10.0.0.0/8}, {@code 2001:db8:0:0:0:0:0:0/32}.
     *
     * @return the canonical text, always with a prefix length.
     */
    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder(48);
        if (ipVersion == 4)
        {
            sb.append((lo >>> 24) & 0xFF).append('.').append((lo >>> 16) & 0xFF).append('.')
                .append((lo >>> 8) & 0xFF).append('.').append(lo & 0xFF);
        }
        else
        {
            for (int i = 0; i < 8; i++)
            {
                final long half = i < 4 ? hi : lo;
                final int shift = 48 - 16 * (i & 3);
                if (i > 0)
                {
                    sb.append(':');
                }
                sb.append(Long.toHexString((half >>> shift) & 0xFFFF));
            }
        }
        return sb.append('/').append(prefixLength).toString();
    }
}
