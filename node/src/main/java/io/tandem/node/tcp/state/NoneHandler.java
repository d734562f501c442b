package io.tandem.node.tcp.state;

import io.tandem.node.decode.Packet;
import io.tandem.node.tcp.TcpEngine;
import io.tandem.node.tcp.TcpSession;
import io.tandem.node.tcp.TcpState;
import io.tandem.node.tcp.TcpStreamEvent;
import io.tandem.node.tcp.TcpStreamTracker;

/**
 * No session yet: a SYN starts one (SYN_SENT, with TCP Fast Open data counted); a SYN/ACK starts one in SYN_RECV
 * only with midstream or async-oneside; an ACK (or a FIN with data) starts an ESTABLISHED one only with midstream,
 * assuming window scale 14 and SACK on both sides as Suricata does. A RST or FIN without a session is an event.
 */
public final class NoneHandler implements TcpStateHandler
{
    @Override
    public boolean handle(final TcpEngine engine, final TcpSession existing, final Packet p, final boolean toServer)
    {
        final int flags = p.tcpFlags;
        final TcpEngine.Context ctx = engine.context();
        if ((flags & Packet.TH_RST) != 0)
        {
            engine.event(p, TcpStreamEvent.RST_BUT_NO_SESSION);
            return false;
        }
        if ((flags & Packet.TH_FIN) != 0 && (flags & Packet.TH_SYN) == 0)
        {
            if (!ctx.midstream())
            {
                engine.refuseMidstream();
            }
            if (!ctx.midstream() || p.payloadLength == 0)
            {
                engine.event(p, TcpStreamEvent.FIN_BUT_NO_SESSION);
                return false;
            }
            final TcpSession ssn = session(engine, existing, p);
            if (ssn == null)
            {
                return false;
            }
            pickupOnAck(engine, ssn, p, toServer);
            return engine.handleFin(ssn, p, toServer);
        }
        if ((flags & (Packet.TH_SYN | Packet.TH_ACK)) == (Packet.TH_SYN | Packet.TH_ACK))
        {
            if (!ctx.midstream() && !ctx.asyncOneside())
            {
                engine.refuseMidstream();
                return true;
            }
            final TcpSession ssn = session(engine, existing, p);
            if (ssn == null)
            {
                return false;
            }
            if (toServer)
            {
                engine.swapFlow();
            }
            pickupOnSynAck(engine, ssn, p);
            return true;
        }
        if ((flags & Packet.TH_SYN) != 0)
        {
            final TcpSession ssn = session(engine, existing, p);
            if (ssn == null)
            {
                return false;
            }
            engine.state(ssn, TcpState.SYN_SENT);
            initFromSyn(engine, ssn, p);
            return true;
        }
        if ((flags & Packet.TH_ACK) != 0)
        {
            if (!ctx.midstream())
            {
                engine.refuseMidstream();
                return true;
            }
            final TcpSession ssn = session(engine, existing, p);
            if (ssn == null)
            {
                return false;
            }
            pickupOnAck(engine, ssn, p, toServer);
            return true;
        }
        return true;
    }

    private static TcpSession session(final TcpEngine engine, final TcpSession existing, final Packet p)
    {
        return existing != null ? existing : engine.newSession(p);
    }

