package io.tandem.node.flow;

/**
 * The protocol classes that have their own timeouts ({@code flow-timeouts.<name>}).
 */
public enum FlowProtocol
{
    /** TCP (6). */
    TCP("tcp"),
    /** UDP (17). */
    UDP("udp"),
    /** ICMPv4 (1) and ICMPv6 (58). */
    ICMP("icmp"),
    /** Every other IP protocol. */
    DEFAULT("default");

    private static final FlowProtocol[] VALUES = values();

    private final String configName;

    FlowProtocol(final String configName)
    {
        this.configName = configName;
    }

    /**
     * Key under {@code flow-timeouts}.
     *
     * @return the name.
     */
    public String configName()
    {
        return configName;
    }

    /**
     * Timeout class of an IP protocol number.
     *
     * @param ipProtocol the protocol number.
     * @return the class.
     */
    public static FlowProtocol of(final int ipProtocol)
    {
        return switch (ipProtocol)
        {
            case 6 -> TCP;
            case 17 -> UDP;
            case 1, 58 -> ICMP;
            default -> DEFAULT;
        };
    }

    /**
     * Class by ordinal.
     *
     * @param ordinal of the class.
     * @return the class.
     */
    public static FlowProtocol fromOrdinal(final int ordinal)
    {
        return VALUES[ordinal];
    }

    /**
     * Number of classes.
     *
     * @return the count.
     */
    public static int count()
    {
        return VALUES.length;
    }
}
