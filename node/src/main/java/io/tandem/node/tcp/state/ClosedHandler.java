package io.tandem.node.tcp.state;

import io.tandem.node.decode.Packet;
import io.tandem.node.tcp.TcpEngine;
import io.tandem.node.tcp.TcpSession;

/**
 * CLOSED: the session is over; late packets (retransmissions, the other side's answers to a RST) are accepted
 * without changing anything. A new SYN on the tuple is port reuse, decided before this handler by the flow table.
 */
public final class ClosedHandler implements TcpStateHandler
{
    @Override
    public boolean handle(final TcpEngine engine, final TcpSession ssn, final Packet p, final boolean toServer)
    {
        return true;
    }
}
