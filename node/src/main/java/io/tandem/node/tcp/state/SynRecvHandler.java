package io.tandem.node.tcp.state;

import io.tandem.node.decode.Packet;
import io.tandem.node.tcp.SeqNum;
import io.tandem.node.tcp.TcpEngine;
import io.tandem.node.tcp.TcpSession;
import io.tandem.node.tcp.TcpState;
import io.tandem.node.tcp.TcpStreamEvent;
import io.tandem.node.tcp.TcpStreamTracker;

/**
 * SYN_RECV: waiting for the client's ACK. The ACK with the right sequence and acknowledgement establishes the
 * session, also when it carries data (Suricata bug 7264); resent SYN/ACKs with another sequence are queued up to
 * max-synack-queued; the right sequence with a wrong ACK is an evasion attempt; in inline mode data from the server
 * before the handshake completes is dropped as an injection.
 */
public final class SynRecvHandler implements TcpStateHandler
{
    @Override
    public boolean handle(final TcpEngine engine, final TcpSession ssn, final Packet p, final boolean toServer)
    {
        final int flags = p.tcpFlags;
        if ((flags & Packet.TH_RST) != 0)
        {
            if (!engine.validateRst(ssn, p, toServer))
            {
                return false;
            }
            engine.closeWithReset(ssn, p, toServer);
            return true;
        }
        if ((flags & Packet.TH_FIN) != 0)
        {
            if (ssn.has(TcpSession.FLAG_TIMESTAMP) && !engine.validateTimestamp(ssn, p, toServer))
            {
                return false;
            }
            return engine.handleFin(ssn, p, toServer);
        }
        if ((flags & (Packet.TH_SYN | Packet.TH_ACK)) == (Packet.TH_SYN | Packet.TH_ACK))
        {
            return synAck(engine, ssn, p, toServer);
        }
        if ((flags & Packet.TH_SYN) != 0)
        {
            if (!toServer)
            {
                engine.event(p, TcpStreamEvent.THREE_WHS_SYN_TOCLIENT_ON_SYN_RECV);
                return false;
            }
            if (p.seq != ssn.client.isn)
            {
                engine.event(p, TcpStreamEvent.THREE_WHS_SYN_RESEND_DIFF_SEQ_ON_SYN_RECV);
                return false;
            }
            return true;
        }
        if ((flags & Packet.TH_ACK) != 0)
        {
            return ack(engine, ssn, p, toServer);
        }
        return true;
    }

    private static boolean synAck(final TcpEngine engine, final TcpSession ssn, final Packet p, final boolean toServer)
    {
        if (toServer)
        {
            if (ssn.has(TcpSession.FLAG_4WHS))
            {
                return true;
            }
            engine.event(p, TcpStreamEvent.THREE_WHS_SYNACK_TOSERVER_ON_SYN_RECV);
            return false;
        }
        if (p.ack != ssn.client.lastAck)
        {
            engine.event(p, TcpStreamEvent.THREE_WHS_SYNACK_RESEND_WITH_DIFFERENT_ACK);
            return false;
        }
        if (p.seq == ssn.server.isn)
        {
            return true;
        }
        final int max = engine.context().maxSynAckQueued();
        if (max == 0)
        {
            engine.event(p, TcpStreamEvent.THREE_WHS_SYNACK_RESEND_WITH_DIFF_SEQ);
            return false;
        }
        if (ssn.queueLength >= max)
        {
            engine.event(p, TcpStreamEvent.THREE_WHS_SYNACK_FLOOD);
            return false;
        }
        int qflags = 0;
        if (p.optWindowScale >= 0)
        {
            qflags |= TcpSession.QUEUE_WSCALE;
        }
        if (p.optSackPermitted)
        {
            qflags |= TcpSession.QUEUE_SACKOK;
        }
        if (p.optTimestamp)
        {
            qflags |= TcpSession.QUEUE_TS;
        }
        ssn.flags |= TcpSession.FLAG_QUEUE_SYNACK;
        ssn.enqueue(p.seq, p.ack, p.window, Math.max(0, p.optWindowScale), p.tsVal, qflags);
        return true;
    }

