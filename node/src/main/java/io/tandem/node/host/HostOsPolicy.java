package io.tandem.node.host;

import java.util.Locale;

/**
 * How a destination host's TCP stack resolves overlapping segments, as Suricata's OS policies name them. The first
 * thirteen are configured per address under {@code host-os-policy}; {@link #FIRST} and {@link #LAST} are Suricata's
 * generic "first data wins" / "last data wins" policies, known by name but not configurable as a section key.
 * <p>
 * Suricata treats {@link #BSD_RIGHT} as {@link #BSD} and {@link #OLD_SOLARIS} as {@link #SOLARIS} when it applies a
 * policy to a stream; the table returns what was configured and leaves that mapping to the reassembler.
 */
public enum HostOsPolicy
{
    /** Windows: key {@code windows}. */
    WINDOWS("windows", true),
    /** BSD, the default: key {@code bsd}. */
    BSD("bsd", true),
    /** BSD favouring the right-hand (later) data: key {@code bsd-right}. */
    BSD_RIGHT("bsd-right", true),
    /** Linux 2.2 and earlier: key {@code old-linux}. */
    OLD_LINUX("old-linux", true),
    /** Linux: key {@code linux}. */
    LINUX("linux", true),
    /** Old Solaris: key {@code old-solaris}. */
    OLD_SOLARIS("old-solaris", true),
    /** Solaris: key {@code solaris}. */
    SOLARIS("solaris", true),
    /** HP-UX 10: key {@code hpux10}. */
    HPUX10("hpux10", true),
    /** HP-UX 11: key {@code hpux11}. */
    HPUX11("hpux11", true),
    /** IRIX: key {@code irix}. */
    IRIX("irix", true),
    /** macOS: key {@code macos}. */
    MACOS("macos", true),
    /** Windows Vista: key {@code vista}. */
    VISTA("vista", true),
    /** Windows Server 2003: key {@code windows2k3}. */
    WINDOWS2K3("windows2k3", true),
    /** First data seen wins (Suricata's OS_POLICY_FIRST). */
    FIRST("first", false),
    /** Last data seen wins (Suricata's OS_POLICY_LAST). */
    LAST("last", false);

    private static final HostOsPolicy[] VALUES = values();

    private final String configName;
    private final boolean configurable;

    HostOsPolicy(final String configName, final boolean configurable)
    {
        this.configName = configName;
        this.configurable = configurable;
    }

    /**
     * The name as written in configuration, e.g. {@code bsd-right}.
     *
     * @return the name.
     */
    public String configName()
    {
        return configName;
    }

    /**
     * Whether {@code host-os-policy.<configName>} is a configuration key.
     *
     * @return true for the thirteen configurable policies.
     */
    public boolean configurable()
    {
        return configurable;
    }

    /**
     * The policy with an ordinal, without allocating.
     *
     * @param ordinal the ordinal.
     * @return the policy.
     */
    static HostOsPolicy ofOrdinal(final int ordinal)
    {
        return VALUES[ordinal];
    }

    /**
     * The policy with a configuration name, case-insensitive ({@code linux}, {@code bsd-right}, {@code first}).
     *
     * @param name the name.
     * @return the policy.
     * @throws IllegalArgumentException naming the allowed names when there is none by that name.
     */
    public static HostOsPolicy fromName(final String name)
    {
        final String lower = name.trim().toLowerCase(Locale.ROOT);
        for (final HostOsPolicy policy : VALUES)
        {
            if (policy.configName.equals(lower))
            {
                return policy;
            }
        }
        final StringBuilder allowed = new StringBuilder();
        for (final HostOsPolicy policy : VALUES)
        {
            allowed.append(allowed.length() == 0 ? "" : ", ").append(policy.configName);
        }
        throw new IllegalArgumentException("'" + name + "' is not an OS policy (one of " + allowed + ")");
    }
}