    /**
     * Set the client side from a SYN (also used when a different SYN replaces a queued one).
     *
     * @param engine the engine.
     * @param ssn    the session.
     * @param p      the SYN.
     */
    static void initFromSyn(final TcpEngine engine, final TcpSession ssn, final Packet p)
    {
        final TcpStreamTracker client = ssn.client;
        final TcpStreamTracker server = ssn.server;
        client.isn = p.seq;
        client.nextSeq = p.seq + 1;
        client.lastAck = p.seq + 1;
        client.nextWin = client.lastAck;
        client.flags &= ~(TcpStreamTracker.FLAG_TIMESTAMP | TcpStreamTracker.FLAG_ZERO_TIMESTAMP);
        client.lastTs = 0;
        client.lastPktTsSeconds = 0;
        ssn.flags &= ~(TcpSession.FLAG_SERVER_WSCALE | TcpSession.FLAG_CLIENT_SACKOK | TcpSession.FLAG_TCP_FAST_OPEN);
        if (p.optTfo)
        {
            ssn.flags |= TcpSession.FLAG_TCP_FAST_OPEN;
            if (p.payloadLength > 0)
            {
                client.nextSeq += p.payloadLength;
            }
        }
        server.window = p.window;
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
            if (p.tsVal == 0)
            {
                client.flags |= TcpStreamTracker.FLAG_ZERO_TIMESTAMP;
            }
            client.lastPktTsSeconds = TcpEngine.seconds(p);
            client.flags |= TcpStreamTracker.FLAG_TIMESTAMP;
        }
    }

    private static void pickupOnSynAck(final TcpEngine engine, final TcpSession ssn, final Packet p)
    {
        engine.midstreamPickedUp();
        engine.state(ssn, TcpState.SYN_RECV);
        ssn.flags |= TcpSession.FLAG_MIDSTREAM | TcpSession.FLAG_MIDSTREAM_SYNACK;
        if (engine.context().asyncOneside())
        {
            ssn.flags |= TcpSession.FLAG_ASYNC;
        }
        final TcpStreamTracker client = ssn.client;
        final TcpStreamTracker server = ssn.server;
        server.isn = p.seq;
        server.nextSeq = p.seq + 1;
        server.lastAck = p.seq + 1;
        client.isn = p.ack - 1;
        client.nextSeq = p.ack;
        client.lastAck = p.ack;
        client.window = p.window;
        client.windowScale = (byte)(p.optWindowScale >= 0 ? Math.min(p.optWindowScale, TcpEngine.WSCALE_MAX) : 0);
        server.windowScale = TcpEngine.WSCALE_MAX;
        client.nextWin = client.lastAck + (int)client.window;
        server.nextWin = server.lastAck;
        if (p.optSackPermitted)
        {
            ssn.flags |= TcpSession.FLAG_SACKOK;
            server.sackPermitted = true;
        }
        pickupTimestamps(ssn, server, client, p);
    }

    private static void pickupOnAck(
        final TcpEngine engine, final TcpSession ssn, final Packet p, final boolean toServer)
    {
        engine.midstreamPickedUp();
        engine.state(ssn, TcpState.ESTABLISHED);
        ssn.flags |= TcpSession.FLAG_MIDSTREAM | TcpSession.FLAG_MIDSTREAM_ESTABLISHED | TcpSession.FLAG_SACKOK;
        if (engine.context().asyncOneside())
        {
            ssn.flags |= TcpSession.FLAG_ASYNC;
        }
        final TcpStreamTracker snd = toServer ? ssn.client : ssn.server;
        final TcpStreamTracker rcv = toServer ? ssn.server : ssn.client;
        snd.isn = p.seq - 1;
        snd.nextSeq = p.seq + p.payloadLength;
        snd.lastAck = p.seq;
        rcv.isn = p.ack - 1;
        rcv.nextSeq = p.ack;
        rcv.lastAck = p.ack;
        snd.windowScale = TcpEngine.WSCALE_MAX;
        rcv.windowScale = TcpEngine.WSCALE_MAX;
        rcv.window = (long)p.window << TcpEngine.WSCALE_MAX;
        snd.window = rcv.window;
        snd.nextWin = snd.lastAck + (int)snd.window;
        rcv.nextWin = rcv.lastAck + (int)rcv.window;
        snd.sackPermitted = true;
        rcv.sackPermitted = true;
        pickupTimestamps(ssn, snd, rcv, p);
    }

    private static void pickupTimestamps(
        final TcpSession ssn, final TcpStreamTracker snd, final TcpStreamTracker rcv, final Packet p)
    {
        if (p.optTimestamp)
        {
            snd.lastTs = p.tsVal;
            rcv.lastTs = p.tsEcr;
            snd.lastPktTsSeconds = TcpEngine.seconds(p);
            snd.flags |= TcpStreamTracker.FLAG_TIMESTAMP;
            rcv.flags |= TcpStreamTracker.FLAG_TIMESTAMP;
            if (p.tsVal == 0)
            {
                snd.flags |= TcpStreamTracker.FLAG_ZERO_TIMESTAMP;
            }
            ssn.flags |= TcpSession.FLAG_TIMESTAMP;
        }
    }
}
