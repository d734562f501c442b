package io.tandem.node.decode;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static io.tandem.node.decode.TestFrames.concat;
import static io.tandem.node.decode.TestFrames.ethernet;
import static io.tandem.node.decode.TestFrames.hex;
import static io.tandem.node.decode.TestFrames.icmp;
import static io.tandem.node.decode.TestFrames.ipv4;
import static io.tandem.node.decode.TestFrames.ipv6;
import static io.tandem.node.decode.TestFrames.tcp;
import static io.tandem.node.decode.TestFrames.u16;
import static io.tandem.node.decode.TestFrames.u32;
import static io.tandem.node.decode.TestFrames.udp;
import static io.tandem.node.decode.TestFrames.vlanTag;
import static org.assertj.core.api.Assertions.assertThat;

class PacketDecoderTest
{
    private static final byte[] NO_OPTIONS = new byte[0];
    private static final byte[] HELLO = "hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private PacketDecoder decoder = new PacketDecoder(new DecodeContext());
    private final Packet p = new Packet();

    private boolean decode(final int linkType, final byte[] frame)
    {
        return decode(linkType, frame, frame.length, frame.length);
    }

    private boolean decode(final int linkType, final byte[] frame, final int captured, final int wire)
    {
        p.buffer.wrap(frame);
        p.capturedLength = captured;
        p.wireLength = wire;
        p.linkType = linkType;
        p.reset();
        return decoder.decode(p);
    }

    private Map<String, Long> stats()
    {
        final Map<String, Long> stats = new HashMap<>();
        decoder.reportStats(stats::put);
        return stats;
    }

    private static byte[] tcp4Frame()
    {
        return ethernet(0x0800, ipv4(6, tcp(NO_OPTIONS, HELLO)));
    }

    private void assertTcp4Hello(final int l3Offset)
    {
        assertThat(p.invalid).isFalse();
        assertThat(p.ipVersion).isEqualTo(4);
        assertThat(p.l3Offset).isEqualTo(l3Offset);
        assertThat(p.srcLo).isEqualTo(TestFrames.SRC4);
        assertThat(p.dstLo).isEqualTo(TestFrames.DST4);
        assertThat(p.isTcp()).isTrue();
        assertThat(p.srcPort).isEqualTo(1234);
        assertThat(p.dstPort).isEqualTo(80);
        assertThat(p.payloadLength).isEqualTo(5);
        assertThat(p.buffer.getByte(p.payloadOffset)).isEqualTo((byte)'h');
        assertThat(p.checksumInvalid).isFalse();
    }

    // ---- link layers -------------------------------------------------------------------------------------------

    @Test
    void shouldDecodeEthernetIpv4Tcp()
    {
        assertThat(decode(LinkType.ETHERNET, tcp4Frame())).isTrue();
        assertTcp4Hello(14);
        assertThat(p.l3HeaderLength).isEqualTo(20);
        assertThat(p.ipTotalLength).isEqualTo(45);
        assertThat(p.l4Offset).isEqualTo(34);
        assertThat(p.l4HeaderLength).isEqualTo(20);
        assertThat(p.seq).isEqualTo(1000);
        assertThat(p.ack).isEqualTo(2000);
        assertThat(p.tcpFlags).isEqualTo(Packet.TH_ACK | Packet.TH_PSH);
        assertThat(p.window).isEqualTo(65535);
        assertThat(p.ttl).isEqualTo(64);
        assertThat(p.ipId).isEqualTo(0x1234);
        assertThat(p.fragment).isFalse();
        assertThat(p.eventCount).isZero();
        final Map<String, Long> stats = stats();
        assertThat(stats).containsEntry("decoder.pkts", 1L).containsEntry("decoder.bytes", 59L)
            .containsEntry("decoder.ethernet", 1L).containsEntry("decoder.ipv4", 1L).containsEntry("decoder.tcp", 1L)
            .containsEntry("decoder.invalid", 0L).containsEntry("decoder.checksum.tcp_invalid", 0L);
    }

    @Test
    void shouldRecordStackedVlanIdsOutermostFirst()
    {
        final byte[] frame = ethernet(0x88a8, concat(vlanTag(100, 0x8100), vlanTag(0x2000 | 200, 0x9100),
            vlanTag(300, 0x0800), ipv4(6, tcp(NO_OPTIONS, HELLO))));
        assertThat(decode(LinkType.ETHERNET, frame)).isTrue();
        assertTcp4Hello(26);
        assertThat(p.vlanCount).isEqualTo(3);
        assertThat(p.vlanIds).containsExactly(100, 200, 300);
        assertThat(stats()).containsEntry("decoder.vlan", 1L).containsEntry("decoder.vlan_qinq", 1L)
            .containsEntry("decoder.vlan_qinqinq", 1L);
    }

    @Test
    void shouldRaiseTooManyVlanLayers()
    {
        final byte[] frame = ethernet(0x8100, concat(vlanTag(1, 0x8100), vlanTag(2, 0x8100), vlanTag(3, 0x8100),
            vlanTag(4, 0x0800), ipv4(6, tcp(NO_OPTIONS, HELLO))));
        assertThat(decode(LinkType.ETHERNET, frame)).isFalse();
        assertThat(p.hasEvent(DecoderEvent.VLAN_TOO_MANY_LAYERS)).isTrue();
        assertThat(p.invalid).isTrue();
        assertThat(stats()).containsEntry("decoder.event.vlan.too_many_layers", 1L)
            .containsEntry("decoder.invalid", 1L);
    }

    @Test
    void shouldDecodeMplsLabelStackByVersionNibbleAndExplicitNull()
    {
        final byte[] twoLabels = ethernet(0x8847, concat(u32((1000 << 12) | 64), u32((2000 << 12) | 0x100 | 64),
            ipv4(6, tcp(NO_OPTIONS, HELLO))));
        assertThat(decode(LinkType.ETHERNET, twoLabels)).isTrue();
        assertTcp4Hello(22);

        final byte[] ipv6Null = ethernet(0x8848, concat(u32((2 << 12) | 0x100 | 64), ipv6(17, udp(1, 2, HELLO))));
        assertThat(decode(LinkType.ETHERNET, ipv6Null)).isTrue();
        assertThat(p.ipVersion).isEqualTo(6);
        assertThat(p.isUdp()).isTrue();
        assertThat(p.checksumInvalid).isFalse();

        final byte[] reserved = ethernet(0x8847, concat(u32((5 << 12) | 0x100 | 64), ipv4(6, tcp(NO_OPTIONS, HELLO))));
        assertThat(decode(LinkType.ETHERNET, reserved)).isTrue();
        assertThat(p.hasEvent(DecoderEvent.MPLS_BAD_LABEL_RESERVED)).isTrue();

        final byte[] unknown = ethernet(0x8847, concat(u32((5000 << 12) | 0x100 | 64), hex("ff00ff00")));
        assertThat(decode(LinkType.ETHERNET, unknown)).isFalse();
        assertThat(p.hasEvent(DecoderEvent.MPLS_UNKNOWN_PAYLOAD_TYPE)).isTrue();
        assertThat(stats()).containsEntry("decoder.mpls", 4L);
    }

