package io.tandem.node.defrag;

import java.util.Locale;

/**
 * How overlapping fragments are resolved, named as Suricata's defrag policies (after Novak's target-based
 * fragmentation reassembly paper). The policy of a datagram is chosen from its destination address when its tracker
 * is created.
 */
public enum DefragPolicy
{
    /** The first copy of any byte wins (old Solaris, HP-UX 11, macOS). */
    FIRST,
    /** The last copy of any byte wins (Cisco). */
    LAST,
    /** BSD: a later fragment is trimmed where it overlaps an earlier one starting at or before it. */
    BSD,
    /** BSD-right (HP JetDirect); Suricata has no dedicated handling and keeps every fragment untrimmed. */
    BSD_RIGHT,
    /** Linux: like BSD, but a later fragment starting at the same offset and extending further wins. */
    LINUX,
    /** Windows: a later fragment fully inside an earlier one is dropped; earlier data is preferred. */
    WINDOWS,
    /** Solaris: like BSD without trimming the following fragment. */
    SOLARIS;

    /**
     * The defrag policy Suricata uses for a host OS named in its {@code host-os-policy} table (as its
     * {@code DefragGetOsPolicy}).
     *
     * @param osName one of windows, bsd, bsd-right, old-linux, linux, old-solaris, solaris, hpux10, hpux11, irix,
     *               macos, vista, windows2k3, first, last (case-insensitive).
     * @return the defrag policy.
     * @throws IllegalArgumentException for an unknown name.
     */
    public static DefragPolicy fromHostOs(final String osName)
    {
        final String name = osName.trim().toLowerCase(Locale.ROOT);
        return switch (name)
        {
            case "bsd", "hpux10", "irix" -> BSD;
            case "bsd-right" -> BSD_RIGHT;
            case "old-linux", "linux" -> LINUX;
            case "old-solaris", "hpux11", "macos", "first" -> FIRST;
            case "solaris" -> SOLARIS;
            case "windows", "vista", "windows2k3" -> WINDOWS;
            case "last" -> LAST;
            default -> throw new IllegalArgumentException("unknown host-os-policy name: " + osName);
        };
    }
}
