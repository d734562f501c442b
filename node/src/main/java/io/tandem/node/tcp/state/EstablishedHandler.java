package io.tandem.node.tcp.state;

import io.tandem.node.decode.Packet;
import io.tandem.node.tcp.TcpEngine;
import io.tandem.node.tcp.TcpSession;
import io.tandem.node.tcp.TcpStreamEvent;

/**
 * ESTABLISHED: data and ACKs within the window, a valid RST closes, a FIN starts the teardown, SYNs are resends or
 * attacks and rejected with their events; a SYN/ACK resent before the server confirmed the handshake with an ACK is
 * taken as the server not having seen the client's final ACK, afterwards it is rejected.
 */
public final class EstablishedHandler implements TcpStateHandler
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
            if (toServer)
            {
                engine.event(p, TcpStreamEvent.EST_SYNACK_TOSERVER);
            }
            else if (p.ack != ssn.client.lastAck)
            {
                engine.event(p, TcpStreamEvent.EST_SYNACK_RESEND_WITH_DIFFERENT_ACK);
            }
            else if (p.seq != ssn.server.isn)
            {
                engine.event(p, TcpStreamEvent.EST_SYNACK_RESEND_WITH_DIFF_SEQ);
            }
            else if (ssn.has(TcpSession.FLAG_3WHS_CONFIRMED))
            {
                engine.event(p, TcpStreamEvent.EST_SYNACK_RESEND);
            }
            else
            {
                return true;
            }
            return false;
        }
        if ((flags & Packet.TH_SYN) != 0)
        {
            if (!toServer)
            {
                engine.event(p, TcpStreamEvent.EST_SYN_TOCLIENT);
            }
            else if (p.seq == ssn.client.isn)
            {
                engine.event(p, TcpStreamEvent.EST_SYN_RESEND);
            }
            else
            {
                engine.event(p, TcpStreamEvent.EST_SYN_RESEND_DIFF_SEQ);
            }
            return false;
        }
        if ((flags & Packet.TH_ACK) != 0)
        {
            if (ssn.has(TcpSession.FLAG_TIMESTAMP) && !engine.validateTimestamp(ssn, p, toServer))
            {
                return false;
            }
            if (!toServer)
            {
                ssn.flags |= TcpSession.FLAG_3WHS_CONFIRMED;
            }
            return engine.handleData(ssn, p, toServer, TcpStreamEvent.EST_INVALID_ACK,
                TcpStreamEvent.EST_PACKET_OUT_OF_WINDOW);
        }
        return true;
    }
}
