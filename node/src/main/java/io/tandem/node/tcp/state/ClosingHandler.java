package io.tandem.node.tcp.state;

import io.tandem.node.decode.Packet;
import io.tandem.node.tcp.TcpEngine;
import io.tandem.node.tcp.TcpSession;
import io.tandem.node.tcp.TcpState;
import io.tandem.node.tcp.TcpStreamEvent;
import io.tandem.node.tcp.TcpStreamTracker;

/**
 * CLOSING: both sides sent a FIN before either was acknowledged; an ACK of the other side's FIN leads to
 * TIME_WAIT.
 */
public final class ClosingHandler extends ShutdownStateHandler
{
    /**
     * The handler.
     */
    public ClosingHandler()
    {
        super(TcpStreamEvent.CLOSING_ACK_WRONG_SEQ, TcpStreamEvent.CLOSING_INVALID_ACK);
    }

    @Override
    void onValidAck(
        final TcpEngine engine, final TcpSession ssn, final Packet p, final boolean toServer,
        final TcpStreamTracker rcv)
    {
        if (p.ack == rcv.nextSeq && rcv.has(TcpStreamTracker.FLAG_FIN_SENT))
        {
            engine.state(ssn, TcpState.TIME_WAIT);
        }
        engine.accept(ssn, p, toServer);
    }
}
