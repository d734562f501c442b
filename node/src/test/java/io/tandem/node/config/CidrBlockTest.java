package io.tandem.node.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CidrBlockTest
{
    @Test
    void shouldParseIpv4HostAndNetwork()
    {
        final CidrBlock host = CidrBlock.parse("192.168.1.100");
        assertThat(host.ipVersion()).isEqualTo(4);
        assertThat(host.hi()).isZero();
        assertThat(host.lo()).isEqualTo(0xC0A80164L);
        assertThat(host.prefixLength()).isEqualTo(32);

        final CidrBlock network = CidrBlock.parse(" 10.0.0.0/8 ");
        assertThat(network.lo()).isEqualTo(0x0A000000L);
        assertThat(network.prefixLength()).isEqualTo(8);
        assertThat(network).hasToString("10.0.0.0/8");
    }

    @Test
    void shouldClearHostBitsBeyondThePrefix()
    {
        assertThat(CidrBlock.parse("10.1.2.3/8")).isEqualTo(CidrBlock.parse("10.0.0.0/8"));
        assertThat(CidrBlock.parse("255.255.255.255/0").lo()).isZero();
        assertThat(CidrBlock.parse("2001:db8:ffff:ffff:1ff:2:3:4/72"))
            .isEqualTo(CidrBlock.parse("2001:db8:ffff:ffff:100::/72"));
    }

    @Test
    void shouldParseIpv6AsTwoBigEndianHalves()
    {
        final CidrBlock block = CidrBlock.parse("2001:db8::1");
        assertThat(block.ipVersion()).isEqualTo(6);
        assertThat(block.hi()).isEqualTo(0x20010DB800000000L);
        assertThat(block.lo()).isEqualTo(1L);
        assertThat(block.prefixLength()).isEqualTo(128);

        final CidrBlock network = CidrBlock.parse("2001:db8::/32");
        assertThat(network.hi()).isEqualTo(0x20010DB800000000L);
        assertThat(network).hasToString("2001:db8:0:0:0:0:0:0/32");
        assertThat(CidrBlock.parse("::/0").prefixLength()).isZero();
    }

    @Test
    void shouldKeepIpv4MappedAddressesAsIpv6()
    {
        final CidrBlock mapped = CidrBlock.parse("::ffff:10.0.0.1");
        assertThat(mapped.ipVersion()).isEqualTo(6);
        assertThat(mapped.hi()).isZero();
        assertThat(mapped.lo()).isEqualTo(0x0000FFFF0A000001L);
    }

    @Test
    void shouldExplainAnOversizedPrefix()
    {
        assertThatThrownBy(() -> CidrBlock.parse("10.0.0.0/33"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("prefix length 33 is over 32 for IPv4");
        assertThatThrownBy(() -> CidrBlock.parse("::/129"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("prefix length 129 is over 128 for IPv6");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10.0.0", "10.0.0.0.0", "256.0.0.1", "010.0.0.1", "1.2.3.4/", "1.2.3.4/x",
        "1.2.3.4/-1", "localhost", "fe80::1%eth0", "[::1]", "1::2::3", "12345::", "1.2.3.4 /8", "a.b.c.d"})
    void shouldRejectWhatIsNotAnAddress(final String text)
    {
        assertThatThrownBy(() -> CidrBlock.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }
}
