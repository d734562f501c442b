package io.tandem.node.flow;

import io.tandem.node.decode.Packet;

/**
 * A flow's key oriented client to server: addresses, ports, IP version and protocol, VLAN ids. A {@link Flow} is its
 * own key (it extends this class, so a tracked flow is one object, not two); the HA codec encodes from and decodes
 * into the same type. Addresses are two longs each (big-endian halves; IPv4 in the low 32 bits of {@code *Lo}).
 * The VLAN ids are fields rather than an array, one object less per flow.
 */
public class FlowKey
{
    int ipVersion;
    int protocol;
    long clientHi;
    long clientLo;
    long serverHi;
    long serverLo;
    int clientPort;
    int serverPort;
    byte vlanCount;
    int vlan0;
    int vlan1;
    int vlan2;

    /**
     * Copy another key.
     *
     * @param other the key to copy.
     * @return this key.
     */
    public final FlowKey set(final FlowKey other)
    {
        ipVersion = other.ipVersion;
        protocol = other.protocol;
        clientHi = other.clientHi;
        clientLo = other.clientLo;
        serverHi = other.serverHi;
        serverLo = other.serverLo;
        clientPort = other.clientPort;
        serverPort = other.serverPort;
        vlanCount = other.vlanCount;
        vlan0 = other.vlan0;
        vlan1 = other.vlan1;
        vlan2 = other.vlan2;
        return this;
    }

    /**
     * Take the key of a decoded packet, its sender as the client.
     *
     * @param p         the packet.
     * @param vlanInKey whether VLAN ids are part of the key.
     * @return this key.
     */
    final FlowKey set(final Packet p, final boolean vlanInKey)
    {
        ipVersion = p.ipVersion;
        protocol = p.protocol;
        clientHi = p.srcHi;
        clientLo = p.srcLo;
        serverHi = p.dstHi;
        serverLo = p.dstLo;
        clientPort = p.srcPort;
        serverPort = p.dstPort;
        vlanCount = (byte)(vlanInKey ? p.vlanCount : 0);
        for (int i = 0; i < vlanCount; i++)
        {
            vlan(i, p.vlanIds[i]);
        }
        return this;
    }

    /**
     * Exchange client and server.
     */
    void swapEndpoints()
    {
        final long hi = clientHi;
        final long lo = clientLo;
        final int port = clientPort;
        clientHi = serverHi;
        clientLo = serverLo;
        clientPort = serverPort;
        serverHi = hi;
        serverLo = lo;
        serverPort = port;
    }

    /**
     * Set every part of the key.
     *
     * @param ipVersion  4 or 6.
     * @param protocol   IP protocol number.
     * @param clientHi   client address, high 64 bits.
     * @param clientLo   client address, low 64 bits.
     * @param clientPort client port.
     * @param serverHi   server address, high 64 bits.
     * @param serverLo   server address, low 64 bits.
     * @param serverPort server port.
     * @return this key, with no VLAN ids (add them with {@link #addVlanId(int)}).
     */
    public final FlowKey set(
        final int ipVersion,
        final int protocol,
        final long clientHi,
        final long clientLo,
        final int clientPort,
        final long serverHi,
        final long serverLo,
        final int serverPort)
    {
        this.ipVersion = ipVersion;
        this.protocol = protocol;
        this.clientHi = clientHi;
        this.clientLo = clientLo;
        this.clientPort = clientPort;
        this.serverHi = serverHi;
        this.serverLo = serverLo;
        this.serverPort = serverPort;
        this.vlanCount = 0;
        return this;
    }

    /**
     * Append a VLAN id (outermost first).
     *
     * @param vlanId the id.
     * @return this key.
     * @throws IllegalArgumentException when the key already holds {@link Packet#MAX_VLANS} ids.
     */
    public final FlowKey addVlanId(final int vlanId)
    {
        if (vlanCount == Packet.MAX_VLANS)
        {
            throw new IllegalArgumentException("a flow key holds at most " + Packet.MAX_VLANS + " VLAN ids");
        }
        vlan(vlanCount++, vlanId);
        return this;
    }

    /**
     * One VLAN id, unchecked.
     *
     * @param index 0..{@link Packet#MAX_VLANS} - 1.
     * @return the id.
     */
    final int vlan(final int index)
    {
        return index == 0 ? vlan0 : index == 1 ? vlan1 : vlan2;
    }

    private void vlan(final int index, final int vlanId)
    {
        if (index == 0)
        {
            vlan0 = vlanId;
        }
        else if (index == 1)
        {
            vlan1 = vlanId;
        }
        else
        {
            vlan2 = vlanId;
        }
    }

    /**
     * IP version.
     *
     * @return 4 or 6.
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
     * Client address, low 64 bits.
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
     * Client port.
     *
     * @return the port.
     */
    public int clientPort()
    {
        return clientPort;
    }

    /**
     * Server port.
     *
     * @return the port.
     */
    public int serverPort()
    {
        return serverPort;
    }

    /**
     * Number of VLAN ids.
     *
     * @return 0..{@link Packet#MAX_VLANS}.
     */
    public int vlanCount()
    {
        return vlanCount;
    }

    /**
     * One VLAN id, outermost first.
     *
     * @param index of the id.
     * @return the id.
     */
    public int vlanId(final int index)
    {
        if (index >= vlanCount)
        {
            throw new IndexOutOfBoundsException("VLAN index " + index + " of " + vlanCount);
        }
        return vlan(index);
    }

    /**
     * Whether another key names the same flow in the same orientation.
     *
     * @param other the other key.
     * @return true when every part is equal.
     */
    public boolean sameAs(final FlowKey other)
    {
        if (ipVersion != other.ipVersion || protocol != other.protocol || clientHi != other.clientHi ||
            clientLo != other.clientLo || serverHi != other.serverHi || serverLo != other.serverLo ||
            clientPort != other.clientPort || serverPort != other.serverPort || vlanCount != other.vlanCount)
        {
            return false;
        }
        for (int i = 0; i < vlanCount; i++)
        {
            if (vlan(i) != other.vlan(i))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Readable form for logs and test failures.
     *
     * @return e.g. {@code v4/6 0:0a000001:1234 -> 0:0a000002:80 vlan[10]}.
     */
    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder()
            .append('v').append(ipVersion).append('/').append(protocol).append(' ')
            .append(Long.toHexString(clientHi)).append(':').append(Long.toHexString(clientLo)).append(':')
            .append(clientPort).append(" -> ")
            .append(Long.toHexString(serverHi)).append(':').append(Long.toHexString(serverLo)).append(':')
            .append(serverPort);
        if (vlanCount > 0)
        {
            sb.append(" vlan[");
            for (int i = 0; i < vlanCount; i++)
            {
                sb.append(i == 0 ? "" : ",").append(vlan(i));
            }
            sb.append(']');
        }
        return sb.toString();
    }
}