    @Test
    void shouldDecodeBsdNullInEitherHostOrderAndLoopInNetworkOrder()
    {
        assertThat(decode(LinkType.NULL, concat(hex("02000000"), ipv4(6, tcp(NO_OPTIONS, HELLO))))).isTrue();
        assertTcp4Hello(4);
        assertThat(decode(LinkType.NULL, concat(hex("00000002"), ipv4(6, tcp(NO_OPTIONS, HELLO))))).isTrue();
        assertTcp4Hello(4);
        for (final int family : new int[]{ 24, 28, 30 })
        {
            assertThat(decode(LinkType.NULL, concat(new byte[]{ (byte)family, 0, 0, 0 },
                ipv6(6, tcp(NO_OPTIONS, HELLO))))).isTrue();
            assertThat(p.ipVersion).isEqualTo(6);
            assertThat(p.isTcp()).isTrue();
        }
        assertThat(decode(LinkType.LOOP, concat(hex("00000018"), ipv6(6, tcp(NO_OPTIONS, HELLO))))).isTrue();
        assertThat(p.ipVersion).isEqualTo(6);
        assertThat(p.l3Offset).isEqualTo(4);
        assertThat(decode(LinkType.LOOP, concat(hex("00000007"), ipv6(6, tcp(NO_OPTIONS, HELLO))))).isFalse();
        assertThat(p.hasEvent(DecoderEvent.LTNULL_UNSUPPORTED_TYPE)).isTrue();
        assertThat(stats()).containsEntry("decoder.null", 7L);
    }

    @Test
    void shouldDecodeRawAndIpLinkTypes()
    {
        for (final int linkType : new int[]{ LinkType.RAW, LinkType.RAW_DLT_12, LinkType.RAW_DLT_14, LinkType.IPV4 })
        {
            assertThat(decode(linkType, ipv4(6, tcp(NO_OPTIONS, HELLO)))).isTrue();
            assertTcp4Hello(0);
        }
        assertThat(decode(LinkType.RAW, ipv6(6, tcp(NO_OPTIONS, HELLO)))).isTrue();
        assertThat(p.ipVersion).isEqualTo(6);
        assertThat(decode(LinkType.IPV6, ipv6(6, tcp(NO_OPTIONS, HELLO)))).isTrue();
        assertThat(p.srcHi).isEqualTo(TestFrames.V6_HI);
        assertThat(p.srcLo).isEqualTo(1);
        assertThat(p.dstLo).isEqualTo(2);
        assertThat(p.l3HeaderLength).isEqualTo(40);
        assertThat(p.l4Offset).isEqualTo(40);

        final byte[] wrong = ipv4(6, tcp(NO_OPTIONS, HELLO));
        wrong[0] = 0x55;
        assertThat(decode(LinkType.RAW, wrong)).isFalse();
        assertThat(p.hasEvent(DecoderEvent.IPRAW_INVALID_IP_VERSION)).isTrue();
        assertThat(decode(LinkType.IPV4, wrong)).isFalse();
        assertThat(p.hasEvent(DecoderEvent.IPV4_WRONG_IP_VERSION)).isTrue();
        assertThat(stats()).containsEntry("decoder.raw", 5L);
    }

    @Test
    void shouldDecodeLinuxCookedCaptures()
    {
        final byte[] sll = concat(hex("0000 0001 0006 000000000001 0000"), u16(0x0800),
            ipv4(6, tcp(NO_OPTIONS, HELLO)));
        assertThat(decode(LinkType.LINUX_SLL, sll)).isTrue();
        assertTcp4Hello(16);
        final byte[] sll2 = concat(u16(0x86dd), hex("0000 00000002 0001 00 06 000000000001 0000"),
            ipv6(17, udp(53, 1053, HELLO)));
        assertThat(decode(LinkType.LINUX_SLL2, sll2)).isTrue();
        assertThat(p.l3Offset).isEqualTo(20);
        assertThat(p.isUdp()).isTrue();
        assertThat(p.srcPort).isEqualTo(53);
        assertThat(decode(LinkType.LINUX_SLL2, hex("86dd0000"))).isFalse();
        assertThat(p.hasEvent(DecoderEvent.SLL_PKT_TOO_SMALL)).isTrue();
        assertThat(stats()).containsEntry("decoder.sll", 3L);
    }

    @Test
    void shouldDecodePppWithAndWithoutAddressAndControl()
    {
        assertThat(decode(LinkType.PPP, concat(hex("ff03 0021"), ipv4(6, tcp(NO_OPTIONS, HELLO))))).isTrue();
        assertTcp4Hello(4);
        assertThat(decode(LinkType.PPP, concat(hex("0021"), ipv4(6, tcp(NO_OPTIONS, HELLO))))).isTrue();
        assertTcp4Hello(2);
        assertThat(decode(LinkType.PPP, concat(hex("ff03 0057"), ipv6(6, tcp(NO_OPTIONS, HELLO))))).isTrue();
        assertThat(p.ipVersion).isEqualTo(6);
        assertThat(decode(LinkType.PPP, hex("ff03 c021 0101 0004"))).isFalse();
        assertThat(p.hasEvent(DecoderEvent.PPP_UNSUP_PROTO)).isTrue();
        assertThat(p.invalid).isFalse();
        assertThat(decode(LinkType.PPP, hex("ff03 1234 0101 0004"))).isFalse();
        assertThat(p.hasEvent(DecoderEvent.PPP_WRONG_TYPE)).isTrue();
        assertThat(decode(LinkType.PPP, hex("ff03 0021 4500"))).isFalse();
        assertThat(p.hasEvent(DecoderEvent.PPP_IP4_PKT_TOO_SMALL)).isTrue();
        assertThat(stats()).containsEntry("decoder.ppp", 6L);
    }

    @Test
    void shouldDecodeNflogPayloadTlvAfterAlignedTlvs()
    {
        final byte[] packet = ipv4(6, tcp(NO_OPTIONS, HELLO));
        final byte[] prefix = hex("0500 0a00 41 000000");
        final byte[] payloadTlv = concat(
            new byte[]{ (byte)(packet.length + 4), (byte)((packet.length + 4) >>> 8), 9, 0 }, packet);
        final byte[] frame = concat(hex("02 00 0000"), hex("0800 0100 0800 0000"), prefix, payloadTlv);
        assertThat(decode(LinkType.NFLOG, frame)).isTrue();
        assertTcp4Hello(24);
        assertThat(decode(LinkType.NFLOG, concat(hex("02 00 0000"), hex("0800 0100 0800 0000")))).isFalse();
        assertThat(decode(LinkType.NFLOG, concat(hex("02 00 0000"), hex("ff00 0100 0800 0000")))).isFalse();
        assertThat(p.invalid).isTrue();
        assertThat(stats()).containsEntry("decoder.nflog", 3L);
    }

    @Test
    void shouldCountUnknownEthertypeAndArp()
    {
        assertThat(decode(LinkType.ETHERNET, ethernet(0x0806, new byte[28]))).isFalse();
        assertThat(p.eventCount).isZero();
        assertThat(decode(LinkType.ETHERNET, ethernet(0x88cc, new byte[28]))).isFalse();
        assertThat(p.hasEvent(DecoderEvent.ETHERNET_UNKNOWN_ETHERTYPE)).isTrue();
        assertThat(stats()).containsEntry("decoder.arp", 1L).containsEntry("decoder.unknown_ethertype", 1L);
    }

    // ---- tunnels -----------------------------------------------------------------------------------------------

