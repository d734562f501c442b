package io.tandem.node.tcp;

import org.junit.jupiter.api.Test;

import static io.tandem.node.decode.Packet.TH_ACK;
import static io.tandem.node.decode.Packet.TH_FIN;
import static io.tandem.node.decode.Packet.TH_PSH;
import static io.tandem.node.decode.Packet.TH_RST;
import static io.tandem.node.decode.Packet.TH_SYN;
import static org.assertj.core.api.Assertions.assertThat;

class TcpEngineTest
{
    private static final int C = 1000;
    private static final int S = 5000;

    private static TcpEngine.Context ctx()
    {
        return new TcpEngine.Context().preallocSessions(16);
    }

    @Test
    void shouldLeaveASingleSynInSynSentWithTheFlowNew()
    {
        final TcpHarness h = new TcpHarness(ctx());
        h.c(TH_SYN, C, 0, 0);
        assertThat(h.finish()).containsExactly("flow=new tcp=syn_sent reason=shutdown");
    }

    @Test
    void shouldEstablishOnTheThreeWayHandshakeAcrossTheSequenceWrap()
    {
        final TcpHarness h = new TcpHarness(ctx());
        final int clientIsn = 0xFFFF_FFF0;
        h.handshake(clientIsn, 0xFFFF_FFFE);
        h.c(TH_ACK | TH_PSH, clientIsn + 1, 0xFFFF_FFFF, 100);
        h.s(TH_ACK, 0xFFFF_FFFF, clientIsn + 101, 0);
        final TcpSession ssn = TcpEngine.session(flowOf(h));
        assertThat(ssn.client.nextSeq).isEqualTo(clientIsn + 101);
        assertThat(ssn.server.lastAck).isEqualTo(0xFFFF_FFFF);
        assertThat(ssn.client.lastAck).isEqualTo(clientIsn + 101);
        assertThat(h.events).isEmpty();
        assertThat(h.finish()).containsExactly("flow=established tcp=established reason=shutdown");
    }

    @Test
    void shouldEstablishOnAThirdAckCarryingData()
    {
        final TcpHarness h = new TcpHarness(ctx());
        h.c(TH_SYN, C, 0, 0).s(TH_SYN | TH_ACK, S, C + 1, 0).c(TH_ACK | TH_PSH, C + 1, S + 1, 517);
        assertThat(h.finish()).containsExactly("flow=established tcp=established reason=shutdown");
    }

    @Test
    void shouldNotEstablishDataAndRstWithoutHandshakeWhenMidstreamIsOff()
    {
        final TcpHarness h = new TcpHarness(ctx());
        h.c(TH_ACK | TH_PSH, C, S, 6).s(TH_RST | TH_ACK, S, C + 6, 0).c(TH_ACK, C + 6, S, 0);
        assertThat(h.events).containsExactly("2:rst_but_no_session");
        assertThat(h.finish()).containsExactly("flow=new tcp=none reason=shutdown");
    }

    @Test
    void shouldPickUpMidstreamOnAnAckAssumingWindowScaleAndSack()
    {
        final TcpHarness h = new TcpHarness("stream.midstream=yes");
        h.s(TH_ACK | TH_PSH, S, C, 100);
        final TcpSession ssn = TcpEngine.session(flowOf(h));
        assertThat(ssn.state).isEqualTo(TcpState.ESTABLISHED);
        assertThat((int)ssn.client.windowScale).isEqualTo(TcpEngine.WSCALE_MAX);
        assertThat((int)ssn.server.windowScale).isEqualTo(TcpEngine.WSCALE_MAX);
        assertThat(ssn.has(TcpSession.FLAG_SACKOK)).isTrue();
        assertThat(ssn.has(TcpSession.FLAG_MIDSTREAM)).isTrue();
        assertThat(h.finish()).containsExactly("flow=established tcp=established reason=shutdown");
    }

    @Test
    void shouldPickUpOnSynAckOnlyWithMidstreamOrAsyncAndMakeItsReceiverTheClient()
    {
        final TcpHarness off = new TcpHarness(ctx());
        off.s(TH_SYN | TH_ACK, S, C + 1, 0);
        assertThat(off.finish()).containsExactly("flow=new tcp=none reason=shutdown");

        final TcpHarness on = new TcpHarness(ctx().midstream(true));
        on.s(TH_SYN | TH_ACK, S, C + 1, 0);
        assertThat(flowOf(on).key().clientPort()).isEqualTo(TcpHarness.CLIENT_PORT);
        on.c(TH_ACK, C + 1, S + 1, 0);
        assertThat(on.finish()).containsExactly("flow=established tcp=established reason=shutdown");
    }

    @Test
    void shouldTrackAFourWaySplitHandshake()
    {
        final TcpHarness h = new TcpHarness(ctx());
        h.c(TH_SYN, C, 0, 0).s(TH_SYN, S, 0, 0).c(TH_SYN | TH_ACK, C, S + 1, 0).s(TH_ACK, S + 1, C + 1, 0);
        h.c(TH_ACK | TH_PSH, C + 1, S + 1, 4);
        assertThat(h.events).isEmpty();
        assertThat(h.finish()).containsExactly("flow=established tcp=established reason=shutdown");
    }

