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
public final class TimeWaitHandler extends ShutdownStateHandler
{
    /**
     * The handler.
     */
    public TimeWaitHandler()
    {
        super(TcpStreamEvent.TIMEWAIT_ACK_WRONG_SEQ, TcpStreamEvent.TIMEWAIT_INVALID_ACK);
    }

    @Override
    void onValidAck(
        final TcpEngine engine, final TcpSession ssn, final Packet p, final boolean toServer,
        final TcpStreamTracker rcv)
    {
        engine.accept(ssn, p, toServer);
        if (p.ack == rcv.nextSeq && rcv.has(TcpStreamTracker.FLAG_FIN_SENT))
        {
            engine.state(ssn, TcpState.CLOSED);
        }
    }
}
