package io.tandem.node.tcp.state;

import io.tandem.node.decode.Packet;
import io.tandem.node.tcp.TcpEngine;
import io.tandem.node.tcp.TcpSession;

/**
 * Handles a packet for a session in one TCP state (one implementation per state, as Suricata's
 * {@code StreamTcpPacketState*} functions). The sender's side of the packet is checked first (sequence, window), then
 * the receiver's (acknowledgement, its window).
 */
@FunctionalInterface
public interface TcpStateHandler
{
    /**
     * Handle one packet.
     *
     * @param engine   the engine (events, state changes, shared validation).
     * @param ssn      the session, or null in state NONE.
     * @param p        the packet.
     * @param toServer true when the packet travels client to server.
     * @return false when the state machine rejects the packet (invalid: dropped in inline mode with drop-invalid).
     */
    boolean handle(TcpEngine engine, TcpSession ssn, Packet p, boolean toServer);
}
