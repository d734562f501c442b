package io.tandem.node.tcp.reassembly;

/**
 * A TCP session's reassembly state: both directions and the session's overlap count. Attached to the pooled
 * {@code TcpSession} once and reused with it.
 */
public final class ReassemblySession
{
    ReassemblyStream toServer = new ReassemblyStream();
    ReassemblyStream toClient = new ReassemblyStream();
    long overlaps;
    boolean stopped;
    boolean handedOver;

    void reset()
    {
        stopped = false;
        handedOver = false;
        toServer.reset();
        toClient.reset();
        overlaps = 0;
    }

    void swap()
    {
        final ReassemblyStream formerToServer = toServer;
        toServer = toClient;
        toClient = formerToServer;
    }

    /**
     * One direction.
     *
     * @param toServerDirection true for the client's data.
     * @return its state.
     */
    public ReassemblyStream stream(final boolean toServerDirection)
    {
        return toServerDirection ? toServer : toClient;
    }

    /**
     * Overlapping segments seen in the session.
     *
     * @return count.
     */
    public long overlaps()
    {
        return overlaps;
    }
}
