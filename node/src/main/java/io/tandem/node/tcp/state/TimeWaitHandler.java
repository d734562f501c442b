package io.tandem.node.tcp.state;

import io.tandem.node.decode.Packet;
import io.tandem.node.tcp.TcpEngine;
import io.tandem.node.tcp.TcpSession;
import io.tandem.node.tcp.TcpState;
import io.tandem.node.tcp.TcpStreamEvent;
import io.tandem.node.tcp.TcpStreamTracker;

/**
 * TIME_WAIT: both FINs seen; the ACK of the last FIN closes the session.
 */
public final class TimeWaitHandler implements TcpStateHandler
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
            engine.event(p, TcpStreamEvent.TIMEWAIT_ACK_WRONG_SEQ);
            return false;
        }
        if ((flags & Packet.TH_ACK) == 0)
        {
            return true;
        }
        if (engine.outOfWindow(ssn, snd, p))
        {
            engine.event(p, TcpStreamEvent.TIMEWAIT_ACK_WRONG_SEQ);
            return false;
        }
        if (!engine.validateAck(ssn, rcv, p))
        {
            engine.event(p, TcpStreamEvent.TIMEWAIT_INVALID_ACK);
            return false;
        }
        engine.accept(ssn, p, toServer);
        if (p.ack == rcv.nextSeq && rcv.has(TcpStreamTracker.FLAG_FIN_SENT))
        {
            engine.state(ssn, TcpState.CLOSED);
        }
        return true;
    }
}
