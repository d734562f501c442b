package io.tandem.node.tcp.state;

import io.tandem.node.decode.Packet;
import io.tandem.node.tcp.TcpEngine;
import io.tandem.node.tcp.TcpSession;
import io.tandem.node.tcp.TcpState;
import io.tandem.node.tcp.TcpStreamEvent;
import io.tandem.node.tcp.TcpStreamTracker;

/**
 * CLOSE_WAIT: the client sent a FIN; the server may still send data, and its FIN leads to LAST_ACK.
 */
public final class CloseWaitHandler implements TcpStateHandler
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
            if (toServer)
            {
                engine.event(p, TcpStreamEvent.CLOSEWAIT_FIN_OUT_OF_WINDOW);
                return false;
            }
            if (engine.outOfWindow(ssn, snd, p))
            {
                engine.event(p, TcpStreamEvent.CLOSEWAIT_FIN_OUT_OF_WINDOW);
                return false;
            }
            if (!engine.validateAck(ssn, rcv, p))
            {
                engine.event(p, TcpStreamEvent.CLOSEWAIT_INVALID_ACK);
                return false;
            }
            engine.state(ssn, TcpState.LAST_ACK);
            TcpEngine.finSent(snd, p);
            engine.accept(ssn, p, toServer);
            return true;
        }
        if ((flags & Packet.TH_ACK) == 0)
        {
            return true;
        }
        if (p.payloadLength > 0 && io.tandem.node.tcp.SeqNum.leq(p.seq + p.payloadLength, snd.lastAck))
        {
            engine.event(p, TcpStreamEvent.CLOSEWAIT_PKT_BEFORE_LAST_ACK);
            return false;
        }
        if (engine.outOfWindow(ssn, snd, p))
        {
            engine.event(p, TcpStreamEvent.CLOSEWAIT_ACK_OUT_OF_WINDOW);
            return false;
        }
        if (!engine.validateAck(ssn, rcv, p))
        {
            engine.event(p, TcpStreamEvent.CLOSEWAIT_INVALID_ACK);
            return false;
        }
        engine.accept(ssn, p, toServer);
        return true;
    }
}
