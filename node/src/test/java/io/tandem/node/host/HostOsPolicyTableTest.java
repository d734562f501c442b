package io.tandem.node.host;

import io.tandem.node.config.CidrBlock;
import io.tandem.node.config.ConfigException;
import io.tandem.node.config.TandemConfig;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HostOsPolicyTableTest
{
    private static HostOsPolicyTable table(final String... sets)
    {
        return HostOsPolicyTable.fromConfig(TandemConfig.load(null, List.of(sets)));
    }

    private static long v4(final String address)
    {
        return CidrBlock.parse(address).lo();
    }

    private static HostOsPolicy lookup(final HostOsPolicyTable table, final String address)
    {
        final CidrBlock block = CidrBlock.parse(address);
        return table.lookup(block.ipVersion(), block.hi(), block.lo());
    }

    @Test
    void shouldReturnBsdWhenNothingIsConfigured()
    {
        final HostOsPolicyTable table = HostOsPolicyTable.fromConfig(TandemConfig.defaults());
        assertThat(table.prefixCount()).isZero();
        assertThat(table.lookup(4, 0, v4("10.0.0.1"))).isEqualTo(HostOsPolicy.BSD);
        assertThat(lookup(table, "2001:db8::1")).isEqualTo(HostOsPolicy.BSD);
        assertThat(table.lookup(0, 0, 0)).isEqualTo(HostOsPolicyTable.DEFAULT_POLICY);
    }

    @Test
    void shouldPreferTheLongestOfNestedIpv4Prefixes()
    {
        final HostOsPolicyTable table = table(
            "host-os-policy.windows=[10.0.0.0/8]",
            "host-os-policy.linux=[10.1.0.0/16]",
            "host-os-policy.solaris=[10.1.2.0/24]",
            "host-os-policy.macos=[10.1.2.3]");
        assertThat(table.lookup(4, 0, v4("10.9.9.9"))).isEqualTo(HostOsPolicy.WINDOWS);
        assertThat(table.lookup(4, 0, v4("10.1.9.9"))).isEqualTo(HostOsPolicy.LINUX);
        assertThat(table.lookup(4, 0, v4("10.1.2.4"))).isEqualTo(HostOsPolicy.SOLARIS);
        assertThat(table.lookup(4, 0, v4("10.1.2.3"))).isEqualTo(HostOsPolicy.MACOS);
        assertThat(table.lookup(4, 0, v4("11.0.0.0"))).isEqualTo(HostOsPolicy.BSD);
        assertThat(table.lookup(4, 0, v4("9.255.255.255"))).isEqualTo(HostOsPolicy.BSD);
    }

    @Test
    void shouldMatchEveryIpv4AddressWithSlashZeroButKeepIpv6Separate()
    {
        final HostOsPolicyTable table = table("host-os-policy.vista=[0.0.0.0/0]", "host-os-policy.irix=[1.2.3.4/32]");
        assertThat(table.lookup(4, 0, 0)).isEqualTo(HostOsPolicy.VISTA);
        assertThat(table.lookup(4, 0, 0xFFFF_FFFFL)).isEqualTo(HostOsPolicy.VISTA);
        assertThat(table.lookup(4, 0, v4("1.2.3.4"))).isEqualTo(HostOsPolicy.IRIX);
        assertThat(table.lookup(4, 0, v4("1.2.3.5"))).isEqualTo(HostOsPolicy.VISTA);
        assertThat(lookup(table, "::")).isEqualTo(HostOsPolicy.BSD);
        assertThat(lookup(table, "::1.2.3.4")).isEqualTo(HostOsPolicy.BSD);
    }

    @Test
    void shouldPreferTheLongestOfNestedIpv6Prefixes()
    {
        final HostOsPolicyTable table = table(
            "host-os-policy.hpux10=[\"::/0\"]",
            "host-os-policy.hpux11=[\"2001:db8::/32\"]",
            "host-os-policy.old-linux=[\"2001:db8:0:1::/64\"]",
            "host-os-policy.old-solaris=[\"2001:db8:0:1:ff00::/72\"]",
            "host-os-policy.windows2k3=[\"2001:db8:0:1:ff00::7\"]");
        assertThat(lookup(table, "fe80::1")).isEqualTo(HostOsPolicy.HPUX10);
        assertThat(lookup(table, "2001:db8:ffff::1")).isEqualTo(HostOsPolicy.HPUX11);
        assertThat(lookup(table, "2001:db8:0:1::1")).isEqualTo(HostOsPolicy.OLD_LINUX);
        assertThat(lookup(table, "2001:db8:0:1:ffff::1")).isEqualTo(HostOsPolicy.OLD_SOLARIS);
        assertThat(lookup(table, "2001:db8:0:1:ff00::7")).isEqualTo(HostOsPolicy.WINDOWS2K3);
        assertThat(lookup(table, "2001:db8:0:1:ff00::8")).isEqualTo(HostOsPolicy.OLD_SOLARIS);
        assertThat(lookup(table, "2001:db8:0:1:fe00::8")).isEqualTo(HostOsPolicy.OLD_LINUX);
        assertThat(table.lookup(4, 0, v4("10.0.0.1"))).isEqualTo(HostOsPolicy.BSD);
    }

    @Test
    void shouldMatchAnIpv4MappedEntryOnlyForIpv6Packets()
    {
        final HostOsPolicyTable table = table("host-os-policy.linux=[\"::ffff:10.0.0.0/104\"]");
        assertThat(lookup(table, "::ffff:10.1.2.3")).isEqualTo(HostOsPolicy.LINUX);
        assertThat(table.lookup(4, 0, v4("10.1.2.3"))).isEqualTo(HostOsPolicy.BSD);
    }

    @Test
    void shouldRejectTheSamePrefixListedTwiceNamingBoth()
    {
        assertThatThrownBy(() -> table("host-os-policy.windows=[10.0.0.0/8]", "host-os-policy.linux=[10.0.0.1/8]"))
            .isInstanceOf(ConfigException.class)
            .hasMessage("host-os-policy.linux: '10.0.0.1/8' is the same prefix 10.0.0.0/8 as " +
                "host-os-policy.windows '10.0.0.0/8'; list each prefix once");
        assertThatThrownBy(() -> table("host-os-policy.bsd=[\"2001:db8::1\", \"2001:DB8:0::1/128\"]"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("host-os-policy.bsd '2001:db8::1'")
            .hasMessageStartingWith("host-os-policy.bsd: '2001:DB8:0::1/128' is the same prefix");
    }

    @Test
    void shouldAgreeWithALinearLongestPrefixScan()
    {
        final Random random = new Random(20240611);
        final HostOsPolicy[] policies = HostOsPolicy.values();
        final List<String> sets = new ArrayList<>();
        final List<CidrBlock> blocks = new ArrayList<>();
        final List<HostOsPolicy> owners = new ArrayList<>();
        for (int p = 0; p < 13; p++)
        {
            final List<String> entries = new ArrayList<>();
            for (int i = 0; i < 20; i++)
            {
                final int length = random.nextInt(33);
                final long address = (0x0A000000L | random.nextInt(1 << 24)) & 0xFFFF_FFFFL;
                final CidrBlock block = CidrBlock.parse(
                    (address >>> 24) + "." + ((address >>> 16) & 255) + "." + ((address >>> 8) & 255) + "." +
                    (address & 255) + "/" + length);
                if (!blocks.contains(block))
                {
                    blocks.add(block);
                    owners.add(policies[p]);
                    entries.add(block.toString());
                }
            }
            sets.add("host-os-policy." + policies[p].configName() + "=[" + String.join(", ", entries) + "]");
        }
        final HostOsPolicyTable table = HostOsPolicyTable.fromConfig(TandemConfig.load(null, sets));
        assertThat(table.prefixCount()).isEqualTo(blocks.size());

        for (int i = 0; i < 20_000; i++)
        {
            final long address = (i % 2 == 0 ? 0x0A000000L | random.nextInt(1 << 24) : random.nextInt()) &
                0xFFFF_FFFFL;
            HostOsPolicy expected = HostOsPolicyTable.DEFAULT_POLICY;
            int bestLength = -1;
            for (int b = 0; b < blocks.size(); b++)
            {
                final CidrBlock block = blocks.get(b);
                final long mask = block.prefixLength() == 0 ? 0 : (0xFFFF_FFFFL << (32 - block.prefixLength()));
                if ((address & mask & 0xFFFF_FFFFL) == block.lo() && block.prefixLength() > bestLength)
                {
                    bestLength = block.prefixLength();
                    expected = owners.get(b);
                }
            }
            assertThat(table.lookup(4, 0, address)).as(Long.toHexString(address)).isEqualTo(expected);
        }
    }

    @Test
    void shouldNotAllocateOnLookup()
    {
        final HostOsPolicyTable table = table(
            "host-os-policy.linux=[10.0.0.0/8, \"2001:db8::/32\"]", "host-os-policy.windows=[10.1.0.0/16]");
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long v6Hi = 0x20010DB800000000L;
        int sink = 0;
        for (int i = 0; i < 200_000; i++)
        {
            sink += table.lookup(4, 0, 0x0A010000L + i).ordinal() + table.lookup(6, v6Hi, i).ordinal();
        }
        final long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 200_000; i++)
        {
            sink += table.lookup(4, 0, 0x0A010000L + i).ordinal() + table.lookup(6, v6Hi, i).ordinal();
        }
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(sink).isPositive();
        assertThat(allocated).as("bytes allocated by 400k lookups").isLessThan(4096);
    }
}
