package io.tandem.node.io;

/**
 * Why a {@link MirrorFeedSource} dropped a datagram; each is counted as {@code mirror.dropped.<name>}.
 */
public enum MirrorDropReason
{
    /** The datagram is shorter than the encapsulation header plus an Ethernet header. */
    SHORT("short"),

    /** VXLAN: the I flag (valid VNI) is not set. */
    BAD_FLAGS("bad_flags"),

    /** GENEVE: a version other than 0. */
    BAD_VERSION("bad_version"),

    /** GENEVE: the options (by opt len or by an option's own length) run past the datagram or the options area. */
    BAD_OPTIONS("bad_options"),

    /** GENEVE: a control packet (O bit), whose payload must not be treated as traffic. */
    CONTROL("control"),

    /** GENEVE: a protocol type other than Ethernet (0x6558). */
    UNKNOWN_PROTOCOL("unknown_protocol"),

    /** GENEVE: a critical option, which a receiver that does not understand it must drop (RFC 8926 3.5). */
    CRITICAL_OPTION("critical_option"),

    /** The inner frame does not fit one ring buffer record. */
    TOO_LARGE("too_large"),

    /** The ring buffer between the receive thread and the poller is full: the poller is behind. */
    RING_FULL("ring_full");

    private final String counterName;

    MirrorDropReason(final String reason)
    {
        this.counterName = "mirror.dropped." + reason;
    }

    /**
     * The counter this reason is reported as.
     *
     * @return {@code mirror.dropped.<reason>}.
     */
    public String counterName()
    {
        return counterName;
    }
}
