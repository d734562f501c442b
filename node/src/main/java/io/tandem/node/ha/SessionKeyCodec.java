package io.tandem.node.ha;

import io.tandem.node.decode.Packet;
import io.tandem.node.flow.FlowKey;
import io.tandem.node.flow.Flow;
import io.tandem.proto.ha.v1.Direction;
import io.tandem.proto.ha.v1.SessionKey;
import io.tandem.proto.wire.SessionMessageReader;
import io.tandem.proto.wire.SessionMessageWriter;

/**
 * Converts between a flow's oriented key and the normalised {@link SessionKey} of the HA wire.
 * <p>
 * Normalisation: the endpoint whose (address, port) is smaller - address compared as an unsigned 128-bit number, then
 * port - is the key's lower endpoint, so a flow gives the same key whichever side the node saw first. Which endpoint
 * is the client travels apart, as the {@link Direction} of a session update.
 */
public final class SessionKeyCodec
{
    private SessionKeyCodec()
    {
    }

    /**
     * The normalised key of a flow.
     *
     * @param flow the flow.
     * @return the key.
     */
    public static SessionKey encode(final Flow flow)
    {
        return encode(flow.key());
    }

    /**
     * The normalised key of an oriented flow key.
     *
     * @param key the oriented key.
     * @return the session key.
     */
    public static SessionKey encode(final FlowKey key)
    {
        final boolean clientLower = clientIsLower(key);
        final SessionKey.Builder builder = SessionKey.newBuilder()
            .setIpVersion(key.ipVersion())
            .setIpProtocol(key.protocol());
        if (clientLower)
        {
            builder.setLowerAddrHi(key.clientHi()).setLowerAddrLo(key.clientLo()).setLowerPort(key.clientPort())
                .setUpperAddrHi(key.serverHi()).setUpperAddrLo(key.serverLo()).setUpperPort(key.serverPort());
        }
        else
        {
            builder.setLowerAddrHi(key.serverHi()).setLowerAddrLo(key.serverLo()).setLowerPort(key.serverPort())
                .setUpperAddrHi(key.clientHi()).setUpperAddrLo(key.clientLo()).setUpperPort(key.clientPort());
        }
        for (int i = 0; i < key.vlanCount(); i++)
        {
            builder.addVlanIds(key.vlanId(i));
        }
        return builder.build();
    }

    /**
     * Which endpoint of the normalised key is a flow's client.
     *
     * @param flow the flow.
     * @return {@link Direction#DIRECTION_CLIENT_IS_LOWER} or {@link Direction#DIRECTION_CLIENT_IS_UPPER}.
     */
    public static Direction direction(final Flow flow)
    {
        return direction(flow.key());
    }

    /**
     * Which endpoint of the normalised key is the client of an oriented key.
     *
     * @param key the oriented key.
     * @return {@link Direction#DIRECTION_CLIENT_IS_LOWER} or {@link Direction#DIRECTION_CLIENT_IS_UPPER}.
     */
    public static Direction direction(final FlowKey key)
    {
        return clientIsLower(key) ? Direction.DIRECTION_CLIENT_IS_LOWER : Direction.DIRECTION_CLIENT_IS_UPPER;
    }

    /**
     * Rebuild the oriented key from a session key and the direction an update carries.
     *
     * @param key       the session key.
     * @param direction which endpoint is the client; {@link Direction#DIRECTION_UNSPECIFIED} (or an unknown value)
     *                  takes the lower endpoint as the client.
     * @param out       filled in.
     * @return {@code out}.
     * @throws IllegalArgumentException when the key holds more VLAN ids than a flow key can.
     */
    public static FlowKey decode(final SessionKey key, final Direction direction, final FlowKey out)
    {
        if (direction == Direction.DIRECTION_CLIENT_IS_UPPER)
        {
            out.set(key.getIpVersion(), key.getIpProtocol(),
                key.getUpperAddrHi(), key.getUpperAddrLo(), key.getUpperPort(),
                key.getLowerAddrHi(), key.getLowerAddrLo(), key.getLowerPort());
        }
        else
        {
            out.set(key.getIpVersion(), key.getIpProtocol(),
                key.getLowerAddrHi(), key.getLowerAddrLo(), key.getLowerPort(),
                key.getUpperAddrHi(), key.getUpperAddrLo(), key.getUpperPort());
        }
        for (int i = 0; i < key.getVlanIdsCount(); i++)
        {
            out.addVlanId(key.getVlanIds(i));
        }
        return out;
    }

