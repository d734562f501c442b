package io.tandem.node.tcp.state;

import io.tandem.node.decode.Packet;
import io.tandem.node.tcp.SeqNum;
import io.tandem.node.tcp.TcpEngine;
import io.tandem.node.tcp.TcpSession;
import io.tandem.node.tcp.TcpState;
import io.tandem.node.tcp.TcpStreamEvent;
import io.tandem.node.tcp.TcpStreamTracker;

/**
 * SYN_SENT: waiting for the SYN/ACK. Checks the server's answers' timestamp echo (a reply echoing a timestamp the
 * client never sent is an injection, Suricata bug 3286), the SYN/ACK's ACK (TCP Fast Open data acknowledged or
 * ignored), resent SYNs (queued up to max-syn-queued), the server's SYN of a 4-way split handshake, and async-oneside
 * pickup when the client goes on without a SYN/ACK.
 */
public final class SynSentHandler implements TcpStateHandler
{
    @Override
    public boolean handle(final TcpEngine engine, final TcpSession ssn, final Packet p, final boolean toServer)
    {
        final int flags = p.tcpFlags;
        if ((flags & (Packet.TH_SYN | Packet.TH_ACK)) == (Packet.TH_SYN | Packet.TH_ACK))
        {
            if (toServer)
            {
                if (ssn.has(TcpSession.FLAG_4WHS))
                {
                    return fourWayHandshakeSynAck(engine, ssn, p);
                }
                engine.event(p, TcpStreamEvent.THREE_WHS_SYNACK_IN_WRONG_DIRECTION);
                return false;
            }
            return synAck(engine, ssn, p);
        }
        if (!toServer && !validEcho(ssn, p))
        {
            engine.event(p, TcpStreamEvent.PKT_INVALID_TIMESTAMP);
            return false;
        }
        if ((flags & Packet.TH_RST) != 0)
        {
            return rst(engine, ssn, p, toServer);
        }
        if ((flags & Packet.TH_FIN) != 0)
        {
            return true;
        }
        if ((flags & Packet.TH_SYN) != 0)
        {
            if (!toServer)
            {
                ssn.flags |= TcpSession.FLAG_4WHS;
                final TcpStreamTracker server = ssn.server;
                server.isn = p.seq;
                server.nextSeq = p.seq + 1;
                server.lastAck = p.seq + 1;
                ssn.client.window = p.window;
                if (p.optWindowScale >= 0 && ssn.has(TcpSession.FLAG_SERVER_WSCALE))
                {
                    ssn.client.windowScale = (byte)Math.min(p.optWindowScale, TcpEngine.WSCALE_MAX);
                }
                if (p.optTimestamp)
                {
                    server.lastTs = p.tsVal;
                    server.lastPktTsSeconds = TcpEngine.seconds(p);
                    server.flags |= TcpStreamTracker.FLAG_TIMESTAMP;
                }
                return true;
            }
            resentSyn(engine, ssn, p);
            return true;
        }
        if ((flags & Packet.TH_ACK) != 0)
        {
            if (!engine.context().asyncOneside() || !toServer)
            {
                return true;
            }
            final TcpStreamTracker client = ssn.client;
            final TcpStreamTracker server = ssn.server;
            if (p.seq != client.nextSeq)
            {
                engine.event(p, TcpStreamEvent.THREE_WHS_ASYNC_WRONG_SEQ);
                return false;
            }
            ssn.flags |= TcpSession.FLAG_ASYNC;
            engine.state(ssn, TcpState.ESTABLISHED);
            client.window = p.window;
            client.lastAck = p.seq;
            client.nextWin = client.lastAck + (int)client.window;
            client.nextSeq = p.seq + p.payloadLength;
            server.isn = p.ack - 1;
            server.nextSeq = p.ack;
            server.lastAck = p.ack;
            server.nextWin = server.lastAck;
            if (client.has(TcpStreamTracker.FLAG_TIMESTAMP) && p.optTimestamp)
            {
                ssn.flags |= TcpSession.FLAG_TIMESTAMP;
                client.lastTs = p.tsVal;
                client.lastPktTsSeconds = TcpEngine.seconds(p);
            }
            return true;
        }
        return true;
    }

    private static boolean validEcho(final TcpSession ssn, final Packet p)
    {
        if (!p.optTimestamp)
        {
            return true;
        }
        final TcpStreamTracker client = ssn.client;
        final int echo = p.tsEcr;
        if (client.has(TcpStreamTracker.FLAG_TIMESTAMP))
        {
            return client.lastTs == 0 || echo == 0 || echo == client.lastTs;
        }
        return !(client.lastTs == 0 && echo != 0);
    }