    @Test
    void shouldCloseAfterClientFirstFinTeardown()
    {
        final TcpHarness h = new TcpHarness(ctx()).handshake(C, S);
        h.c(TH_FIN | TH_ACK, C + 1, S + 1, 0);
        assertThat(TcpEngine.session(flowOf(h)).state).isEqualTo(TcpState.CLOSE_WAIT);
        h.s(TH_FIN | TH_ACK, S + 1, C + 2, 0);
        assertThat(TcpEngine.session(flowOf(h)).state).isEqualTo(TcpState.LAST_ACK);
        h.c(TH_ACK, C + 2, S + 2, 0);
        assertThat(h.events).isEmpty();
        assertThat(h.finish()).containsExactly("flow=closed tcp=closed reason=shutdown");
    }

    @Test
    void shouldCloseAfterServerFirstFinTeardown()
    {
        final TcpHarness h = new TcpHarness(ctx()).handshake(C, S);
        h.s(TH_FIN | TH_ACK, S + 1, C + 1, 0);
        assertThat(TcpEngine.session(flowOf(h)).state).isEqualTo(TcpState.FIN_WAIT1);
        h.c(TH_ACK, C + 1, S + 2, 0);
        assertThat(TcpEngine.session(flowOf(h)).state).isEqualTo(TcpState.FIN_WAIT2);
        h.c(TH_FIN | TH_ACK, C + 1, S + 2, 0);
        assertThat(TcpEngine.session(flowOf(h)).state).isEqualTo(TcpState.TIME_WAIT);
        h.s(TH_ACK, S + 2, C + 2, 0);
        assertThat(h.events).isEmpty();
        assertThat(h.finish()).containsExactly("flow=closed tcp=closed reason=shutdown");
    }

    @Test
    void shouldGoToTimeWaitOnAFinAckInFinWait1WhateverItAcknowledgesAndToClosingOnABareFin()
    {
        final TcpHarness notAcking = new TcpHarness(ctx()).handshake(C, S);
        notAcking.s(TH_FIN | TH_ACK, S + 1, C + 1, 0);
        notAcking.c(TH_FIN | TH_ACK, C + 1, S + 1, 0);
        assertThat(TcpEngine.session(flowOf(notAcking)).state).isEqualTo(TcpState.TIME_WAIT);
        notAcking.s(TH_ACK, S + 2, C + 2, 0);
        assertThat(notAcking.events).isEmpty();
        assertThat(notAcking.finish()).containsExactly("flow=closed tcp=closed reason=shutdown");

        final TcpHarness bare = new TcpHarness(ctx()).handshake(C, S);
        bare.s(TH_FIN | TH_ACK, S + 1, C + 1, 0);
        bare.c(TH_FIN, C + 1, 0, 0);
        assertThat(TcpEngine.session(flowOf(bare)).state).isEqualTo(TcpState.CLOSING);
        bare.s(TH_ACK, S + 2, C + 2, 0);
        assertThat(TcpEngine.session(flowOf(bare)).state).isEqualTo(TcpState.TIME_WAIT);

        final TcpHarness serverAgain = new TcpHarness(ctx()).handshake(C, S);
        serverAgain.s(TH_FIN | TH_ACK, S + 1, C + 1, 0);
        serverAgain.s(TH_FIN | TH_ACK, S + 2, C + 1, 0);
        assertThat(serverAgain.events).isEmpty();
        assertThat(TcpEngine.session(flowOf(serverAgain)).state).isEqualTo(TcpState.TIME_WAIT);

        final TcpHarness invalidAck = new TcpHarness(ctx()).handshake(C, S);
        invalidAck.s(TH_FIN | TH_ACK, S + 1, C + 1, 0);
        invalidAck.c(TH_FIN | TH_ACK, C + 1, S + 900_000, 0);
        assertThat(invalidAck.events).contains("5:fin1_invalid_ack");
        assertThat(TcpEngine.session(flowOf(invalidAck)).state).isEqualTo(TcpState.FIN_WAIT1);
    }

    @Test
    void shouldAcceptARstAtTheSequenceOfAnUnacknowledgedFin()
    {
        final TcpHarness h = new TcpHarness(ctx()).handshake(C, S);
        h.s(TH_FIN | TH_ACK, S + 1, C + 1, 0);
        h.c(TH_FIN, C + 1, 0, 0);
        assertThat(TcpEngine.session(flowOf(h)).state).isEqualTo(TcpState.CLOSING);
        h.c(TH_RST, C + 1, 0, 0);
        assertThat(TcpEngine.session(flowOf(h)).state).isEqualTo(TcpState.CLOSED);

        final TcpHarness unacked = new TcpHarness(ctx()).handshake(C, S);
        unacked.c(TH_FIN | TH_ACK, C + 1, S + 1, 0);
        assertThat(TcpEngine.session(flowOf(unacked)).state).isEqualTo(TcpState.CLOSE_WAIT);
        unacked.c(TH_RST, C + 1, 0, 0);
        assertThat(TcpEngine.session(flowOf(unacked)).state).isEqualTo(TcpState.CLOSED);

        final TcpHarness acked = new TcpHarness(ctx()).handshake(C, S);
        acked.c(TH_FIN | TH_ACK, C + 1, S + 1, 0);
        acked.s(TH_ACK, S + 1, C + 2, 0);
        acked.c(TH_RST, C + 1, 0, 0);
        assertThat(TcpEngine.session(flowOf(acked)).state).isEqualTo(TcpState.CLOSE_WAIT);
        acked.c(TH_RST, C + 2, 0, 0);
        assertThat(TcpEngine.session(flowOf(acked)).state).isEqualTo(TcpState.CLOSED);
    }