    /**
     * Start a session message with the normalised key of an oriented flow key (the hot path's form of
     * {@link #encode(FlowKey)}: nothing is allocated).
     *
     * @param key    the oriented key.
     * @param writer the message writer; its previous message is cleared.
     * @return the {@link Direction} number of the key's client, for the update's state.
     */
    public static int write(final FlowKey key, final SessionMessageWriter writer)
    {
        final boolean clientLower = clientIsLower(key);
        if (clientLower)
        {
            writer.key(key.ipVersion(), key.protocol(), key.clientHi(), key.clientLo(), key.clientPort(),
                key.serverHi(), key.serverLo(), key.serverPort());
        }
        else
        {
            writer.key(key.ipVersion(), key.protocol(), key.serverHi(), key.serverLo(), key.serverPort(),
                key.clientHi(), key.clientLo(), key.clientPort());
        }
        for (int i = 0; i < key.vlanCount(); i++)
        {
            writer.vlan(key.vlanId(i));
        }
        return clientLower ? Direction.DIRECTION_CLIENT_IS_LOWER_VALUE : Direction.DIRECTION_CLIENT_IS_UPPER_VALUE;
    }

    /**
     * Rebuild the oriented key of a message read in place (the hot path's form of
     * {@link #decode(SessionKey, Direction, FlowKey)}).
     *
     * @param message   the message, wrapped.
     * @param direction the update's {@link Direction} number; anything but client-is-upper takes the lower endpoint
     *                  as the client (a delete passes 0).
     * @param out       filled in.
     * @return {@code out}, or null when the key holds more VLAN ids than a flow key can.
     */
    public static FlowKey decode(final SessionMessageReader message, final int direction, final FlowKey out)
    {
        if (message.vlanCount() > Packet.MAX_VLANS)
        {
            return null;
        }
        if (direction == Direction.DIRECTION_CLIENT_IS_UPPER_VALUE)
        {
            out.set(message.ipVersion(), message.ipProtocol(),
                message.upperHi(), message.upperLo(), message.upperPort(),
                message.lowerHi(), message.lowerLo(), message.lowerPort());
        }
        else
        {
            out.set(message.ipVersion(), message.ipProtocol(),
                message.lowerHi(), message.lowerLo(), message.lowerPort(),
                message.upperHi(), message.upperLo(), message.upperPort());
        }
        for (int i = 0; i < message.vlanCount(); i++)
        {
            out.addVlanId(message.vlanId(i));
        }
        return out;
    }

    /**
     * Compare two endpoints in the key's order: address as unsigned 128 bits, then port.
     *
     * @param aHi   first address, high bits.
     * @param aLo   first address, low bits.
     * @param aPort first port.
     * @param bHi   second address, high bits.
     * @param bLo   second address, low bits.
     * @param bPort second port.
     * @return negative, zero or positive as the first endpoint is smaller, equal or larger.
     */
    public static int compareEndpoints(
        final long aHi, final long aLo, final int aPort, final long bHi, final long bLo, final int bPort)
    {
        int c = Long.compareUnsigned(aHi, bHi);
        if (c == 0)
        {
            c = Long.compareUnsigned(aLo, bLo);
        }
        if (c == 0)
        {
            c = Integer.compare(aPort, bPort);
        }
        return c;
    }

    private static boolean clientIsLower(final FlowKey key)
    {
        return compareEndpoints(key.clientHi(), key.clientLo(), key.clientPort(),
            key.serverHi(), key.serverLo(), key.serverPort()) <= 0;
    }
}