    private static boolean rst(final TcpEngine engine, final TcpSession ssn, final Packet p, final boolean toServer)
    {
        final TcpStreamTracker client = ssn.client;
        if (toServer)
        {
            if (p.seq == client.isn && p.window == 0 && p.ack == client.isn + 1)
            {
                engine.closeWithReset(ssn, p, true);
                return true;
            }
            return false;
        }
        if ((p.tcpFlags & Packet.TH_ACK) == 0)
        {
            return false;
        }
        if (!SeqNum.between(p.ack, client.isn + 1, client.nextSeq))
        {
            engine.event(p, TcpStreamEvent.RST_INVALID_ACK);
            return false;
        }
        engine.closeWithReset(ssn, p, false);
        return true;
    }

    private static boolean synAck(final TcpEngine engine, final TcpSession ssn, final Packet p)
    {
        final TcpStreamTracker client = ssn.client;
        if (ssn.has(TcpSession.FLAG_TCP_FAST_OPEN) && client.nextSeq != client.isn + 1)
        {
            if (p.ack == client.isn + 1)
            {
                engine.event(p, TcpStreamEvent.THREE_WHS_SYNACK_TFO_DATA_IGNORED);
                ssn.flags |= TcpSession.FLAG_TFO_DATA_IGNORED;
                client.nextSeq = client.isn + 1;
            }
            else if (p.ack != client.nextSeq)
            {
                engine.event(p, TcpStreamEvent.THREE_WHS_SYNACK_WITH_WRONG_ACK);
                return false;
            }
        }
        else if (p.ack != client.isn + 1)
        {
            engine.event(p, TcpStreamEvent.THREE_WHS_SYNACK_WITH_WRONG_ACK);
            return false;
        }
        if (!validEcho(ssn, p) && !restoreQueuedSynByTimestamp(ssn, p.tsEcr))
        {
            engine.event(p, TcpStreamEvent.PKT_INVALID_TIMESTAMP);
            return false;
        }
        ssn.queueLength = 0;
        engine.state(ssn, TcpState.SYN_RECV);
        SynRecvHandler.applySynAck(ssn, p, p.seq, p.window, p.optWindowScale, p.optSackPermitted,
            p.optTimestamp, p.tsVal, TcpEngine.seconds(p));
        return true;
    }

    private static boolean fourWayHandshakeSynAck(final TcpEngine engine, final TcpSession ssn, final Packet p)
    {
        final TcpStreamTracker client = ssn.client;
        final TcpStreamTracker server = ssn.server;
        if (p.ack != server.isn + 1)
        {
            engine.event(p, TcpStreamEvent.FOUR_WHS_SYNACK_WITH_WRONG_ACK);
            return false;
        }
        if (p.seq != client.isn)
        {
            engine.event(p, TcpStreamEvent.FOUR_WHS_SYNACK_WITH_WRONG_SYN);
            return false;
        }
        engine.state(ssn, TcpState.SYN_RECV);
        server.lastAck = p.ack;
        server.window = p.window;
        server.nextWin = server.lastAck + (int)server.window;
        client.nextWin = client.lastAck + (int)client.window;
        if (client.has(TcpStreamTracker.FLAG_TIMESTAMP) && server.has(TcpStreamTracker.FLAG_TIMESTAMP) &&
            p.optTimestamp)
        {
            ssn.flags |= TcpSession.FLAG_TIMESTAMP;
            client.lastTs = p.tsVal;
            client.lastPktTsSeconds = TcpEngine.seconds(p);
        }
        return true;
    }