    @Test
    void shouldTimeOutEachTeardownStateWithTheTimeoutOfItsFlowState()
    {
        final io.tandem.node.flow.FlowTimeouts timeouts = new io.tandem.node.flow.FlowTimeouts()
            .timeoutSeconds(io.tandem.node.flow.FlowProtocol.TCP, io.tandem.node.flow.FlowState.NEW, false, 60)
            .timeoutSeconds(io.tandem.node.flow.FlowProtocol.TCP, io.tandem.node.flow.FlowState.CLOSED, false, 30)
            .timeoutSeconds(io.tandem.node.flow.FlowProtocol.TCP, io.tandem.node.flow.FlowState.ESTABLISHED, false,
                600);
        final TcpHarness h = new TcpHarness(ctx(), new io.tandem.node.flow.FlowTable.Context().timeouts(timeouts));
        h.clientPort = 40001;
        h.c(TH_SYN, C, 0, 0);
        h.clientPort = 40002;
        h.handshake(C, S);
        h.clientPort = 40003;
        h.handshake(C, S).s(TH_FIN | TH_ACK, S + 1, C + 1, 0);
        h.clientPort = 40004;
        h.handshake(C, S).s(TH_FIN | TH_ACK, S + 1, C + 1, 0).c(TH_ACK, C + 1, S + 2, 0);
        h.clientPort = 40005;
        h.handshake(C, S).c(TH_FIN | TH_ACK, C + 1, S + 1, 0);
        h.clientPort = 40006;
        h.handshake(C, S).s(TH_FIN | TH_ACK, S + 1, C + 1, 0).c(TH_FIN, C + 1, 0, 0);
        h.clientPort = 40007;
        h.handshake(C, S).c(TH_FIN | TH_ACK, C + 1, S + 1, 0).s(TH_FIN | TH_ACK, S + 1, C + 2, 0);
        h.clientPort = 40008;
        h.handshake(C, S).s(TH_FIN | TH_ACK, S + 1, C + 1, 0).c(TH_FIN | TH_ACK, C + 1, S + 2, 0);
        h.clientPort = 40009;
        h.handshake(C, S).c(TH_RST, C + 1, 0, 0);
        assertThat(h.events).isEmpty();
        final long second = 1_000_000_000L;

        h.worker.tick(h.timeNs + 29 * second);
        assertThat(h.ended).isEmpty();
        h.worker.tick(h.timeNs + 31 * second);
        assertThat(h.ended).containsExactlyInAnyOrder("flow=closed tcp=last_ack reason=timeout",
            "flow=closed tcp=time_wait reason=timeout", "flow=closed tcp=closed reason=timeout");
        h.ended.clear();
        h.worker.tick(h.timeNs + 61 * second);
        assertThat(h.ended).containsExactly("flow=new tcp=syn_sent reason=timeout");
        h.ended.clear();
        h.worker.tick(h.timeNs + 599 * second);
        assertThat(h.ended).isEmpty();
        h.worker.tick(h.timeNs + 601 * second);
        assertThat(h.ended).containsExactlyInAnyOrder("flow=established tcp=established reason=timeout",
            "flow=established tcp=fin_wait1 reason=timeout", "flow=established tcp=fin_wait2 reason=timeout",
            "flow=established tcp=close_wait reason=timeout", "flow=established tcp=closing reason=timeout");
    }

    @Test
    void shouldCloseOnAnInWindowRstAndIgnoreAnOutOfWindowOne()
    {
        final TcpHarness h = new TcpHarness(ctx()).handshake(C, S);
        h.s(TH_RST | TH_ACK, S + 5000, C + 1, 0);
        assertThat(TcpEngine.session(flowOf(h)).state).isEqualTo(TcpState.ESTABLISHED);
        h.s(TH_RST | TH_ACK, S + 1, C + 1, 13);
        assertThat(TcpEngine.session(flowOf(h)).state).isEqualTo(TcpState.CLOSED);
        assertThat(TcpEngine.session(flowOf(h)).has(TcpSession.FLAG_CLOSED_BY_RST)).isTrue();
        h.s(TH_ACK | TH_PSH, S + 1, C + 1, 10);
        assertThat(h.events).containsExactly("6:suspected_rst_inject");
    }

    @Test
    void shouldApplyTheDestinationsHostOsPolicyToRsts()
    {
        final TcpHarness linux = new TcpHarness("host-os-policy.linux=[10.0.0.1/32]");
        linux.handshake(C, S);
        linux.s(TH_RST, S + 100, 0, 0);
        assertThat(TcpEngine.session(flowOf(linux)).state).isEqualTo(TcpState.CLOSED);

        final TcpHarness bsd = new TcpHarness(ctx());
        bsd.handshake(C, S);
        bsd.s(TH_RST, S + 100, 0, 0);
        assertThat(TcpEngine.session(flowOf(bsd)).state).isEqualTo(TcpState.ESTABLISHED);
    }

