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
public final class LastAckHandler extends ShutdownStateHandler
{
    /**
     * The handler.
     */
    public LastAckHandler()
    {
        super(TcpStreamEvent.LASTACK_ACK_WRONG_SEQ, TcpStreamEvent.LASTACK_INVALID_ACK);
    }

    @Override
    void onValidAck(
        final TcpEngine engine, final TcpSession ssn, final Packet p, final boolean toServer,
        final TcpStreamTracker rcv)
    {
        engine.accept(ssn, p, toServer);
        if (toServer && p.ack == rcv.nextSeq)
        {
            engine.state(ssn, TcpState.CLOSED);
        }
    }
}
