package io.tandem.node.ha;

import java.util.ArrayDeque;

import io.tandem.proto.ha.v1.Envelope;

/**
 * An in-memory HA channel: envelopes sent into it wait in order until a receiver takes them. For tests and for
 * nodes sharing one process; not thread-safe.
 */
public final class InMemoryHaChannel implements HaMessageSink
{
    private final ArrayDeque<Envelope> queue = new ArrayDeque<>();
    private long sent;

    /**
     * {@inheritDoc}
     */
    @Override
    public void onEnvelope(final Envelope envelope)
    {
        queue.addLast(envelope);
        sent++;
    }

    /**
     * Take the oldest envelope waiting.
     *
     * @return the envelope, or null when none waits.
     */
    public Envelope poll()
    {
        return queue.pollFirst();
    }

    /**
     * Hand every waiting envelope to a receiving manager, in order.
     *
     * @param receiver the manager that applies them.
     * @param nowNs    the receiver's current time.
     * @return the number of envelopes delivered.
     */
    public int deliverTo(final HaManager receiver, final long nowNs)
    {
        int delivered = 0;
        Envelope envelope;
        while ((envelope = queue.pollFirst()) != null)
        {
            receiver.apply(envelope, nowNs);
            delivered++;
        }
        return delivered;
    }

    /**
     * Envelopes waiting.
     *
     * @return the count.
     */
    public int size()
    {
        return queue.size();
    }

    /**
     * Envelopes ever sent into the channel.
     *
     * @return the count.
     */
    public long sent()
    {
        return sent;
    }
}