    @Test
    void shouldCountTfoDataOnTheSynAndFlagASynAckThatIgnoresIt()
    {
        final TcpHarness acked = new TcpHarness(ctx().checksumValidation(false));
        acked.tfo = true;
        acked.c(TH_SYN, C, 0, 585);
        acked.tfo = false;
        assertThat(TcpEngine.session(flowOf(acked)).client.nextSeq).isEqualTo(C + 586);
        acked.s(TH_SYN | TH_ACK, S, C + 586, 0).c(TH_ACK, C + 586, S + 1, 0);
        assertThat(acked.events).isEmpty();
        assertThat(acked.finish()).containsExactly("flow=established tcp=established reason=shutdown");

        final TcpHarness ignored = new TcpHarness(ctx().checksumValidation(false));
        ignored.tfo = true;
        ignored.c(TH_SYN, C, 0, 585);
        ignored.tfo = false;
        ignored.s(TH_SYN | TH_ACK, S, C + 1, 0);
        assertThat(ignored.events).containsExactly("2:3whs_synack_tfo_data_ignored");
        ignored.c(TH_ACK | TH_PSH, C + 1, S + 1, 585);
        assertThat(ignored.finish()).containsExactly("flow=established tcp=established reason=shutdown");
    }

    @Test
    void shouldStartANewSessionOnTheSynThatFollowsASynAckIgnoringTfoData()
    {
        final TcpHarness h = new TcpHarness(ctx().checksumValidation(false).inlineMode("yes"));
        h.tfo = true;
        h.c(TH_SYN, C, 0, 517);
        h.tfo = false;
        h.s(TH_SYN | TH_ACK, S, C + 1, 0);
        assertThat(TcpEngine.session(flowOf(h)).has(TcpSession.FLAG_TFO_DATA_IGNORED)).isTrue();
        h.c(TH_SYN, C, 0, 0);
        assertThat(h.ended).containsExactly("flow=new tcp=syn_recv reason=tcp_reuse");
        assertThat(TcpEngine.session(flowOf(h)).state).isEqualTo(TcpState.SYN_SENT);
        h.s(TH_SYN | TH_ACK, S + 7, C + 1, 0).c(TH_ACK | TH_PSH, C + 1, S + 8, 517);
        h.s(TH_ACK, S + 8, C + 518, 0);
        assertThat(h.events).containsExactly("2:3whs_synack_tfo_data_ignored");
        assertThat(h.counter("flow.end.tcp_reuse")).isEqualTo(1);
        assertThat(h.finish()).containsExactly("flow=new tcp=syn_recv reason=tcp_reuse",
            "flow=established tcp=established reason=shutdown");

        final TcpHarness resent = new TcpHarness(ctx());
        resent.c(TH_SYN, C, 0, 0).s(TH_SYN | TH_ACK, S, C + 1, 0).c(TH_SYN, C, 0, 0);
        assertThat(resent.counter("flow.end.tcp_reuse")).isZero();
        assertThat(resent.finish()).containsExactly("flow=new tcp=syn_recv reason=shutdown");
    }

    @Test
    void shouldTakeTheNewestOfResentSynsAndKnowASynAckAnsweringAnEarlierOne()
    {
        final TcpHarness latest = new TcpHarness(ctx());
        latest.send(true, TH_SYN, C, 0, 0, 65535, b -> b.timestamps(100, 0).windowScale(5).sackPermitted());
        latest.send(true, TH_SYN, C, 0, 0, 65535, b -> b.timestamps(135, 0).windowScale(5).sackPermitted());
        latest.send(true, TH_SYN, C, 0, 0, 65535, b -> b.timestamps(171, 0).windowScale(5).sackPermitted());
        latest.send(false, TH_SYN | TH_ACK, S, C + 1, 0, 64980, b -> b.timestamps(9000, 171).windowScale(8));
        latest.send(true, TH_ACK, C + 1, S + 1, 0, 4151, b -> b.timestamps(200, 9000));
        assertThat(latest.events).isEmpty();
        assertThat(latest.finish()).containsExactly("flow=established tcp=established reason=shutdown");

        final TcpHarness earlier = new TcpHarness(ctx());
        earlier.send(true, TH_SYN, C, 0, 0, 65535, b -> b.timestamps(100, 0).windowScale(5).sackPermitted());
        earlier.send(true, TH_SYN, C, 0, 0, 65535, b -> b.timestamps(135, 0).windowScale(5).sackPermitted());
        earlier.send(false, TH_SYN | TH_ACK, S, C + 1, 0, 64980, b -> b.timestamps(9000, 666).windowScale(8));
        assertThat(earlier.events).containsExactly("3:pkt_invalid_timestamp");
        earlier.send(false, TH_SYN | TH_ACK, S, C + 1, 0, 64980, b -> b.timestamps(9000, 100).windowScale(8));
        assertThat(earlier.events).containsExactly("3:pkt_invalid_timestamp");
        assertThat(TcpEngine.session(flowOf(earlier)).client.lastTs).isEqualTo(100);
        assertThat(earlier.finish()).containsExactly("flow=new tcp=syn_recv reason=shutdown");
    }

