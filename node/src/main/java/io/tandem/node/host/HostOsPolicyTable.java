package io.tandem.node.host;

import io.tandem.node.config.CidrBlock;
import io.tandem.node.config.ConfigException;
import io.tandem.node.config.TandemConfig;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Destination address to {@link HostOsPolicy}, from the {@code host-os-policy} section: the longest configured prefix
 * containing the address wins; an address under no prefix gets {@link #DEFAULT_POLICY} (BSD, as Suricata's
 * OS_POLICY_DEFAULT).
 * <p>
 * Held as two binary tries (IPv4, IPv6) in flat int arrays, built once; {@link #lookup(int, long, long)} walks at most
 * 32 or 128 nodes and allocates nothing, so it may run per packet. Immutable after construction and safe to share.
 */
public final class HostOsPolicyTable
{
    /** Policy for an address under no configured prefix. */
    public static final HostOsPolicy DEFAULT_POLICY = HostOsPolicy.BSD;

    private static final int NO_CHILD = 0;
    private static final byte NO_POLICY = -1;

    private final Trie ipv4;
    private final Trie ipv6;
    private final int prefixCount;

    private HostOsPolicyTable(final Trie ipv4, final Trie ipv6, final int prefixCount)
    {
        this.ipv4 = ipv4;
        this.ipv6 = ipv6;
        this.prefixCount = prefixCount;
    }

    /**
     * Build the table from the {@code host-os-policy.*} address lists.
     *
     * @param config the validated configuration.
     * @return the table.
     * @throws ConfigException when the same prefix is listed twice (under one policy or two), naming both entries.
     */
    public static HostOsPolicyTable fromConfig(final TandemConfig config)
    {
        final Trie ipv4 = new Trie();
        final Trie ipv6 = new Trie();
        final Map<CidrBlock, String> seen = new HashMap<>();
        for (final HostOsPolicy policy : HostOsPolicy.values())
        {
            if (!policy.configurable())
            {
                continue;
            }
            final String key = "host-os-policy." + policy.configName();
            for (final String entry : config.list(key))
            {
                final CidrBlock block = CidrBlock.parse(entry);
                final String where = key + " '" + entry + "'";
                final String previous = seen.putIfAbsent(block, where);
                if (previous != null)
                {
                    throw new ConfigException(key + ": '" + entry + "' is the same prefix " + block +
                        " as " + previous + "; list each prefix once");
                }
                final long hi = block.ipVersion() == 4 ? block.lo() << 32 : block.hi();
                final long lo = block.ipVersion() == 4 ? 0 : block.lo();
                (block.ipVersion() == 4 ? ipv4 : ipv6).insert(hi, lo, block.prefixLength(), policy);
            }
        }
        ipv4.trim();
        ipv6.trim();
        return new HostOsPolicyTable(ipv4, ipv6, seen.size());
    }

    /**
     * The policy for a destination address, as {@link io.tandem.node.decode.Packet} holds addresses. Allocates
     * nothing.
     *
     * @param ipVersion 4 or 6; any other value gets {@link #DEFAULT_POLICY}.
     * @param addrHi    high 64 bits of the address (0 for IPv4).
     * @param addrLo    low 64 bits of the address (an IPv4 address in the low 32 bits).
     * @return the policy of the longest configured prefix containing the address, else {@link #DEFAULT_POLICY}.
     */
    public HostOsPolicy lookup(final int ipVersion, final long addrHi, final long addrLo)
    {
        final int ordinal;
        if (ipVersion == 4)
        {
            ordinal = ipv4.longestMatch(addrLo << 32, 0, 32);
        }
        else if (ipVersion == 6)
        {
            ordinal = ipv6.longestMatch(addrHi, addrLo, 128);
        }
        else
        {
            ordinal = NO_POLICY;
        }
        return ordinal == NO_POLICY ? DEFAULT_POLICY : HostOsPolicy.ofOrdinal(ordinal);
    }

    /**
     * Number of configured prefixes, IPv4 and IPv6 together.
     *
     * @return the prefix count.
     */
    public int prefixCount()
    {
        return prefixCount;
    }

    private static int bit(final long hi, final long lo, final int index)
    {
        return (int)(index < 64 ? (hi >>> (63 - index)) & 1 : (lo >>> (127 - index)) & 1);
    }

    /**
     * A binary trie over a 128-bit key held in two longs, most significant bit first. Node 0 is the root; a child
     * index of 0 means no child (the root is never a child).
     */
    private static final class Trie
    {
        private int[] zero = new int[16];
        private int[] one = new int[16];
        private byte[] policy = new byte[16];
        private int nodeCount = 1;

        Trie()
        {
            policy[0] = NO_POLICY;
        }

        void insert(final long hi, final long lo, final int prefixLength, final HostOsPolicy value)
        {
            int node = 0;
            for (int i = 0; i < prefixLength; i++)
            {
                final boolean isZero = bit(hi, lo, i) == 0;
                int next = isZero ? zero[node] : one[node];
                if (next == NO_CHILD)
                {
                    next = newNode();
                    if (isZero)
                    {
                        zero[node] = next;
                    }
                    else
                    {
                        one[node] = next;
                    }
                }
                node = next;
            }
            policy[node] = (byte)value.ordinal();
        }

        private int newNode()
        {
            if (nodeCount == policy.length)
            {
                final int length = policy.length * 2;
                zero = Arrays.copyOf(zero, length);
                one = Arrays.copyOf(one, length);
                policy = Arrays.copyOf(policy, length);
            }
            final int node = nodeCount++;
            zero[node] = NO_CHILD;
            one[node] = NO_CHILD;
            policy[node] = NO_POLICY;
            return node;
        }

        void trim()
        {
            zero = Arrays.copyOf(zero, nodeCount);
            one = Arrays.copyOf(one, nodeCount);
            policy = Arrays.copyOf(policy, nodeCount);
        }

        int longestMatch(final long hi, final long lo, final int bits)
        {
            int node = 0;
            int best = policy[0];
            for (int i = 0; i < bits; i++)
            {
                node = bit(hi, lo, i) == 0 ? zero[node] : one[node];
                if (node == NO_CHILD)
                {
                    break;
                }
                if (policy[node] != NO_POLICY)
                {
                    best = policy[node];
                }
            }
            return best;
        }
    }
}
