package io.tandem.node.ha.spi;

/**
 * A record registration or production the registry refuses; {@link #reason()} says which rule was broken and the
 * message says it in words, naming the provider.
 */
public final class HaRecordException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** Why a registration or a record was refused. */
    public enum Reason
    {
        /** All {@link HaRecordRegistry#MAX_RECORDS} slots are taken. */
        REGISTRY_FULL,
        /** Another provider already registered the same (preprocessor id, subcode). */
        DUPLICATE,
        /** Preprocessor id or subcode outside 0..255, or a maximum size outside the allowed range. */
        INVALID_DECLARATION,
        /** A produced record is larger than its provider declared. */
        RECORD_TOO_LARGE,
        /** A bit index that no provider holds. */
        UNKNOWN_INDEX
    }

    private final Reason reason;

    /**
     * Refuse with a reason and a message.
     *
     * @param reason  which rule was broken.
     * @param message what happened, naming the provider.
     */
    public HaRecordException(final Reason reason, final String message)
    {
        super(message);
        this.reason = reason;
    }

    /**
     * Which rule was broken.
     *
     * @return the reason.
     */
    public Reason reason()
    {
        return reason;
    }
}
