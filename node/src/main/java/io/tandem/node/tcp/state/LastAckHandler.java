package io.tandem.node.tcp.state;

import io.tandem.node.decode.Packet;
import io.tandem.node.tcp.TcpEngine;
import io.tandem.node.tcp.TcpSession;
import io.tandem.node.tcp.TcpState;
import io.tandem.node.tcp.TcpStreamEvent;
import io.tandem.node.tcp.TcpStreamTracker;

/**
 * LAST_ACK: both sides sent a FIN, the client's was acknowledged; the client's ACK of the server's FIN closes
 * the session.
 */
public final class LastAckHandler implements TcpStateHandler
{
    @Override
    public boolean handle(final TcpEngine engine, final TcpSession ssn, final Packet p, final boolean toServer)
    {
        final int flags = p.tcpFlags;
        final TcpStreamTracker snd = toServer ? ssn.client : ssn.server;
        final TcpStreamTracker rcv = toServer ? ssn.server : ssn.client;
        if ((flags & Packet.TH_RST) != 0)
        {
            if (!engine.validateRst(ssn, p, toServer))
            {
                return false;
            }
            engine.closeWithReset(ssn, p, toServer);
            return true;
        }
        if ((flags & Packet.TH_SYN) != 0)
        {
            engine.event(p, TcpStreamEvent.SHUTDOWN_SYN_RESEND);
            return false;
        }
        if (ssn.has(TcpSession.FLAG_TIMESTAMP) && !engine.validateTimestamp(ssn, p, toServer))
        {
            return false;
        }
        if ((flags & Packet.TH_FIN) != 0)
        {
            if (TcpEngine.isFinRetransmission(snd, p))
            {
                return true;
            }
            engine.event(p, TcpStreamEvent.LASTACK_ACK_WRONG_SEQ);
            return false;
        }
        if ((flags & Packet.TH_ACK) == 0)
        {
            return true;
        }
        if (engine.outOfWindow(ssn, snd, p))
        {
            engine.event(p, TcpStreamEvent.LASTACK_ACK_WRONG_SEQ);
            return false;
        }
        if (!engine.validateAck(ssn, rcv, p))
        {
            engine.event(p, TcpStreamEvent.LASTACK_INVALID_ACK);
            return false;
        }
        engine.accept(ssn, p, toServer);
        if (toServer && p.ack == rcv.nextSeq)
        {
            engine.state(ssn, TcpState.CLOSED);
        }
        return true;
    }
}
