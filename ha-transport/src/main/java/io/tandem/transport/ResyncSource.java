package io.tandem.transport;

/**
 * The node side of a resync (pfsync's bulk update): the transport knows no sessions, so when a peer asks for every
 * session this node owns it asks the source for them, a bounded chunk per duty cycle, and streams them between a
 * {@code ResyncBegin} and a {@code ResyncEnd}. Called on the transport agent's thread only; one resync at a time.
 */
public interface ResyncSource
{
    /** A source owning no sessions: every resync is an empty begin/end pair. */
    ResyncSource EMPTY = new ResyncSource()
    {
        public long beginResync(final long resyncId)
        {
            return 0;
        }

        public boolean produce(final ResyncSink sink, final int limit)
        {
            return true;
        }
    };

    /**
     * A resync starts: take a snapshot (or an iterator) of the sessions this node owns now.
     *
     * @param resyncId identifier of the resync, carried by its begin and end markers.
     * @return how many sessions are expected to be sent, for progress reporting.
     */
    long beginResync(long resyncId);

    /**
     * Put at most {@code limit} encoded session messages into the sink, continuing where the last call stopped. A
     * message the sink refuses must be offered again at the next call. Not called again once it returned true.
     *
     * @param sink  takes the messages.
     * @param limit the most messages to put in this call.
     * @return true when every session of this resync has been taken.
     */
    boolean produce(ResyncSink sink, int limit);
}