    @Test
    void shouldAcceptASynAckResentBeforeTheServerConfirmedTheHandshake()
    {
        final TcpHarness h = new TcpHarness(ctx());
        h.handshake(C, S);
        h.c(TH_ACK | TH_PSH, C + 1, S + 1, 100);
        h.s(TH_SYN | TH_ACK, S, C + 1, 0);
        assertThat(h.events).isEmpty();
        h.s(TH_ACK, S + 1, C + 101, 0);
        h.s(TH_SYN | TH_ACK, S, C + 101, 0);
        assertThat(h.events).containsExactly("7:est_synack_resend");
        h.s(TH_SYN | TH_ACK, S, C + 1, 0);
        assertThat(h.events).containsExactly("7:est_synack_resend", "8:est_synack_resend_with_different_ack");
    }

    @Test
    void shouldRejectInjectedAnswersWhoseTimestampEchoWasNeverSent()
    {
        final TcpHarness h = new TcpHarness(ctx());
        h.send(true, TH_SYN, C, 0, 0, 64240, b -> b.timestamps(1_821_165_629, 0).windowScale(7).sackPermitted());
        h.send(false, TH_RST | TH_ACK, 0, C + 1, 0, 64240, b -> b.timestamps(100, 100));
        h.send(false, TH_FIN | TH_ACK, 0, C + 1, 0, 64240, b -> b.timestamps(100, 100));
        h.send(false, TH_SYN | TH_ACK, S, C + 1, 0, 64240,
            b -> b.timestamps(1_821_165_629, 1_821_165_629).windowScale(7).sackPermitted());
        h.send(true, TH_ACK, C + 1, S + 1, 0, 502, b -> b.timestamps(1_821_165_693, 1_821_165_629));
        assertThat(h.events).containsExactly("2:pkt_invalid_timestamp", "3:pkt_invalid_timestamp");
        assertThat(h.counter("stream.pkt_invalid_timestamp")).isEqualTo(2);
        assertThat(h.finish()).containsExactly("flow=established tcp=established reason=shutdown");
    }

    @Test
    void shouldRejectAZeroTimestampRstOnAnEstablishedSession()
    {
        final TcpHarness h = new TcpHarness(ctx());
        h.send(true, TH_SYN, C, 0, 0, 29200, b -> b.timestamps(66_136_896, 0));
        h.send(false, TH_SYN | TH_ACK, S, C + 1, 0, 28960, b -> b.timestamps(31_081_351, 66_136_896));
        h.send(true, TH_ACK, C + 1, S + 1, 0, 229, b -> b.timestamps(66_136_896, 31_081_351));
        h.send(false, TH_RST | TH_ACK, S + 1, C + 1, 0, 227, b -> b.timestamps(0, 66_136_896));
        assertThat(h.events).containsExactly("4:pkt_invalid_timestamp");
        assertThat(h.finish()).containsExactly("flow=established tcp=established reason=shutdown");
    }

    @Test
    void shouldAcceptATimestampOneBelowTheLastOnlyWhenLiberal()
    {
        for (final boolean liberal : new boolean[] {true, false})
        {
            final TcpHarness h = new TcpHarness("stream.liberal-timestamps=" + (liberal ? "yes" : "no"));
            h.send(true, TH_SYN, C, 0, 0, 1000, b -> b.timestamps(500, 0));
            h.send(false, TH_SYN | TH_ACK, S, C + 1, 0, 1000, b -> b.timestamps(900, 500));
            h.send(true, TH_ACK, C + 1, S + 1, 0, 1000, b -> b.timestamps(501, 900));
            h.send(true, TH_ACK | TH_PSH, C + 1, S + 1, 10, 1000, b -> b.timestamps(500, 900));
            assertThat(h.count(TcpStreamEvent.PKT_INVALID_TIMESTAMP)).isEqualTo(liberal ? 0 : 1);
        }
    }

    @Test
    void shouldSkipPacketsWithABadChecksumOnlyWhenValidating()
    {
        for (final boolean validate : new boolean[] {true, false})
        {
            final TcpHarness h = new TcpHarness("stream.checksum-validation=" + (validate ? "yes" : "no"));
            h.corruptChecksum = true;
            h.c(TH_SYN, C, 0, 0);
            assertThat(h.counter("tcp.invalid_checksum")).isEqualTo(validate ? 1 : 0);
            assertThat(h.counter("decoder.checksum.tcp_invalid")).isEqualTo(validate ? 1 : 0);
            assertThat(h.finish()).containsExactly(
                validate ? "flow=new tcp=none reason=shutdown" : "flow=new tcp=syn_sent reason=shutdown");
        }
    }

