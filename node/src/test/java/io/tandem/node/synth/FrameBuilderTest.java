package io.tandem.node.synth;

import java.io.ByteArrayOutputStream;
import java.nio.ByteOrder;
import java.util.Arrays;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.tandem.node.decode.Checksums;
import io.tandem.node.decode.Packet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FrameBuilderTest
{
    private static final int SRC = 0x0A000001;
    private static final int DST = 0x0A000002;

    private final FrameBuilder builder = new FrameBuilder();

    private static int u16(final UnsafeBuffer b, final int i)
    {
        return b.getShort(i, ByteOrder.BIG_ENDIAN) & 0xFFFF;
    }

    @Test
    void shouldBuildVlanTaggedIpv4TcpSynWithOptionsAndValidChecksums()
    {
        final byte[] payload = "hello".getBytes();
        final int length = builder.ethernet(0x020000000001L, 0x020000000002L).vlan(100)
            .ipv4(SRC, DST).ipId(0x1234).ttl(63).dontFragment(true)
            .tcp(40000, 80, 0xFFFFFFF0, 7, Packet.TH_SYN | Packet.TH_ACK, 64240)
            .mss(1460).sackPermitted().timestamps(11, 22).windowScale(7)
            .payload(payload, 0, payload.length).build();
        final UnsafeBuffer b = builder.buffer();

        assertThat(length).isEqualTo(14 + 4 + 20 + 40 + 5);
        assertThat(u16(b, 0)).isEqualTo(0x0200);
        assertThat(b.getInt(2, ByteOrder.BIG_ENDIAN)).isEqualTo(2);
        assertThat(u16(b, 12)).isEqualTo(0x8100);
        assertThat(u16(b, 14)).isEqualTo(100);
        assertThat(u16(b, 16)).isEqualTo(0x0800);
        final int ip = 18;
        assertThat(u16(b, ip + 2)).isEqualTo(20 + 40 + 5);
        assertThat(u16(b, ip + 4)).isEqualTo(0x1234);
        assertThat(u16(b, ip + 6)).isEqualTo(0x4000);
        assertThat(b.getByte(ip + 8) & 0xFF).isEqualTo(63);
        assertThat(Checksums.ipv4HeaderChecksum(b, ip, 20)).isZero();
        final int tcp = ip + 20;
        assertThat(b.getInt(tcp + 4, ByteOrder.BIG_ENDIAN)).isEqualTo(0xFFFFFFF0);
        assertThat(b.getByte(tcp + 12) & 0xF0).isEqualTo((40 / 4) << 4);
        assertThat(b.getByte(tcp + 13) & 0xFF).isEqualTo(Packet.TH_SYN | Packet.TH_ACK);
        final byte[] options = new byte[20];
        b.getBytes(tcp + 20, options);
        assertThat(options).containsExactly(
            2, 4, 0x05, (byte)0xB4, 4, 2, 8, 10, 0, 0, 0, 11, 0, 0, 0, 22, 1, 3, 3, 7);
        final long pseudo = Checksums.ipv4PseudoHeaderSum(SRC, DST, 6, 45);
        assertThat(Checksums.transportChecksum(pseudo, b, tcp, 45)).isZero();
        assertThat(builder.payloadOffset()).isEqualTo(length - 5);
    }

    @Test
    void shouldBuildSackBlocksAfterTimestamps()
    {
        builder.ethernet(1, 2).ipv4(SRC, DST).tcp(1, 2, 3, 4, Packet.TH_ACK, 5)
            .timestamps(1, 2).sackBlock(100, 200).sackBlock(300, 400).build();
        final UnsafeBuffer b = builder.buffer();
        final int tcp = builder.l4Offset();
        assertThat((b.getByte(tcp + 12) & 0xF0) >>> 4).isEqualTo((20 + 12 + 4 + 16) / 4);
        assertThat(b.getByte(tcp + 32 + 2)).isEqualTo((byte)5);
        assertThat(b.getByte(tcp + 32 + 3)).isEqualTo((byte)18);
        assertThat(b.getInt(tcp + 36, ByteOrder.BIG_ENDIAN)).isEqualTo(100);
        assertThat(b.getInt(tcp + 48, ByteOrder.BIG_ENDIAN)).isEqualTo(400);
    }

    @Test
    void shouldRejectOptionsThatDoNotFitInForty()
    {
        builder.ethernet(1, 2).ipv4(SRC, DST).tcp(1, 2, 3, 4, Packet.TH_ACK, 5).timestamps(1, 2)
            .sackBlock(1, 2).sackBlock(3, 4).sackBlock(5, 6).sackBlock(7, 8);
        assertThatThrownBy(builder::build).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldBuildQinqIpv6UdpWithValidChecksum()
    {
        final byte[] payload = "dns?".getBytes();
        final int length = builder.ethernet(1, 2).qinq(10, 20).ipv6(0xfd00L << 48, 1, 0xfd00L << 48, 2)
            .udp(5353, 53).payload(payload, 0, 4).build();
        final UnsafeBuffer b = builder.buffer();
        assertThat(u16(b, 12)).isEqualTo(0x88A8);
        assertThat(u16(b, 14)).isEqualTo(10);
        assertThat(u16(b, 16)).isEqualTo(0x8100);
        assertThat(u16(b, 18)).isEqualTo(20);
        assertThat(u16(b, 20)).isEqualTo(0x86DD);
        assertThat(length).isEqualTo(22 + 40 + 8 + 4);
        assertThat(u16(b, 22 + 4)).isEqualTo(12);
        final long pseudo = Checksums.ipv6PseudoHeaderSum(0xfd00L << 48, 1, 0xfd00L << 48, 2, 17, 12);
        assertThat(Checksums.transportChecksum(pseudo, b, 62, 12)).isZero();
    }

    @Test
    void shouldBuildIcmpEchoForBothIpVersions()
    {
        builder.ethernet(1, 2).ipv4(SRC, DST).icmpEcho(true, 7, 1).payload(new byte[] { 1, 2, 3 }, 0, 3).build();
        assertThat(builder.buffer().getByte(34)).isEqualTo((byte)8);
        assertThat(Checksums.icmpv4Checksum(builder.buffer(), 34, 11)).isZero();

        builder.ethernet(1, 2).ipv6(0, 1, 0, 2).icmpEcho(false, 7, 1).build();
        assertThat(builder.buffer().getByte(54) & 0xFF).isEqualTo(129);
        final long pseudo = Checksums.ipv6PseudoHeaderSum(0, 1, 0, 2, 58, 8);
        assertThat(Checksums.transportChecksum(pseudo, builder.buffer(), 54, 8)).isZero();
    }

    @Test
    void shouldFragmentIpv4DatagramIntoFragmentsThatReassembleToTheOriginal()
    {
        final byte[] payload = new byte[1000];
        for (int i = 0; i < payload.length; i++)
        {
            payload[i] = (byte)i;
        }
        final int length = builder.ethernet(1, 2).vlan(5).ipv4(SRC, DST).ipId(99).dontFragment(true)
            .udp(1000, 2000).payload(payload, 0, payload.length).build();
        final byte[] original = new byte[length - 38];
        builder.buffer().getBytes(38, original);

        final int dataBytes = builder.fragmentDataBytes(3);
        assertThat(dataBytes % 8).isZero();
        assertThat(builder.fragmentCount(dataBytes)).isEqualTo(3);
        final UnsafeBuffer fragment = new UnsafeBuffer(new byte[2048]);
        final ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (int k = 0; k < 3; k++)
        {
            final int fragmentLength = builder.fragment(k, dataBytes, fragment, 0);
            assertThat(u16(fragment, 12)).isEqualTo(0x8100);
            assertThat(u16(fragment, 14)).isEqualTo(5);
            final int ip = 18;
            assertThat(Checksums.ipv4HeaderChecksum(fragment, ip, 20)).isZero();
            assertThat(u16(fragment, ip + 4)).isEqualTo(99);
            final int flags = u16(fragment, ip + 6);
            assertThat((flags & 0x1FFF) * 8).isEqualTo(k * dataBytes);
            assertThat((flags & 0x2000) != 0).isEqualTo(k < 2);
            assertThat(flags & 0x4000).isZero();
            final int total = u16(fragment, ip + 2);
            assertThat(fragmentLength).isEqualTo(ip + total);
            final byte[] data = new byte[total - 20];
            fragment.getBytes(ip + 20, data);
            joined.writeBytes(data);
        }
        assertThat(joined.toByteArray()).isEqualTo(original);
        final long pseudo = Checksums.ipv4PseudoHeaderSum(SRC, DST, 17, original.length);
        assertThat(Checksums.transportChecksum(pseudo, new UnsafeBuffer(joined.toByteArray()), 0, original.length))
            .isZero();
    }

    @Test
    void shouldFragmentIpv6WithFragmentHeaders()
    {
        final byte[] payload = new byte[500];
        Arrays.fill(payload, (byte)'x');
        final int length = builder.ethernet(1, 2).ipv6(0, 1, 0, 2).ipId(0xCAFEBABE)
            .tcp(1, 2, 3, 4, Packet.TH_ACK, 5).payload(payload, 0, payload.length).build();
        final byte[] original = new byte[length - 54];
        builder.buffer().getBytes(54, original);
        final int dataBytes = builder.fragmentDataBytes(2);
        final UnsafeBuffer fragment = new UnsafeBuffer(new byte[2048]);
        final ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (int k = 0; k < builder.fragmentCount(dataBytes); k++)
        {
            final int fragmentLength = builder.fragment(k, dataBytes, fragment, 0);
            assertThat(fragment.getByte(14 + 6) & 0xFF).isEqualTo(44);
            final int payloadLength = u16(fragment, 18);
            assertThat(fragmentLength).isEqualTo(54 + payloadLength);
            assertThat(fragment.getByte(54) & 0xFF).isEqualTo(6);
            final int field = u16(fragment, 56);
            assertThat(field & 0xFFF8).isEqualTo(k * dataBytes);
            assertThat(field & 1).isEqualTo(k == 0 ? 1 : 0);
            assertThat(fragment.getInt(58, ByteOrder.BIG_ENDIAN)).isEqualTo(0xCAFEBABE);
            final byte[] data = new byte[payloadLength - 8];
            fragment.getBytes(62, data);
            joined.writeBytes(data);
        }
        assertThat(joined.toByteArray()).isEqualTo(original);
    }

    @Test
    void shouldBuildHandMadeRawFragment()
    {
        builder.ethernet(1, 2).ipv4(SRC, DST).ipId(5).ipv4Fragment(16, false).raw(6)
            .payload(new byte[] { 1, 2, 3, 4 }, 0, 4).build();
        final UnsafeBuffer b = builder.buffer();
        assertThat(u16(b, 14 + 6)).isEqualTo(2);
        assertThat(b.getByte(14 + 9)).isEqualTo((byte)6);
        assertThat(Checksums.ipv4HeaderChecksum(b, 14, 20)).isZero();
        assertThat(builder.frameLength()).isEqualTo(14 + 20 + 4);
    }
}
