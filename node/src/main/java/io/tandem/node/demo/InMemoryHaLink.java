package io.tandem.node.demo;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import io.tandem.node.ha.HaContext;
import io.tandem.node.ha.HaManager;
import io.tandem.node.ha.HaMessageSink;
import io.tandem.node.ha.spi.HaRecordRegistry;
import io.tandem.node.worker.Worker;
import io.tandem.proto.ha.v1.Envelope;

/**
 * An {@link HaLink} through a queue between two threads of one process: envelopes arrive whole and in order, and
 * nothing is lost on the way. For testing the demo's logic without a network.
 */
public final class InMemoryHaLink implements HaLink
{
    private static final int POLL_LIMIT = 1024;

    private final ConcurrentLinkedQueue<Envelope> queue = new ConcurrentLinkedQueue<>();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong applied = new AtomicLong();
    private volatile boolean crashed;
    private HaManager standby;

    @Override
    public String description()
    {
        return "an in-memory queue";
    }

    @Override
    public HaManager enableActive(final Worker active, final HaContext ctx, final HaMessageSink tap)
    {
        final HaManager manager = active.enableHa(ctx, new HaRecordRegistry(), HaMessageSink.both(tap, envelope ->
        {
            if (!crashed)
            {
                queue.add(envelope);
                sent.addAndGet(envelope.hasSessions() ? envelope.getSessions().getMessagesCount() : 0);
            }
        }));
        manager.registry().registerServices(Thread.currentThread().getContextClassLoader());
        return manager;
    }

    @Override
    public HaManager enableStandby(final Worker worker, final HaContext ctx)
    {
        standby = worker.enableHa(ctx, new HaRecordRegistry(), HaMessageSink.NONE);
        standby.registry().registerServices(Thread.currentThread().getContextClassLoader());
        return standby;
    }

    @Override
    public void activeWork(final long nowNs)
    {
    }

    @Override
    public int standbyWork(final long nowNs)
    {
        int messages = 0;
        Envelope envelope;
        while (messages < POLL_LIMIT && (envelope = queue.poll()) != null)
        {
            standby.apply(envelope, nowNs);
            messages += envelope.hasSessions() ? envelope.getSessions().getMessagesCount() : 0;
        }
        applied.addAndGet(messages);
        return messages;
    }

    @Override
    public void connect()
    {
    }

    @Override
    public long sentMessages()
    {
        return sent.get();
    }

    @Override
    public long appliedMessages()
    {
        return applied.get();
    }

    @Override
    public String summary()
    {
        return "";
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