    @Test
    void shouldRaiseSynFloodPastMaxSynQueued()
    {
        final TcpHarness h = new TcpHarness("stream.max-syn-queued=2");
        for (int i = 0; i < 3; i++)
        {
            final int tsVal = 100 + i;
            h.send(true, TH_SYN, C, 0, 0, 65535, b -> b.timestamps(tsVal, 0));
        }
        assertThat(h.events).isEmpty();
        h.send(true, TH_SYN, C, 0, 0, 65535, b -> b.timestamps(103, 0));
        assertThat(h.events).containsExactly("4:3whs_syn_flood");
        h.s(TH_SYN | TH_ACK, S, C + 1, 0).c(TH_ACK, C + 1, S + 1, 0);
        assertThat(h.finish()).containsExactly("flow=established tcp=established reason=shutdown");

        final TcpHarness none = new TcpHarness("stream.max-syn-queued=0");
        none.c(TH_SYN, C, 0, 0).send(true, TH_SYN, C, 0, 0, 1024, null);
        assertThat(none.events).containsExactly("2:3whs_syn_flood");
    }

    @Test
    void shouldKeepTheFirstIsnWhenASynIsResentWithAnotherOne()
    {
        final TcpHarness first = new TcpHarness(ctx());
        first.send(true, TH_SYN, C, 0, 0, 65535, b -> b.timestamps(100, 0));
        first.send(true, TH_SYN, C + 7777, 0, 0, 65535, b -> b.timestamps(200, 0));
        final TcpSession ssn = TcpEngine.session(flowOf(first));
        assertThat(ssn.state).isEqualTo(TcpState.SYN_SENT);
        assertThat(ssn.client.isn).isEqualTo(C);
        assertThat(ssn.client.lastTs).isEqualTo(200);
        first.send(false, TH_SYN | TH_ACK, S, C + 1, 0, 65535, b -> b.timestamps(900, 200));
        first.send(true, TH_ACK, C + 1, S + 1, 0, 65535, b -> b.timestamps(201, 900));
        assertThat(first.events).isEmpty();
        assertThat(first.finish()).containsExactly("flow=established tcp=established reason=shutdown");

        final TcpHarness second = new TcpHarness(ctx());
        second.c(TH_SYN, C, 0, 0).c(TH_SYN, C + 7777, 0, 0).s(TH_SYN | TH_ACK, S, C + 7778, 0);
        assertThat(second.events).containsExactly("3:3whs_synack_with_wrong_ack");
        assertThat(second.counter("flow.end.tcp_reuse")).isZero();
        assertThat(second.finish()).containsExactly("flow=new tcp=syn_sent reason=shutdown");
    }

    @Test
    void shouldRaiseSynAckFloodPastMaxSynAckQueuedAndPickTheQueuedOneTheClientAcks()
    {
        final TcpHarness h = new TcpHarness("stream.max-synack-queued=1");
        h.c(TH_SYN, C, 0, 0).s(TH_SYN | TH_ACK, S, C + 1, 0).s(TH_SYN | TH_ACK, S + 100, C + 1, 0);
        assertThat(h.events).isEmpty();
        h.s(TH_SYN | TH_ACK, S + 200, C + 1, 0);
        assertThat(h.events).containsExactly("4:3whs_synack_flood");
        h.c(TH_ACK, C + 1, S + 101, 0);
        assertThat(TcpEngine.session(flowOf(h)).server.isn).isEqualTo(S + 100);
        assertThat(h.finish()).containsExactly("flow=established tcp=established reason=shutdown");

        final TcpHarness none = new TcpHarness("stream.max-synack-queued=0");
        none.c(TH_SYN, C, 0, 0).s(TH_SYN | TH_ACK, S, C + 1, 0).s(TH_SYN | TH_ACK, S + 100, C + 1, 0);
        assertThat(none.events).containsExactly("3:3whs_synack_resend_with_diff_seq");
    }

    @Test
    void shouldDropInvalidPacketsOnlyInlineWithDropInvalid()
    {
        final TcpHarness inline = new TcpHarness("stream.inline=yes");
        inline.handshake(C, S).c(TH_ACK | TH_PSH, C + 1, S + 100_000, 10);
        assertThat(inline.lastVerdict).isEqualTo(TcpEngine.VERDICT_DROP);
        assertThat(inline.events).anyMatch(e -> e.endsWith(":pkt_invalid_ack"));

        final TcpHarness keep = new TcpHarness("stream.inline=yes", "stream.drop-invalid=no");
        keep.handshake(C, S).c(TH_ACK | TH_PSH, C + 1, S + 100_000, 10);
        assertThat(keep.lastVerdict).isEqualTo(TcpEngine.VERDICT_PASS);

        final TcpHarness ids = new TcpHarness("stream.inline=no");
        ids.handshake(C, S).c(TH_ACK | TH_PSH, C + 1, S + 100_000, 10);
        assertThat(ids.lastVerdict).isEqualTo(TcpEngine.VERDICT_PASS);
        assertThat(ids.count(TcpStreamEvent.EST_INVALID_ACK)).isEqualTo(1);

        final TcpHarness autoIds = new TcpHarness("stream.inline=auto");
        autoIds.handshake(C, S).c(TH_ACK | TH_PSH, C + 1, S + 100_000, 10);
        assertThat(autoIds.lastVerdict).isEqualTo(TcpEngine.VERDICT_PASS);

        final TcpHarness auto = new TcpHarness(ctx().inlineMode("auto").ipsMode(true));
        auto.handshake(C, S).c(TH_ACK | TH_PSH, C + 1, S + 100_000, 10);
        assertThat(auto.lastVerdict).isEqualTo(TcpEngine.VERDICT_DROP);
    }

