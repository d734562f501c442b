package io.tandem.node.tcp.reassembly;

import io.tandem.node.host.HostOsPolicy;

/**
 * Which data a target host keeps when a new segment overlaps data already queued: the per-OS rules of Suricata's
 * stream engine (Novak and Sturges, "Target-Based TCP Stream Reassembly"). Each overlap is judged against one queued
 * segment at a time; the answer covers the overlapping bytes only.
 */
public final class OverlapResolver
{
    private OverlapResolver()
    {
    }

    /**
     * Whether the new segment's bytes replace the queued ones where they overlap.
     *
     * @param policy    the receiving host's policy.
     * @param newStart  stream offset of the new segment's first byte.
     * @param newEnd    stream offset just past the new segment's last byte.
     * @param oldStart  stream offset of the queued segment's first byte.
     * @param oldEnd    stream offset just past the queued segment's last byte.
     * @param different whether the overlapping bytes differ (true when they were not compared).
     * @return true when the new data wins.
     */
    public static boolean useNewData(
        final HostOsPolicy policy,
        final long newStart,
        final long newEnd,
        final long oldStart,
        final long oldEnd,
        final boolean different)
    {
        if (!different)
        {
            return false;
        }
        final HostOsPolicy os = normalise(policy);
        if (os == HostOsPolicy.LAST)
        {
            return true;
        }
        if (newStart == oldStart)
        {
            if (newEnd < oldEnd)
            {
                return false;
            }
            if (newEnd > oldEnd && os == HostOsPolicy.LINUX)
            {
                return true;
            }
            return os == HostOsPolicy.OLD_LINUX || os == HostOsPolicy.SOLARIS || os == HostOsPolicy.HPUX11;
        }
        if (newStart < oldStart)
        {
            if (newEnd >= oldEnd && (os == HostOsPolicy.SOLARIS || os == HostOsPolicy.HPUX11))
            {
                return true;
            }
            return switch (os)
            {
                case BSD, HPUX10, IRIX, WINDOWS, WINDOWS2K3, OLD_LINUX, LINUX, MACOS -> true;
                default -> false;
            };
        }
        return newEnd > oldEnd && (os == HostOsPolicy.SOLARIS || os == HostOsPolicy.HPUX11);
    }

    /**
     * The policy a stream applies: bsd-right as bsd, old-solaris as solaris, none as bsd.
     *
     * @param policy the configured policy (may be null).
     * @return the applied policy.
     */
    public static HostOsPolicy normalise(final HostOsPolicy policy)
    {
        if (policy == null || policy == HostOsPolicy.BSD_RIGHT)
        {
            return HostOsPolicy.BSD;
        }
        return policy == HostOsPolicy.OLD_SOLARIS ? HostOsPolicy.SOLARIS : policy;
    }
}
