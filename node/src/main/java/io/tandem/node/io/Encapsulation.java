package io.tandem.node.io;

import java.nio.ByteOrder;

import org.agrona.MutableDirectBuffer;

/**
 * UDP encapsulations that carry mirrored Ethernet frames: VXLAN (RFC 7348) and GENEVE (RFC 8926).
 *
 * <pre>
 *  VXLAN, 8 bytes:   flags (8, I bit 0x08 set), reserved (24), VNI (24), reserved (8)
 *  GENEVE, 8 bytes + options:
 *                    ver (2) = 0, opt len (6, in 4-byte words), O (1), C (1), reserved (6),
 *                    protocol type (16) = 0x6558 for Ethernet, VNI (24), reserved (8),
 *                    options: class (16), type (8, high bit = critical), reserved (3), length (5, in 4-byte words),
 *                    then the option's data
 * </pre>
 */
public enum Encapsulation
{
    /** VXLAN (RFC 7348) on UDP port 4789. */
    VXLAN(4789),

    /** GENEVE (RFC 8926) on UDP port 6081. */
    GENEVE(6081);

    /** Length of the fixed header of both encapsulations. */
    public static final int HEADER_LENGTH = 8;
    /** Largest VNI: both encapsulations carry 24 bits. */
    public static final int MAX_VNI = 0xFF_FFFF;
    /** The VXLAN flag that says the VNI is valid (the I bit); the only flag defined. */
    public static final int VXLAN_FLAG_VNI = 0x08;
    /** GENEVE protocol type of an Ethernet payload (Transparent Ethernet Bridging). */
    public static final int GENEVE_PROTOCOL_ETHERNET = 0x6558;
    /** GENEVE control packet bit (O) in the second header byte. */
    public static final int GENEVE_FLAG_CONTROL = 0x80;
    /** GENEVE critical options present bit (C) in the second header byte. */
    public static final int GENEVE_FLAG_CRITICAL = 0x40;
    /** GENEVE option type bit that marks the option critical. */
    public static final int GENEVE_OPTION_CRITICAL = 0x80;

    private final int defaultPort;

    Encapsulation(final int defaultPort)
    {
        this.defaultPort = defaultPort;
    }

    /**
     * The IANA-assigned UDP port of the encapsulation.
     *
     * @return 4789 for VXLAN, 6081 for GENEVE.
     */
    public int defaultPort()
    {
        return defaultPort;
    }

    /**
     * Write the encapsulation's fixed header, without options, for an Ethernet payload.
     *
     * @param buffer to write into.
     * @param offset of the header in the buffer.
     * @param vni    virtual network identifier, 0..{@link #MAX_VNI}.
     * @return the header length, {@link #HEADER_LENGTH}.
     */
    public int writeHeader(final MutableDirectBuffer buffer, final int offset, final int vni)
    {
        if (this == VXLAN)
        {
            buffer.putInt(offset, VXLAN_FLAG_VNI << 24, ByteOrder.BIG_ENDIAN);
        }
        else
        {
            buffer.putInt(offset, GENEVE_PROTOCOL_ETHERNET, ByteOrder.BIG_ENDIAN);
        }
        buffer.putInt(offset + 4, (vni & MAX_VNI) << 8, ByteOrder.BIG_ENDIAN);
        return HEADER_LENGTH;
    }

    /**
     * The encapsulation by its lower-case name.
     *
     * @param name {@code vxlan} or {@code geneve}, in any case.
     * @return the encapsulation.
     * @throws IllegalArgumentException for any other name.
     */
    public static Encapsulation byName(final String name)
    {
        for (final Encapsulation value : values())
        {
            if (value.name().equalsIgnoreCase(name))
            {
                return value;
            }
        }
        throw new IllegalArgumentException("unknown encapsulation '" + name + "' (expected vxlan or geneve)");
    }
}
