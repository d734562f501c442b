package io.tandem.node.defrag;

import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.tandem.node.decode.Checksums;
import io.tandem.node.decode.DecoderEvent;
import io.tandem.node.decode.Packet;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static io.tandem.node.defrag.Defragmenter.COMPLETE;
import static io.tandem.node.defrag.Defragmenter.DROPPED;
import static io.tandem.node.defrag.Defragmenter.NOT_COMPLETE;
import static io.tandem.node.defrag.Fragments.blocks;
import static io.tandem.node.defrag.Fragments.ipv4;
import static io.tandem.node.defrag.Fragments.ipv6;
import static org.assertj.core.api.Assertions.assertThat;

class DefragmenterTest
{
    private static final long NOW_NS = TimeUnit.SECONDS.toNanos(1_000);

    private static Defragmenter defragmenter(final DefragPolicy policy)
    {
        return new Defragmenter(new DefragContext()
            .memcapBytes(1024 * 1024)
            .trackers(64)
            .hashSize(128)
            .maxFrags(256)
            .policyLookup((version, hi, lo) -> policy));
    }

    private static byte[] payload(final Defragmenter defrag, final int headerLength)
    {
        final DirectBuffer b = defrag.reassembled();
        final byte[] out = new byte[defrag.reassembledLength() - headerLength];
        b.getBytes(headerLength, out);
        return out;
    }

