package io.tandem.node.ha;

import static io.tandem.node.ha.HaNode.MS;
import static io.tandem.node.ha.HaNode.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import com.google.protobuf.ByteString;
import io.tandem.node.applayer.ReassemblyDigest;
import io.tandem.node.decode.Packet;
import io.tandem.node.flow.Flow;
import io.tandem.node.flow.FlowEndReason;
import io.tandem.node.flow.FlowState;
import io.tandem.node.flow.FlowTable;
import io.tandem.node.ha.spi.HaRecordException;
import io.tandem.node.ha.spi.HaRecordProvider;
import io.tandem.node.ha.spi.HaSessionHandle;
import io.tandem.node.tcp.TcpEngine;
import io.tandem.node.tcp.TcpSession;
import io.tandem.node.tcp.TcpState;
import io.tandem.node.tcp.TcpStreamTracker;
import io.tandem.node.tcp.reassembly.Reassembler;
import io.tandem.proto.ha.v1.Envelope;
import io.tandem.proto.ha.v1.SessionBatch;
import io.tandem.proto.ha.v1.SessionMessage;
import io.tandem.proto.ha.v1.SessionRecord;
import io.tandem.proto.ha.v1.SessionUpdate;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class HaManagerTest
{
    private static final long HOUR = 3_600_000L * MS;

    @Test
    void shouldCreateAStandbySessionFromAnUpdateAndUpdateItInStandby()
    {
        final HaNode a = new HaNode(1, 0, 0);
        final HaNode b = new HaNode(2, 0, 0);
        a.handshake(1000, 5000, T0);
        a.worker.endOfBatch();
        a.channel.deliverTo(b.manager, T0 + 3 * MS);

        final Flow standby = b.flow(HaNode.tcpKey(HaNode.CLIENT_PORT));
        assertThat(standby).isNotNull();
        assertThat(standby.standby()).isTrue();
        assertThat(b.worker.flowTable().standbyFlows()).isEqualTo(1);
        assertThat(TcpEngine.session(standby).state).isEqualTo(TcpState.ESTABLISHED);
        assertThat(standby.state()).isEqualTo(FlowState.ESTABLISHED);
        assertThat(standby.pktsToServer()).isEqualTo(2);
        assertThat(standby.pktsToClient()).isEqualTo(1);

        a.tcp(true, Packet.TH_ACK | Packet.TH_PSH, 1001, 5001, 100, T0 + 10 * MS);
        a.worker.endOfBatch();
        a.channel.deliverTo(b.manager, T0 + 11 * MS);

        assertThat(b.flow(HaNode.tcpKey(HaNode.CLIENT_PORT))).isSameAs(standby);
        assertThat(standby.standby()).isTrue();
        assertThat(b.worker.flowTable().standbyFlows()).isEqualTo(1);
        assertThat(TcpEngine.session(standby).client.nextSeq).isEqualTo(1101);
        assertThat(standby.pktsToServer()).isEqualTo(3);
    }

    @Test
    void shouldApplyUpdatesFromTheirBytesAndDropMalformedOnesCounted() throws Exception
    {
        final HaNode a = new HaNode(1, 0, 0);
        final HaNode b = new HaNode(2, 0, 0);
        a.handshake(1000, 5000, T0);
        a.worker.endOfBatch();
        Envelope envelope = a.channel.poll();
        for (Envelope next = envelope; next != null; next = a.channel.poll())
        {
            envelope = next;
        }
        final List<SessionMessage> messages = envelope.getSessions().getMessagesList();
        final byte[] update = messages.get(messages.size() - 1).toByteArray();
        final UnsafeBuffer bytes = new UnsafeBuffer(new byte[update.length + 7]);
        bytes.putBytes(7, update);

        assertThat(b.manager.apply(bytes, 7, update.length, T0 + MS)).isEqualTo(1);
        final Flow standby = b.flow(HaNode.tcpKey(HaNode.CLIENT_PORT));
        assertThat(standby).isNotNull();
        assertThat(standby.standby()).isTrue();
        assertThat(TcpEngine.session(standby).state).isEqualTo(TcpState.ESTABLISHED);
        assertThat(b.counter("ha.updates.received")).isEqualTo(1);

        assertThat(b.manager.apply(bytes, 7, update.length - 3, T0 + 2 * MS)).isZero();
        final SessionMessage tooManyVlans = SessionMessage.newBuilder(SessionMessage.parseFrom(update))
            .setUpdate(SessionMessage.parseFrom(update).getUpdate().toBuilder()
                .setKey(SessionMessage.parseFrom(update).getUpdate().getKey().toBuilder()
                    .addVlanIds(1).addVlanIds(2).addVlanIds(3).addVlanIds(4)))
            .build();
        assertThat(b.manager.apply(tooManyVlans, T0 + 3 * MS)).isZero();
        assertThat(b.counter("ha.messages.malformed")).isEqualTo(2);
        assertThat(b.counter("ha.updates.received")).isEqualTo(1);
        assertThat(b.worker.flowTable().standbyFlows()).isEqualTo(1);
    }

    @Test
    void shouldRemoveAStandbySessionOnDelete()
    {
        final HaNode a = new HaNode(1, 0, 0);
        final HaNode b = new HaNode(2, 0, 0);
        a.handshake(1000, 5000, T0);
        a.worker.endOfBatch();
        a.channel.deliverTo(b.manager, T0 + 3 * MS);
        assertThat(b.worker.flowTable().standbyFlows()).isEqualTo(1);

        a.worker.flowTable().expire(T0 + HOUR);
        a.worker.endOfBatch();
        assertThat(a.manager.deletesSent()).isEqualTo(1);
        a.channel.deliverTo(b.manager, T0 + HOUR);

        assertThat(b.flow(HaNode.tcpKey(HaNode.CLIENT_PORT))).isNull();
        assertThat(b.worker.flowTable().standbyFlows()).isZero();
        assertThat(b.counter("flow.end.ha_delete")).isEqualTo(1);
        assertThat(b.ended).containsExactly("ha_delete");
    }

    @Test
    void shouldKeepStandbySessionsPastTheirTimeoutButPruneAndCountThemUnderPressure()
    {
        final HaNode a = new HaNode(1, 0, 0);
        a.udp(1001, true, T0).udp(1002, true, T0 + MS);
        a.worker.endOfBatch();
        final FlowTable.Context small = new FlowTable.Context().hashSize(16).prealloc(4).pruneFlows(1)
            .memcapBytes(16 * FlowTable.BUCKET_BYTES + 4 * FlowTable.FLOW_BYTES);
        final HaNode b = new HaNode(2, 0, 0, small);
        a.channel.deliverTo(b.manager, T0 + 2 * MS);
        assertThat(b.worker.flowTable().standbyFlows()).isEqualTo(2);

        assertThat(b.worker.flowTable().expire(T0 + HOUR)).isZero();
        assertThat(b.worker.flowTable().standbyFlows()).isEqualTo(2);

        for (int port = 2001; port <= 2004; port++)
        {
            b.udp(port, true, T0 + HOUR + port * MS);
        }
        assertThat(b.worker.flowTable().standbyFlows()).isZero();
        assertThat(b.counter("flow.end.standby_pruned")).isEqualTo(2);
        assertThat(b.manager.deletesSent()).isZero();
    }

    @Test
    void shouldPromoteAStandbySessionOnItsFirstPacketAndContinueInSequence()
    {
        final HaNode a = new HaNode(1, 0, 0);
        final HaNode b = new HaNode(2, 0, 0);
        a.handshake(1000, 5000, T0).tcp(true, Packet.TH_ACK | Packet.TH_PSH, 1001, 5001, 100, T0 + 3 * MS);
        a.worker.finish(FlowEndReason.SHUTDOWN);
        assertThat(a.manager.deletesSent()).isZero();
        a.channel.deliverTo(b.manager, T0 + 4 * MS);

        b.tcp(false, Packet.TH_ACK | Packet.TH_PSH, 5001, 1101, 200, T0 + 5 * MS);
        final Flow flow = b.flow(HaNode.tcpKey(HaNode.CLIENT_PORT));
        assertThat(flow.standby()).isFalse();
        assertThat(b.counter("flow.standby_promoted")).isEqualTo(1);
        assertThat(b.counter("ha.sessions.promoted")).isEqualTo(1);
        final TcpSession ssn = TcpEngine.session(flow);
        assertThat(ssn.state).isEqualTo(TcpState.ESTABLISHED);
        assertThat(ssn.server.nextSeq).isEqualTo(5201);
        assertThat(ssn.has(TcpSession.FLAG_MIDSTREAM)).isFalse();
        assertThat(flow.pktsToServer()).isEqualTo(3);
        assertThat(flow.pktsToClient()).isEqualTo(2);
        assertThat(b.events).isEmpty();
        assertThat(b.manager.takeoverGaps()).isZero();

        b.worker.endOfBatch();
        assertThat(b.manager.updatesSent()).isEqualTo(1);
        assertThat(b.channel.size()).isEqualTo(1);
    }

    @Test
    void shouldCountATakeoverGapWithoutEventsWhenTheStandbyWasBehind()
    {
        final HaNode a = new HaNode(1, 0, 60_000);
        final HaNode b = new HaNode(2, 0, 0);
        a.handshake(1000, 5000, T0);
        a.worker.endOfBatch();
        a.tcp(true, Packet.TH_ACK | Packet.TH_PSH, 1001, 5001, 300, T0 + 10 * MS);
        a.worker.endOfBatch();
        a.channel.deliverTo(b.manager, T0 + 11 * MS);
        assertThat(a.manager.dirtySessions()).isEqualTo(1);

        b.tcp(true, Packet.TH_ACK | Packet.TH_PSH, 1301, 5001, 100, T0 + 12 * MS);
        final TcpSession ssn = TcpEngine.session(b.flow(HaNode.tcpKey(HaNode.CLIENT_PORT)));
        assertThat(b.manager.takeoverGaps()).isEqualTo(1);
        assertThat(b.manager.takeoverGapBytes()).isEqualTo(300);
        assertThat(ssn.client.has(TcpStreamTracker.FLAG_TAKEOVER_GAP)).isTrue();
        assertThat(ssn.client.nextSeq).isEqualTo(1401);
        assertThat(b.events).isEmpty();

        b.tcp(false, Packet.TH_ACK, 5001, 1401, 0, T0 + 13 * MS);
        final ReassemblyDigest.Direction toServer = b.digest.remove(b.flow(HaNode.tcpKey(HaNode.CLIENT_PORT)))
            .toServer();
        assertThat(toServer.bytes()).isEqualTo(100);
        assertThat(toServer.takeoverGapBytes()).isEqualTo(300);
        assertThat(toServer.gaps()).isZero();
        assertThat(b.counter("tcp.reassembly_takeover_gap_bytes")).isEqualTo(300);
        assertThat(b.counter("tcp.reassembly_gap")).isZero();
        assertThat(b.events).isEmpty();
    }

    @Test
    void shouldInspectEachByteOnceAcrossAHandOverAndContinueAtTheOwnersStreamOffset()
    {
        final HaNode a = new HaNode(1, 0, 0);
        final HaNode b = new HaNode(2, 0, 0);
        a.handshake(1000, 5000, T0).tcp(true, Packet.TH_ACK | Packet.TH_PSH, 1001, 5001, 100, T0 + 3 * MS);
        a.tcp(false, Packet.TH_ACK, 5001, 1101, 0, T0 + 4 * MS);
        a.tcp(true, Packet.TH_ACK | Packet.TH_PSH, 1101, 5001, 40, T0 + 5 * MS);
        final Flow owned = a.flow(HaNode.tcpKey(HaNode.CLIENT_PORT));
        a.worker.finish(FlowEndReason.SHUTDOWN);
        assertThat(a.digest.remove(owned).toServer().bytes()).as("ACKed and queued bytes inspected by the owner")
            .isEqualTo(140);
        a.channel.deliverTo(b.manager, T0 + 6 * MS);

        b.tcp(false, Packet.TH_ACK, 5001, 1141, 0, T0 + 7 * MS);
        b.tcp(true, Packet.TH_ACK | Packet.TH_PSH, 1141, 5001, 60, T0 + 8 * MS);
        b.tcp(false, Packet.TH_ACK, 5001, 1201, 0, T0 + 9 * MS);
        final Flow flow = b.flow(HaNode.tcpKey(HaNode.CLIENT_PORT));
        assertThat(Reassembler.state(flow).stream(true).appProgress()).as("stream offset continues").isEqualTo(200);
        final ReassemblyDigest.Direction toServer = b.digest.remove(flow).toServer();
        assertThat(toServer.bytes()).isEqualTo(60);
        assertThat(toServer.gaps()).isZero();
        assertThat(toServer.takeoverGapBytes()).isZero();
        assertThat(b.events).isEmpty();
    }

    @Test
    void shouldTakeDataOnlyTheOwnerHeldBeyondAHoleAsATakeoverGapAndStillUseTheHoleFill()
    {
        final HaNode a = new HaNode(1, 0, 0);
        final HaNode b = new HaNode(2, 0, 0);
        a.handshake(1000, 5000, T0).tcp(false, Packet.TH_ACK | Packet.TH_PSH, 5101, 1001, 50, T0 + 3 * MS);
        final Flow owned = a.flow(HaNode.tcpKey(HaNode.CLIENT_PORT));
        a.worker.finish(FlowEndReason.SHUTDOWN);
        assertThat(a.digest.remove(owned).toClient().bytes()).as("nothing in order to inspect").isZero();
        a.channel.deliverTo(b.manager, T0 + 4 * MS);

        b.tcp(false, Packet.TH_ACK, 5001, 1001, 100, T0 + 5 * MS);
        b.tcp(true, Packet.TH_ACK, 1001, 5151, 0, T0 + 6 * MS);
        final ReassemblyDigest.Direction toClient = b.digest.remove(b.flow(HaNode.tcpKey(HaNode.CLIENT_PORT)))
            .toClient();
        assertThat(toClient.bytes()).as("the hole's bytes, seen here").isEqualTo(100);
        assertThat(toClient.takeoverGapBytes()).as("the bytes only the owner had").isEqualTo(50);
        assertThat(toClient.gaps()).isZero();
        assertThat(b.counter("tcp.reassembly_takeover_gap")).isEqualTo(1);
        assertThat(b.events).as("the late segment looks retransmitted, as on one node; no gap event")
            .containsExactly("pkt_retransmission");
    }

    @Test
    void shouldHoldAChangeUntilTheSessionIsOldEnoughAndFlushItFromTheTimer()
    {
        final HaNode a = new HaNode(1, 1000, 0);
        a.udp(1001, true, T0);
        assertThat(a.manager.flush(T0)).isZero();
        assertThat(a.manager.onTimer(T0 + 999 * MS)).isZero();
        assertThat(a.manager.onTimer(T0 + 1000 * MS)).isEqualTo(1);
        assertThat(a.channel.size()).isEqualTo(1);
        assertThat(a.manager.dirtySessions()).isZero();
    }

    @Test
    void shouldSpaceUpdatesByTheSyncIntervalComputedFromNow()
    {
        final HaNode a = new HaNode(1, 0, 1000);
        a.udp(1001, true, T0);
        a.manager.flush(T0);
        assertThat(a.manager.updatesSent()).isEqualTo(1);
        a.udp(1001, true, T0 + 100 * MS);
        a.manager.flush(T0 + 100 * MS);
        a.manager.onTimer(T0 + 999 * MS);
        assertThat(a.manager.updatesSent()).isEqualTo(1);
        a.manager.onTimer(T0 + 1000 * MS);
        assertThat(a.manager.updatesSent()).as("timer flush without a packet").isEqualTo(2);

        a.udp(1001, true, T0 + 10_000 * MS);
        a.manager.flush(T0 + 10_000 * MS);
        assertThat(a.manager.updatesSent()).isEqualTo(3);
        a.udp(1001, true, T0 + 10_100 * MS);
        a.manager.flush(T0 + 10_100 * MS);
        a.manager.onTimer(T0 + 10_999 * MS);
        assertThat(a.manager.updatesSent()).as("an idle session cannot burst").isEqualTo(3);
        a.manager.onTimer(T0 + 11_000 * MS);
        assertThat(a.manager.updatesSent()).isEqualTo(4);
    }

    @Test
    void shouldReplicateEveryChangeWithBothThrottlesOff()
    {
        final HaNode a = new HaNode(1, 0, 0);
        a.handshake(1000, 5000, T0);
        int sent = 0;
        for (int i = 0; i < 5; i++)
        {
            a.tcp(true, Packet.TH_ACK | Packet.TH_PSH, 1001 + 10 * i, 5001, 10, T0 + (10 + i) * MS);
            sent += a.manager.flush(T0 + (10 + i) * MS);
        }
        assertThat(sent).isEqualTo(5);
    }

    @Test
    void shouldSendEachCriticalChangeThroughBothThrottles()
    {
        final HaNode a = new HaNode(1, 65_535, 65_535);
        a.tcp(true, Packet.TH_SYN, 1000, 0, 0, T0);
        assertThat(a.manager.flush(T0)).isZero();
        a.tcp(false, Packet.TH_SYN | Packet.TH_ACK, 5000, 1001, 0, T0 + MS);
        assertThat(a.manager.flush(T0 + MS)).isZero();
        a.tcp(true, Packet.TH_ACK, 1001, 5001, 0, T0 + 2 * MS);
        assertThat(a.manager.flush(T0 + 2 * MS)).as("established").isEqualTo(1);
        a.tcp(true, Packet.TH_ACK | Packet.TH_PSH, 1001, 5001, 10, T0 + 3 * MS);
        assertThat(a.manager.flush(T0 + 3 * MS)).as("counters only").isZero();

        final Flow flow = a.flow(HaNode.tcpKey(HaNode.CLIENT_PORT));
        a.manager.applicationProtocol(flow, 7, T0 + 4 * MS);
        assertThat(a.manager.flush(T0 + 4 * MS)).as("application protocol identified").isEqualTo(1);
        a.manager.ignoreDirection(flow, 1, T0 + 5 * MS);
        assertThat(a.manager.flush(T0 + 5 * MS)).as("ignore one direction").isZero();
        a.manager.ignoreDirection(flow, 3, T0 + 6 * MS);
        assertThat(a.manager.flush(T0 + 6 * MS)).as("ignore both").isEqualTo(1);
        a.manager.verdict(flow, HaManager.VERDICT_DROP, T0 + 7 * MS);
        assertThat(a.manager.flush(T0 + 7 * MS)).as("drop").isEqualTo(1);
        a.manager.verdict(flow, HaManager.VERDICT_RESET, T0 + 8 * MS);
        assertThat(a.manager.flush(T0 + 8 * MS)).as("reset").isEqualTo(1);

        a.worker.flowTable().expire(T0 + HOUR);
        assertThat(a.manager.deletesSent()).as("deletion").isEqualTo(1);
        final long before = a.channel.sent();
        a.manager.flush(T0 + HOUR);
        assertThat(a.channel.sent()).isEqualTo(before + 1);
    }

    @Test
    void shouldSendNoDeleteForNeverSyncedStandbyOrShutdownSessions()
    {
        final HaNode a = new HaNode(1, 65_535, 65_535);
        a.udp(1001, true, T0);
        a.worker.endOfBatch();
        a.worker.flowTable().expire(T0 + HOUR);
        assertThat(a.ended).containsExactly("timeout");
        assertThat(a.manager.deletesSent()).as("never synced").isZero();

        final HaNode owner = new HaNode(3, 0, 0);
        owner.udp(1002, true, T0).udp(1003, true, T0);
        owner.worker.endOfBatch();
        owner.channel.deliverTo(a.manager, T0 + MS);
        assertThat(a.worker.flowTable().standbyFlows()).isEqualTo(2);
        a.worker.finish(FlowEndReason.SHUTDOWN);
        assertThat(a.manager.deletesSent()).as("standby").isZero();

        owner.worker.finish(FlowEndReason.SHUTDOWN);
        assertThat(owner.ended).containsExactly("shutdown", "shutdown");
        assertThat(owner.manager.deletesSent()).as("capture end").isZero();
    }

    @Test
    void shouldSendARequeuedUpdateAgainWithItsRecordsAndQueueAnUnsentDeleteAgain()
    {
        final HaNode a = new HaNode(1, 0, 60_000);
        final HaNode b = new HaNode(2, 0, 0);
        a.handshake(1000, 5000, T0).udp(1001, true, T0 + 3 * MS);
        a.worker.endOfBatch();
        Envelope lost = a.channel.poll();
        for (Envelope next = lost; next != null; next = a.channel.poll())
        {
            lost = next;
        }
        assertThat(lost.getSessions().getMessagesCount()).as("established TCP and new UDP").isEqualTo(2);
        assertThat(a.manager.dirtySessions()).isZero();

        for (final SessionMessage message : lost.getSessions().getMessagesList())
        {
            assertThat(a.manager.requeue(message, T0 + 4 * MS)).isTrue();
        }
        assertThat(a.manager.dirtySessions()).isEqualTo(2);
        assertThat(a.manager.flush(T0 + 5 * MS)).as("the sync interval still holds them").isZero();
        assertThat(a.manager.flush(T0 + 60_004 * MS)).isEqualTo(2);
        a.channel.deliverTo(b.manager, T0 + 60_005 * MS);
        final Flow standby = b.flow(HaNode.tcpKey(HaNode.CLIENT_PORT));
        assertThat(standby.standby()).isTrue();
        assertThat(TcpEngine.session(standby).state).as("the TCP record went again").isEqualTo(TcpState.ESTABLISHED);
        assertThat(b.flow(HaNode.udpKey(1001)).standby()).isTrue();

        a.worker.flowTable().expire(T0 + HOUR);
        a.worker.endOfBatch();
        final Envelope deletes = a.channel.poll();
        assertThat(deletes.getSessions().getMessagesCount()).isEqualTo(2);
        final SessionMessage udpDelete = deletes.getSessions().getMessagesList().stream()
            .filter(m -> m.getDelete().getKey().getIpProtocol() == 17).findFirst().orElseThrow();
        assertThat(a.manager.requeue(udpDelete, T0 + HOUR)).isTrue();
        a.udp(1001, true, T0 + HOUR + MS);
        assertThat(a.manager.requeue(udpDelete, T0 + HOUR + MS)).as("a new session took the key").isFalse();
        assertThat(a.manager.requeue(lost.getSessions().getMessages(0), T0 + HOUR + MS)).as("ended").isFalse();
        a.worker.endOfBatch();
        a.channel.deliverTo(b.manager, T0 + HOUR + 2 * MS);
        assertThat(b.flow(HaNode.tcpKey(HaNode.CLIENT_PORT))).isNotNull();
        assertThat(b.flow(HaNode.udpKey(1001))).as("deleted by the requeued delete, then updated anew").isNotNull();
        assertThat(b.counter("flow.end.ha_delete")).isEqualTo(1);
        assertThat(a.counter("ha.requeued.updates")).isEqualTo(2);
        assertThat(a.counter("ha.requeued.deletes")).isEqualTo(1);
        assertThat(a.counter("ha.requeued.dropped")).isEqualTo(2);
    }

    @Test
    void shouldSnapshotOwnedSessionsWithEveryRecordTheyEverSentAndLeavePendingChangesPending()
    {
        final HaNode a = new HaNode(1, 1000, 0);
        final HaNode owner = new HaNode(3, 0, 0);
        owner.udp(7001, true, T0);
        owner.worker.endOfBatch();
        owner.channel.deliverTo(a.manager, T0);
        a.handshake(1000, 5000, T0);
        a.worker.endOfBatch();
        a.manager.onTimer(T0 + 1000 * MS);
        a.channel.poll();
        a.udp(1001, true, T0 + 1500 * MS);
        a.tcp(true, Packet.TH_ACK | Packet.TH_PSH, 1001, 5001, 100, T0 + 1500 * MS);

        final List<SessionMessage> out = new ArrayList<>();
        int bucket = 0;
        while (bucket < a.worker.flowTable().bucketCount())
        {
            bucket = a.manager.snapshotOwned(bucket, 1, out, T0 + 1600 * MS);
        }
        assertThat(out).as("the TCP session only: the UDP one is younger than the lifetime, 7001 is standby")
            .hasSize(1);
        final SessionUpdate update = out.get(0).getUpdate();
        assertThat(update.getKey().getUpperPort() == 80 || update.getKey().getLowerPort() == 80).isTrue();
        assertThat(update.getRecordsCount()).isEqualTo(2);
        assertThat(a.manager.dirtySessions()).isEqualTo(2);
        assertThat(a.manager.flush(T0 + 1600 * MS)).isEqualTo(1);
        assertThat(a.channel.poll().getSessions().getMessages(0).getUpdate().getRecordsCount()).isEqualTo(2);
    }

    @Test
    void shouldRefuseANinthRecordAfterTandemsOwnTwo()
    {
        final HaNode a = new HaNode(1, 0, 0);
        assertThat(a.registry.count()).isEqualTo(2);
        for (int i = 0; i < 6; i++)
        {
            a.registry.register(new NullRecord(150 + i));
        }
        assertThatThrownBy(() -> a.registry.register(new NullRecord(199)))
            .isInstanceOf(HaRecordException.class)
            .satisfies(ex -> assertThat(((HaRecordException)ex).reason())
                .isEqualTo(HaRecordException.Reason.REGISTRY_FULL));
    }

    @Test
    void shouldSkipAndCountAnUnknownRecordAndApplyTheRestOfTheUpdate()
    {
        final HaNode a = new HaNode(1, 0, 0);
        final HaNode b = new HaNode(2, 0, 0);
        a.udp(1001, true, T0);
        a.worker.endOfBatch();
        final Envelope sent = a.channel.poll();
        final SessionUpdate update = sent.getSessions().getMessages(0).getUpdate().toBuilder()
            .addRecords(SessionRecord.newBuilder().setPreprocessorId(250).setSubcode(9)
                .setData(ByteString.copyFromUtf8("from a plugin b lacks")))
            .build();
        final Envelope withUnknown = sent.toBuilder().setSessions(SessionBatch.newBuilder()
            .addMessages(SessionMessage.newBuilder().setUpdate(update))).build();

        assertThat(b.manager.apply(withUnknown, T0 + MS)).isEqualTo(1);
        assertThat(b.registry.unknownRecords()).isEqualTo(1);
        final Flow flow = b.flow(HaNode.udpKey(1001));
        assertThat(flow.standby()).isTrue();
        assertThat(flow.pktsToServer()).isEqualTo(1);
    }

    private static final class NullRecord implements HaRecordProvider
    {
        private final int id;

        NullRecord(final int id)
        {
            this.id = id;
        }

        @Override
        public int preprocessorId()
        {
            return id;
        }

        @Override
        public int subcode()
        {
            return 0;
        }

        @Override
        public int maxRecordBytes()
        {
            return 1;
        }

        @Override
        public int produce(final HaSessionHandle session, final MutableDirectBuffer buffer, final int offset)
        {
            return 0;
        }

        @Override
        public void consume(
            final HaSessionHandle session, final DirectBuffer buffer, final int offset, final int length)
        {
        }
    }
}