    @Test
    void shouldBoundSessionsByTheMemcapAndCountTheMisses()
    {
        final long memcap = 3 * (TcpSessionPool.SESSION_BYTES + 10L * TcpSessionPool.QUEUE_ENTRY_BYTES);
        final TcpHarness h = new TcpHarness("stream.memcap=" + memcap, "stream.prealloc-sessions=1");
        for (int i = 0; i < 10; i++)
        {
            h.clientPort = 30000 + i;
            h.c(TH_SYN, C + i, 0, 0);
        }
        assertThat(h.engine().pool().maxSessions()).isEqualTo(3);
        assertThat(h.engine().pool().inUse()).isEqualTo(3);
        assertThat(h.counter("tcp.ssn_memcap_drop")).isEqualTo(7);
        h.finish();
        assertThat(h.engine().pool().inUse()).isZero();
    }

    @Test
    void shouldPreallocateTheConfiguredSessions()
    {
        final long one = new TcpHarness("stream.prealloc-sessions=1").engine().pool().memuseBytes();
        assertThat(one).isPositive();
        assertThat(new TcpHarness("stream.prealloc-sessions=0").engine().pool().memuseBytes()).isZero();
        assertThat(new TcpHarness("stream.prealloc-sessions=7").engine().pool().memuseBytes()).isEqualTo(7 * one);
        assertThat(new TcpHarness().engine().pool().memuseBytes()).isEqualTo(2048 * one);
        final TcpHarness h = new TcpHarness("stream.prealloc-sessions=2");
        for (int i = 0; i < 3; i++)
        {
            h.clientPort = 30000 + i;
            h.c(TH_SYN, C, 0, 0);
        }
        assertThat(h.engine().pool().memuseBytes()).isEqualTo(3 * one);
    }

    @Test
    void shouldKeepASpoofedSynFloodWithinTheFlowAndSessionMemcaps()
    {
        final int maxSessions = 10_000;
        final long streamMemcap = maxSessions * (TcpSessionPool.SESSION_BYTES + 10L * TcpSessionPool.QUEUE_ENTRY_BYTES);
        final long flowMemcap = 65_536L * io.tandem.node.flow.FlowTable.BUCKET_BYTES +
            50_000L * io.tandem.node.flow.FlowTable.FLOW_BYTES;
        final TcpHarness h = new TcpHarness(ctx().preallocSessions(2048).memcapBytes(streamMemcap).inlineMode("yes")
            .memcapPolicy(TcpEngine.ExceptionPolicy.DROP_FLOW),
            new io.tandem.node.flow.FlowTable.Context().memcapBytes(flowMemcap).prealloc(10_000));
        final int syns = 200_000;
        new io.tandem.node.synth.SynFlood(3).generate(syns, TcpHarness.T0, h.worker);

        final TcpSessionPool pool = h.engine().pool();
        assertThat(pool.maxSessions()).isEqualTo(maxSessions);
        assertThat(pool.memuseBytes()).isLessThanOrEqualTo(streamMemcap);
        assertThat(pool.inUse()).isLessThanOrEqualTo(maxSessions);
        assertThat(h.counter("tcp.syn")).isEqualTo(syns);
        final long refused = h.counter("tcp.ssn_memcap_drop");
        assertThat(refused).isPositive();
        assertThat(h.counter("tcp.memcap_policy_applied")).isEqualTo(refused);
        assertThat(h.worker.tcpVerdictDrops()).isEqualTo(refused);
        assertThat(h.counter("tcp.sessions") + refused).isEqualTo(syns);
        assertThat(h.counter("flow.memuse")).isLessThanOrEqualTo(flowMemcap);
        assertThat(h.counter("flow.emerg_mode_entered")).isPositive();
        assertThat(h.worker.flowTable().activeFlows()).isLessThanOrEqualTo(50_000);
        h.finish();
        assertThat(pool.inUse()).isZero();
    }

    @Test
    void shouldDropTheFlowOnMemcapWithTheDropFlowPolicyInline()
    {
        final long memcap = TcpSessionPool.SESSION_BYTES + 10L * TcpSessionPool.QUEUE_ENTRY_BYTES;
        final TcpHarness h = new TcpHarness("stream.memcap=" + memcap, "stream.inline=yes",
            "stream.memcap-policy=drop-flow");
        h.c(TH_SYN, C, 0, 0);
        h.clientPort = 30001;
        h.c(TH_SYN, C, 0, 0);
        assertThat(h.lastVerdict).isEqualTo(TcpEngine.VERDICT_DROP);
        h.s(TH_SYN | TH_ACK, S, C + 1, 0);
        assertThat(h.lastVerdict).isEqualTo(TcpEngine.VERDICT_DROP);
    }

    @Test
    void shouldEndAClosedSessionsFlowWithTcpReuseOnANewSyn()
    {
        final TcpHarness h = new TcpHarness(ctx()).handshake(C, S);
        h.c(TH_RST | TH_ACK, C + 1, S + 1, 0);
        h.c(TH_SYN, C + 100_000, 0, 0);
        assertThat(h.ended).containsExactly("flow=closed tcp=closed reason=tcp_reuse");
        assertThat(h.finish()).containsExactly("flow=closed tcp=closed reason=tcp_reuse",
            "flow=new tcp=syn_sent reason=shutdown");
    }

