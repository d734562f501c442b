package io.tandem.node.tcp.reassembly;

import static io.tandem.node.decode.Packet.TH_ACK;
import static io.tandem.node.decode.Packet.TH_FIN;
import static io.tandem.node.decode.Packet.TH_PSH;
import static io.tandem.node.decode.Packet.TH_RST;
import static io.tandem.node.decode.Packet.TH_URG;
import static io.tandem.node.tcp.reassembly.ReassemblyHarness.C;
import static io.tandem.node.tcp.reassembly.ReassemblyHarness.S;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class ReassemblerTest
{
    private static final int PA = TH_PSH | TH_ACK;

    @Test
    void shouldDeliverClientDataOnlyOnceTheServerAckedItInIdsMode()
    {
        final ReassemblyHarness h = new ReassemblyHarness().handshake();
        h.c(PA, C + 1, S + 1, "GET / HTTP/1.0\r\n");
        assertThat(h.toServer.toString()).isEmpty();
        h.s(TH_ACK, S + 1, C + 17, "");
        assertThat(h.toServer.toString()).isEqualTo("GET / HTTP/1.0\r\n");
        h.s(PA, S + 1, C + 17, "HTTP/1.0 200 OK\r\n");
        h.c(TH_ACK, C + 17, S + 18, "");
        assertThat(h.toClient.toString()).isEqualTo("HTTP/1.0 200 OK\r\n");
        h.finish();
        assertThat(h.toServer.toString()).isEqualTo("GET / HTTP/1.0\r\n<EOF>");
        assertThat(h.reassembler().pool().inUse()).isZero();
    }

    @Test
    void shouldReassembleOutOfOrderSegmentsInSequenceOrder()
    {
        final ReassemblyHarness h = new ReassemblyHarness().handshake();
        h.c(PA, C + 5, S + 1, "EFGH");
        h.c(PA, C + 1, S + 1, "ABCD");
        h.c(PA, C + 9, S + 1, "IJ");
        h.s(TH_ACK, S + 1, C + 11, "");
        assertThat(h.toServer.toString()).isEqualTo("ABCDEFGHIJ");
    }

    @Test
    void shouldKeepTheFirstDataOnAnExactOverlapWithTheDefaultBsdPolicy()
    {
        final ReassemblyHarness h = new ReassemblyHarness().handshake();
        h.c(PA, C + 1, S + 1, "GOOD");
        h.c(PA, C + 1, S + 1, "EVIL");
        h.finish();
        assertThat(h.toServer.toString()).isEqualTo("GOOD<EOF>");
        assertThat(h.counter("tcp.reassembly_duplicates")).isEqualTo(1);
        assertThat(h.events).doesNotContain("5:reassembly_overlap_different_data");
    }

    @Test
    void shouldKeepTheFirstDataOnAPartialOverlapInsideIt()
    {
        final ReassemblyHarness h = new ReassemblyHarness().handshake();
        h.c(PA, C + 1, S + 1, "GOOD");
        h.c(PA, C + 2, S + 1, "XXX");
        h.finish();
        assertThat(h.toServer.toString()).isEqualTo("GOOD<EOF>");
    }

    @Test
    void shouldRaiseOverlapDifferentDataOnlyWhenChecking()
    {
        final ReassemblyHarness on = new ReassemblyHarness("stream.reassembly.check-overlap-different-data=yes");
        on.handshake().c(PA, C + 1, S + 1, "GOOD").c(PA, C + 1, S + 1, "EVIL").c(PA, C + 1, S + 1, "GOOD");
        assertThat(on.events).containsExactly("5:reassembly_overlap_different_data");

        final ReassemblyHarness off = new ReassemblyHarness();
        off.handshake().c(PA, C + 1, S + 1, "GOOD").c(PA, C + 1, S + 1, "EVIL");
        assertThat(off.events).isEmpty();
    }

    @Test
    void shouldApplyTheDestinationsHostOsPolicy()
    {
        final ReassemblyHarness linux = new ReassemblyHarness("host-os-policy.linux=[10.0.0.2]");
        linux.handshake().c(PA, C + 1, S + 1, "AAAA").c(PA, C + 1, S + 1, "BBBBBB").finish();
        assertThat(linux.toServer.toString()).isEqualTo("BBBBBB<EOF>");

        final ReassemblyHarness bsd = new ReassemblyHarness();
        bsd.handshake().c(PA, C + 1, S + 1, "AAAA").c(PA, C + 1, S + 1, "BBBBBB").finish();
        assertThat(bsd.toServer.toString()).isEqualTo("AAAABB<EOF>");

        final ReassemblyHarness solaris = new ReassemblyHarness("host-os-policy.solaris=[10.0.0.2]");
        solaris.handshake().c(PA, C + 2, S + 1, "AA").c(PA, C + 1, S + 1, "BBBB").finish();
        assertThat(solaris.toServer.toString()).isEqualTo("BBBB<EOF>");
    }

    @Test
    void shouldReportAGapWhenTheReceiverAckedMissingData()
    {
        final ReassemblyHarness h = new ReassemblyHarness().handshake();
        h.c(PA, C + 1, S + 1, "VERY");
        h.c(PA, C + 9, S + 1, "DATA");
        h.s(TH_ACK, S + 1, C + 13, "");
        h.finish();
        assertThat(h.toServer.toString()).isEqualTo("VERY[4]DATA<EOF>");
        assertThat(h.events).containsExactly("6:reassembly_seq_gap");
        assertThat(h.counter("tcp.reassembly_gap")).isEqualTo(1);
        assertThat(h.counter("tcp.reassembly_gap_bytes")).isEqualTo(4);
    }

    @Test
    void shouldCostNoMemoryForAMultiGigabyteGap()
    {
        final ReassemblyHarness h = new ReassemblyHarness("stream.reassembly.depth=0").handshake();
        h.c(PA, C + 1, S + 1, "AB");
        h.s(TH_ACK, S + 1, C + 3, "");
        int ack = C + 3;
        for (int i = 0; i < 100_000; i++)
        {
            ack += 60_000;
            h.s(TH_ACK, S + 1, ack, "");
        }
        assertThat(h.counter("tcp.reassembly_gap_bytes")).isEqualTo(100_000L * 60_000);
        assertThat(h.reassembler().pool().usedBytes()).isZero();
    }

    @Test
    void shouldNeverAddRstPayloadToTheStream()
    {
        final ReassemblyHarness h = new ReassemblyHarness().handshake();
        h.s(PA, S + 1, C + 1, "Please Let Me In!");
        h.c(TH_RST | TH_ACK, C + 1, S + 18, "Access Denied");
        h.finish();
        assertThat(h.toClient.toString()).isEqualTo("Please Let Me In!<EOF>");
        assertThat(h.toServer.toString()).isEqualTo("<EOF>");
        assertThat(h.counter("tcp.reassembly_rst_payload_ignored")).isEqualTo(1);
    }

    @Test
    void shouldDeliverUnackedDataBeforeARstWhenTheFlowIsFlushedWithoutAGap()
    {
        final ReassemblyHarness h = new ReassemblyHarness().handshake();
        h.s(PA, S + 1, C + 1, "Plea");
        h.s(PA, S + 5, C + 1, "se Let");
        h.s(PA, S + 11, C + 1, " Me In!");
        h.c(TH_RST | TH_ACK, C + 1, S + 5, "Access Denied");
        assertThat(h.toClient.toString()).isEqualTo("Plea");
        h.finish();
        assertThat(h.toClient.toString()).isEqualTo("Please Let Me In!<EOF>");
        assertThat(h.counter("tcp.reassembly_gap")).isZero();
    }

    @Test
    void shouldNotDeliverUnackedDataPastAHoleTheReceiverNeverAcked()
    {
        final ReassemblyHarness h = new ReassemblyHarness().handshake();
        h.s(PA, S + 1, C + 1, "AAAA");
        h.s(PA, S + 13, C + 1, "CCCC");
        h.c(TH_ACK, C + 1, S + 9, "");
        h.c(TH_RST | TH_ACK, C + 1, S + 9, "");
        h.finish();
        assertThat(h.toClient.toString()).isEqualTo("AAAA[4]<EOF>");
        assertThat(h.counter("tcp.reassembly_gap_bytes")).isEqualTo(4);
    }

    @Test
    void shouldNotCountTheFinAsData()
    {
        final ReassemblyHarness h = new ReassemblyHarness().handshake();
        h.c(PA | TH_FIN, C + 1, S + 1, "bye");
        h.s(TH_ACK, S + 1, C + 5, "");
        assertThat(h.toServer.toString()).isEqualTo("bye");
        assertThat(h.counter("tcp.reassembly_gap")).isZero();
    }

    @Test
    void shouldTruncateAtDepthAndRaiseTheEventOncePerDirection()
    {
        final ReassemblyHarness h = new ReassemblyHarness("stream.reassembly.depth=6").handshake();
        h.c(PA, C + 1, S + 1, "ABCD");
        h.c(PA, C + 5, S + 1, "EFGH");
        h.c(PA, C + 9, S + 1, "IJKL");
        h.s(PA, S + 1, C + 13, "0123456789");
        h.c(TH_ACK, C + 13, S + 11, "");
        h.finish();
        assertThat(h.toServer.toString()).isEqualTo("ABCDEF<DEPTH><EOF>");
        assertThat(h.toClient.toString()).isEqualTo("012345<DEPTH><EOF>");
        assertThat(h.events).containsExactly("5:reassembly_depth_reached", "7:reassembly_depth_reached");
    }

    @Test
    void shouldTellRawConsumersWhereTheDepthCutTheStream()
    {
        final ReassemblyHarness h = new ReassemblyHarness("stream.reassembly.depth=6",
            "stream.reassembly.toserver-chunk-size=4").handshake();
        h.c(PA, C + 1, S + 1, "ABCD");
        h.c(PA, C + 5, S + 1, "EFGH");
        h.s(TH_ACK, S + 1, C + 9, "");
        assertThat(h.rawTextToServer.toString()).isEqualTo("ABCDEF<DEPTH>");
        assertThat(h.rawToServer).containsExactly(4, 2);
        h.c(PA, C + 9, S + 1, "IJKL");
        h.s(TH_ACK, S + 1, C + 13, "");
        h.finish();
        assertThat(h.rawTextToServer.toString()).isEqualTo("ABCDEF<DEPTH><EOF>");
    }

    @Test
    void shouldBypassTheFlowAtDepthWithStreamBypass()
    {
        final ReassemblyHarness h = new ReassemblyHarness("stream.reassembly.depth=4", "stream.bypass=yes");
        h.handshake().c(PA, C + 1, S + 1, "ABCDEFGH").c(PA, C + 9, S + 1, "IJKL").finish();
        assertThat(h.ended).containsExactly("bypassed");
        assertThat(h.toServer.toString()).isEqualTo("ABCD<DEPTH><EOF>");
        assertThat(h.counter("tcp.reassembly_segments")).isEqualTo(1);
    }

    @Test
    void shouldDeliverUnackedDataAndNormaliseOverlapsInInlineMode()
    {
        final ReassemblyHarness h = new ReassemblyHarness("stream.inline=yes").handshake();
        h.c(PA, C + 1, S + 1, "GOOD");
        assertThat(h.toServer.toString()).isEqualTo("GOOD");
        h.c(PA, C + 1, S + 1, "EVIL");
        final Reassembler r = h.reassembler();
        assertThat(r.payloadRewritten()).isTrue();
        final byte[] b = new byte[r.payloadLength()];
        r.payload().getBytes(0, b);
        assertThat(new String(b, StandardCharsets.ISO_8859_1)).isEqualTo("GOOD");
        assertThat(h.events).containsExactly("5:reassembly_overlap_different_data");
        h.c(PA, C + 1, S + 1, "GOOD");
        assertThat(r.payloadRewritten()).isFalse();
        h.finish();
        assertThat(h.toServer.toString()).isEqualTo("GOOD<EOF>");
    }

    @Test
    void shouldGiveTheAcceptedPayloadWhetherOrNotTheDataOverlappedQueuedData()
    {
        final ReassemblyHarness h = new ReassemblyHarness().handshake();
        final Reassembler r = h.reassembler();
        h.c(PA, C + 1, S + 1, "GOOD");
        assertThat(payloadText(r)).isEqualTo("GOOD");
        h.c(PA, C + 2, S + 1, "XXXYZ");
        assertThat(payloadText(r)).isEqualTo("OODYZ");
        h.c(PA, C + 7, S + 1, "END");
        assertThat(payloadText(r)).isEqualTo("END");
        h.finish();
        assertThat(h.toServer.toString()).isEqualTo("GOODYZEND<EOF>");
    }

    private static String payloadText(final Reassembler r)
    {
        final byte[] b = new byte[r.payloadLength()];
        r.payload().getBytes(0, b);
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    @Test
    void shouldChunkRawDataByTheConfiguredSizePerDirection()
    {
        final ReassemblyHarness h = new ReassemblyHarness("stream.reassembly.toserver-chunk-size=4",
            "stream.reassembly.toclient-chunk-size=3").handshake();
        h.c(PA, C + 1, S + 1, "ABCDEFGHIJ");
        h.s(PA, S + 1, C + 11, "0123456");
        h.c(TH_ACK, C + 11, S + 8, "");
        assertThat(h.rawToServer).containsExactly(4, 4);
        assertThat(h.rawToClient).containsExactly(3, 3);
        h.finish();
        assertThat(h.rawToServer).containsExactly(4, 4, 2);
        assertThat(h.rawToClient).containsExactly(3, 3, 1);
        assertThat(h.rawTextToServer.toString()).isEqualTo("ABCDEFGHIJ<EOF>");
    }

    @Test
    void shouldDeliverNoRawChunksWhenRawIsOff()
    {
        final ReassemblyHarness h = new ReassemblyHarness("stream.reassembly.raw=no").handshake();
        h.c(PA, C + 1, S + 1, "ABCDEFGHIJ").s(TH_ACK, S + 1, C + 11, "").finish();
        assertThat(h.rawToServer).isEmpty();
        assertThat(h.toServer.toString()).isEqualTo("ABCDEFGHIJ<EOF>");
    }

    @Test
    void shouldRandomiseChunkSizesWithinHalfTheRangeDeterministically()
    {
        final java.util.Set<Integer> sizes = new java.util.HashSet<>();
        final ReassemblyHarness h = new ReassemblyHarness("stream.reassembly.randomize-chunk-size=yes",
            "stream.reassembly.randomize-chunk-range=20", "stream.reassembly.toserver-chunk-size=1000");
        for (int i = 0; i < 40; i++)
        {
            h.clientPort = 30000 + i;
            h.rawToServer.clear();
            h.handshake();
            h.c(PA, C + 1, S + 1, ReassemblyHarness.repeat('x', 3000));
            h.s(TH_ACK, S + 1, C + 3001, "");
            final int size = h.rawToServer.get(0);
            assertThat(size).isBetween(900, 1100);
            sizes.add(size);
        }
        assertThat(sizes.size()).isGreaterThan(10);
        assertThat(sizes).anyMatch(size -> size < 950 || size > 1050);

        final ReassemblyHarness a = new ReassemblyHarness("stream.reassembly.randomize-chunk-size=yes");
        final ReassemblyHarness b = new ReassemblyHarness("stream.reassembly.randomize-chunk-size=yes");
        for (final ReassemblyHarness x : new ReassemblyHarness[] { a, b })
        {
            x.handshake().c(PA, C + 1, S + 1, ReassemblyHarness.repeat('y', 6000)).s(TH_ACK, S + 1, C + 6001, "");
        }
        assertThat(a.rawToServer).isEqualTo(b.rawToServer).isNotEqualTo(java.util.List.of(2560, 2560));
    }

    @Test
    void shouldApplyTheUrgentPolicyToTheLastByteOfAnUrgentPacket()
    {
        assertThat(urgent("inline", "no").toServer.toString()).isEqualTo("ABCD!EFG<EOF>");
        assertThat(urgent("oob", "no").toServer.toString()).isEqualTo("ABCDEFG<EOF>");
        assertThat(urgent("gap", "no").toServer.toString()).isEqualTo("ABCD[1]EFG<EOF>");
        final ReassemblyHarness ids = urgent("drop", "no");
        assertThat(ids.toServer.toString()).isEqualTo("ABCD!EFG<EOF>");
        assertThat(ids.worker.tcpVerdictDrops()).isZero();

        final ReassemblyHarness inline = urgent("drop", "yes");
        assertThat(inline.toServer.toString()).isEqualTo("[5]EFG<EOF>");
        assertThat(inline.worker.tcpVerdictDrops()).isEqualTo(1);
        assertThat(inline.counter("ips.drop_reason.stream_urgent")).isEqualTo(1);
    }

    private static ReassemblyHarness urgent(final String policy, final String inline)
    {
        final ReassemblyHarness h = new ReassemblyHarness("stream.reassembly.urgent.policy=" + policy,
            "stream.inline=" + inline).handshake();
        h.urgentPointer = 5;
        h.c(PA | TH_URG, C + 1, S + 1, "ABCD!");
        h.c(PA, C + 6, S + 1, "EFG");
        h.s(TH_ACK, S + 1, C + 9, "");
        h.finish();
        return h;
    }

    @Test
    void shouldApplyTheOobLimitPolicyPastTheOutOfBandLimit()
    {
        final ReassemblyHarness drop = oobLimit("drop", "no");
        assertThat(drop.toServer.toString()).isEqualTo("AB[2]CD<EOF>");
        assertThat(drop.events).filteredOn(e -> e.endsWith(":reassembly_urgent_oob_limit_reached")).hasSize(1);
        assertThat(drop.counter("tcp.reassembly_urgent_dropped")).isEqualTo(1);
        assertThat(drop.worker.tcpVerdictDrops()).isZero();
        assertThat(oobLimit("inline", "no").toServer.toString()).isEqualTo("ABXYCD<EOF>");
        assertThat(oobLimit("gap", "no").toServer.toString()).isEqualTo("ABX[1]CD<EOF>");
        assertThat(oobLimit("drop", "yes").worker.tcpVerdictDrops()).isEqualTo(1);
    }

    private static ReassemblyHarness oobLimit(final String limitPolicy, final String inline)
    {
        final ReassemblyHarness h = new ReassemblyHarness("stream.reassembly.urgent.policy=oob",
            "stream.reassembly.urgent.oob-limit-policy=" + limitPolicy, "stream.inline=" + inline).handshake();
        int seq = C + 1;
        h.c(PA, seq, S + 1, "AB");
        seq += 2;
        for (int i = 0; i < Reassembler.URGENT_OOB_LIMIT; i++)
        {
            h.urgentPointer = 1;
            h.c(PA | TH_URG, seq++, S + 1, "u");
            if (i % 8192 == 0)
            {
                h.s(TH_ACK, S + 1, seq, "");
            }
        }
        h.urgentPointer = 2;
        h.c(PA | TH_URG, seq, S + 1, "XY");
        seq += 2;
        h.c(PA, seq, S + 1, "CD");
        seq += 2;
        h.s(TH_ACK, S + 1, seq, "");
        h.finish();
        return h;
    }

    @Test
    void shouldLimitQueuedBytesPerSession()
    {
        final ReassemblyHarness h = new ReassemblyHarness("stream.reassembly.max-queued-bytes=8").handshake();
        h.c(PA, C + 1, S + 1, "ABCD").c(PA, C + 5, S + 1, "EFGH").c(PA, C + 9, S + 1, "IJKL").finish();
        assertThat(h.toServer.toString()).isEqualTo("ABCDEFGH<EOF>");
        assertThat(h.counter("tcp.reassembly_queue_limit")).isEqualTo(1);
    }

    @Test
    void shouldLimitQueuedSegmentsPerSession()
    {
        final ReassemblyHarness h = new ReassemblyHarness("stream.reassembly.max-queued-segments=2").handshake();
        h.c(PA, C + 1, S + 1, "AB").c(PA, C + 3, S + 1, "CD").c(PA, C + 5, S + 1, "EF").finish();
        assertThat(h.toServer.toString()).isEqualTo("ABCD<EOF>");
        assertThat(h.counter("tcp.reassembly_queue_limit")).isEqualTo(1);
    }

    @Test
    void shouldStopAcceptingOverlapsPastTheLimit()
    {
        final ReassemblyHarness h = new ReassemblyHarness("stream.reassembly.max-overlaps=1",
            "host-os-policy.solaris=[10.0.0.2]").handshake();
        h.c(PA, C + 1, S + 1, "AAAA").c(PA, C + 1, S + 1, "BBBB").c(PA, C + 1, S + 1, "CCCC").finish();
        assertThat(h.toServer.toString()).isEqualTo("BBBB<EOF>");
        assertThat(h.counter("tcp.reassembly_overlap_limit")).isEqualTo(1);
    }

    @Test
    void shouldRefuseSegmentsPastTheMemcap()
    {
        final ReassemblyHarness h = new ReassemblyHarness("stream.reassembly.memcap=6").handshake();
        h.c(PA, C + 1, S + 1, "ABCD").c(PA, C + 5, S + 1, "EFGH");
        assertThat(h.counter("tcp.segment_memcap_drop")).isEqualTo(1);
        assertThat(h.reassembler().pool().usedBytes()).isEqualTo(4);
    }

    @Test
    void shouldStopReassemblingTheSessionAtTheMemcapWhenThePolicySaysSo()
    {
        final ReassemblyHarness ignore = new ReassemblyHarness("stream.reassembly.memcap=6",
            "stream.reassembly.raw=no").handshake();
        ignore.c(PA, C + 1, S + 1, "ABCD").c(PA, C + 5, S + 1, "EFGH").s(TH_ACK, S + 1, C + 5, "");
        ignore.c(PA, C + 5, S + 1, "EFGH").finish();
        assertThat(ignore.toServer.toString()).isEqualTo("ABCDEFGH<EOF>");

        final ReassemblyHarness pass = new ReassemblyHarness("stream.reassembly.memcap=6",
            "stream.reassembly.raw=no", "stream.reassembly.memcap-policy=pass-flow").handshake();
        pass.c(PA, C + 1, S + 1, "ABCD").c(PA, C + 5, S + 1, "EFGH").s(TH_ACK, S + 1, C + 5, "");
        pass.c(PA, C + 5, S + 1, "EFGH").finish();
        assertThat(pass.toServer.toString()).isEqualTo("ABCD<EOF>");
        assertThat(pass.counter("tcp.reassembly_memcap_stopped")).isEqualTo(1);
    }

    @Test
    void shouldDeliverTheSeenSideOfAnAsynchronousSessionWithoutGapsForTheUnseenSide()
    {
        final ReassemblyHarness h = new ReassemblyHarness("stream.async-oneside=yes", "stream.midstream=yes");
        h.s(io.tandem.node.decode.Packet.TH_SYN | TH_ACK, S, C + 1, "");
        h.s(PA, S + 1, C + 101, "* OK IMAP ready\r\n");
        h.s(PA, S + 18, C + 201, "* BYE\r\n");
        h.finish();
        assertThat(h.toClient.toString()).isEqualTo("* OK IMAP ready\r\n* BYE\r\n<EOF>");
        assertThat(h.toServer.toString()).isEqualTo("<EOF>");
        assertThat(h.counter("tcp.reassembly_gap")).isZero();
    }

    @Test
    void shouldPreallocateTheConfiguredSegments()
    {
        assertThat(new ReassemblyHarness("stream.reassembly.segment-prealloc=7").reassembler().pool().freeCount())
            .isEqualTo(7);
        final ReassemblyHarness h = new ReassemblyHarness("stream.reassembly.segment-prealloc=1").handshake();
        h.c(PA, C + 1, S + 1, "AB").c(PA, C + 4, S + 1, "CD");
        assertThat(h.counter("tcp.segment_pool_grown")).isEqualTo(1);
    }

    @Test
    void shouldDetectTheApplicationProtocolFromTheOtherDirectionOnAMidstreamFlow()
    {
        final ReassemblyHarness h = new ReassemblyHarness("stream.midstream=yes");
        h.s(PA, S + 1, C + 1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        h.c(TH_ACK, C + 1, S + 39, "");
        final io.tandem.node.flow.Flow flow = h.lastFlow();
        assertThat(h.toClient.toString()).startsWith("HTTP/1.1 200 OK");
        assertThat(h.detector.appProto(flow)).isEqualTo(io.tandem.node.applayer.AppProto.HTTP);
        assertThat(h.detector.appProto(flow, false)).isEqualTo(io.tandem.node.applayer.AppProto.HTTP);

        final ReassemblyHarness handshaken = new ReassemblyHarness().handshake();
        handshaken.s(PA, S + 1, C + 1, "HTTP/1.1 200 OK\r\n");
        handshaken.c(TH_ACK, C + 1, S + 18, "");
        assertThat(handshaken.detector.appProto(handshaken.lastFlow(), false))
            .isEqualTo(io.tandem.node.applayer.AppProto.HTTP);
        final ReassemblyHarness wrongWay = new ReassemblyHarness().handshake();
        wrongWay.c(PA, C + 1, S + 1, "HTTP/1.1 200 OK\r\n");
        wrongWay.s(TH_ACK, S + 1, C + 18, "");
        assertThat(wrongWay.detector.appProto(wrongWay.lastFlow(), true))
            .isEqualTo(io.tandem.node.applayer.AppProto.UNKNOWN);
    }

    @Test
    void shouldReverseAMidstreamFlowWhoseFirstDataIsAResponse()
    {
        final ReassemblyHarness h = new ReassemblyHarness("stream.midstream=yes");
        final String response = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
        final String request = "GET /next HTTP/1.1\r\n\r\n";
        h.s(TH_ACK, S + 1, C + 1, "");
        h.s(PA, S + 1, C + 1, response);
        final io.tandem.node.flow.Flow flow = h.lastFlow();
        assertThat(flow.key().serverPort()).isEqualTo(h.clientPort);
        h.c(PA, C + 1, S + 1 + response.length(), request);
        assertThat(flow.key().serverPort()).isEqualTo(80);
        h.s(PA, S + 1 + response.length(), C + 1 + request.length(), response);
        h.c(TH_ACK, C + 1 + request.length(), S + 1 + 2 * response.length(), "");
        assertThat(flow.pktsToServer()).isEqualTo(2);
        assertThat(flow.pktsToClient()).isEqualTo(3);
        assertThat(h.detector.appProto(flow, false)).isEqualTo(io.tandem.node.applayer.AppProto.HTTP);
        assertThat(h.detector.appProto(flow, true)).isEqualTo(io.tandem.node.applayer.AppProto.HTTP);
        assertThat(h.counter("tcp.flow_reversed")).isEqualTo(1);
        final io.tandem.node.tcp.TcpSession ssn = io.tandem.node.tcp.TcpEngine.session(flow);
        assertThat(ssn.client.nextSeq).isEqualTo(C + 1 + request.length());
        h.finish();
        assertThat(h.toClient.toString()).isEqualTo(response + response + "<EOF>");
        assertThat(h.toServer.toString()).isEqualTo(request + "<EOF>");

        final ReassemblyHarness synAck = new ReassemblyHarness("stream.midstream=yes");
        synAck.s(io.tandem.node.decode.Packet.TH_SYN | TH_ACK, S, C + 1, "");
        synAck.s(PA, S + 1, C + 1, response);
        synAck.c(TH_ACK, C + 1, S + 1 + response.length(), "");
        assertThat(synAck.lastFlow().key().serverPort()).isEqualTo(80);
        assertThat(synAck.counter("tcp.flow_reversed")).isZero();
    }

    @Test
    void shouldLeaveADirectionThatCarriedNoDataUndetected()
    {
        final ReassemblyHarness h = new ReassemblyHarness("stream.async-oneside=yes", "stream.midstream=yes");
        h.s(io.tandem.node.decode.Packet.TH_SYN | TH_ACK, S, C + 1, "");
        h.s(PA, S + 1, C + 101, "HTTP/1.1 200 OK\r\n");
        h.finish();
        assertThat(h.protosToClient).containsExactly(io.tandem.node.applayer.AppProto.HTTP.eveName());
        assertThat(h.protosToServer).containsExactly(io.tandem.node.applayer.AppProto.UNKNOWN.eveName());
    }

    @Test
    void shouldDetectDnsOverUdp()
    {
        final ReassemblyHarness h = new ReassemblyHarness();
        final byte[] query = { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'w', 'w', 'w', 0, 0, 1, 0, 1 };
        h.udp(true, 53, query);
        h.udp(true, 5353, "not a dns message at all".getBytes(StandardCharsets.US_ASCII));
        h.finish();
        assertThat(h.protos).containsExactlyInAnyOrder("dns", "failed");
    }
    @Test
    void shouldReverseAUdpFlowWhoseFirstDatagramIsADnsResponse()
    {
        final ReassemblyHarness h = new ReassemblyHarness();
        final byte[] response = { 0x12, 0x34, (byte)0x81, (byte)0x80, 0, 1, 0, 1, 0, 0, 0, 0, 3, 'w', 'w', 'w', 0, 0,
            1, 0, 1, (byte)0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 9 };
        final byte[] query = { 0x56, 0x78, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'w', 'w', 'w', 0, 0, 1, 0, 1 };
        h.udp(false, 53, response);
        final java.util.List<io.tandem.node.flow.Flow> flows = new java.util.ArrayList<>();
        h.worker.flowTable().forEachFlow(flows::add);
        assertThat(flows).hasSize(1);
        final io.tandem.node.flow.Flow flow = flows.get(0);
        assertThat(flow.key().serverPort()).isEqualTo(53);
        assertThat(flow.pktsToClient()).isEqualTo(1);
        assertThat(flow.pktsToServer()).isZero();
        h.udp(true, 53, query);
        h.udp(false, 53, response);
        assertThat(flow.key().serverPort()).isEqualTo(53);
        assertThat(flow.pktsToServer()).isEqualTo(1);
        assertThat(flow.pktsToClient()).isEqualTo(2);
        assertThat(h.detector.appProto(flow, true)).isEqualTo(io.tandem.node.applayer.AppProto.DNS);
        assertThat(h.detector.appProto(flow, false)).isEqualTo(io.tandem.node.applayer.AppProto.DNS);
        assertThat(h.counter("udp.flow_reversed")).isEqualTo(1);
        h.finish();
        assertThat(h.protos).containsExactly("dns");

        final ReassemblyHarness inOrder = new ReassemblyHarness();
        inOrder.udp(true, 53, query);
        inOrder.udp(false, 53, response);
        assertThat(inOrder.counter("udp.flow_reversed")).isZero();
    }
}
