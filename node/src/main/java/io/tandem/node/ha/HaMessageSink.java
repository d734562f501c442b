package io.tandem.node.ha;

import io.tandem.proto.ha.v1.Envelope;

/**
 * Where the HA manager sends the envelopes it generates: an in-memory channel, an HA file, later the Aeron transport.
 * The manager does not care which. Called on the worker thread; an implementation must not block for long.
 */
@FunctionalInterface
public interface HaMessageSink
{
    /** A sink that discards everything. */
    HaMessageSink NONE = envelope ->
    {
    };

    /**
     * Take one envelope.
     *
     * @param envelope the envelope, complete (sequence number, timestamp, HMAC when configured).
     */
    void onEnvelope(Envelope envelope);

    /**
     * A sink that hands every envelope to two sinks in turn.
     *
     * @param first  the first sink.
     * @param second the second sink.
     * @return the combined sink.
     */
    static HaMessageSink both(final HaMessageSink first, final HaMessageSink second)
    {
        return envelope ->
        {
            first.onEnvelope(envelope);
            second.onEnvelope(envelope);
        };
    }
}
