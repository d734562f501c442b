package io.tandem.node.flow;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.tandem.node.decode.Packet;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FlowTableTest
{
    private static final long T0 = TimeUnit.SECONDS.toNanos(1_700_000_000L);
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final List<String> ended = new ArrayList<>();
    private final FlowEndListener recorder = (flow, reason) -> ended.add(
        flow.key().clientPort() + ">" + flow.key().serverPort() + ":" + reason.eveName() + ":" +
        flow.state().eveName() + ":" + flow.pktsToServer() + "/" + flow.pktsToClient());

    private static Packet packet(
        final int protocol, final int src, final int srcPort, final int dst, final int dstPort, final int length)
    {
        final Packet p = new Packet();
        p.reset();
        p.ipVersion = 4;
        p.protocol = protocol;
        p.srcLo = src & 0xFFFF_FFFFL;
        p.dstLo = dst & 0xFFFF_FFFFL;
        p.srcPort = srcPort;
        p.dstPort = dstPort;
        p.capturedLength = length;
        return p;
    }

    private static Packet reverse(final Packet p, final int length)
    {
        final Packet r = packet(p.protocol, (int)p.dstLo, p.dstPort, (int)p.srcLo, p.srcPort, length);
        r.vlanCount = p.vlanCount;
        System.arraycopy(p.vlanIds, 0, r.vlanIds, 0, p.vlanCount);
        return r;
    }

    @Test
    void shouldMapBothDirectionsToOneFlowWithTheFirstSenderAsClient()
    {
        final FlowTable table = new FlowTable(new FlowTable.Context(), recorder);
        final Packet request = packet(17, 0x0a000001, 5353, 0x0a000002, 53, 80);
        final Flow flow = table.handle(request, T0);
        assertThat(table.lastDirection()).isEqualTo(Flow.TO_SERVER);

        final Flow again = table.handle(reverse(request, 120), T0 + SECOND);
        assertThat(again).isSameAs(flow);
        assertThat(table.lastDirection()).isEqualTo(Flow.TO_CLIENT);
        table.handle(request, T0 + 2 * SECOND);

        assertThat(flow.key().clientLo()).isEqualTo(0x0a000001L);
        assertThat(flow.key().serverPort()).isEqualTo(53);
        assertThat(flow.pktsToServer()).isEqualTo(2);
        assertThat(flow.pktsToClient()).isEqualTo(1);
        assertThat(flow.bytesToServer()).isEqualTo(160);
        assertThat(flow.bytesToClient()).isEqualTo(120);
        assertThat(flow.startNs()).isEqualTo(T0);
        assertThat(flow.lastNs()).isEqualTo(T0 + 2 * SECOND);
        assertThat(table.activeFlows()).isEqualTo(1);
    }

    @Test
    void shouldHashBothDirectionsAlike()
    {
        final FlowTable table = new FlowTable(new FlowTable.Context(), recorder);
        final Packet p = packet(6, 0xc0a80001, 40000, 0x08080808, 443, 60);
        assertThat(table.hash(p)).isEqualTo(table.hash(reverse(p, 60)));
        assertThat(table.hash(p)).isNotEqualTo(table.hash(packet(6, 0xc0a80001, 40001, 0x08080808, 443, 60)));
    }

    @Test
    void shouldEstablishUdpOnlyOnceBothDirectionsAreSeenButLeaveTcpToTheStreamEngine()
    {
        final FlowTable table = new FlowTable(new FlowTable.Context(), recorder);
        final Packet udp = packet(17, 1, 1000, 2, 53, 60);
        final Flow udpFlow = table.handle(udp, T0);
        table.handle(udp, T0);
        assertThat(udpFlow.state()).isEqualTo(FlowState.NEW);
        table.handle(reverse(udp, 60), T0);
        assertThat(udpFlow.state()).isEqualTo(FlowState.ESTABLISHED);

        final Packet tcp = packet(6, 1, 1000, 2, 80, 60);
        final Flow tcpFlow = table.handle(tcp, T0);
        table.handle(reverse(tcp, 60), T0);
        assertThat(tcpFlow.state()).isEqualTo(FlowState.NEW);
    }

    @Test
    void shouldKeepVlansApartOnlyWhenVlansArePartOfTheKey()
    {
        final Packet a = packet(1, 1, 0, 2, 0, 98);
        a.vlanCount = 1;
        a.vlanIds[0] = 6;
        final Packet b = packet(1, 1, 0, 2, 0, 98);
        b.vlanCount = 2;
        b.vlanIds[0] = 1;
        b.vlanIds[1] = 10;

        final FlowTable tracking = new FlowTable(new FlowTable.Context(), recorder);
        assertThat(tracking.handle(a, T0)).isNotSameAs(tracking.handle(b, T0));
        assertThat(tracking.activeFlows()).isEqualTo(2);

        final FlowTable ignoring = new FlowTable(new FlowTable.Context().vlanInKey(false), recorder);
        assertThat(ignoring.handle(a, T0)).isSameAs(ignoring.handle(b, T0));
        assertThat(ignoring.activeFlows()).isEqualTo(1);
    }

    @Test
    void shouldTimeOutEachFlowByItsProtocolAndStateTimeout()
    {
        final FlowTable table = new FlowTable(new FlowTable.Context(), recorder);
        table.handle(packet(17, 1, 1000, 2, 53, 60), T0);
        table.handle(packet(6, 1, 2000, 2, 80, 60), T0);
        final Packet established = packet(17, 1, 3000, 2, 53, 60);
        table.handle(established, T0);
        table.handle(reverse(established, 60), T0);

        assertThat(table.expire(T0 + 29 * SECOND)).isZero();
        assertThat(table.expire(T0 + 30 * SECOND)).isEqualTo(1);
        assertThat(ended).containsExactly("1000>53:timeout:new:1/0");

        assertThat(table.expire(T0 + 60 * SECOND)).isEqualTo(1);
        assertThat(ended).last().isEqualTo("2000>80:timeout:new:1/0");

        assertThat(table.expire(T0 + 299 * SECOND)).isZero();
        assertThat(table.expire(T0 + 300 * SECOND)).isEqualTo(1);
        assertThat(ended).last().isEqualTo("3000>53:timeout:established:1/1");
        assertThat(table.activeFlows()).isZero();
    }

    @Test
    void shouldNotExpireAFlowThatKeepsSeeingTraffic()
    {
        final FlowTable table = new FlowTable(new FlowTable.Context(), recorder);
        final Packet busy = packet(17, 1, 1000, 2, 53, 60);
        table.handle(busy, T0);
        table.handle(packet(17, 1, 1001, 2, 53, 60), T0);
        for (int s = 10; s <= 100; s += 10)
        {
            table.handle(busy, T0 + s * SECOND);
            table.expire(T0 + s * SECOND);
        }
        assertThat(ended).containsExactly("1001>53:timeout:new:1/0");
        assertThat(table.activeFlows()).isEqualTo(1);
    }

    @Test
    void shouldFlushEveryLiveFlowWithReasonShutdown()
    {
        final FlowTable table = new FlowTable(new FlowTable.Context(), recorder);
        for (int port = 1; port <= 5; port++)
        {
            table.handle(packet(6, 1, port, 2, 80, 60), T0);
        }
        assertThat(table.flushAll(FlowEndReason.SHUTDOWN)).isEqualTo(5);
        assertThat(ended).hasSize(5).allMatch(s -> s.contains(":shutdown:"));
        assertThat(table.activeFlows()).isZero();
    }

    @Test
    void shouldEnterEmergencyModeAtTheMemcapEvictTheOldestAndRecover()
    {
        final int hashSize = 16;
        final long memcap = 16L * FlowTable.BUCKET_BYTES + 10L * FlowTable.FLOW_BYTES;
        final FlowTable table = new FlowTable(new FlowTable.Context()
            .memcapBytes(memcap).hashSize(hashSize).prealloc(10).emergencyRecoveryPercent(30).pruneFlows(1), recorder);
        assertThat(table.maxFlows()).isEqualTo(10);

        for (int port = 1; port <= 10; port++)
        {
            table.handle(packet(6, 1, port, 2, 80, 60), T0 + port);
        }
        assertThat(table.isEmergency()).isFalse();

        final Flow eleventh = table.handle(packet(6, 1, 11, 2, 80, 60), T0 + 11);
        assertThat(eleventh).isNotNull();
        assertThat(table.isEmergency()).isTrue();
        assertThat(ended).containsExactly("1>80:forced:new:1/0");
        assertThat(table.activeFlows()).isEqualTo(10);
        assertThat(table.memuseBytes()).isLessThanOrEqualTo(memcap);

        // Emergency timeouts apply: TCP new flows expire after 5 s instead of 60 s, freeing enough to recover.
        assertThat(table.expire(T0 + 5 * SECOND + 11)).isEqualTo(10);
        assertThat(table.isEmergency()).isFalse();

        final List<String> counters = new ArrayList<>();
        table.reportStats((name, value) -> counters.add(name + "=" + value));
        assertThat(counters).contains(
            "flow.memcap=1", "flow.emerg_mode_entered=1", "flow.emerg_mode_over=1", "flow.end.forced=1",
            "flow.end.timeout=10", "flow.total=11");
    }

    @Test
    void shouldStayCorrectWhenEveryFlowLandsInOneBucket()
    {
        final FlowTable table = new FlowTable(new FlowTable.Context().hashSize(1), recorder);
        final List<Flow> flows = new ArrayList<>();
        for (int port = 1; port <= 50; port++)
        {
            flows.add(table.handle(packet(17, 1, port, 2, 53, 60), T0));
        }
        for (int port = 50; port >= 1; port--)
        {
            final Flow flow = table.handle(reverse(packet(17, 1, port, 2, 53, 60), 70), T0 + SECOND);
            assertThat(flow).isSameAs(flows.get(port - 1));
        }
        assertThat(table.activeFlows()).isEqualTo(50);
        assertThat(flows).allMatch(f -> f.state() == FlowState.ESTABLISHED && f.bytesToClient() == 70);
    }

    @Test
    void shouldGiveEveryFlowADistinctIdThatJsonKeepsExact()
    {
        final FlowTable table = new FlowTable(new FlowTable.Context(), recorder);
        final java.util.Set<Long> ids = new java.util.HashSet<>();
        for (int port = 1; port <= 1000; port++)
        {
            final long id = table.handle(packet(6, 1, port, 2, 80, 60), T0).flowId();
            assertThat(id).isPositive().isLessThan(1L << 53);
            ids.add(id);
        }
        assertThat(ids).hasSize(1000);
    }

    @Test
    void shouldStartANewFlowWhenAPacketComesAfterTheTimeoutEvenBeforeTheSweep()
    {
        final FlowTable table = new FlowTable(new FlowTable.Context(), recorder);
        final Packet udp = packet(17, 1, 1000, 2, 53, 60);
        final Flow first = table.handle(udp, T0);
        table.handle(udp, T0 + 29 * SECOND);
        assertThat(ended).isEmpty();

        final Flow second = table.handle(udp, T0 + 59 * SECOND);
        assertThat(ended).containsExactly("1000>53:timeout:new:2/0");
        assertThat(second.pktsToServer()).isEqualTo(1);
        assertThat(second.startNs()).isEqualTo(T0 + 59 * SECOND);
        assertThat(table.activeFlows()).isEqualTo(1);
        assertThat(first).isSameAs(second).as("the slot is reused from the pool");
    }

    @Test
    void shouldPruneSeveralOfTheLeastRecentlySeenFlowsAtOnceInEmergencyMode()
    {
        final long memcap = 16L * FlowTable.BUCKET_BYTES + 10L * FlowTable.FLOW_BYTES;
        final FlowTable table = new FlowTable(new FlowTable.Context()
            .memcapBytes(memcap).hashSize(16).prealloc(10).pruneFlows(3), recorder);
        for (int port = 1; port <= 10; port++)
        {
            table.handle(packet(17, 1, port, 2, 53, 60), T0 + port);
        }
        table.handle(packet(17, 1, 1, 2, 53, 60), T0 + 20);

        table.handle(packet(17, 1, 11, 2, 53, 60), T0 + 21);
        assertThat(ended).containsExactly("2>53:forced:new:1/0", "3>53:forced:new:1/0", "4>53:forced:new:1/0");
        assertThat(table.activeFlows()).isEqualTo(8);
    }

    @Test
    void shouldInsertAStandbyFlowFromAKeyThatHashesAndMatchesLikeItsPackets()
    {
        final FlowTable table = new FlowTable(new FlowTable.Context(), recorder);
        final Packet request = packet(17, 0x0a000001, 5353, 0x0a000002, 53, 80);
        final FlowKey key = new FlowKey().set(4, 17, 0, 0x0a000001L, 5353, 0, 0x0a000002L, 53);
        assertThat(table.hash(key)).isEqualTo(table.hash(request));

        final Flow standby = table.insertStandby(key, T0);
        assertThat(standby.standby()).isTrue();
        assertThat(table.lookup(key)).isSameAs(standby);
        assertThat(table.insertStandby(key, T0 + SECOND)).isSameAs(standby);
        assertThat(table.standbyFlows()).isEqualTo(1);
        assertThat(table.activeFlows()).isEqualTo(1);

        final List<String> promoted = new ArrayList<>();
        table.promotionListener((flow, p, direction) -> promoted.add(flow.key().clientPort() + ":" + direction));
        assertThat(table.handle(reverse(request, 120), T0 + 2 * SECOND)).isSameAs(standby);
        assertThat(promoted).containsExactly("5353:" + Flow.TO_CLIENT);
        assertThat(standby.standby()).isFalse();
        assertThat(table.standbyFlows()).isZero();
        assertThat(table.standbyPromoted()).isEqualTo(1);
    }

    @Test
    void shouldNotSweepStandbyFlowsButEndOneWhosePacketComesPastItsTimeout()
    {
        final FlowTable table = new FlowTable(new FlowTable.Context(), recorder);
        final FlowKey key = new FlowKey().set(4, 17, 0, 0x0a000001L, 5353, 0, 0x0a000002L, 53);
        table.insertStandby(key, T0);
        assertThat(table.expire(T0 + 3600 * SECOND)).isZero();
        assertThat(table.standbyFlows()).isEqualTo(1);

        final Flow fresh = table.handle(packet(17, 0x0a000001, 5353, 0x0a000002, 53, 80), T0 + 3601 * SECOND);
        assertThat(ended).containsExactly("5353>53:timeout:new:0/0");
        assertThat(fresh.standby()).isFalse();
        assertThat(table.standbyPromoted()).isZero();
        assertThat(table.activeFlows()).isEqualTo(1);
    }
}
