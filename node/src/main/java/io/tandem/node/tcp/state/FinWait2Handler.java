package io.tandem.node.tcp.state;

import io.tandem.node.decode.Packet;
import io.tandem.node.tcp.TcpEngine;
import io.tandem.node.tcp.TcpSession;
import io.tandem.node.tcp.TcpState;
import io.tandem.node.tcp.TcpStreamEvent;
import io.tandem.node.tcp.TcpStreamTracker;

/**
 * FIN_WAIT2: the server's FIN was acknowledged; the client's FIN leads to TIME_WAIT.
 */
public final class FinWait2Handler extends ShutdownStateHandler
{
    /**
     * The handler.
     */
    public FinWait2Handler()
    {
        super(TcpStreamEvent.FIN2_ACK_WRONG_SEQ, TcpStreamEvent.FIN2_INVALID_ACK);
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
        return acceptFin(engine, ssn, p, toServer, snd, rcv, TcpStreamEvent.FIN2_FIN_WRONG_SEQ,
            TcpStreamEvent.FIN2_INVALID_ACK, true, TcpState.TIME_WAIT);
    }

    @Override
    void onValidAck(
        final TcpEngine engine, final TcpSession ssn, final Packet p, final boolean toServer,
        final TcpStreamTracker rcv)
    {
        engine.accept(ssn, p, toServer);
    }
}
