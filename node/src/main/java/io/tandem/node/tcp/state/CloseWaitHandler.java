package io.tandem.node.tcp.state;

import io.tandem.node.decode.Packet;
import io.tandem.node.tcp.SeqNum;
import io.tandem.node.tcp.TcpEngine;
import io.tandem.node.tcp.TcpSession;
import io.tandem.node.tcp.TcpState;
import io.tandem.node.tcp.TcpStreamEvent;
import io.tandem.node.tcp.TcpStreamTracker;

/**
 * CLOSE_WAIT: the client sent a FIN; the server may still send data, and its FIN leads to LAST_ACK.
 */
public final class CloseWaitHandler extends ShutdownStateHandler
{
    /**
     * The handler.
     */
    public CloseWaitHandler()
    {
        super(TcpStreamEvent.CLOSEWAIT_ACK_OUT_OF_WINDOW, TcpStreamEvent.CLOSEWAIT_INVALID_ACK);
    }

    @Override
    boolean onFin(
        final TcpEngine engine,
        final TcpSession ssn,
        final Packet p,
        final boolean toServer,
        final TcpStreamTracker snd,
        final TcpStreamTracker rcv)
    {
        if (toServer)
        {
            engine.event(p, TcpStreamEvent.CLOSEWAIT_FIN_OUT_OF_WINDOW);
            return false;
        }
        return acceptFin(engine, ssn, p, toServer, snd, rcv, TcpStreamEvent.CLOSEWAIT_FIN_OUT_OF_WINDOW,
            TcpStreamEvent.CLOSEWAIT_INVALID_ACK, false, TcpState.LAST_ACK);
    }

    @Override
    boolean checkBeforeAck(final TcpEngine engine, final Packet p, final TcpStreamTracker snd)
    {
        if (p.payloadLength > 0 && SeqNum.leq(p.seq + p.payloadLength, snd.lastAck))
        {
            engine.event(p, TcpStreamEvent.CLOSEWAIT_PKT_BEFORE_LAST_ACK);
            return false;
        }
        return true;
    }

    @Override
    void onValidAck(
        final TcpEngine engine, final TcpSession ssn, final Packet p, final boolean toServer,
        final TcpStreamTracker rcv)
    {
        engine.accept(ssn, p, toServer);
    }
}