    private static boolean ack(final TcpEngine engine, final TcpSession ssn, final Packet p, final boolean toServer)
    {
        final TcpStreamTracker client = ssn.client;
        final TcpStreamTracker server = ssn.server;
        if (toServer && p.ack != server.nextSeq)
        {
            restoreQueuedSynAck(ssn, p);
        }
        if (ssn.has(TcpSession.FLAG_TIMESTAMP) && !engine.validateTimestamp(ssn, p, toServer))
        {
            return false;
        }
        if (ssn.has(TcpSession.FLAG_4WHS) && !toServer)
        {
            if (p.seq != server.nextSeq)
            {
                engine.event(p, TcpStreamEvent.FOUR_WHS_WRONG_SEQ);
                return false;
            }
            if (p.ack != client.nextSeq)
            {
                engine.event(p, TcpStreamEvent.FOUR_WHS_INVALID_ACK);
                return false;
            }
            establish(engine, ssn, p, false);
            return true;
        }
        boolean missedThirdAck = false;
        if (!toServer)
        {
            if (!ssn.has(TcpSession.FLAG_MIDSTREAM_SYNACK) && !ssn.has(TcpSession.FLAG_TCP_FAST_OPEN))
            {
                if (engine.inline())
                {
                    if (p.payloadLength > 0 && p.ack == client.lastAck && p.seq == server.nextSeq)
                    {
                        engine.event(p, TcpStreamEvent.THREE_WHS_ACK_DATA_INJECT);
                        engine.requestDrop();
                        return false;
                    }
                    engine.event(p, TcpStreamEvent.THREE_WHS_ACK_IN_WRONG_DIR);
                    return false;
                }
                missedThirdAck = true;
            }
        }
        if (toServer && p.seq == client.nextSeq && p.ack == server.nextSeq)
        {
            establish(engine, ssn, p, true);
            return true;
        }
        if (!toServer && ssn.has(TcpSession.FLAG_MIDSTREAM_SYNACK))
        {
            if (engine.context().asyncOneside())
            {
                ssn.flags |= TcpSession.FLAG_ASYNC;
            }
            engine.state(ssn, TcpState.ESTABLISHED);
            server.updateNextSeq(p.seq + p.payloadLength);
            client.updateLastAck(p.ack);
            return true;
        }
        if (toServer && p.ack == server.nextSeq && SeqNum.gt(p.seq, client.nextSeq) &&
            SeqNum.leq(p.seq + p.payloadLength, client.nextWin))
        {
            establish(engine, ssn, p, true);
            return true;
        }
        if (toServer && p.seq == client.nextSeq)
        {
            ssn.flags |= TcpSession.FLAG_DETECTION_EVASION_ATTEMPT;
            engine.event(p, TcpStreamEvent.THREE_WHS_RIGHT_SEQ_WRONG_ACK_EVASION);
            return false;
        }
        if (missedThirdAck && p.seq == server.nextSeq && SeqNum.leq(p.ack, client.nextSeq) &&
            SeqNum.geq(p.ack, client.isn + 1))
        {
            engine.state(ssn, TcpState.ESTABLISHED);
            return engine.handleData(ssn, p, false, TcpStreamEvent.EST_INVALID_ACK,
                TcpStreamEvent.EST_PACKET_OUT_OF_WINDOW);
        }
        engine.event(p, TcpStreamEvent.THREE_WHS_WRONG_SEQ_WRONG_ACK);
        return false;
    }

    private static void establish(final TcpEngine engine, final TcpSession ssn, final Packet p, final boolean toServer)
    {
        final TcpStreamTracker snd = toServer ? ssn.client : ssn.server;
        final TcpStreamTracker rcv = toServer ? ssn.server : ssn.client;
        if (ssn.has(TcpSession.FLAG_TIMESTAMP))
        {
            engine.handleTimestamp(ssn, p, toServer);
        }
        rcv.updateLastAck(p.ack);
        snd.updateNextSeq(p.seq + p.payloadLength);
        rcv.window = (long)p.window << rcv.windowScale;
        snd.nextWin = snd.lastAck + (int)snd.window;
        rcv.nextWin = rcv.lastAck + (int)rcv.window;
        ssn.queueLength = 0;
        engine.state(ssn, TcpState.ESTABLISHED);
    }