    private static String text(final byte[] bytes)
    {
        return new String(bytes, java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static Map<String, Long> stats(final Defragmenter defrag)
    {
        final Map<String, Long> map = new HashMap<>();
        defrag.reportStats(map::put);
        return map;
    }

    private static int u16(final DirectBuffer b, final int index)
    {
        return b.getShort(index, ByteOrder.BIG_ENDIAN) & 0xFFFF;
    }

    @Test
    void shouldReassembleIpv4FragmentsInOrderAndFixTheHeader()
    {
        final Defragmenter defrag = defragmenter(DefragPolicy.BSD);
        assertThat(defrag.insert(ipv4(12, 0, true, 'A', 8), NOW_NS)).isEqualTo(NOT_COMPLETE);
        assertThat(defrag.insert(ipv4(12, 8, true, 'B', 8), NOW_NS)).isEqualTo(NOT_COMPLETE);
        assertThat(defrag.insert(ipv4(12, 16, false, 'C', 3), NOW_NS)).isEqualTo(COMPLETE);

        final DirectBuffer b = defrag.reassembled();
        assertThat(defrag.reassembledLength()).isEqualTo(39);
        assertThat(b.getByte(0)).isEqualTo((byte)0x45);
        assertThat(u16(b, 2)).isEqualTo(39);
        assertThat(u16(b, 4)).isEqualTo(12);
        assertThat(u16(b, 6)).isZero();
        assertThat(b.getByte(9)).isEqualTo((byte)Fragments.ICMP);
        assertThat(b.getInt(12, ByteOrder.BIG_ENDIAN)).isEqualTo((int)Fragments.SRC4);
        assertThat(b.getInt(16, ByteOrder.BIG_ENDIAN)).isEqualTo((int)Fragments.DST4);
        assertThat(Checksums.ipv4HeaderChecksum(b, 0, 20)).isZero();
        assertThat(text(payload(defrag, 20))).isEqualTo("AAAAAAAABBBBBBBBCCC");

        final Map<String, Long> stats = stats(defrag);
        assertThat(stats).containsEntry("defrag.ipv4.fragments", 3L).containsEntry("defrag.ipv4.reassembled", 1L)
            .containsEntry("defrag.memuse", 0L);
        assertThat(defrag.trackersInUse()).isZero();
        assertThat(defrag.fragmentsInUse()).isZero();
    }

    @Test
    void shouldReassembleIpv4FragmentsInReverseOrder()
    {
        final Defragmenter defrag = defragmenter(DefragPolicy.BSD);
        assertThat(defrag.insert(ipv4(12, 16, false, 'C', 3), NOW_NS)).isEqualTo(NOT_COMPLETE);
        assertThat(defrag.insert(ipv4(12, 8, true, 'B', 8), NOW_NS)).isEqualTo(NOT_COMPLETE);
        assertThat(defrag.insert(ipv4(12, 0, true, 'A', 8), NOW_NS)).isEqualTo(COMPLETE);
        assertThat(defrag.reassembledLength()).isEqualTo(39);
        assertThat(text(payload(defrag, 20))).isEqualTo("AAAAAAAABBBBBBBBCCC");
        assertThat(Checksums.ipv4HeaderChecksum(defrag.reassembled(), 0, 20)).isZero();
    }

    @Test
    void shouldKeepIpv4OptionsOfTheFirstFragment()
    {
        final Defragmenter defrag = defragmenter(DefragPolicy.BSD);
        final byte[] options = {(byte)0x94, 0x04, 0x00, 0x00};
        final Packet first = ipv4(7, 0, true, Fragments.fill('X', 16), Fragments.UDP, options, 0x0a000001L,
            0x0a000002L);
        final Packet last = ipv4(7, 16, false, Fragments.fill('Y', 5), Fragments.UDP, new byte[0], 0x0a000001L,
            0x0a000002L);
        assertThat(defrag.insert(last, NOW_NS)).isEqualTo(NOT_COMPLETE);
        assertThat(defrag.insert(first, NOW_NS)).isEqualTo(COMPLETE);

        final DirectBuffer b = defrag.reassembled();
        assertThat(defrag.reassembledLength()).isEqualTo(24 + 21);
        assertThat(b.getByte(0)).isEqualTo((byte)0x46);
        assertThat(u16(b, 2)).isEqualTo(45);
        assertThat(u16(b, 6)).isZero();
        assertThat(b.getByte(20)).isEqualTo((byte)0x94);
        assertThat(b.getByte(9)).isEqualTo((byte)Fragments.UDP);
        assertThat(Checksums.ipv4HeaderChecksum(b, 0, 24)).isZero();
        assertThat(text(payload(defrag, 24))).isEqualTo("XXXXXXXXXXXXXXXXYYYYY");
    }

    @Test
    void shouldReassembleIpv6FragmentsAndRemoveTheFragmentHeader()
    {
        final Defragmenter defrag = defragmenter(DefragPolicy.BSD);
        assertThat(defrag.insert(ipv6(12, 0, true, 'A', 8), NOW_NS)).isEqualTo(NOT_COMPLETE);
        assertThat(defrag.insert(ipv6(12, 8, true, 'B', 8), NOW_NS)).isEqualTo(NOT_COMPLETE);
        assertThat(defrag.insert(ipv6(12, 16, false, 'C', 3), NOW_NS)).isEqualTo(COMPLETE);

        final DirectBuffer b = defrag.reassembled();
        assertThat(defrag.reassembledLength()).isEqualTo(40 + 19);
        assertThat(b.getByte(0) & 0xF0).isEqualTo(0x60);
        assertThat(u16(b, 4)).isEqualTo(19);
        assertThat(b.getByte(6)).isEqualTo((byte)Fragments.ICMPV6);
        assertThat(b.getLong(8, ByteOrder.BIG_ENDIAN)).isEqualTo(Fragments.SRC6_HI);
        assertThat(b.getLong(32, ByteOrder.BIG_ENDIAN)).isEqualTo(Fragments.DST6_LO);
        assertThat(text(payload(defrag, 40))).isEqualTo("AAAAAAAABBBBBBBBCCC");
        assertThat(stats(defrag)).containsEntry("defrag.ipv6.fragments", 3L)
            .containsEntry("defrag.ipv6.reassembled", 1L);
    }

    @Test
    void shouldReassembleIpv6FragmentsInReverseOrder()
    {
        final Defragmenter defrag = defragmenter(DefragPolicy.BSD);
        assertThat(defrag.insert(ipv6(12, 16, false, 'C', 3), NOW_NS)).isEqualTo(NOT_COMPLETE);
        assertThat(defrag.insert(ipv6(12, 8, true, 'B', 8), NOW_NS)).isEqualTo(NOT_COMPLETE);
        assertThat(defrag.insert(ipv6(12, 0, true, 'A', 8), NOW_NS)).isEqualTo(COMPLETE);
        assertThat(u16(defrag.reassembled(), 4)).isEqualTo(19);
        assertThat(text(payload(defrag, 40))).isEqualTo("AAAAAAAABBBBBBBBCCC");
    }

    @Test
    void shouldKeepUnfragmentableExtensionHeadersAndPointThemAtTheUpperLayer()
    {
        final Defragmenter defrag = defragmenter(DefragPolicy.BSD);
        assertThat(defrag.insert(ipv6(5, 8, false, Fragments.fill('B', 4), Fragments.UDP, true), NOW_NS))
            .isEqualTo(NOT_COMPLETE);
        assertThat(defrag.insert(ipv6(5, 0, true, Fragments.fill('A', 8), Fragments.UDP, true), NOW_NS))
            .isEqualTo(COMPLETE);

        final DirectBuffer b = defrag.reassembled();
        assertThat(defrag.reassembledLength()).isEqualTo(40 + 8 + 12);
        assertThat(u16(b, 4)).isEqualTo(20);
        assertThat(b.getByte(6)).isEqualTo((byte)0);
        assertThat(b.getByte(40)).isEqualTo((byte)Fragments.UDP);
        assertThat(b.getByte(42)).isEqualTo((byte)1);
        assertThat(text(payload(defrag, 48))).isEqualTo("AAAAAAAABBBB");
    }

    @Test
    void shouldReassembleInterleavedDatagramsIndependently()
    {
        final Defragmenter defrag = defragmenter(DefragPolicy.BSD);
        assertThat(defrag.insert(ipv4(1, 0, true, 'A', 8), NOW_NS)).isEqualTo(NOT_COMPLETE);
        assertThat(defrag.insert(ipv4(2, 8, false, 'd', 8), NOW_NS)).isEqualTo(NOT_COMPLETE);
        assertThat(defrag.insert(ipv6(1, 0, true, 'x', 8), NOW_NS)).isEqualTo(NOT_COMPLETE);
        assertThat(defrag.insert(ipv4(2, 0, true, 'c', 8), NOW_NS)).isEqualTo(COMPLETE);
        assertThat(text(payload(defrag, 20))).isEqualTo("ccccccccdddddddd");
        assertThat(defrag.trackersInUse()).isEqualTo(2);
        assertThat(defrag.insert(ipv6(1, 8, false, 'y', 2), NOW_NS)).isEqualTo(COMPLETE);
        assertThat(text(payload(defrag, 40))).isEqualTo("xxxxxxxxyy");
        assertThat(defrag.insert(ipv4(1, 8, false, 'B', 8), NOW_NS)).isEqualTo(COMPLETE);
        assertThat(text(payload(defrag, 20))).isEqualTo("AAAAAAAABBBBBBBB");
        assertThat(defrag.trackersInUse()).isZero();
        assertThat(defrag.memuseBytes()).isZero();
    }

    @Test
    void shouldNotMixFragmentsWithDifferentProtocolOrAddresses()
    {
        final Defragmenter defrag = defragmenter(DefragPolicy.BSD);
        assertThat(defrag.insert(ipv4(12, 0, true, 'A', 8), NOW_NS)).isEqualTo(NOT_COMPLETE);
        final Packet otherProto = ipv4(12, 8, true, Fragments.fill('B', 8), Fragments.UDP, new byte[0],
            Fragments.SRC4, Fragments.DST4);
        assertThat(defrag.insert(otherProto, NOW_NS)).isEqualTo(NOT_COMPLETE);
        final Packet otherSource = ipv4(12, 8, true, Fragments.fill('B', 8), Fragments.ICMP, new byte[0],
            0x03030303L, Fragments.DST4);
        assertThat(defrag.insert(otherSource, NOW_NS)).isEqualTo(NOT_COMPLETE);
        assertThat(defrag.insert(ipv4(12, 16, false, 'C', 3), NOW_NS)).isEqualTo(NOT_COMPLETE);
        assertThat(defrag.trackersInUse()).isEqualTo(3);
    }

    @Test
    void shouldSeparateVlansWhenVlansAreInTheKey()
    {
        final Defragmenter defrag = defragmenter(DefragPolicy.BSD);
        final Packet first = ipv4(1, 0, true, 'A', 8);
        first.vlanCount = 2;
        first.vlanIds[0] = 1;
        first.vlanIds[1] = 1;
        final Packet last = ipv4(1, 8, false, 'B', 8);
        last.vlanCount = 2;
        last.vlanIds[0] = 1;
        last.vlanIds[1] = 2;
        assertThat(defrag.insert(first, NOW_NS)).isEqualTo(NOT_COMPLETE);
        assertThat(defrag.insert(last, NOW_NS)).isEqualTo(NOT_COMPLETE);

        final Defragmenter ignoringVlans = new Defragmenter(new DefragContext().memcapBytes(65536).trackers(4)
            .hashSize(8).maxFrags(8).vlanInKey(false));
        assertThat(ignoringVlans.insert(first, NOW_NS)).isEqualTo(NOT_COMPLETE);
        assertThat(ignoringVlans.insert(last, NOW_NS)).isEqualTo(COMPLETE);
    }

    @Test
    void shouldDropDuplicateFragmentsAndRaiseOverlap()
    {
        final Defragmenter defrag = defragmenter(DefragPolicy.BSD);
        assertThat(defrag.insert(ipv4(3, 0, true, 'A', 8), NOW_NS)).isEqualTo(NOT_COMPLETE);
        final Packet duplicate = ipv4(3, 0, true, 'Z', 8);
        assertThat(defrag.insert(duplicate, NOW_NS)).isEqualTo(NOT_COMPLETE);
        assertThat(duplicate.hasEvent(DecoderEvent.IPV4_FRAG_OVERLAP)).isTrue();
        assertThat(defrag.fragmentsInUse()).isEqualTo(1);
        final Packet last = ipv4(3, 8, false, 'B', 8);
        assertThat(defrag.insert(last, NOW_NS)).isEqualTo(COMPLETE);
        assertThat(last.hasEvent(DecoderEvent.IPV4_FRAG_OVERLAP)).isFalse();
        assertThat(text(payload(defrag, 20))).isEqualTo("AAAAAAAABBBBBBBB");
    }

    @Test
    void shouldReassembleOnlyUpToTheLastFragment()
    {
        final Defragmenter defrag = defragmenter(DefragPolicy.BSD);
        assertThat(defrag.insert(ipv4(9, 16, true, 'C', 8), NOW_NS)).isEqualTo(NOT_COMPLETE);
        assertThat(defrag.insert(ipv4(9, 0, true, 'A', 8), NOW_NS)).isEqualTo(NOT_COMPLETE);
        assertThat(defrag.insert(ipv4(9, 8, false, 'B', 8), NOW_NS)).isEqualTo(COMPLETE);
        assertThat(u16(defrag.reassembled(), 2)).isEqualTo(36);
        assertThat(text(payload(defrag, 20))).isEqualTo("AAAAAAAABBBBBBBB");

        assertThat(defrag.insert(ipv6(9, 16, true, 'C', 8), NOW_NS)).isEqualTo(NOT_COMPLETE);
        assertThat(defrag.insert(ipv6(9, 0, true, 'A', 8), NOW_NS)).isEqualTo(NOT_COMPLETE);
        assertThat(defrag.insert(ipv6(9, 8, false, 'B', 8), NOW_NS)).isEqualTo(COMPLETE);
        assertThat(u16(defrag.reassembled(), 4)).isEqualTo(16);
        assertThat(text(payload(defrag, 40))).isEqualTo("AAAAAAAABBBBBBBB");
    }

    @Test
    void shouldWaitWhileAFragmentIsMissing()
    {
        final Defragmenter defrag = defragmenter(DefragPolicy.BSD);
        final Packet[] packets = {
            ipv4(189, 16, true, "AABBCCDDAABBDDCC".getBytes()),
            ipv4(189, 40, true, "AACCBBDD".getBytes()),
            ipv4(189, 8, true, "AACCDDBBAADDBBCC".getBytes()),
            ipv4(189, 0, true, "ZZZZZZZZ".getBytes()),
            ipv4(189, 48, false, "DDCCBBAA".getBytes()),
        };
        for (final Packet p : packets)
        {
            assertThat(defrag.insert(p, NOW_NS)).isEqualTo(NOT_COMPLETE);
        }
        assertThat(defrag.fragmentsInUse()).isEqualTo(5);
    }

    static Stream<Arguments> novakPatterns()
    {
        return Stream.of(
            Arguments.of(DefragPolicy.BSD, "AAAJJBCCCLLLMMMFFFGGHHIQ"),
            Arguments.of(DefragPolicy.LINUX, "AAAJJBKKKLLLMMMFFFGGPHQQ"),
            Arguments.of(DefragPolicy.WINDOWS, "AAAJBBCCCLLLMEEFFFGGHHIQ"),
            Arguments.of(DefragPolicy.SOLARIS, "AAAJBBCCCLLLMMMFFFGGHHIQ"),
            Arguments.of(DefragPolicy.FIRST, "AAAJBBCCCLDLMEEFFFGGHHIQ"),
            Arguments.of(DefragPolicy.LAST, "AJJJJBKKKLLLMMMFNFGOPHQQ"),
            Arguments.of(DefragPolicy.BSD_RIGHT, "AJJJBBKKKLDLMEEFNFGOPHQQ"));
    }

    private static void sendNovak(final Defragmenter defrag, final boolean v6)
    {
        final Object[][] originals = {
            {0, 'A', 24}, {32, 'B', 16}, {48, 'C', 24}, {80, 'D', 8}, {104, 'E', 16}, {120, 'F', 24},
            {144, 'G', 16}, {160, 'H', 16}, {176, 'I', 8},
        };
        final Object[][] overlapping = {
            {8, 'J', 32}, {48, 'K', 24}, {72, 'L', 24}, {96, 'M', 24}, {128, 'N', 8}, {152, 'O', 8}, {160, 'P', 8},
        };
        for (final Object[] f : originals)
        {
            final Packet p = v6 ? ipv6(1, (int)f[0], true, (char)f[1], (int)f[2]) :
                ipv4(1, (int)f[0], true, (char)f[1], (int)f[2]);
            assertThat(defrag.insert(p, NOW_NS)).isEqualTo(NOT_COMPLETE);
            assertThat(p.hasEvent(DecoderEvent.IPV4_FRAG_OVERLAP) || p.hasEvent(DecoderEvent.IPV6_FRAG_OVERLAP))
                .isFalse();
        }
        int overlaps = 0;
        for (final Object[] f : overlapping)
        {
            final Packet p = v6 ? ipv6(1, (int)f[0], true, (char)f[1], (int)f[2]) :
                ipv4(1, (int)f[0], true, (char)f[1], (int)f[2]);
            assertThat(defrag.insert(p, NOW_NS)).isEqualTo(NOT_COMPLETE);
            if (p.hasEvent(v6 ? DecoderEvent.IPV6_FRAG_OVERLAP : DecoderEvent.IPV4_FRAG_OVERLAP))
            {
                overlaps++;
            }
        }
        assertThat(overlaps).isEqualTo(overlapping.length);
        final Packet last = v6 ? ipv6(1, 176, false, 'Q', 16) : ipv4(1, 176, false, 'Q', 16);
        assertThat(defrag.insert(last, NOW_NS)).isEqualTo(COMPLETE);
    }

    @ParameterizedTest
    @MethodSource("novakPatterns")
    void shouldResolveNovakOverlapsPerPolicyForIpv4(final DefragPolicy policy, final String expected)
    {
        final Defragmenter defrag = defragmenter(policy);
        sendNovak(defrag, false);
        assertThat(defrag.reassembledLength()).isEqualTo(20 + 192);
        assertThat(u16(defrag.reassembled(), 2)).isEqualTo(20 + 192);
        assertThat(Checksums.ipv4HeaderChecksum(defrag.reassembled(), 0, 20)).isZero();
        assertThat(text(payload(defrag, 20))).isEqualTo(text(blocks(expected)));
        assertThat(defrag.fragmentsInUse()).isZero();
        assertThat(defrag.memuseBytes()).isZero();
    }

    @ParameterizedTest
    @MethodSource("novakPatterns")
    void shouldResolveNovakOverlapsPerPolicyForIpv6(final DefragPolicy policy, final String expected)
    {
        final Defragmenter defrag = defragmenter(policy);
        sendNovak(defrag, true);
        assertThat(defrag.reassembledLength()).isEqualTo(40 + 192);
        assertThat(u16(defrag.reassembled(), 4)).isEqualTo(192);
        assertThat(text(payload(defrag, 40))).isEqualTo(text(blocks(expected)));
        assertThat(defrag.fragmentsInUse()).isZero();
    }

    @Test
    void shouldUseThePolicyOfTheDestination()
    {
        final Defragmenter defrag = new Defragmenter(new DefragContext().memcapBytes(65536).trackers(4).hashSize(8)
            .maxFrags(64).policyLookup((version, hi, lo) -> lo == Fragments.DST4 ? DefragPolicy.LINUX :
                DefragPolicy.BSD));
        sendNovak(defrag, false);
        assertThat(text(payload(defrag, 20))).isEqualTo(text(blocks("AAAJJBKKKLLLMMMFFFGGPHQQ")));
        sendNovak(defrag, true);
        assertThat(text(payload(defrag, 40))).isEqualTo(text(blocks("AAAJJBCCCLLLMMMFFFGGHHIQ")));
    }

    @Test
    void shouldApplyLinuxPolicyToJeremysOverlap()
    {
        final Defragmenter defrag = defragmenter(DefragPolicy.LINUX);
        assertThat(defrag.insert(ipv4(1, 0, true, 'A', 24), NOW_NS)).isEqualTo(NOT_COMPLETE);
        assertThat(defrag.insert(ipv4(1, 40, true, 'B', 48), NOW_NS)).isEqualTo(NOT_COMPLETE);
        assertThat(defrag.insert(ipv4(1, 24, true, 'C', 48), NOW_NS)).isEqualTo(NOT_COMPLETE);
        assertThat(defrag.insert(ipv4(1, 88, false, 'D', 14), NOW_NS)).isEqualTo(COMPLETE);
        assertThat(text(payload(defrag, 20)))
            .isEqualTo("A".repeat(24) + "C".repeat(48) + "B".repeat(16) + "D".repeat(14));
    }

    @Test
    void shouldPreferTheSameOffsetFragmentAfterTheLastOneUnderBsd()
    {
        for (final boolean v6 : new boolean[]{false, true})
        {
            final Defragmenter defrag = defragmenter(DefragPolicy.BSD);
            final int h = v6 ? 40 : 20;
            assertThat(defrag.insert(v6 ? ipv6(0x96, 24, false, 'A', 16) : ipv4(0x96, 24, false, 'A', 16), NOW_NS))
                .isEqualTo(NOT_COMPLETE);
            assertThat(defrag.insert(v6 ? ipv6(0x96, 8, true, 'B', 16) : ipv4(0x96, 8, true, 'B', 16), NOW_NS))
                .isEqualTo(NOT_COMPLETE);
            assertThat(defrag.insert(v6 ? ipv6(0x96, 16, true, 'C', 16) : ipv4(0x96, 16, true, 'C', 16), NOW_NS))
                .isEqualTo(NOT_COMPLETE);
            assertThat(defrag.insert(v6 ? ipv6(0x96, 0, true, 'D', 8) : ipv4(0x96, 0, true, 'D', 8), NOW_NS))
                .isEqualTo(COMPLETE);
            assertThat(text(payload(defrag, h))).isEqualTo(text(blocks("DBBCA")));
        }
    }

    @Test
    void shouldLetASubsequentFragmentOverlapTheStartOfTheOriginalUnderBsd()
    {
        for (final boolean v6 : new boolean[]{false, true})
        {
            final Defragmenter defrag = defragmenter(DefragPolicy.BSD);
            final int h = v6 ? 40 : 20;
            assertThat(defrag.insert(v6 ? ipv6(1, 8, false, 'E', 24) : ipv4(1, 8, false, 'E', 24), NOW_NS))
                .isEqualTo(NOT_COMPLETE);
            assertThat(defrag.insert(v6 ? ipv6(1, 0, true, 'M', 24) : ipv4(1, 0, true, 'M', 24), NOW_NS))
                .isEqualTo(COMPLETE);
            assertThat(text(payload(defrag, h))).isEqualTo(text(blocks("MMME")));

            final Defragmenter second = defragmenter(DefragPolicy.BSD);
            final String[] data = {"AABBCCDDAABBDDCC", "AACCBBDDAACCDDBB", "ZZZZZZZZ", "DDCCBBAA"};
            final int[] offsets = {16, 8, 0, 32};
            for (int i = 0; i < 4; i++)
            {
                final Packet p = v6 ? ipv6(6, offsets[i], i < 3, data[i].getBytes()) :
                    ipv4(6, offsets[i], i < 3, data[i].getBytes());
                assertThat(second.insert(p, NOW_NS)).isEqualTo(i < 3 ? NOT_COMPLETE : COMPLETE);
            }
            assertThat(text(payload(second, h)))
                .isEqualTo("ZZZZZZZZ" + "AACCBBDD" + "AACCDDBB" + "AABBDDCC" + "DDCCBBAA");
        }
    }

    @Test
    void shouldDropATooLargeIpv4Fragment()
    {
        final Defragmenter defrag = defragmenter(DefragPolicy.BSD);
        final Packet p = ipv4(1, 8183 * 8, false, 'A', 71);
        assertThat(defrag.insert(p, NOW_NS)).isEqualTo(DROPPED);
        assertThat(p.hasEvent(DecoderEvent.IPV4_FRAG_PKT_TOO_LARGE)).isTrue();
        assertThat(defrag.fragmentsInUse()).isZero();
        assertThat(defrag.trackersInUse()).isZero();
        assertThat(defrag.memuseBytes()).isZero();

        final Packet fits = ipv4(1, 8183 * 8, false, 'A', 51);
        assertThat(defrag.insert(fits, NOW_NS)).isEqualTo(NOT_COMPLETE);
        assertThat(fits.hasEvent(DecoderEvent.IPV4_FRAG_PKT_TOO_LARGE)).isFalse();
    }

    @Test
    void shouldDropATooLargeIpv6Fragment()
    {
        final Defragmenter defrag = defragmenter(DefragPolicy.BSD);
        final Packet p = ipv6(1, 65528, false, 'A', 16);
        assertThat(defrag.insert(p, NOW_NS)).isEqualTo(DROPPED);
        assertThat(p.hasEvent(DecoderEvent.IPV6_FRAG_PKT_TOO_LARGE)).isTrue();
        assertThat(defrag.fragmentsInUse()).isZero();
    }

    @Test
    void shouldRejectIpv6FragmentWhoseLengthIsNotAMultipleOfEight()
    {
        final Defragmenter defrag = defragmenter(DefragPolicy.BSD);
        final Packet p = ipv6(1, 0, true, 'A', 12);
        assertThat(defrag.insert(p, NOW_NS)).isEqualTo(DROPPED);
        assertThat(p.hasEvent(DecoderEvent.IPV6_FRAG_INVALID_LENGTH)).isTrue();
        assertThat(defrag.trackersInUse()).isZero();

        final Packet last = ipv6(1, 8, false, 'A', 12);
        assertThat(defrag.insert(last, NOW_NS)).isEqualTo(NOT_COMPLETE);
        assertThat(last.hasEvent(DecoderEvent.IPV6_FRAG_INVALID_LENGTH)).isFalse();
    }

    @Test
    void shouldIgnoreAnEmptyLastFragmentAndNonFragments()
    {
        final Defragmenter defrag = defragmenter(DefragPolicy.BSD);
        assertThat(defrag.insert(ipv4(12, 8, false, 'A', 0), NOW_NS)).isEqualTo(NOT_COMPLETE);
        assertThat(defrag.fragmentsInUse()).isZero();
        assertThat(defrag.trackersInUse()).isZero();

        final Packet whole = ipv4(13, 0, false, 'A', 8);
        assertThat(defrag.insert(whole, NOW_NS)).isEqualTo(DROPPED);
        assertThat(stats(defrag)).containsEntry("defrag.ipv4.fragments", 1L);
    }

    @Test
    void shouldDropFragmentsBeyondTheTrackerLimit()
    {
        final Defragmenter defrag = new Defragmenter(new DefragContext().memcapBytes(65536).trackers(4).hashSize(2)
            .maxFrags(64));
        for (int id = 0; id < 4; id++)
        {
            assertThat(defrag.insert(ipv4(id, 0, true, 'A', 8), NOW_NS)).isEqualTo(NOT_COMPLETE);
        }
        final long memuse = defrag.memuseBytes();
        assertThat(defrag.insert(ipv4(99, 0, true, 'A', 8), NOW_NS)).isEqualTo(DROPPED);
        assertThat(defrag.trackersInUse()).isEqualTo(4);
        assertThat(defrag.memuseBytes()).isEqualTo(memuse);
        assertThat(stats(defrag)).containsEntry("defrag.max_trackers_reached", 1L);

        assertThat(defrag.insert(ipv4(2, 8, false, 'B', 8), NOW_NS)).isEqualTo(COMPLETE);
        assertThat(defrag.insert(ipv4(99, 0, true, 'A', 8), NOW_NS)).isEqualTo(NOT_COMPLETE);
        assertThat(defrag.trackersInUse()).isEqualTo(4);
    }

    @Test
    void shouldReuseATimedOutTrackerWhenTheTableIsFull()
    {
        final Defragmenter defrag = new Defragmenter(new DefragContext().memcapBytes(65536).trackers(16)
            .hashSize(16).maxFrags(64));
        for (int id = 0; id < 16; id++)
        {
            assertThat(defrag.insert(ipv4(id, 0, true, 'A', 16), NOW_NS + id)).isEqualTo(NOT_COMPLETE);
        }
        final long later = NOW_NS + DefragContext.TIMEOUT_NS_DEFAULT + 1;
        assertThat(defrag.insert(ipv4(99, 0, true, 'B', 16), later)).isEqualTo(NOT_COMPLETE);
        assertThat(defrag.trackersInUse()).isEqualTo(16);
        assertThat(stats(defrag)).containsEntry("defrag.ipv4.timeouts", 1L)
            .containsEntry("defrag.max_trackers_reached", 0L);
        assertThat(defrag.insert(ipv4(99, 16, false, 'C', 4), later)).isEqualTo(COMPLETE);
        assertThat(text(payload(defrag, 20))).isEqualTo("BBBBBBBBBBBBBBBBCCCC");
    }

    @Test
    void shouldDropFragmentsBeyondMaxFrags()
    {
        final Defragmenter defrag = new Defragmenter(new DefragContext().memcapBytes(65536).trackers(4).hashSize(4)
            .maxFrags(4));
        for (int i = 0; i < 4; i++)
        {
            assertThat(defrag.insert(ipv4(1, i * 8, true, 'A', 8), NOW_NS)).isEqualTo(NOT_COMPLETE);
        }
        final Packet fifth = ipv4(1, 32, false, 'A', 8);
        assertThat(defrag.insert(fifth, NOW_NS)).isEqualTo(DROPPED);
        assertThat(fifth.hasEvent(DecoderEvent.IPV4_FRAG_TOO_MANY)).isTrue();
        final Packet other = ipv4(2, 8, false, 'A', 8);
        assertThat(defrag.insert(other, NOW_NS)).isEqualTo(DROPPED);
        assertThat(defrag.fragmentsInUse()).isEqualTo(4);
        assertThat(defrag.trackersInUse()).isEqualTo(1);
        assertThat(stats(defrag)).containsEntry("defrag.max_frags_reached", 2L);
    }

    @Test
    void shouldNeverHoldMoreBytesThanTheMemcap()
    {
        for (final boolean prealloc : new boolean[]{true, false})
        {
            final long memcap = 8 * Defragmenter.BLOCK_SIZE;
            final Defragmenter defrag = new Defragmenter(new DefragContext().memcapBytes(memcap).trackers(64)
                .hashSize(64).maxFrags(64).prealloc(prealloc));
            int dropped = 0;
            for (int id = 0; id < 10; id++)
            {
                final int result = defrag.insert(ipv4(id, 0, true, 'A', 600), NOW_NS);
                assertThat(defrag.memuseBytes()).isLessThanOrEqualTo(memcap);
                if (result == DROPPED)
                {
                    dropped++;
                }
            }
            assertThat(dropped).isEqualTo(8);
            assertThat(defrag.trackersInUse()).isEqualTo(2);
            assertThat(stats(defrag)).containsEntry("defrag.memcap_exception", 8L)
                .containsEntry("defrag.memuse", 2L * 3 * Defragmenter.BLOCK_SIZE);

            assertThat(defrag.expire(NOW_NS + DefragContext.TIMEOUT_NS_DEFAULT + 1)).isEqualTo(2);
            assertThat(defrag.memuseBytes()).isZero();
            assertThat(defrag.insert(ipv4(50, 0, true, 'A', 600), NOW_NS)).isEqualTo(NOT_COMPLETE);
        }
    }

    @Test
    void shouldExpireIdleTrackersInArrivalOrder()
    {
        final Defragmenter defrag = defragmenter(DefragPolicy.BSD);
        final long timeout = DefragContext.TIMEOUT_NS_DEFAULT;
        assertThat(defrag.insert(ipv4(1, 0, true, 'A', 8), NOW_NS)).isEqualTo(NOT_COMPLETE);
        assertThat(defrag.insert(ipv6(2, 0, true, 'A', 8), NOW_NS + 10)).isEqualTo(NOT_COMPLETE);
        assertThat(defrag.insert(ipv4(3, 0, true, 'A', 8), NOW_NS + 20)).isEqualTo(NOT_COMPLETE);
        assertThat(defrag.insert(ipv4(1, 8, true, 'B', 8), NOW_NS + 30)).isEqualTo(NOT_COMPLETE);

        assertThat(defrag.expire(NOW_NS + timeout)).isZero();
        assertThat(defrag.expire(NOW_NS + 11 + timeout)).isEqualTo(1);
        assertThat(defrag.expire(NOW_NS + 21 + timeout)).isEqualTo(1);
        assertThat(defrag.trackersInUse()).isEqualTo(1);
        assertThat(stats(defrag)).containsEntry("defrag.ipv4.timeouts", 1L).containsEntry("defrag.ipv6.timeouts", 1L);

        assertThat(defrag.insert(ipv4(1, 16, false, 'C', 8), NOW_NS + 40)).isEqualTo(COMPLETE);
        assertThat(text(payload(defrag, 20))).isEqualTo("AAAAAAAABBBBBBBBCCCCCCCC");
        assertThat(defrag.memuseBytes()).isZero();
    }

    @Test
    void shouldStartAFreshDatagramWhenTheOldTrackerHasTimedOut()
    {
        final Defragmenter defrag = defragmenter(DefragPolicy.BSD);
        assertThat(defrag.insert(ipv4(1, 0, true, 'A', 8), NOW_NS)).isEqualTo(NOT_COMPLETE);
        final long later = NOW_NS + DefragContext.TIMEOUT_NS_DEFAULT + 1;
        assertThat(defrag.insert(ipv4(1, 8, false, 'B', 8), later)).isEqualTo(NOT_COMPLETE);
        assertThat(defrag.trackersInUse()).isEqualTo(1);
        assertThat(defrag.fragmentsInUse()).isEqualTo(1);
        assertThat(stats(defrag)).containsEntry("defrag.ipv4.timeouts", 1L);
    }

    @Test
    void shouldKeepMemoryBoundedOverManyDatagrams()
    {
        final Defragmenter defrag = defragmenter(DefragPolicy.WINDOWS);
        final java.util.Random random = new java.util.Random(42);
        for (int round = 0; round < 500; round++)
        {
            final int id = round & 0xFFFF;
            final int length = 8 * (1 + random.nextInt(200));
            final int tail = 1 + random.nextInt(300);
            if (random.nextBoolean())
            {
                assertThat(defrag.insert(ipv4(id, length, false, 'T', tail), NOW_NS)).isEqualTo(NOT_COMPLETE);
                assertThat(defrag.insert(ipv4(id, 0, true, 'H', length), NOW_NS)).isEqualTo(COMPLETE);
            }
            else
            {
                assertThat(defrag.insert(ipv6(id, 0, true, 'H', length), NOW_NS)).isEqualTo(NOT_COMPLETE);
                assertThat(defrag.insert(ipv6(id, length, false, 'T', tail), NOW_NS)).isEqualTo(COMPLETE);
            }
            final int header = defrag.reassembled().getByte(0) >> 4 == 4 ? 20 : 40;
            assertThat(text(payload(defrag, header))).isEqualTo("H".repeat(length) + "T".repeat(tail));
            assertThat(defrag.memuseBytes()).isZero();
        }
        assertThat(defrag.trackersInUse()).isZero();
        assertThat(defrag.fragmentsInUse()).isZero();
    }
}