    /**
     * The client resent its SYN, perhaps with other options or a newer timestamp: the session takes the newest SYN's
     * settings and the previous ones are queued, so that a SYN/ACK answering an earlier SYN (echoing its timestamp)
     * is still recognised (Suricata's StreamTcp3whsStoreSyn). The ISN stays the first SYN's, also when the resent
     * SYN carries another one: Suricata's queue keeps no sequence numbers, so the SYN/ACK must acknowledge the first
     * ISN. A queued SYN with the same timestamp (or, without timestamps, any queued SYN without one) is not queued
     * again; a full queue raises {@code 3whs_syn_flood} but the SYN is still taken.
     */
    private static void resentSyn(final TcpEngine engine, final TcpSession ssn, final Packet p)
    {
        final TcpStreamTracker client = ssn.client;
        final TcpStreamTracker server = ssn.server;
        final boolean sameWscale = p.optWindowScale >= 0 ? ssn.has(TcpSession.FLAG_SERVER_WSCALE) &&
            server.windowScale == Math.min(p.optWindowScale, TcpEngine.WSCALE_MAX) :
            !ssn.has(TcpSession.FLAG_SERVER_WSCALE);
        final boolean sameTs = p.optTimestamp ? client.has(TcpStreamTracker.FLAG_TIMESTAMP) &&
            client.lastTs == p.tsVal : !client.has(TcpStreamTracker.FLAG_TIMESTAMP);
        if (sameWscale && sameTs && server.window == p.window &&
            p.optSackPermitted == ssn.has(TcpSession.FLAG_CLIENT_SACKOK))
        {
            return;
        }
        if (queuedSyn(ssn, client.has(TcpStreamTracker.FLAG_TIMESTAMP), client.lastTs) < 0)
        {
            if (ssn.queueLength >= engine.context().maxSynQueued())
            {
                engine.event(p, TcpStreamEvent.THREE_WHS_SYN_FLOOD);
            }
            else
            {
                queueCurrentSyn(ssn);
            }
        }
        server.window = p.window;
        ssn.flags &= ~(TcpSession.FLAG_SERVER_WSCALE | TcpSession.FLAG_CLIENT_SACKOK);
        server.windowScale = 0;
        if (p.optWindowScale >= 0)
        {
            ssn.flags |= TcpSession.FLAG_SERVER_WSCALE;
            server.windowScale = (byte)Math.min(p.optWindowScale, TcpEngine.WSCALE_MAX);
        }
        client.sackPermitted = p.optSackPermitted;
        if (p.optSackPermitted)
        {
            ssn.flags |= TcpSession.FLAG_CLIENT_SACKOK;
        }
        if (p.optTimestamp)
        {
            client.lastTs = p.tsVal;
            client.lastPktTsSeconds = TcpEngine.seconds(p);
            client.flags |= TcpStreamTracker.FLAG_TIMESTAMP;
        }
    }

    private static int queuedSyn(final TcpSession ssn, final boolean hasTs, final int ts)
    {
        if (ssn.has(TcpSession.FLAG_QUEUE_SYNACK))
        {
            return -1;
        }
        for (int i = 0; i < ssn.queueLength; i++)
        {
            final boolean queuedTs = (ssn.queueFlags(i) & TcpSession.QUEUE_TS) != 0;
            if (queuedTs == hasTs && (!hasTs || ssn.queueTs(i) == ts))
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * A SYN/ACK echoes the timestamp of an earlier SYN of the client: take that SYN's settings back (Suricata's
     * StreamTcp3whsFindSyn on a timestamp mismatch). The ISN is the one the SYN/ACK's ACK confirmed.
     */
    private static boolean restoreQueuedSynByTimestamp(final TcpSession ssn, final int echo)
    {
        final int i = queuedSyn(ssn, true, echo);
        if (i < 0)
        {
            return false;
        }
        final TcpStreamTracker client = ssn.client;
        final int qflags = ssn.queueFlags(i);
        ssn.server.window = ssn.queueWindow(i);
        ssn.server.windowScale = (byte)((qflags & TcpSession.QUEUE_WSCALE) != 0 ? ssn.queueWscale(i) : 0);
        ssn.flags &= ~(TcpSession.FLAG_SERVER_WSCALE | TcpSession.FLAG_CLIENT_SACKOK);
        if ((qflags & TcpSession.QUEUE_WSCALE) != 0)
        {
            ssn.flags |= TcpSession.FLAG_SERVER_WSCALE;
        }
        if ((qflags & TcpSession.QUEUE_SACKOK) != 0)
        {
            ssn.flags |= TcpSession.FLAG_CLIENT_SACKOK;
        }
        client.lastTs = echo;
        client.flags |= TcpStreamTracker.FLAG_TIMESTAMP;
        return true;
    }

    private static void queueCurrentSyn(final TcpSession ssn)
    {
        final TcpStreamTracker client = ssn.client;
        int qflags = 0;
        if (ssn.has(TcpSession.FLAG_SERVER_WSCALE))
        {
            qflags |= TcpSession.QUEUE_WSCALE;
        }
        if (ssn.has(TcpSession.FLAG_CLIENT_SACKOK))
        {
            qflags |= TcpSession.QUEUE_SACKOK;
        }
        if (client.has(TcpStreamTracker.FLAG_TIMESTAMP))
        {
            qflags |= TcpSession.QUEUE_TS;
        }
        ssn.flags &= ~TcpSession.FLAG_QUEUE_SYNACK;
        ssn.enqueue(client.isn, 0, (int)ssn.server.window, ssn.server.windowScale, client.lastTs, qflags);
    }
}