    @Test
    void shouldDecodeGreVersion0WithChecksumKeyAndSequence()
    {
        final byte[] inner = ipv6(17, udp(5000, 6000, HELLO));
        final byte[] gre = concat(hex("b000 86dd"), hex("0000 0000"), hex("0000 0007"), hex("0000 0001"), inner);
        final byte[] frame = ethernet(0x0800, ipv4(47, gre));
        assertThat(decode(LinkType.ETHERNET, frame)).isTrue();
        assertThat(p.ipVersion).isEqualTo(6);
        assertThat(p.l3Offset).isEqualTo(14 + 20 + 16);
        assertThat(p.isUdp()).isTrue();
        assertThat(p.srcPort).isEqualTo(5000);
        assertThat(p.payloadLength).isEqualTo(5);
        assertThat(p.layerCount).isEqualTo(4);
        assertThat(stats()).containsEntry("decoder.gre", 1L).containsEntry("decoder.ipv4", 1L)
            .containsEntry("decoder.ipv6", 1L);
    }

    @Test
    void shouldDecodeGreTransparentEthernetAndPpp()
    {
        final byte[] teb = concat(hex("0000 6558"), ethernet(0x8100, concat(vlanTag(42, 0x0800),
            ipv4(6, tcp(NO_OPTIONS, HELLO)))));
        assertThat(decode(LinkType.ETHERNET, ethernet(0x0800, ipv4(47, teb)))).isTrue();
        assertTcp4Hello(14 + 20 + 4 + 14 + 4);
        assertThat(p.vlanIds[0]).isEqualTo(42);

        final byte[] pppGre = concat(hex("0000 880b ff03 0021"), ipv4(6, tcp(NO_OPTIONS, HELLO)));
        assertThat(decode(LinkType.ETHERNET, ethernet(0x0800, ipv4(47, pppGre)))).isTrue();
        assertTcp4Hello(14 + 20 + 8);

        final byte[] keepalive = hex("0000 0001 0000");
        assertThat(decode(LinkType.ETHERNET, ethernet(0x0800, ipv4(47, keepalive)))).isTrue();
        assertThat(p.protocol).isEqualTo(47);
    }

    @Test
    void shouldDecodePptpGreVersion1()
    {
        final byte[] pptp = concat(hex("3081 880b"), u16(22 + 4 + 8), u16(7), u32(1), u32(0),
            hex("ff03 0021"), ipv4(17, udp(1, 2, HELLO)));
        assertThat(decode(LinkType.ETHERNET, ethernet(0x0800, ipv4(47, pptp)))).isTrue();
        assertThat(p.isUdp()).isTrue();
        assertThat(p.l3Offset).isEqualTo(14 + 20 + 16 + 4);

        assertThat(decode(LinkType.ETHERNET, ethernet(0x0800, ipv4(47, hex("2081 880b 0000 0007 00000001"))))).isTrue();
        assertThat(p.protocol).isEqualTo(47);

        assertThat(decode(LinkType.ETHERNET, ethernet(0x0800, ipv4(47, hex("0001 880b 0000 0007"))))).isFalse();
        assertThat(p.hasEvent(DecoderEvent.GRE_VERSION1_NO_KEY)).isTrue();
        assertThat(decode(LinkType.ETHERNET, ethernet(0x0800, ipv4(47, hex("0002 0800 0000 0007"))))).isFalse();
        assertThat(p.hasEvent(DecoderEvent.GRE_WRONG_VERSION)).isTrue();
        assertThat(decode(LinkType.ETHERNET, ethernet(0x0800, ipv4(47, hex("8000 0800"))))).isFalse();
        assertThat(p.hasEvent(DecoderEvent.GRE_VERSION0_HDR_TOO_BIG)).isTrue();
    }

    @Test
    void shouldDecodeIpInIpTunnelsInnermostRecorded()
    {
        assertThat(decode(LinkType.RAW, ipv4(4, ipv4(6, tcp(NO_OPTIONS, HELLO))))).isTrue();
        assertTcp4Hello(20);
        assertThat(decode(LinkType.RAW, ipv4(41, ipv6(6, tcp(NO_OPTIONS, HELLO))))).isTrue();
        assertThat(p.ipVersion).isEqualTo(6);
        assertThat(p.l3Offset).isEqualTo(20);
        assertThat(p.isTcp()).isTrue();
        assertThat(decode(LinkType.RAW, ipv6(4, ipv4(6, tcp(NO_OPTIONS, HELLO))))).isTrue();
        assertTcp4Hello(40);
        assertThat(decode(LinkType.RAW, ipv6(41, ipv6(17, udp(7, 8, HELLO))))).isTrue();
        assertThat(p.l3Offset).isEqualTo(40);
        assertThat(p.isUdp()).isTrue();
        assertThat(p.checksumInvalid).isFalse();
        assertThat(stats()).containsEntry("decoder.ipv4_in_ipv4", 1L).containsEntry("decoder.ipv6_in_ipv4", 1L)
            .containsEntry("decoder.ipv4_in_ipv6", 1L).containsEntry("decoder.ipv6_in_ipv6", 1L);
    }

    @Test
    void shouldStopBeyondMaxLayers()
    {
        byte[] packet = ipv4(6, tcp(NO_OPTIONS, HELLO));
        for (int i = 0; i < 20; i++)
        {
            packet = ipv4(4, packet);
        }
        assertThat(decode(LinkType.RAW, packet)).isFalse();
        assertThat(p.hasEvent(DecoderEvent.TOO_MANY_LAYERS)).isTrue();
        assertThat(p.layerCount).isEqualTo(17);

        decoder = new PacketDecoder(new DecodeContext().maxLayers(3));
        assertThat(decode(LinkType.ETHERNET, ethernet(0x0800, ipv4(4, ipv4(6, tcp(NO_OPTIONS, HELLO)))))).isTrue();
        assertThat(decode(LinkType.ETHERNET, ethernet(0x8100, concat(vlanTag(1, 0x0800),
            ipv4(4, ipv4(6, tcp(NO_OPTIONS, HELLO))))))).isFalse();
        assertThat(stats()).containsEntry("decoder.event.too_many_layers", 1L);
    }

    // ---- IPv4 --------------------------------------------------------------------------------------------------

    private boolean decodeWithIpv4Options(final String options)
    {
        return decode(LinkType.RAW, ipv4(6, hex(options), 0, tcp(NO_OPTIONS, HELLO)));
    }

    @Test
    void shouldAcceptValidIpv4OptionsWithoutEvents()
    {
        assertThat(decodeWithIpv4Options("0707 04 0a000001 00 " + "9404 0000")).isTrue();
        assertThat(p.eventCount).isZero();
        assertThat(p.l3HeaderLength).isEqualTo(32);
        assertThat(p.l4Offset).isEqualTo(32);
        assertThat(p.srcPort).isEqualTo(1234);
        assertThat(decodeWithIpv4Options("440c 05 00 00000001 00000002")).isTrue();
        assertThat(p.eventCount).isZero();
    }

