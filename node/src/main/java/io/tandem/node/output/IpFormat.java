package io.tandem.node.output;

/**
 * Text forms of addresses as Packet and Flow hold them: dotted quad for IPv4, RFC 5952 for IPv6 (lower case, the
 * longest run of two or more zero groups compressed to "::"), as Suricata prints them.
 */
public final class IpFormat
{
    private IpFormat()
    {
    }

    /**
     * Append an address.
     *
     * @param sb        to append to.
     * @param ipVersion 4 or 6.
     * @param hi        high 64 bits (0 for IPv4).
     * @param lo        low 64 bits (IPv4 in the low 32).
     * @return sb.
     */
    public static StringBuilder append(final StringBuilder sb, final int ipVersion, final long hi, final long lo)
    {
        if (ipVersion == 4)
        {
            return sb.append((lo >>> 24) & 0xFF).append('.').append((lo >>> 16) & 0xFF).append('.')
                .append((lo >>> 8) & 0xFF).append('.').append(lo & 0xFF);
        }

        int bestStart = -1;
        int bestLength = 1;
        int runStart = -1;
        for (int i = 0; i < 8; i++)
        {
            if (group(hi, lo, i) == 0)
            {
                if (runStart < 0)
                {
                    runStart = i;
                }
                if (i - runStart + 1 > bestLength)
                {
                    bestStart = runStart;
                    bestLength = i - runStart + 1;
                }
            }
            else
            {
                runStart = -1;
            }
        }

        for (int i = 0; i < 8; i++)
        {
            if (i == bestStart)
            {
                sb.append("::");
                i += bestLength - 1;
                continue;
            }
            if (i > 0 && i != bestStart + bestLength)
            {
                sb.append(':');
            }
            sb.append(Integer.toHexString(group(hi, lo, i)));
        }
        return sb;
    }

    /**
     * An address as a new string (off the hot path).
     *
     * @param ipVersion 4 or 6.
     * @param hi        high 64 bits.
     * @param lo        low 64 bits.
     * @return the text form.
     */
    public static String toString(final int ipVersion, final long hi, final long lo)
    {
        return append(new StringBuilder(40), ipVersion, hi, lo).toString();
    }

    private static int group(final long hi, final long lo, final int index)
    {
        final long half = index < 4 ? hi : lo;
        return (int)(half >>> (48 - 16 * (index & 3))) & 0xFFFF;
    }
}
