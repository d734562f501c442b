package io.tandem.node.tcp.state;

import io.tandem.node.decode.Packet;
import io.tandem.node.tcp.TcpEngine;
import io.tandem.node.tcp.TcpSession;
import io.tandem.node.tcp.TcpState;
import io.tandem.node.tcp.TcpStreamEvent;
import io.tandem.node.tcp.TcpStreamTracker;

/**
 * FIN_WAIT1: the server sent a FIN. The client's ACK of it leads to FIN_WAIT2; the client's FIN leads to TIME_WAIT
 * when it also acknowledges the server's FIN, to CLOSING otherwise.
 */
public final class FinWait1Handler implements TcpStateHandler
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
            if (engine.outOfWindow(ssn, snd, p))
            {
                engine.event(p, TcpStreamEvent.FIN1_FIN_WRONG_SEQ);
                return false;
            }
            if (!engine.validateAck(ssn, rcv, p))
            {
                engine.event(p, TcpStreamEvent.FIN1_INVALID_ACK);
                return false;
            }
            if (!toServer)
            {
                engine.event(p, TcpStreamEvent.FIN1_FIN_WRONG_SEQ);
                return false;
            }
            engine.state(ssn, p.ack == rcv.nextSeq && (flags & Packet.TH_ACK) != 0 ? TcpState.TIME_WAIT :
                TcpState.CLOSING);
            TcpEngine.finSent(snd, p);
            engine.accept(ssn, p, toServer);
            return true;
        }
        if ((flags & Packet.TH_ACK) == 0)
        {
            return true;
        }
        if (engine.outOfWindow(ssn, snd, p))
        {
            engine.event(p, TcpStreamEvent.FIN1_ACK_WRONG_SEQ);
            return false;
        }
        if (!engine.validateAck(ssn, rcv, p))
        {
            engine.event(p, TcpStreamEvent.FIN1_INVALID_ACK);
            return false;
        }
        if (toServer && p.ack == rcv.nextSeq && rcv.has(TcpStreamTracker.FLAG_FIN_SENT))
        {
            engine.state(ssn, TcpState.FIN_WAIT2);
        }
        engine.accept(ssn, p, toServer);
        return true;
    }
}