    @Test
    void shouldRaiseIpv4OptionEvents()
    {
        assertThat(decodeWithIpv4Options("9404 0000 9404 0000")).isTrue();
        assertThat(p.hasEvent(DecoderEvent.IPV4_OPT_DUPLICATE)).isTrue();

        assertThat(decodeWithIpv4Options("fe04 0000")).isTrue();
        assertThat(p.hasEvent(DecoderEvent.IPV4_OPT_INVALID)).isTrue();

        assertThat(decodeWithIpv4Options("0700 0000")).isFalse();
        assertThat(p.hasEvent(DecoderEvent.IPV4_OPT_INVALID_LEN)).isTrue();
        assertThat(decodeWithIpv4Options("0708 0400")).isFalse();
        assertThat(p.hasEvent(DecoderEvent.IPV4_OPT_INVALID_LEN)).isTrue();

        assertThat(decodeWithIpv4Options("0707 03 0a000001 00")).isFalse();
        assertThat(p.hasEvent(DecoderEvent.IPV4_OPT_MALFORMED)).isTrue();

        assertThat(decodeWithIpv4Options("1906 000000 00 0000")).isFalse();
        assertThat(p.hasEvent(DecoderEvent.IPV4_OPT_INVALID_LEN)).isTrue();

        assertThat(decodeWithIpv4Options("4408 06 00 00000001")).isFalse();
        assertThat(p.hasEvent(DecoderEvent.IPV4_OPT_MALFORMED)).isTrue();

        assertThat(decodeWithIpv4Options("010101 07")).isFalse();
        assertThat(p.hasEvent(DecoderEvent.IPV4_OPT_EOL_REQUIRED)).isTrue();

        final Map<String, Long> stats = stats();
        assertThat(stats).containsEntry("decoder.event.ipv4.opt_invalid_len", 3L)
            .containsEntry("decoder.event.ipv4.opt_malformed", 2L)
            .containsEntry("decoder.event.ipv4.opt_duplicate", 1L);
    }

    @Test
    void shouldRecordIpv4FragmentAndStopBeforeTransport()
    {
        final byte[] first = ipv4(6, new byte[0], 0x2000, tcp(NO_OPTIONS, HELLO));
        assertThat(decode(LinkType.ETHERNET, ethernet(0x0800, first))).isTrue();
        assertThat(p.fragment).isTrue();
        assertThat(p.moreFragments).isTrue();
        assertThat(p.fragmentOffset).isZero();
        assertThat(p.ipId).isEqualTo(0x1234);
        assertThat(p.fragmentPayloadOffset).isEqualTo(34);
        assertThat(p.l3Offset).isEqualTo(14);
        assertThat(p.ipTotalLength).isEqualTo(45);
        assertThat(p.protocol).isEqualTo(6);
        assertThat(p.srcPort).isZero();
        assertThat(p.l4Offset).isZero();

        final byte[] last = ipv4(6, new byte[0], 185, HELLO);
        assertThat(decode(LinkType.RAW, last)).isTrue();
        assertThat(p.fragment).isTrue();
        assertThat(p.moreFragments).isFalse();
        assertThat(p.fragmentOffset).isEqualTo(1480);
        assertThat(stats()).containsEntry("decoder.tcp", 0L);
    }

    @Test
    void shouldBoundPayloadByIpLengthIgnoringTrailingBytes()
    {
        final byte[] frame = concat(tcp4Frame(), new byte[]{ 1, 2, 3, 4, 5, 6, 7, 8, 9 });
        assertThat(decode(LinkType.ETHERNET, frame)).isTrue();
        assertTcp4Hello(14);
        assertThat(p.ipTotalLength).isEqualTo(45);

        final byte[] v6 = concat(ethernet(0x86dd, ipv6(6, tcp(NO_OPTIONS, HELLO))), new byte[12]);
        assertThat(decode(LinkType.ETHERNET, v6)).isTrue();
        assertThat(p.payloadLength).isEqualTo(5);
        assertThat(p.checksumInvalid).isFalse();
    }

    // ---- UDP / ICMP --------------------------------------------------------------------------------------------

    @Test
    void shouldBoundUdpPayloadByItsLengthField()
    {
        final byte[] datagram = concat(udp(1000, 2000, HELLO), new byte[]{ 9, 9, 9 });
        assertThat(decode(LinkType.RAW, ipv4(17, datagram))).isTrue();
        assertThat(p.isUdp()).isTrue();
        assertThat(p.payloadOffset).isEqualTo(28);
        assertThat(p.payloadLength).isEqualTo(5);
        assertThat(p.checksumInvalid).isFalse();
    }

    @Test
    void shouldRaiseUdpLenInvalid()
    {
        final byte[] shortField = udp(1, 2, HELLO);
        shortField[5] = 4;
        assertThat(decode(LinkType.RAW, ipv4(17, shortField))).isFalse();
        assertThat(p.hasEvent(DecoderEvent.UDP_LEN_INVALID)).isTrue();

        final byte[] longField = udp(1, 2, HELLO);
        longField[5] = 100;
        assertThat(decode(LinkType.RAW, ipv4(17, longField))).isFalse();
        assertThat(p.hasEvent(DecoderEvent.UDP_LEN_INVALID)).isTrue();

        assertThat(decode(LinkType.RAW, ipv4(17, hex("0001 0002 00")))).isFalse();
        assertThat(p.hasEvent(DecoderEvent.UDP_HLEN_TOO_SMALL)).isTrue();
        assertThat(stats()).containsEntry("decoder.event.udp.len_invalid", 2L).containsEntry("decoder.invalid", 3L);
    }

    @Test
    void shouldDecodeIcmpTypeAndCodeWithoutPorts()
    {
        assertThat(decode(LinkType.RAW, ipv4(1, icmp(8, 0, HELLO)))).isTrue();
        assertThat(p.protocol).isEqualTo(1);
        assertThat(p.icmpType).isEqualTo(8);
        assertThat(p.icmpCode).isZero();
        assertThat(p.srcPort).isZero();
        assertThat(p.dstPort).isZero();
        assertThat(p.eventCount).isZero();
        assertThat(p.checksumInvalid).isFalse();

        assertThat(decode(LinkType.RAW, ipv4(1, icmp(3, 3, ipv4(17, udp(1, 2, HELLO)))))).isTrue();
        assertThat(p.eventCount).isZero();
        assertThat(decode(LinkType.RAW, ipv4(1, icmp(3, 3, hex("4500"))))).isTrue();
        assertThat(p.hasEvent(DecoderEvent.ICMPV4_IPV4_TRUNC_PKT)).isTrue();
        assertThat(decode(LinkType.RAW, ipv4(1, icmp(42, 0, HELLO)))).isTrue();
        assertThat(p.hasEvent(DecoderEvent.ICMPV4_UNKNOWN_TYPE)).isTrue();
        assertThat(decode(LinkType.RAW, ipv4(1, icmp(8, 9, HELLO)))).isTrue();
        assertThat(p.hasEvent(DecoderEvent.ICMPV4_UNKNOWN_CODE)).isTrue();
        assertThat(decode(LinkType.RAW, ipv4(1, hex("0800 0000")))).isFalse();
        assertThat(p.hasEvent(DecoderEvent.ICMPV4_PKT_TOO_SMALL)).isTrue();

        assertThat(decode(LinkType.RAW, ipv6(58, icmp(128, 0, HELLO)))).isTrue();
        assertThat(p.protocol).isEqualTo(58);
        assertThat(p.icmpType).isEqualTo(128);
        assertThat(p.eventCount).isZero();
        assertThat(p.checksumInvalid).isFalse();
        assertThat(decode(LinkType.RAW, ipv6(58, icmp(50, 0, HELLO)))).isTrue();
        assertThat(p.hasEvent(DecoderEvent.ICMPV6_UNASSIGNED_TYPE)).isTrue();
        assertThat(decode(LinkType.RAW, ipv6(58, icmp(200, 0, HELLO)))).isTrue();
        assertThat(p.hasEvent(DecoderEvent.ICMPV6_EXPERIMENTATION_TYPE)).isTrue();
        assertThat(decode(LinkType.RAW, ipv6(58, icmp(255, 0, HELLO)))).isTrue();
        assertThat(p.hasEvent(DecoderEvent.ICMPV6_UNKNOWN_TYPE)).isTrue();
        assertThat(decode(LinkType.RAW, ipv6(58, icmp(129, 1, HELLO)))).isTrue();
        assertThat(p.hasEvent(DecoderEvent.ICMPV6_UNKNOWN_CODE)).isTrue();
        assertThat(decode(LinkType.RAW, ipv6(58, icmp(130, 0, HELLO)))).isTrue();
        assertThat(p.hasEvent(DecoderEvent.ICMPV6_MLD_MESSAGE_WITH_INVALID_HL)).isTrue();
        assertThat(decode(LinkType.RAW, ipv6(58, icmp(1, 4, HELLO)))).isTrue();
        assertThat(p.hasEvent(DecoderEvent.ICMPV6_IPV6_TRUNC_PKT)).isTrue();
        assertThat(stats()).containsEntry("decoder.icmpv4", 6L).containsEntry("decoder.icmpv6", 7L);
    }

