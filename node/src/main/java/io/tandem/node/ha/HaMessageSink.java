package io.tandem.node.ha;

import io.tandem.proto.ha.v1.Envelope;

/**
 * Where the HA manager sends the session messages it generates: an in-memory channel, an HA file, the Aeron side
 * channel ({@link HaSideChannel}). The manager does not care which. Called on the worker thread; an implementation
 * must not block for long.
 * <p>
 * The manager hands each batch, encoded, to {@link #onSessions(HaMessageBatch, long, HaEnvelopes)}. A sink of
 * envelopes (a file, an in-memory channel) keeps the default, which wraps the batch into this node's next envelope
 * and calls {@link #onEnvelope(Envelope)}; a sink that makes envelopes of its own (the side channel, whose transport
 * sequences, stamps and authenticates them) overrides it and takes the messages' bytes as they are, so no envelope,
 * sequence number or message object is spent on them in the manager.
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
     * @param batch     the updates and deletes, encoded, in the order they were produced; valid during the call.
     * @param timeNs    the manager's time.
     * @param envelopes the manager's envelope builder, for a sink of envelopes.
     */
    default void onSessions(final HaMessageBatch batch, final long timeNs, final HaEnvelopes envelopes)
    {
        onEnvelope(envelopes.sessions(batch.toSessionBatch(), timeNs));
    }

    /**
     * Whether what is sent now can reach anybody. While false the manager builds no updates: it counts the changes
     * as carried by the resync a peer asks for when it connects ({@code ha.updates.left_to_resync}). A file or an
     * in-memory channel always takes what it is given.
     *
     * @return true (the default) when messages reach their destination.
     */
    default boolean connected()
    {
        return true;
    }

    /**
     * Whether the sink can take another batch now (the side channel: room in the transport's ring). While false the
     * manager keeps the sessions that are due pending and sends them at a later flush, instead of handing over
     * messages that would come back.
     *
     * @return true (the default) when a batch can be taken.
     */
    default boolean hasRoom()
    {
        return true;
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
            public void onSessions(final HaMessageBatch batch, final long timeNs, final HaEnvelopes envelopes)
            {
                first.onSessions(batch, timeNs, envelopes);
                second.onSessions(batch, timeNs, envelopes);
            }

            @Override
            public boolean connected()
            {
                return first.connected() || second.connected();
            }

            @Override
            public boolean hasRoom()
            {
                return first.hasRoom() && second.hasRoom();
            }
        };
    }
}
