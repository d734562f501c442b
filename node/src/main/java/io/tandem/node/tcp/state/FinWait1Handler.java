package io.tandem.node.tcp.state;

import io.tandem.node.decode.Packet;
import io.tandem.node.tcp.TcpEngine;
import io.tandem.node.tcp.TcpSession;
import io.tandem.node.tcp.TcpState;
import io.tandem.node.tcp.TcpStreamEvent;
import io.tandem.node.tcp.TcpStreamTracker;

/**
 * FIN_WAIT1: the server sent a FIN. The client's ACK of it leads to FIN_WAIT2. A new FIN from either side leads to
 * TIME_WAIT when it carries the ACK flag, whatever it acknowledges (as long as the ACK is valid), and to CLOSING
 * without it, as Suricata's StreamTcpPacketStateFinWait1 decides.
 */
public final class FinWait1Handler extends ShutdownStateHandler
{
    /**
     * The handler.
     */
    public FinWait1Handler()
    {
        super(TcpStreamEvent.FIN1_ACK_WRONG_SEQ, TcpStreamEvent.FIN1_INVALID_ACK);
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
        final TcpState next = (p.tcpFlags & Packet.TH_ACK) != 0 ? TcpState.TIME_WAIT : TcpState.CLOSING;
        return acceptFin(engine, ssn, p, toServer, snd, rcv, TcpStreamEvent.FIN1_FIN_WRONG_SEQ,
            TcpStreamEvent.FIN1_INVALID_ACK, toServer, next);
    }

    @Override
    void onValidAck(
        final TcpEngine engine, final TcpSession ssn, final Packet p, final boolean toServer,
        final TcpStreamTracker rcv)
    {
        if (toServer && p.ack == rcv.nextSeq && rcv.has(TcpStreamTracker.FLAG_FIN_SENT))
        {
            engine.state(ssn, TcpState.FIN_WAIT2);
        }
        engine.accept(ssn, p, toServer);
    }
}