    // ---- TCP options -------------------------------------------------------------------------------------------

    private boolean decodeWithTcpOptions(final String options)
    {
        return decode(LinkType.RAW, ipv4(6, tcp(hex(options), HELLO)));
    }

    @Test
    void shouldDecodeSynOptions()
    {
        assertThat(decodeWithTcpOptions("0204 05b4 0402 080a 00000011 00000022 01 030307")).isTrue();
        assertThat(p.optMss).isEqualTo(1460);
        assertThat(p.optSackPermitted).isTrue();
        assertThat(p.optTimestamp).isTrue();
        assertThat(p.tsVal).isEqualTo(0x11);
        assertThat(p.tsEcr).isEqualTo(0x22);
        assertThat(p.optWindowScale).isEqualTo(7);
        assertThat(p.l4HeaderLength).isEqualTo(40);
        assertThat(p.payloadOffset).isEqualTo(60);
        assertThat(p.payloadLength).isEqualTo(5);
        assertThat(p.eventCount).isZero();
        assertThat(p.checksumInvalid).isFalse();
    }

    @Test
    void shouldDecodeTheAlignedTimestampBlockAndTheOptionsAfterIt()
    {
        assertThat(decodeWithTcpOptions("0101 080a 01020304 05060708")).isTrue();
        assertThat(p.optTimestamp).isTrue();
        assertThat(p.tsVal).isEqualTo(0x01020304);
        assertThat(p.tsEcr).isEqualTo(0x05060708);
        assertThat(p.eventCount).isZero();
        assertThat(decodeWithTcpOptions("0101 080a 00000011 00000022 0101 050a 00000100 00000200")).isTrue();
        assertThat(p.tsVal).isEqualTo(0x11);
        assertThat(p.sackBlockCount).isEqualTo(1);
        assertThat(p.sackBlocks).startsWith(0x100, 0x200);
        assertThat(p.eventCount).isZero();
        assertThat(decodeWithTcpOptions("0101 080a 00000011 00000022 080a 00000033 00000044 0000")).isTrue();
        assertThat(p.hasEvent(DecoderEvent.TCP_OPT_DUPLICATE)).isTrue();
        assertThat(p.tsVal).isEqualTo(0x11);
        assertThat(decodeWithTcpOptions("0101 080b 00000011 00000022 00000000")).isTrue();
        assertThat(p.hasEvent(DecoderEvent.TCP_OPT_INVALID_LEN)).isTrue();
        assertThat(p.optTimestamp).isFalse();
    }

    @Test
    void shouldDecodeSackBlocksAndAcceptEmptySack()
    {
        assertThat(decodeWithTcpOptions("0101 0512 00000100 00000200 00000300 00000400")).isTrue();
        assertThat(p.sackBlockCount).isEqualTo(2);
        assertThat(p.sackBlocks).startsWith(0x100, 0x200, 0x300, 0x400);
        assertThat(decodeWithTcpOptions("0101 0502")).isTrue();
        assertThat(p.sackBlockCount).isZero();
        assertThat(p.eventCount).isZero();
        assertThat(decodeWithTcpOptions("0101 050c 00000100 00000200 0000 0000")).isTrue();
        assertThat(p.hasEvent(DecoderEvent.TCP_OPT_INVALID_LEN)).isTrue();
        assertThat(p.invalid).isFalse();
    }

    @Test
    void shouldDecodeFastOpenMd5AndAo()
    {
        assertThat(decodeWithTcpOptions("220a 0102030405060708 0000")).isTrue();
        assertThat(p.optTfo).isTrue();
        assertThat(p.tfoCookieLength).isEqualTo(8);
        assertThat(decodeWithTcpOptions("2202 0000")).isTrue();
        assertThat(p.optTfo).isTrue();
        assertThat(p.tfoCookieLength).isZero();
        assertThat(decodeWithTcpOptions("fe0c f989 0102030405060708")).isTrue();
        assertThat(p.optTfo).isTrue();
        assertThat(p.tfoCookieLength).isEqualTo(8);
        assertThat(decodeWithTcpOptions("fe04 1234")).isTrue();
        assertThat(p.optTfo).isFalse();
        assertThat(decodeWithTcpOptions("1312 00000000000000000000000000000000 0000")).isTrue();
        assertThat(p.optMd5).isTrue();
        assertThat(decodeWithTcpOptions("1d04 0102")).isTrue();
        assertThat(p.optAo).isTrue();
        assertThat(p.eventCount).isZero();
        assertThat(decodeWithTcpOptions("1310 000000000000000000000000 00000000")).isFalse();
        assertThat(p.hasEvent(DecoderEvent.TCP_OPT_INVALID_LEN)).isTrue();
    }

    @Test
    void shouldRaiseTcpOptionAndHeaderEvents()
    {
        assertThat(decodeWithTcpOptions("0204 05b4 0204 0218")).isTrue();
        assertThat(p.hasEvent(DecoderEvent.TCP_OPT_DUPLICATE)).isTrue();
        assertThat(p.optMss).isEqualTo(1460);
        assertThat(decodeWithTcpOptions("0304 0701")).isTrue();
        assertThat(p.hasEvent(DecoderEvent.TCP_OPT_INVALID_LEN)).isTrue();
        assertThat(p.optWindowScale).isEqualTo(-1);
        assertThat(decodeWithTcpOptions("0200 0000")).isFalse();
        assertThat(p.hasEvent(DecoderEvent.TCP_OPT_INVALID_LEN)).isTrue();
        assertThat(decodeWithTcpOptions("0208 0000")).isFalse();
        assertThat(p.invalid).isTrue();

        final byte[] smallOffset = tcp(NO_OPTIONS, HELLO);
        smallOffset[12] = 0x40;
        assertThat(decode(LinkType.RAW, ipv4(6, smallOffset))).isFalse();
        assertThat(p.hasEvent(DecoderEvent.TCP_INVALID_OPTLEN)).isTrue();
        final byte[] bigOffset = tcp(NO_OPTIONS, new byte[0]);
        bigOffset[12] = (byte)0xF0;
        assertThat(decode(LinkType.RAW, ipv4(6, bigOffset))).isFalse();
        assertThat(p.hasEvent(DecoderEvent.TCP_HLEN_TOO_SMALL)).isTrue();
        assertThat(decode(LinkType.RAW, ipv4(6, hex("0001 0002 0000 0001")))).isFalse();
        assertThat(p.hasEvent(DecoderEvent.TCP_PKT_TOO_SMALL)).isTrue();
    }