    @Test
    void shouldTrackOneSidedSessionsOnlyWithAsyncOneside()
    {
        final TcpHarness on = new TcpHarness("stream.async-oneside=yes");
        on.c(TH_SYN, C, 0, 0).c(TH_ACK, C + 1, S + 1, 0).c(TH_ACK | TH_PSH, C + 1, S + 1, 100);
        final TcpSession ssn = TcpEngine.session(flowOf(on));
        assertThat(ssn.client.nextSeq).isEqualTo(C + 101);
        assertThat(on.finish()).containsExactly("flow=established tcp=established reason=shutdown");

        final TcpHarness off = new TcpHarness(ctx());
        off.c(TH_SYN, C, 0, 0).c(TH_ACK, C + 1, S + 1, 0).c(TH_ACK | TH_PSH, C + 1, S + 1, 100);
        assertThat(off.finish()).containsExactly("flow=new tcp=syn_sent reason=shutdown");
    }

    @Test
    void shouldStopEventsAfterAGapInsteadOfStorming()
    {
        final TcpHarness h = new TcpHarness(ctx()).handshake(C, S);
        h.s(TH_ACK | TH_PSH, S + 1, C + 1, 100);
        h.c(TH_ACK, C + 1, S + 1001, 0);
        for (int i = 0; i < 10; i++)
        {
            h.c(TH_ACK, C + 1, S + 1001 + i * 100, 0);
        }
        assertThat(h.events).as("an in-window ACK of data the capture missed is loss, not an attack: only the gap")
            .containsExactly("5:reassembly_seq_gap");
        assertThat(TcpEngine.session(flowOf(h)).server.has(TcpStreamTracker.FLAG_GAP)).isTrue();
        final long suppressed = h.counter("tcp.events_suppressed");
        h.c(TH_SYN, C, 0, 0);
        assertThat(h.count(TcpStreamEvent.EST_SYN_RESEND)).isZero();
        assertThat(h.counter("tcp.events_suppressed")).isEqualTo(suppressed + 1);
    }

    @Test
    void shouldRaiseInvalidAckOnlyPastTheWindowEdge()
    {
        final TcpHarness inWindow = new TcpHarness(ctx()).handshake(C, S);
        inWindow.s(TH_ACK | TH_PSH, S + 1, C + 1, 100);
        inWindow.c(TH_ACK, C + 1, S + 60_000, 0);
        assertThat(inWindow.count(TcpStreamEvent.PKT_INVALID_ACK)).isZero();

        final TcpHarness past = new TcpHarness(ctx()).handshake(C, S);
        past.s(TH_ACK | TH_PSH, S + 1, C + 1, 100);
        past.c(TH_ACK, C + 1, S + 101 + 65_535 + 1, 0);
        assertThat(past.count(TcpStreamEvent.PKT_INVALID_ACK)).isEqualTo(1);
        assertThat(past.count(TcpStreamEvent.EST_INVALID_ACK)).isEqualTo(1);
    }

    @Test
    void shouldClassifyKeepAlivesAndDupAcks()
    {
        final TcpHarness h = new TcpHarness(ctx()).handshake(C, S);
        h.c(TH_ACK | TH_PSH, C + 1, S + 1, 10).s(TH_ACK, S + 1, C + 11, 0);
        h.c(TH_ACK, C + 10, S + 1, 0);
        assertThat(h.counter("tcp.keepalive")).isEqualTo(1);
        h.s(TH_ACK, S + 1, C + 11, 0);
        assertThat(h.counter("tcp.keepalive_ack")).isEqualTo(1);
        h.s(TH_ACK, S + 1, C + 11, 0);
        assertThat(h.counter("tcp.dup_ack")).isEqualTo(1);
        assertThat(h.events).isEmpty();
    }

    @Test
    void shouldBypassOnDepthOnlyWithBypass()
    {
        final TcpHarness on = new TcpHarness("stream.bypass=yes").handshake(C, S);
        on.engine().depthReached(flowOf(on), true);
        assertThat(flowOf(on).state()).isEqualTo(io.tandem.node.flow.FlowState.BYPASSED);

        final TcpHarness off = new TcpHarness(ctx()).handshake(C, S);
        off.engine().depthReached(flowOf(off), true);
        assertThat(flowOf(off).state()).isEqualTo(io.tandem.node.flow.FlowState.ESTABLISHED);
    }

    @Test
    void shouldApplyTheMidstreamPolicyWhenMidstreamIsOff()
    {
        final TcpHarness h = new TcpHarness("stream.inline=yes", "stream.midstream-policy=drop-flow");
        h.c(TH_ACK | TH_PSH, C, S, 10);
        assertThat(h.lastVerdict).isEqualTo(TcpEngine.VERDICT_DROP);
        final TcpHarness ignore = new TcpHarness("stream.inline=yes");
        ignore.c(TH_ACK | TH_PSH, C, S, 10);
        assertThat(ignore.lastVerdict).isEqualTo(TcpEngine.VERDICT_PASS);
    }

    private static io.tandem.node.flow.Flow flowOf(final TcpHarness h)
    {
        return h.engine().currentFlow();
    }
}
