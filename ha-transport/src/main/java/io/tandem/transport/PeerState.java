package io.tandem.transport;

/**
 * What this node knows of a peer, as its per-peer state counter shows it ({@link #code()} is the counter value).
 */
public enum PeerState
{
    /** Heard from recently and in sequence. */
    UP(0),
    /** Not heard from for longer than the peer timeout, or its Aeron image went away. */
    DOWN(1),
    /** A resync was requested from the peer and has not ended yet. */
    RESYNCING(2);

    private static final PeerState[] BY_CODE = values();

    private final int code;

    PeerState(final int code)
    {
        if (code != ordinal())
        {
            throw new IllegalArgumentException(name() + " code must equal its ordinal");
        }
        this.code = code;
    }

    /**
     * The value of the peer state counter for this state.
     *
     * @return the code.
     */
    public int code()
    {
        return code;
    }

    /**
     * The state for a counter value.
     *
     * @param code the counter value.
     * @return the state, or null for an unknown code.
     */
    public static PeerState get(final long code)
    {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[(int)code] : null;
    }
}
