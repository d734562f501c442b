package io.tandem.node.ha;

import static io.tandem.node.ha.HaNode.MS;
import static io.tandem.node.ha.HaNode.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.node.applayer.AppProto;
import io.tandem.node.decode.Packet;
import io.tandem.node.flow.Flow;
import io.tandem.node.flow.FlowEndReason;
import io.tandem.node.flow.FlowTable;
import io.tandem.proto.ha.v1.Envelope;
import io.tandem.proto.ha.v1.SessionRecord;
import io.tandem.proto.ha.v1.SessionUpdate;
import org.junit.jupiter.api.Test;

class AppLayerRecordProviderTest
{
    private static final int ACK_PSH = Packet.TH_ACK | Packet.TH_PSH;
    private static final String REQUEST = "GET /index.html HTTP/1.1\r\nHost: a\r\n\r\n";

    @Test
    void shouldTakeTheThirdSlotAfterTandemsFlowAndTcpRecords()
    {
        final HaNode a = node(1, 0, 0, true);
        assertThat(a.registry.count()).isEqualTo(3);
        assertThat(a.registry.indexOf(AppLayerRecordProvider.PREPROCESSOR_ID, AppLayerRecordProvider.SUBCODE))
            .isEqualTo(2);
        assertThat(node(2, 0, 0, false).registry.count()).isEqualTo(2);
    }

    @Test
    void shouldSendTheIdentifiedProtocolAsACriticalChangeThroughBothThrottles()
    {
        final HaNode a = node(1, 60_000, 60_000, true);
        final HaNode b = node(2, 0, 0, true);
        a.handshake(1000, 5000, T0);
        a.worker.endOfBatch();
        a.channel.deliverTo(b.manager, T0 + 3 * MS);

        a.tcp(true, ACK_PSH, 1001, 5001, "GE", T0 + 10 * MS);
        a.tcp(false, Packet.TH_ACK, 5001, 1003, 0, T0 + 11 * MS);
        a.worker.endOfBatch();
        assertThat(a.channel.size()).as("detection progress alone is throttled").isZero();

        a.tcp(true, ACK_PSH, 1003, 5001, REQUEST.substring(2), T0 + 20 * MS);
        a.tcp(false, Packet.TH_ACK, 5001, 1001 + REQUEST.length(), 0, T0 + 21 * MS);
        a.worker.endOfBatch();
        assertThat(a.channel.size()).isEqualTo(1);

        final Envelope envelope = a.channel.poll();
        final SessionUpdate update = envelope.getSessions().getMessages(0).getUpdate();
        assertThat(update.getApplicationProtocol()).isEqualTo(AppProto.HTTP.id());
        assertThat(update.getRecordsList()).extracting(SessionRecord::getPreprocessorId).contains(2);

        b.manager.apply(envelope, T0 + 22 * MS);
        final Flow standby = b.flow(HaNode.tcpKey(HaNode.CLIENT_PORT));
        assertThat(standby.standby()).isTrue();
        assertThat(HaManager.sessionOf(standby).appProto()).isEqualTo(AppProto.HTTP.id());
        assertThat(b.detector.appProto(standby)).isEqualTo(AppProto.HTTP);
        assertThat(b.detector.appProto(standby, true)).isEqualTo(AppProto.HTTP);
        assertThat(b.counter("ha.sessions.applayer_restored")).isEqualTo(1);
    }

    @Test
    void shouldFinishAnUndecidedDirectionOnThePromotedStandbyFromTheOwnersBytes()
    {
        assertThat(takeOverAfterTwoBytes(true)).isEqualTo(AppProto.HTTP);
        assertThat(takeOverAfterTwoBytes(false)).as("without the record the standby detects from midstream bytes")
            .isEqualTo(AppProto.FAILED);
    }

    private static AppProto takeOverAfterTwoBytes(final boolean ownerReplicatesAppLayer)
    {
        final HaNode a = node(1, 0, 0, ownerReplicatesAppLayer);
        final HaNode b = node(2, 0, 0, true);
        a.handshake(1000, 5000, T0);
        a.tcp(true, ACK_PSH, 1001, 5001, "GE", T0 + 10 * MS);
        a.tcp(false, Packet.TH_ACK, 5001, 1003, 0, T0 + 11 * MS);
        a.worker.finish(FlowEndReason.SHUTDOWN);
        a.channel.deliverTo(b.manager, T0 + 12 * MS);

        b.tcp(true, ACK_PSH, 1003, 5001, REQUEST.substring(2), T0 + 20 * MS);
        b.tcp(false, Packet.TH_ACK, 5001, 1001 + REQUEST.length(), 0, T0 + 21 * MS);
        final Flow flow = b.flow(HaNode.tcpKey(HaNode.CLIENT_PORT));
        assertThat(flow.standby()).isFalse();
        b.worker.finish(FlowEndReason.SHUTDOWN);
        assertThat(b.endedAppProtoToServer).hasSize(1);
        return b.endedAppProtoToServer.get(0);
    }

    private static HaNode node(final int nodeId, final int lifetimeMs, final int intervalMs, final boolean appLayer)
    {
        return new HaNode(nodeId, lifetimeMs, intervalMs, new FlowTable.Context(), appLayer);
    }
}
