package io.tandem.node.flow;

import io.tandem.node.decode.Packet;

/**
 * One tracked flow: its key (oriented client to server: the client is the side that sent the first packet seen; a
 * flow is its own {@link FlowKey}), per-direction counters, times and state. Flows are pooled by the {@link FlowTable}
 * and reused; nothing here is allocated per packet. Narrow fields (flags, ICMP type and code, list index) keep an idle
 * flow small.
 * <p>
 * A flow belongs to the worker whose table holds it and is only touched by that worker's thread.
 */
public final class Flow extends FlowKey
{
    /** Direction value for a packet from client to server. */
    public static final int TO_SERVER = 1;
    /** Direction value for a packet from server to client. */
    public static final int TO_CLIENT = -1;
    /** Direction value for a packet that does not belong to this flow. */
    public static final int NO_MATCH = 0;

    int hash;

    long flowId;
    long startNs;
    long lastNs;
    long pktsToServer;
    long pktsToClient;
    long bytesToServer;
    long bytesToClient;
    short tcpFlagsToServer;
    short tcpFlagsToClient;
    short icmpType;
    short icmpCode;
    FlowState state = FlowState.NEW;
    Object protoState;
    Object haState;
    boolean standby;

    Flow hashNext;
    Flow lruPrev;
    Flow lruNext;
    byte listIndex = -1;

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
        final FlowKey k = this;
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
        if (p.vlanCount != vlanCount)
        {
            return false;
        }
        for (int i = 0; i < vlanCount; i++)
        {
            if (p.vlanIds[i] != vlan(i))
            {
                return false;
            }
        }
        return true;
    }

    void init(final Packet p, final int hashValue, final long flowIdValue, final long nowNs, final boolean vlanInKey)
    {
        set(p, vlanInKey);
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
        icmpType = (short)p.icmpType;
        icmpCode = (short)p.icmpCode;
        state = FlowState.NEW;
        protoState = null;
        haState = null;
        standby = false;
    }

    void initStandby(final FlowKey k, final int hashValue, final long flowIdValue, final long nowNs)
    {
        set(k);
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
        icmpType = -1;
        icmpCode = -1;
        state = FlowState.NEW;
        protoState = null;
        haState = null;
        standby = true;
    }

    boolean matches(final FlowKey other, final int hashValue)
    {
        final FlowKey k = this;
        if (hash != hashValue || k.protocol != other.protocol || k.ipVersion != other.ipVersion ||
            k.vlanCount != other.vlanCount)
        {
            return false;
        }
        for (int i = 0; i < k.vlanCount; i++)
        {
            if (k.vlan(i) != other.vlan(i))
            {
                return false;
            }
        }
        return (k.clientHi == other.clientHi && k.clientLo == other.clientLo && k.clientPort == other.clientPort &&
            k.serverHi == other.serverHi && k.serverLo == other.serverLo && k.serverPort == other.serverPort) ||
            (k.clientHi == other.serverHi && k.clientLo == other.serverLo && k.clientPort == other.serverPort &&
            k.serverHi == other.clientHi && k.serverLo == other.clientLo && k.serverPort == other.clientPort);
    }

    /**
     * Whether this node holds the flow in HA-standby: a peer owns it, this node keeps its replicated state. Standby
     * flows do not time out; the first packet seen for one promotes it (this node becomes the owner).
     *
     * @return true when standby.
     */
    public boolean standby()
    {
        return standby;
    }

    /**
     * HA manager state attached to the flow, or null. Typed as Object so this package does not depend on HA.
     *
     * @return the state.
     */
    public Object haState()
    {
        return haState;
    }

    /**
     * Attach HA manager state; cleared when the flow is reused.
     *
     * @param value the state, or null.
     * @return this.
     */
    public Flow haState(final Object value)
    {
        haState = value;
        return this;
    }

    /**
     * Restore replicated counters and times (the HA manager does this on a standby flow).
     *
     * @param startNsValue          time of the first packet on the owner.
     * @param lastNsValue           time of the last packet on the owner.
     * @param pktsToServerValue     packets client to server.
     * @param pktsToClientValue     packets server to client.
     * @param bytesToServerValue    bytes client to server.
     * @param bytesToClientValue    bytes server to client.
     * @param tcpFlagsToServerValue TCP flags client to server.
     * @param tcpFlagsToClientValue TCP flags server to client.
     * @return this.
     */
    public Flow restoreCounters(
        final long startNsValue,
        final long lastNsValue,
        final long pktsToServerValue,
        final long pktsToClientValue,
        final long bytesToServerValue,
        final long bytesToClientValue,
        final int tcpFlagsToServerValue,
        final int tcpFlagsToClientValue)
    {
        startNs = startNsValue;
        lastNs = lastNsValue;
        pktsToServer = pktsToServerValue;
        pktsToClient = pktsToClientValue;
        bytesToServer = bytesToServerValue;
        bytesToClient = bytesToClientValue;
        tcpFlagsToServer = (short)tcpFlagsToServerValue;
        tcpFlagsToClient = (short)tcpFlagsToClientValue;
        return this;
    }

    void swap()
    {
        swapEndpoints();
        long t = pktsToServer;
        pktsToServer = pktsToClient;
        pktsToClient = t;
        t = bytesToServer;
        bytesToServer = bytesToClient;
        bytesToClient = t;
        final short flags = tcpFlagsToServer;
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
     * The flow's key, client to server (the flow itself). Read-only for callers: the table owns it.
     *
     * @return the key.
     */
    public FlowKey key()
    {
        return this;
    }

    /**
     * The symmetric (seeded) hash of the flow's key: the same for both directions, and the
     * same on every worker and node configured alike.
     *
     * @return the hash.
     */
    public int hash()
    {
        return hash;
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