    // ---- IPv6 extension headers --------------------------------------------------------------------------------

    private static final int TCP = 6;

    private boolean decodeIpv6Chain(final int first, final String chain)
    {
        return decode(LinkType.RAW, ipv6(first, hex(chain), TCP, tcp(NO_OPTIONS, HELLO)));
    }

    @Test
    void shouldWalkExtensionHeadersToTcp()
    {
        assertThat(decodeIpv6Chain(0, "3c00 0502 0000 0000 2b00 0502 0000 0000 0600 0102 0000 0000")).isTrue();
        assertThat(p.isTcp()).isTrue();
        assertThat(p.l3HeaderLength).isEqualTo(40 + 24);
        assertThat(p.l4Offset).isEqualTo(64);
        assertThat(p.srcPort).isEqualTo(1234);
        assertThat(p.checksumInvalid).isFalse();
        assertThat(p.eventCount).isZero();
    }

    @Test
    void shouldRaiseExtensionHeaderEvents()
    {
        assertThat(decodeIpv6Chain(0, "0600 0104 0000 0000")).isTrue();
        assertThat(p.hasEvent(DecoderEvent.IPV6_HOPOPTS_ONLY_PADDING)).isTrue();
        assertThat(decodeIpv6Chain(0, "0600 0100 0100 0100")).isTrue();
        assertThat(p.hasEvent(DecoderEvent.IPV6_ZERO_LEN_PADN)).isTrue();
        assertThat(decodeIpv6Chain(0, "0600 3302 0000 0100")).isTrue();
        assertThat(p.hasEvent(DecoderEvent.IPV6_HOPOPTS_UNKNOWN_OPT)).isTrue();
        assertThat(decodeIpv6Chain(60, "0600 3302 0000 0100")).isTrue();
        assertThat(p.hasEvent(DecoderEvent.IPV6_DSTOPTS_UNKNOWN_OPT)).isTrue();
        assertThat(decodeIpv6Chain(60, "0600 0104 0000 0000")).isTrue();
        assertThat(p.hasEvent(DecoderEvent.IPV6_DSTOPTS_ONLY_PADDING)).isTrue();
        assertThat(decodeIpv6Chain(0, "0000 0104 0000 0000 0600 0104 0000 0000")).isTrue();
        assertThat(p.hasEvent(DecoderEvent.IPV6_EXTHDR_DUPL_HH)).isTrue();
        assertThat(decodeIpv6Chain(60, "3c00 0104 0000 0000 3c00 0104 0000 0000 0600 0104 0000 0000")).isTrue();
        assertThat(p.hasEvent(DecoderEvent.IPV6_EXTHDR_DUPL_DH)).isTrue();
        assertThat(decodeIpv6Chain(43, "2b00 0000 0000 0000 0600 0200 0000 0000")).isTrue();
        assertThat(p.hasEvent(DecoderEvent.IPV6_RH_TYPE_0)).isTrue();
        assertThat(p.hasEvent(DecoderEvent.IPV6_EXTHDR_DUPL_RH)).isTrue();
        assertThat(decodeIpv6Chain(0, "0600 0506 0000 0000")).isFalse();
        assertThat(p.hasEvent(DecoderEvent.IPV6_EXTHDR_INVALID_OPTLEN)).isTrue();
        assertThat(decodeIpv6Chain(51, "0601 0001 00000001 00000001")).isTrue();
        assertThat(p.hasEvent(DecoderEvent.IPV6_EXTHDR_AH_RES_NOT_NULL)).isTrue();
        assertThat(p.isTcp()).isTrue();
        assertThat(decodeIpv6Chain(0, "fd00 0104 0000 0000")).isTrue();
        assertThat(p.hasEvent(DecoderEvent.IPV6_UNKNOWN_NEXT_HEADER)).isTrue();
        assertThat(p.protocol).isEqualTo(0xfd);
        assertThat(decodeIpv6Chain(0, "3b00 0104 0000 0000")).isTrue();
        assertThat(p.hasEvent(DecoderEvent.IPV6_DATA_AFTER_NONE_HEADER)).isTrue();
        assertThat(decode(LinkType.RAW, ipv6(0, hex("3b00 0104 0000 0000"), 59, new byte[0]))).isTrue();
        assertThat(p.eventCount).isEqualTo(1);
        assertThat(decodeIpv6Chain(0, "0603 0104 0000 0000")).isFalse();
        assertThat(p.hasEvent(DecoderEvent.IPV6_TRUNC_EXTHDR)).isTrue();
    }

    @Test
    void shouldStopAtEsp()
    {
        assertThat(decode(LinkType.RAW, ipv6(50, hex("00000100 00000001 0102030405060708")))).isTrue();
        assertThat(p.protocol).isEqualTo(50);
        assertThat(p.srcPort).isZero();
        assertThat(p.eventCount).isZero();
    }

    @Test
    void shouldRecordIpv6FragmentFields()
    {
        final byte[] frame = ethernet(0x86dd,
            ipv6(0, hex("2c00 0104 0000 0000 0600 0001 cafebabe"), 99, new byte[16]));
        assertThat(decode(LinkType.ETHERNET, frame)).isTrue();
        assertThat(p.fragment).isTrue();
        assertThat(p.moreFragments).isTrue();
        assertThat(p.fragmentOffset).isZero();
        assertThat(p.ipId).isEqualTo(0xcafebabe);
        assertThat(p.fragmentHeaderOffset).isEqualTo(14 + 48);
        assertThat(p.fragmentNextHeader).isEqualTo(6);
        assertThat(p.fragmentPrevNextHeaderOffset).isEqualTo(14 + 40);
        assertThat(p.fragmentPayloadOffset).isEqualTo(14 + 56);
        assertThat(p.l3HeaderLength).isEqualTo(48);
        assertThat(p.srcPort).isZero();

        assertThat(decode(LinkType.RAW, ipv6(44, hex("1100 05c8 00000007"), 99, new byte[13]))).isTrue();
        assertThat(p.fragmentOffset).isEqualTo(1480);
        assertThat(p.moreFragments).isFalse();
        assertThat(p.fragmentPrevNextHeaderOffset).isEqualTo(6);
        assertThat(p.fragmentHeaderOffset).isEqualTo(40);
        assertThat(p.l3HeaderLength).isEqualTo(40);
        assertThat(p.fragmentNextHeader).isEqualTo(17);
    }

