package io.tandem.node.cli;

import java.util.concurrent.ConcurrentLinkedQueue;

import io.tandem.node.ha.HaManager;
import io.tandem.node.ha.HaMessageSink;
import io.tandem.proto.ha.v1.Envelope;

/**
 * An {@link HaLink} through a queue between two threads of one process: envelopes arrive whole and in order, and
 * nothing is lost on the way. For testing the demo's logic without a network.
 */
final class InMemoryHaLink implements HaLink
{
    private final ConcurrentLinkedQueue<Envelope> queue = new ConcurrentLinkedQueue<>();
    private volatile boolean crashed;

    @Override
    public String description()
    {
        return "an in-memory queue";
    }

    @Override
    public HaMessageSink activeSink()
    {
        return envelope ->
        {
            if (!crashed)
            {
                queue.add(envelope);
            }
        };
    }

    @Override
    public int pollStandby(final HaManager standby, final int limit)
    {
        int messages = 0;
        Envelope envelope;
        while (messages < limit && (envelope = queue.poll()) != null)
        {
            standby.apply(envelope, envelope.getTimestampNs());
            messages += envelope.hasSessions() ? envelope.getSessions().getMessagesCount() : 0;
        }
        return messages;
    }

    @Override
    public void crashActive()
    {
        crashed = true;
    }

    @Override
    public void close()
    {
        queue.clear();
    }
}
