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

    int ipVersion;
    int protocol;
    long clientHi;
    long clientLo;
    long serverHi;
    long serverLo;
    int clientPort;
    int serverPort;
    int vlanCount;
    final int[] vlanIds = new int[Packet.MAX_VLANS];
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
        if (hash != hashValue || protocol != p.protocol || ipVersion != p.ipVersion)
        {
            return NO_MATCH;
        }
        if (vlanInKey && !vlansMatch(p))
        {
            return NO_MATCH;
        }
        if (p.srcHi == clientHi && p.srcLo == clientLo && p.dstHi == serverHi && p.dstLo == serverLo &&
            p.srcPort == clientPort && p.dstPort == serverPort)
        {
            return TO_SERVER;
        }
        if (p.srcHi == serverHi && p.srcLo == serverLo && p.dstHi == clientHi && p.dstLo == clientLo &&
            p.srcPort == serverPort && p.dstPort == clientPort)
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
            if (p.vlanIds[i] != vlanIds[i])
            {
                return false;
            }
        }
        return true;
    }

    void init(final Packet p, final int hashValue, final long flowIdValue, final long nowNs, final boolean vlanInKey)
    {
        ipVersion = p.ipVersion;
        protocol = p.protocol;
        clientHi = p.srcHi;
        clientLo = p.srcLo;
        serverHi = p.dstHi;
        serverLo = p.dstLo;
        clientPort = p.srcPort;
        serverPort = p.dstPort;
        vlanCount = vlanInKey ? p.vlanCount : 0;
        for (int i = 0; i < vlanCount; i++)
        {
            vlanIds[i] = p.vlanIds[i];
        }
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
        long t = clientHi;
        clientHi = serverHi;
        serverHi = t;
        t = clientLo;
        clientLo = serverLo;
        serverLo = t;
        final int port = clientPort;
        clientPort = serverPort;
        serverPort = port;
        t = pktsToServer;
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
     * IP version of the flow (4 or 6).
     *
     * @return the version.
     */
    public int ipVersion()
    {
        return ipVersion;
    }

    /**
     * IP protocol number.
     *
     * @return the protocol.
     */
    public int protocol()
    {
        return protocol;
    }

    /**
     * Client address, high 64 bits.
     *
     * @return the bits.
     */
    public long clientHi()
    {
        return clientHi;
    }

    /**
     * Client address, low 64 bits (IPv4 in the low 32).
     *
     * @return the bits.
     */
    public long clientLo()
    {
        return clientLo;
    }

    /**
     * Server address, high 64 bits.
     *
     * @return the bits.
     */
    public long serverHi()
    {
        return serverHi;
    }

    /**
     * Server address, low 64 bits.
     *
     * @return the bits.
     */
    public long serverLo()
    {
        return serverLo;
    }

    /**
     * Client port (0 without ports).
     *
     * @return the port.
     */
    public int clientPort()
    {
        return clientPort;
    }

    /**
     * Server port (0 without ports).
     *
     * @return the port.
     */
    public int serverPort()
    {
        return serverPort;
    }

    /**
     * VLAN ids in the key.
     *
     * @return the number of ids.
     */
    public int vlanCount()
    {
        return vlanCount;
    }

    /**
     * One VLAN id of the key, outermost first.
     *
     * @param index of the id.
     * @return the id.
     */
    public int vlanId(final int index)
    {
        return vlanIds[index];
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
