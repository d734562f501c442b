package io.tandem.node.ha;

import io.tandem.node.decode.Packet;
import io.tandem.node.flow.Flow;

/**
 * A flow's key oriented client to server, as the flow table holds it: the mutable, reusable form a
 * {@link SessionKeyCodec} encodes from and decodes into. Addresses are two longs each (big-endian halves; IPv4 in the
 * low 32 bits of {@code *Lo}).
 */
public final class HaFlowKey
{
    private int ipVersion;
    private int protocol;
    private long clientHi;
    private long clientLo;
    private long serverHi;
    private long serverLo;
    private int clientPort;
    private int serverPort;
    private int vlanCount;
    private final int[] vlanIds = new int[Packet.MAX_VLANS];

    /**
     * Copy a flow's key.
     *
     * @param flow the flow.
     * @return this key.
     */
    public HaFlowKey set(final Flow flow)
    {
        ipVersion = flow.ipVersion();
        protocol = flow.protocol();
        clientHi = flow.clientHi();
        clientLo = flow.clientLo();
        serverHi = flow.serverHi();
        serverLo = flow.serverLo();
        clientPort = flow.clientPort();
        serverPort = flow.serverPort();
        vlanCount = flow.vlanCount();
        for (int i = 0; i < vlanCount; i++)
        {
            vlanIds[i] = flow.vlanId(i);
        }
        return this;
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
    public HaFlowKey set(
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
    public HaFlowKey addVlanId(final int vlanId)
    {
        if (vlanCount == vlanIds.length)
        {
            throw new IllegalArgumentException("a flow key holds at most " + vlanIds.length + " VLAN ids");
        }
        vlanIds[vlanCount++] = vlanId;
        return this;
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
        return vlanIds[index];
    }

    /**
     * Whether another key names the same flow in the same orientation.
     *
     * @param other the other key.
     * @return true when every part is equal.
     */
    public boolean sameAs(final HaFlowKey other)
    {
        if (ipVersion != other.ipVersion || protocol != other.protocol || clientHi != other.clientHi ||
            clientLo != other.clientLo || serverHi != other.serverHi || serverLo != other.serverLo ||
            clientPort != other.clientPort || serverPort != other.serverPort || vlanCount != other.vlanCount)
        {
            return false;
        }
        for (int i = 0; i < vlanCount; i++)
        {
            if (vlanIds[i] != other.vlanIds[i])
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
                sb.append(i == 0 ? "" : ",").append(vlanIds[i]);
            }
            sb.append(']');
        }
        return sb.toString();
    }
}