    private static void restoreQueuedSynAck(final TcpSession ssn, final Packet p)
    {
        if (!ssn.has(TcpSession.FLAG_QUEUE_SYNACK))
        {
            return;
        }
        for (int i = 0; i < ssn.queueLength; i++)
        {
            if (ssn.queueSeq(i) + 1 == p.ack)
            {
                final int qflags = ssn.queueFlags(i);
                applySynAck(ssn, p, ssn.queueSeq(i), ssn.queueWindow(i),
                    (qflags & TcpSession.QUEUE_WSCALE) != 0 ? ssn.queueWscale(i) : -1,
                    (qflags & TcpSession.QUEUE_SACKOK) != 0, (qflags & TcpSession.QUEUE_TS) != 0, ssn.queueTs(i),
                    ssn.server.lastPktTsSeconds);
                ssn.queueLength = 0;
                return;
            }
        }
    }

    /**
     * Set the server side from a SYN/ACK (the one seen, or a queued one that the client's ACK chose).
     *
     * @param ssn           the session.
     * @param p             the packet being handled.
     * @param seq           the SYN/ACK's sequence number.
     * @param window        its raw window.
     * @param wscale        its window scale option, or -1.
     * @param sackPermitted whether it offered SACK.
     * @param hasTs         whether it had timestamps.
     * @param tsVal         its TSval.
     * @param seconds       its time.
     */
    static void applySynAck(
        final TcpSession ssn,
        final Packet p,
        final int seq,
        final int window,
        final int wscale,
        final boolean sackPermitted,
        final boolean hasTs,
        final int tsVal,
        final long seconds)
    {
        final TcpStreamTracker client = ssn.client;
        final TcpStreamTracker server = ssn.server;
        server.isn = seq;
        server.nextSeq = seq + 1;
        server.lastAck = seq + 1;
        client.lastAck = client.nextSeq;
        client.window = window;
        if (wscale >= 0 && ssn.has(TcpSession.FLAG_SERVER_WSCALE))
        {
            client.windowScale = (byte)Math.min(wscale, TcpEngine.WSCALE_MAX);
        }
        else
        {
            client.windowScale = 0;
            server.windowScale = 0;
        }
        server.sackPermitted = sackPermitted;
        if (sackPermitted && ssn.has(TcpSession.FLAG_CLIENT_SACKOK))
        {
            ssn.flags |= TcpSession.FLAG_SACKOK;
        }
        else
        {
            ssn.flags &= ~TcpSession.FLAG_SACKOK;
        }
        if (client.has(TcpStreamTracker.FLAG_TIMESTAMP) && hasTs)
        {
            server.lastTs = tsVal;
            if (tsVal == 0)
            {
                server.flags |= TcpStreamTracker.FLAG_ZERO_TIMESTAMP;
            }
            server.lastPktTsSeconds = seconds;
            server.flags |= TcpStreamTracker.FLAG_TIMESTAMP;
            ssn.flags |= TcpSession.FLAG_TIMESTAMP;
        }
        else
        {
            client.lastTs = 0;
            client.lastPktTsSeconds = 0;
            client.flags &= ~(TcpStreamTracker.FLAG_TIMESTAMP | TcpStreamTracker.FLAG_ZERO_TIMESTAMP);
            server.flags &= ~(TcpStreamTracker.FLAG_TIMESTAMP | TcpStreamTracker.FLAG_ZERO_TIMESTAMP);
            ssn.flags &= ~TcpSession.FLAG_TIMESTAMP;
        }
        client.nextWin = client.lastAck + (int)client.window;
        server.nextWin = server.lastAck + (int)server.window;
    }
}
