package io.tandem.node.ha;

import io.tandem.node.ha.spi.HaRecordProvider;
import io.tandem.node.ha.spi.HaRecordRegistry;
import io.tandem.node.ha.spi.HaSessionHandle;
import io.tandem.proto.wire.SessionMessageReader;
import io.tandem.proto.wire.SessionMessageWriter;

/**
 * Moves extension records between a session and the wire: the pending records a registry's providers produce go into
 * an update being written, and the records of an update read in place go to the providers that consume them. Nothing
 * is copied or allocated: a produced record is written from the registry's buffer, a received one is consumed where
 * it arrived.
 */
public final class HaRecordCodec
{
    private HaRecordCodec()
    {
    }

    /**
     * Add a session's pending records to an update, in index order, and clear their pending bits. The records are
     * read from the registry's buffers when the update is written: write it before the next produce.
     *
     * @param registry the registry.
     * @param session  the session.
     * @param update   the update being written (key and state set).
     * @return the number of records added.
     * @throws io.tandem.node.ha.spi.HaRecordException when a provider produces more than it declared (the pending
     *                                                 mask is then left as it was).
     */
    public static int addPending(
        final HaRecordRegistry registry, final HaSessionHandle session, final SessionMessageWriter update)
    {
        final int mask = session.pendingMask() & registry.registeredMask();
        int added = 0;
        for (int index = 0; index < registry.count(); index++)
        {
            if ((mask & (1 << index)) != 0)
            {
                final int length = registry.produce(index, session);
                final HaRecordProvider provider = registry.provider(index);
                update.record(provider.preprocessorId(), provider.subcode(), registry.recordBuffer(index), 0, length);
                added++;
            }
        }
        session.pendingMask(session.pendingMask() & ~mask);
        return added;
    }

    /**
     * Apply the records of an update to a session; records nobody registered (or larger than declared) are counted
     * by the registry and skipped.
     *
     * @param registry the registry.
     * @param session  the session the update is for.
     * @param update   the received update, read in place.
     * @return the number of records consumed.
     */
    public static int apply(
        final HaRecordRegistry registry, final HaSessionHandle session, final SessionMessageReader update)
    {
        int consumed = 0;
        for (int i = 0; i < update.recordCount(); i++)
        {
            if (registry.consume(session, update.recordPreprocessorId(i), update.recordSubcode(i), update.buffer(),
                update.recordOffset(i), update.recordLength(i)))
            {
                consumed++;
            }
        }
        return consumed;
    }
}
