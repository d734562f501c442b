package io.tandem.node.flow;

import io.tandem.node.decode.Packet;

/**
 * One tracked flow: its key (oriented client to server: the client is the side that sent the first packet seen),
 * per-direction counters, times and state. Flows are pooled by the {@link FlowTable} and reused; nothing here is
 * allocated per packet.
 * <p>
 * A flow belongs to the worker whose table holds it and is only touched by that worker's thread.
 */
public final class Flow
{
    /** Direction value for a packet from client to server. */
    public static final int TO_SERVER = 1;
    /** Direction value for a packet from server to client. */
    public static final int TO_CLIENT = -1;
    /** Direction value for a packet that does not belong to this flow. */
    public static final int NO_MATCH = 0;

    final FlowKey key = new FlowKey();
    int hash;

    long flowId;
    long startNs;
    long lastNs;
    long pktsToServer;
    long pktsToClient;
    long bytesToServer;
    long bytesToClient;
    int tcpFlagsToServer;
    int tcpFlagsToClient;
    int icmpType;
    int icmpCode;
    FlowState state = FlowState.NEW;
    Object protoState;

    Flow hashNext;
    Flow lruPrev;
    Flow lruNext;
    int listIndex = -1;

    /**
     * Which direction a packet travels in this flow.
     *
     * @param p         decoded packet.
     * @param hashValue the packet's symmetric hash.
     * @param vlanInKey whether VLAN ids are part of the key.
     * @return {@link #TO_SERVER}, {@link #TO_CLIENT} or {@link #NO_MATCH}.
     */
    int match(final Packet p, final int hashValue, final boolean vlanInKey)
    {
        final FlowKey k = key;
        if (hash != hashValue || k.protocol != p.protocol || k.ipVersion != p.ipVersion)
        {
            return NO_MATCH;
        }
        if (vlanInKey && !vlansMatch(p))
        {
            return NO_MATCH;
        }
        if (p.srcHi == k.clientHi && p.srcLo == k.clientLo && p.dstHi == k.serverHi && p.dstLo == k.serverLo &&
            p.srcPort == k.clientPort && p.dstPort == k.serverPort)
        {
            return TO_SERVER;
        }
        if (p.srcHi == k.serverHi && p.srcLo == k.serverLo && p.dstHi == k.clientHi && p.dstLo == k.clientLo &&
            p.srcPort == k.serverPort && p.dstPort == k.clientPort)
        {
            return TO_CLIENT;
        }
        return NO_MATCH;
    }

    private boolean vlansMatch(final Packet p)
    {
        if (p.vlanCount != key.vlanCount)
        {
            return false;
        }
        for (int i = 0; i < key.vlanCount; i++)
        {
            if (p.vlanIds[i] != key.vlanIds[i])
            {
                return false;
            }
        }
        return true;
    }

    void init(final Packet p, final int hashValue, final long flowIdValue, final long nowNs, final boolean vlanInKey)
    {
        key.set(p, vlanInKey);
        hash = hashValue;
        flowId = flowIdValue;
        startNs = nowNs;
        lastNs = nowNs;
        pktsToServer = 0;
        pktsToClient = 0;
        bytesToServer = 0;
        bytesToClient = 0;
        tcpFlagsToServer = 0;
        tcpFlagsToClient = 0;
        icmpType = p.icmpType;
        icmpCode = p.icmpCode;
        state = FlowState.NEW;
        protoState = null;
    }

    void swap()
    {
        key.swap();
        long t = pktsToServer;
        pktsToServer = pktsToClient;
        pktsToClient = t;
        t = bytesToServer;
        bytesToServer = bytesToClient;
        bytesToClient = t;
        final int flags = tcpFlagsToServer;
        tcpFlagsToServer = tcpFlagsToClient;
        tcpFlagsToClient = flags;
    }

    /**
     * Protocol state attached by a later stage (the TCP engine's session), or null. Typed as Object so this package
     * does not depend on the stages that use it.
     *
     * @return the state.
     */
    public Object protoState()
    {
        return protoState;
    }

    /**
     * Attach protocol state; the stage that attaches it releases it when the flow ends.
     *
     * @param value the state, or null.
     * @return this.
     */
    public Flow protoState(final Object value)
    {
        protoState = value;
        return this;
    }

    /**
     * The flow's key, client to server. Read-only for callers: the table owns it.
     *
     * @return the key.
     */
    public FlowKey key()
    {
        return key;
    }

    /**
     * Stable identifier of the flow (unique within a table, below 2^52 so JSON readers keep it exact).
     *
     * @return the id.
     */
    public long flowId()
    {
        return flowId;
    }

    /**
     * Time of the first packet.
     *
     * @return nanoseconds since the epoch.
     */
    public long startNs()
    {
        return startNs;
    }

    /**
     * Time of the last packet.
     *
     * @return nanoseconds since the epoch.
     */
    public long lastNs()
    {
        return lastNs;
    }

    /**
     * Packets client to server.
     *
     * @return the count.
     */
    public long pktsToServer()
    {
        return pktsToServer;
    }

    /**
     * Packets server to client.
     *
     * @return the count.
     */
    public long pktsToClient()
    {
        return pktsToClient;
    }

    /**
     * Bytes (captured frame lengths) client to server.
     *
     * @return the count.
     */
    public long bytesToServer()
    {
        return bytesToServer;
    }

    /**
     * Bytes server to client.
     *
     * @return the count.
     */
    public long bytesToClient()
    {
        return bytesToClient;
    }

    /**
     * TCP flags seen client to server, or-ed.
     *
     * @return the flags.
     */
    public int tcpFlagsToServer()
    {
        return tcpFlagsToServer;
    }

    /**
     * TCP flags seen server to client, or-ed.
     *
     * @return the flags.
     */
    public int tcpFlagsToClient()
    {
        return tcpFlagsToClient;
    }

    /**
     * ICMP type of the first packet, or -1.
     *
     * @return the type.
     */
    public int icmpType()
    {
        return icmpType;
    }

    /**
     * ICMP code of the first packet, or -1.
     *
     * @return the code.
     */
    public int icmpCode()
    {
        return icmpCode;
    }

    /**
     * Flow-level state.
     *
     * @return the state.
     */
    public FlowState state()
    {
        return state;
    }
}