    @Test
    void shouldRaiseFragmentHeaderEventsAndDecodeAtomicFragment()
    {
        assertThat(decodeIpv6Chain(44, "0600 0000 00000009")).isTrue();
        assertThat(p.hasEvent(DecoderEvent.IPV6_EXTHDR_USELESS_FH)).isTrue();
        assertThat(p.fragment).isFalse();
        assertThat(p.isTcp()).isTrue();
        assertThat(p.srcPort).isEqualTo(1234);
        assertThat(p.checksumInvalid).isFalse();

        assertThat(decodeIpv6Chain(44, "2c01 0000 00000009 0600 0000 00000009")).isTrue();
        assertThat(p.hasEvent(DecoderEvent.IPV6_FH_NON_ZERO_RESERVED_FIELD)).isTrue();
        assertThat(p.hasEvent(DecoderEvent.IPV6_EXTHDR_DUPL_FH)).isTrue();

        assertThat(decode(LinkType.RAW, ipv6(44, hex("0600 0001 00000009"), 99, new byte[13]))).isFalse();
        assertThat(p.hasEvent(DecoderEvent.IPV6_FRAG_INVALID_LENGTH)).isTrue();
    }

    // ---- checksums ---------------------------------------------------------------------------------------------

    @Test
    void shouldFlagWrongChecksumsOnlyWhenValidating()
    {
        final byte[] badTcp = tcp4Frame();
        badTcp[badTcp.length - 1] ^= 1;
        assertThat(decode(LinkType.ETHERNET, badTcp)).isTrue();
        assertThat(p.checksumInvalid).isTrue();
        assertThat(p.isTcp()).isTrue();
        assertThat(p.payloadLength).isEqualTo(5);
        assertThat(decode(LinkType.ETHERNET, badTcp, badTcp.length, badTcp.length + 4)).isTrue();
        assertThat(p.checksumInvalid).isFalse();

        final byte[] badIp = tcp4Frame();
        badIp[14 + 8] = 1;
        assertThat(decode(LinkType.ETHERNET, badIp)).isTrue();
        assertThat(p.checksumInvalid).isTrue();

        final byte[] badUdp6 = ipv6(17, udp(1, 2, HELLO));
        badUdp6[badUdp6.length - 1] ^= 1;
        assertThat(decode(LinkType.RAW, badUdp6)).isTrue();
        assertThat(p.checksumInvalid).isTrue();

        final byte[] badIcmp4 = ipv4(1, icmp(8, 0, HELLO));
        badIcmp4[badIcmp4.length - 1] ^= 1;
        assertThat(decode(LinkType.RAW, badIcmp4)).isTrue();
        assertThat(p.checksumInvalid).isTrue();

        final byte[] badIcmp6 = ipv6(58, icmp(128, 0, HELLO));
        badIcmp6[badIcmp6.length - 1] ^= 1;
        assertThat(decode(LinkType.RAW, badIcmp6)).isTrue();
        assertThat(p.checksumInvalid).isTrue();

        final byte[] noUdpChecksum = ipv4(17, udp(1, 2, HELLO));
        noUdpChecksum[26] = 0;
        noUdpChecksum[27] = 0;
        assertThat(decode(LinkType.RAW, noUdpChecksum)).isTrue();
        assertThat(p.checksumInvalid).isFalse();
        final byte[] badUdp4 = noUdpChecksum.clone();
        badUdp4[27] = 1;
        assertThat(decode(LinkType.RAW, badUdp4)).isTrue();
        assertThat(p.checksumInvalid).isTrue();

        assertThat(stats()).containsEntry("decoder.checksum.tcp_invalid", 1L)
            .containsEntry("decoder.checksum.ipv4_invalid", 1L).containsEntry("decoder.checksum.udp_invalid", 2L)
            .containsEntry("decoder.checksum.icmpv4_invalid", 1L)
            .containsEntry("decoder.checksum.icmpv6_invalid", 1L);

        decoder = new PacketDecoder(new DecodeContext().checksumValidation(false));
        for (final byte[] frame : new byte[][]{ badTcp, badIp })
        {
            assertThat(decode(LinkType.ETHERNET, frame)).isTrue();
            assertThat(p.checksumInvalid).isFalse();
        }
        assertThat(decode(LinkType.RAW, badUdp6)).isTrue();
        assertThat(p.checksumInvalid).isFalse();
        assertThat(stats()).containsEntry("decoder.checksum.tcp_invalid", 0L);
    }

    // ---- truncation --------------------------------------------------------------------------------------------

    @Test
    void shouldRaiseEventsForTruncatedHeadersAtEveryLayer()
    {
        final byte[] full = ethernet(0x8100, concat(vlanTag(5, 0x0800), ipv4(6, tcp(hex("0204 05b4"), HELLO))));
        for (int cut = 0; cut < full.length; cut++)
        {
            assertThat(decode(LinkType.ETHERNET, full, cut, full.length)).isFalse();
            assertThat(p.invalid).isTrue();
            assertThat(p.eventCount).isEqualTo(1);
        }
        decode(LinkType.ETHERNET, full, 13, full.length);
        assertThat(p.hasEvent(DecoderEvent.ETHERNET_PKT_TOO_SMALL)).isTrue();
        decode(LinkType.ETHERNET, full, 17, full.length);
        assertThat(p.hasEvent(DecoderEvent.VLAN_HEADER_TOO_SMALL)).isTrue();
        decode(LinkType.ETHERNET, full, 30, full.length);
        assertThat(p.hasEvent(DecoderEvent.IPV4_PKT_TOO_SMALL)).isTrue();
        decode(LinkType.ETHERNET, full, 40, full.length);
        assertThat(p.hasEvent(DecoderEvent.IPV4_TRUNC_PKT)).isTrue();

        assertThat(decode(LinkType.RAW, ipv6(6, tcp(NO_OPTIONS, HELLO)), 50, 80)).isFalse();
        assertThat(p.hasEvent(DecoderEvent.IPV6_TRUNC_PKT)).isTrue();
        assertThat(decode(LinkType.IPV6, new byte[30])).isFalse();
        assertThat(p.hasEvent(DecoderEvent.IPV6_PKT_TOO_SMALL)).isTrue();
        assertThat(decode(LinkType.RAW, ipv4(17, hex("0001 0002")))).isFalse();
        assertThat(p.hasEvent(DecoderEvent.UDP_HLEN_TOO_SMALL)).isTrue();
        assertThat(decode(LinkType.RAW, ipv6(58, hex("8000 0000")))).isFalse();
        assertThat(p.hasEvent(DecoderEvent.ICMPV6_PKT_TOO_SMALL)).isTrue();
        assertThat(decode(LinkType.RAW, ipv4(47, hex("0000")))).isFalse();
        assertThat(p.hasEvent(DecoderEvent.GRE_PKT_TOO_SMALL)).isTrue();
        assertThat(decode(LinkType.ETHERNET, ethernet(0x8847, hex("0000")))).isFalse();
        assertThat(p.hasEvent(DecoderEvent.MPLS_HEADER_TOO_SMALL)).isTrue();
        assertThat(decode(LinkType.LINUX_SLL, new byte[15])).isFalse();
        assertThat(p.hasEvent(DecoderEvent.SLL_PKT_TOO_SMALL)).isTrue();
        assertThat(decode(LinkType.PPP, hex("ff03"))).isFalse();
        assertThat(p.hasEvent(DecoderEvent.PPP_PKT_TOO_SMALL)).isTrue();
        assertThat(decode(LinkType.NULL, hex("0200"))).isFalse();
        assertThat(p.hasEvent(DecoderEvent.LTNULL_PKT_TOO_SMALL)).isTrue();
        final byte[] shortIhl = ipv4(6, tcp(NO_OPTIONS, HELLO));
        shortIhl[0] = 0x44;
        assertThat(decode(LinkType.RAW, shortIhl)).isFalse();
        assertThat(p.hasEvent(DecoderEvent.IPV4_HLEN_TOO_SMALL)).isTrue();
        final byte[] shortTotal = ipv4(6, tcp(NO_OPTIONS, HELLO));
        shortTotal[3] = 10;
        assertThat(decode(LinkType.RAW, shortTotal)).isFalse();
        assertThat(p.hasEvent(DecoderEvent.IPV4_IPLEN_SMALLER_THAN_HLEN)).isTrue();
        assertThat(decode(12345, tcp4Frame())).isFalse();
    }

