package io.tandem.node.tcp.state;

import io.tandem.node.decode.Packet;
import io.tandem.node.tcp.TcpEngine;
import io.tandem.node.tcp.TcpSession;
import io.tandem.node.tcp.TcpState;
import io.tandem.node.tcp.TcpStreamEvent;
import io.tandem.node.tcp.TcpStreamTracker;

/**
 * What the teardown states (FIN_WAIT1, FIN_WAIT2, CLOSING, CLOSE_WAIT, LAST_ACK, TIME_WAIT) share, in Suricata's
 * order: a RST is validated and closes the session; a SYN is a {@code shutdown_syn_resend}; timestamps are checked;
 * a retransmitted FIN passes; a new FIN goes to {@link #onFin}; a pure ACK must be in window and acknowledge valid
 * data (else the state's own wrong-sequence or invalid-ACK event), then {@link #onValidAck} moves the state on.
 */
abstract class ShutdownStateHandler implements TcpStateHandler
{
    private final TcpStreamEvent ackWrongSeq;
    private final TcpStreamEvent invalidAck;

    /**
     * @param ackWrongSeq event for an ACK (or an unexpected FIN) outside the window.
     * @param invalidAck  event for an ACK of data never sent.
     */
    ShutdownStateHandler(final TcpStreamEvent ackWrongSeq, final TcpStreamEvent invalidAck)
    {
        this.ackWrongSeq = ackWrongSeq;
        this.invalidAck = invalidAck;
    }

    @Override
    public final boolean handle(final TcpEngine engine, final TcpSession ssn, final Packet p, final boolean toServer)
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
            return TcpEngine.isFinRetransmission(snd, p) || onFin(engine, ssn, p, toServer, snd, rcv);
        }
        if ((flags & Packet.TH_ACK) == 0)
        {
            return true;
        }
        if (!checkBeforeAck(engine, p, snd))
        {
            return false;
        }
        if (engine.outOfWindow(ssn, snd, p))
        {
            engine.event(p, ackWrongSeq);
            return false;
        }
        if (!engine.validateAck(ssn, rcv, p))
        {
            engine.event(p, invalidAck);
            return false;
        }
        onValidAck(engine, ssn, p, toServer, rcv);
        return true;
    }

    /**
     * A new FIN (not a retransmission). By default no FIN is expected in this state any more.
     *
     * @param engine   the engine.
     * @param ssn      the session.
     * @param p        the packet.
     * @param toServer its direction.
     * @param snd      the sender's tracker.
     * @param rcv      the receiver's tracker.
     * @return false when the packet is rejected.
     */
    boolean onFin(
        final TcpEngine engine,
        final TcpSession ssn,
        final Packet p,
        final boolean toServer,
        final TcpStreamTracker snd,
        final TcpStreamTracker rcv)
    {
        engine.event(p, ackWrongSeq);
        return false;
    }

    /**
     * A state's own check of an ACK before the window checks (CLOSE_WAIT's data-before-last-ACK).
     *
     * @param engine the engine.
     * @param p      the packet.
     * @param snd    the sender's tracker.
     * @return false to reject the packet (the event raised here).
     */
    boolean checkBeforeAck(final TcpEngine engine, final Packet p, final TcpStreamTracker snd)
    {
        return true;
    }

    /**
     * An ACK that passed every check: accept it and move the state on as the state's rules say.
     *
     * @param engine   the engine.
     * @param ssn      the session.
     * @param p        the packet.
     * @param toServer its direction.
     * @param rcv      the receiver's tracker.
     */
    abstract void onValidAck(TcpEngine engine, TcpSession ssn, Packet p, boolean toServer, TcpStreamTracker rcv);

    /**
     * A FIN that moves the session on: in window, acknowledging valid data, from the side that may send it.
     *
     * @param engine          the engine.
     * @param ssn             the session.
     * @param p               the packet.
     * @param toServer        its direction.
     * @param snd             the sender's tracker.
     * @param rcv             the receiver's tracker.
     * @param wrongSeq        event for a FIN out of window or from the wrong side.
     * @param invalid         event for a FIN acknowledging data never sent.
     * @param clientMaySend   whether this state's FIN comes from the client (true) or the server (false); the
     *                        packet's own direction when either side may send it.
     * @param next            the state the FIN leads to.
     * @return false when rejected.
     */
    static boolean acceptFin(
        final TcpEngine engine,
        final TcpSession ssn,
        final Packet p,
        final boolean toServer,
        final TcpStreamTracker snd,
        final TcpStreamTracker rcv,
        final TcpStreamEvent wrongSeq,
        final TcpStreamEvent invalid,
        final boolean clientMaySend,
        final TcpState next)
    {
        if (engine.outOfWindow(ssn, snd, p))
        {
            engine.event(p, wrongSeq);
            return false;
        }
        if (!engine.validateAck(ssn, rcv, p))
        {
            engine.event(p, invalid);
            return false;
        }
        if (toServer != clientMaySend)
        {
            engine.event(p, wrongSeq);
            return false;
        }
        engine.state(ssn, next);
        TcpEngine.finSent(snd, p);
        engine.accept(ssn, p, toServer);
        return true;
    }
}
