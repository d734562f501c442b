package io.tandem.node.ha;

import io.tandem.proto.ha.v1.Envelope;
import io.tandem.proto.ha.v1.SessionBatch;

/**
 * Where the HA manager sends the session messages it generates: an in-memory channel, an HA file, the Aeron side
 * channel ({@link HaSideChannel}). The manager does not care which. Called on the worker thread; an implementation
 * must not block for long.
 * <p>
 * The manager hands each batch to {@link #onSessions(SessionBatch, long, HaEnvelopes)}. A sink of envelopes (a file,
 * an in-memory channel) keeps the default, which wraps the batch into this node's next envelope and calls
 * {@link #onEnvelope(Envelope)}; a sink that makes envelopes of its own (the side channel, whose transport sequences,
 * stamps and authenticates them) overrides it and takes the messages as they are, so no envelope or sequence number
 * is spent on them in the manager.
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
     * Take one batch of session messages the manager produced.
     *
     * @param batch     the updates and deletes, in the order they were produced.
     * @param timeNs    the manager's time.
     * @param envelopes the manager's envelope builder, for a sink of envelopes.
     */
    default void onSessions(final SessionBatch batch, final long timeNs, final HaEnvelopes envelopes)
    {
        onEnvelope(envelopes.sessions(batch, timeNs));
    }

    /**
     * A sink that hands every batch (and envelope) to two sinks in turn; each makes its own envelope or none.
     *
     * @param first  the first sink.
     * @param second the second sink.
     * @return the combined sink.
     */
    static HaMessageSink both(final HaMessageSink first, final HaMessageSink second)
    {
        return new HaMessageSink()
        {
            @Override
            public void onEnvelope(final Envelope envelope)
            {
                first.onEnvelope(envelope);
                second.onEnvelope(envelope);
            }

            @Override
            public void onSessions(final SessionBatch batch, final long timeNs, final HaEnvelopes envelopes)
            {
                first.onSessions(batch, timeNs, envelopes);
                second.onSessions(batch, timeNs, envelopes);
            }
        };
    }
}