    // ---- reassembled datagrams ---------------------------------------------------------------------------------

    @Test
    void shouldDecodeReassembledDatagramKeepingLinkFields()
    {
        final byte[] fragment = ethernet(0x8100, concat(vlanTag(77, 0x0800),
            ipv4(6, new byte[0], 0x2000, tcp(NO_OPTIONS, HELLO))));
        assertThat(decode(LinkType.ETHERNET, fragment)).isTrue();
        assertThat(p.fragment).isTrue();
        p.timestampNs = 42;

        final UnsafeBuffer datagram = new UnsafeBuffer(ipv4(6, tcp(NO_OPTIONS, HELLO)));
        assertThat(decoder.decodeReassembled(p, datagram, datagram.capacity())).isTrue();
        assertThat(p.reassembled).isTrue();
        assertThat(p.fragment).isFalse();
        assertThat(p.vlanCount).isEqualTo(1);
        assertThat(p.vlanIds[0]).isEqualTo(77);
        assertThat(p.timestampNs).isEqualTo(42);
        assertThat(p.linkType).isEqualTo(LinkType.ETHERNET);
        assertTcp4Hello(0);

        final UnsafeBuffer v6 = new UnsafeBuffer(ipv6(17, udp(1, 2, HELLO)));
        v6.putByte(v6.capacity() - 1, (byte)'X');
        assertThat(decoder.decodeReassembled(p, v6, v6.capacity())).isTrue();
        assertThat(p.ipVersion).isEqualTo(6);
        assertThat(p.isUdp()).isTrue();
        assertThat(p.checksumInvalid).isTrue();

        assertThat(decoder.decodeReassembled(p, new UnsafeBuffer(new byte[4]), 4)).isFalse();
        assertThat(decoder.decodeReassembled(p, new UnsafeBuffer(new byte[0]), 10)).isFalse();
    }

    // ---- fuzz --------------------------------------------------------------------------------------------------

    private static final int[] LINK_TYPES = {
        LinkType.ETHERNET, LinkType.NULL, LinkType.LOOP, LinkType.RAW, LinkType.IPV4, LinkType.IPV6,
        LinkType.LINUX_SLL, LinkType.LINUX_SLL2, LinkType.PPP, LinkType.NFLOG };

    @Test
    void shouldNeverThrowOnRandomOrMutatedFrames()
    {
        final byte[][] seeds = {
            tcp4Frame(),
            ethernet(0x88a8, concat(vlanTag(1, 0x8100), vlanTag(2, 0x86dd),
                ipv6(0, hex("2c00 0104 0000 0000 0600 0000 00000001"), TCP, tcp(hex("0204 05b4 0502"), HELLO)))),
            ethernet(0x0800, ipv4(47, concat(hex("b000 86dd 0000 0000 0000 0007 0000 0001"),
                ipv6(17, udp(1, 2, HELLO))))),
            ethernet(0x8847, concat(u32((1000 << 12) | 0x100 | 64),
                ipv4(1, icmp(3, 3, ipv4(6, tcp(NO_OPTIONS, HELLO)))))),
            ipv4(6, hex("0707 04 0a000001 00 9404 0000"), 0, tcp(hex("0101 0512 00000100 00000200 00000300 00000400"),
                HELLO)),
            ipv6(41, ipv6(58, icmp(1, 0, ipv6(17, udp(1, 2, HELLO))))),
            concat(hex("ff03 0021"), ipv4(17, udp(1, 2, HELLO))),
        };
        final int[] seedLinkTypes = {
            LinkType.ETHERNET, LinkType.ETHERNET, LinkType.ETHERNET, LinkType.ETHERNET, LinkType.RAW, LinkType.RAW,
            LinkType.PPP };
        final Random random = new Random(0x7A4DE11L);
        final byte[] scratch = new byte[256];
        int accepted = 0;
        for (int i = 0; i < 100_000; i++)
        {
            final byte[] frame;
            final int linkType;
            if ((i & 1) == 0)
            {
                frame = new byte[random.nextInt(200)];
                random.nextBytes(frame);
                if (frame.length > 20 && random.nextBoolean())
                {
                    frame[random.nextInt(4)] = (byte)(random.nextBoolean() ? 0x45 : 0x60);
                }
                linkType = LINK_TYPES[random.nextInt(LINK_TYPES.length)];
            }
            else
            {
                final int s = random.nextInt(seeds.length);
                frame = seeds[s].clone();
                final int flips = 1 + random.nextInt(4);
                for (int f = 0; f < flips; f++)
                {
                    frame[random.nextInt(frame.length)] = (byte)random.nextInt(256);
                }
                linkType = seedLinkTypes[s];
            }
            final int captured = random.nextInt(8) == 0 ? random.nextInt(frame.length + 1) : frame.length;
            final boolean ok = decode(linkType, frame, captured, frame.length);
            if (ok)
            {
                accepted++;
            }
            assertWithinBounds(ok, captured);

            if ((i % 16) == 0)
            {
                random.nextBytes(scratch);
                scratch[0] = (byte)(random.nextBoolean() ? 0x45 : 0x60);
                final int length = random.nextInt(scratch.length + 1);
                final boolean reassembled = decoder.decodeReassembled(p, new UnsafeBuffer(scratch), length);
                assertWithinBounds(reassembled, length);
            }
        }
        assertThat(accepted).isGreaterThan(1000);
    }

    private void assertWithinBounds(final boolean ok, final int captured)
    {
        assertThat(p.vlanCount).isBetween(0, Packet.MAX_VLANS);
        assertThat(p.sackBlockCount).isBetween(0, Packet.MAX_SACK_BLOCKS);
        assertThat(p.eventCount).isBetween(0, Packet.MAX_EVENTS);
        if (!ok)
        {
            return;
        }
        assertThat(p.ipVersion).isIn(4, 6);
        assertThat(p.l3Offset).isBetween(0, captured);
        assertThat(p.l3Offset + p.ipTotalLength).isLessThanOrEqualTo(captured);
        assertThat(p.l3HeaderLength).isBetween(20, p.ipTotalLength);
        if (p.fragment)
        {
            assertThat(p.fragmentPayloadOffset).isBetween(p.l3Offset, p.l3Offset + p.ipTotalLength);
        }
        else if (p.isTcp() || p.isUdp())
        {
            assertThat(p.l4Offset).isGreaterThanOrEqualTo(p.l3Offset + p.l3HeaderLength);
            assertThat(p.payloadOffset).isEqualTo(p.l4Offset + p.l4HeaderLength);
            assertThat(p.payloadLength).isNotNegative();
            assertThat(p.payloadOffset + p.payloadLength).isLessThanOrEqualTo(p.l3Offset + p.ipTotalLength);
        }
    }
}
