package io.tandem.node.ha;

import com.google.protobuf.ByteString;
import io.tandem.node.ha.spi.HaRecordProvider;
import io.tandem.node.ha.spi.HaRecordRegistry;
import io.tandem.node.ha.spi.HaSessionHandle;
import io.tandem.proto.ha.v1.SessionRecord;
import io.tandem.proto.ha.v1.SessionUpdate;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Moves extension records between a session and a {@link SessionUpdate}: the pending records a registry's providers
 * produce go into an outgoing update, and the records of an incoming update go to the providers that consume them.
 */
public final class HaRecordCodec
{
    private HaRecordCodec()
    {
    }

    /**
     * Add a session's pending records to an update, in index order, and clear their pending bits.
     *
     * @param registry the registry.
     * @param session  the session.
     * @param update   the update being built.
     * @return the number of records added.
     * @throws io.tandem.node.ha.spi.HaRecordException when a provider produces more than it declared (the pending
     *                                                 mask is then left as it was).
     */
    public static int addPending(
        final HaRecordRegistry registry, final HaSessionHandle session, final SessionUpdate.Builder update)
    {
        final int mask = session.pendingMask() & registry.registeredMask();
        int added = 0;
        for (int index = 0; index < registry.count(); index++)
        {
            if ((mask & (1 << index)) != 0)
            {
                final int length = registry.produce(index, session);
                final HaRecordProvider provider = registry.provider(index);
                final byte[] bytes = new byte[length];
                registry.recordBuffer(index).getBytes(0, bytes);
                update.addRecords(SessionRecord.newBuilder()
                    .setPreprocessorId(provider.preprocessorId())
                    .setSubcode(provider.subcode())
                    .setData(ByteString.copyFrom(bytes)));
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
     * @param update   the received update.
     * @return the number of records consumed.
     */
    public static int apply(final HaRecordRegistry registry, final HaSessionHandle session, final SessionUpdate update)
    {
        int consumed = 0;
        final UnsafeBuffer view = new UnsafeBuffer(0, 0);
        for (final SessionRecord record : update.getRecordsList())
        {
            final byte[] bytes = record.getData().toByteArray();
            view.wrap(bytes);
            if (registry.consume(session, record.getPreprocessorId(), record.getSubcode(), view, 0, bytes.length))
            {
                consumed++;
            }
        }
        return consumed;
    }
}
