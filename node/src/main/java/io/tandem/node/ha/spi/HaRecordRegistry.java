package io.tandem.node.ha.spi;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

import io.tandem.node.stats.StatsSink;
import io.tandem.node.stats.StatsSource;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The 8-slot HA record registry: each registered {@link HaRecordProvider} gets a bit index 0..7 into a session's
 * 8-bit pending mask (Snort's Stream5 HA record registration, with its limits enforced and explained).
 * <p>
 * Registration is refused with a {@link HaRecordException} for a ninth record, a duplicate (preprocessor id, subcode),
 * or an out-of-range declaration; a produced record larger than declared is refused the same way. A received record
 * nobody registered, or larger than its provider declared, is counted and skipped, never fatal.
 * <p>
 * Bit indexes are local to a node; the wire names a record by (preprocessor id, subcode). Register at start-up, before
 * the registry is shared with the worker that uses it; {@link #produce} and {@link #consume} are then used by that one
 * thread (each worker has its own registry, or they are used under the worker's confinement).
 */
public final class HaRecordRegistry implements StatsSource
{
    /** Most records a registry holds: the width of the pending mask. */
    public static final int MAX_RECORDS = 8;
    /** Largest preprocessor id and subcode. */
    public static final int MAX_ID = 255;
    /** Largest record size a provider may declare. */
    public static final int MAX_RECORD_BYTES = 65_535;

    private final HaRecordProvider[] providers = new HaRecordProvider[MAX_RECORDS];
    private final UnsafeBuffer[] recordBuffers = new UnsafeBuffer[MAX_RECORDS];
    private int count;
    private long unknownRecords;
    private long oversizeRecords;
    private long consumedRecords;
    private long producedRecords;

    /**
     * Register a provider.
     *
     * @param provider the provider.
     * @return its bit index, 0..7.
     * @throws HaRecordException when the registry is full, the (id, subcode) is taken, or the declaration is out of
     *                           range.
     */
    public int register(final HaRecordProvider provider)
    {
        final int id = provider.preprocessorId();
        final int subcode = provider.subcode();
        final int maxBytes = provider.maxRecordBytes();
        final String name = describe(provider);
        if (id < 0 || id > MAX_ID || subcode < 0 || subcode > MAX_ID)
        {
            throw new HaRecordException(HaRecordException.Reason.INVALID_DECLARATION,
                "cannot register HA record " + name + ": preprocessor id and subcode must be 0.." + MAX_ID);
        }
        if (maxBytes < 1 || maxBytes > MAX_RECORD_BYTES)
        {
            throw new HaRecordException(HaRecordException.Reason.INVALID_DECLARATION,
                "cannot register HA record " + name + ": maximum record size " + maxBytes + " is not in 1.." +
                MAX_RECORD_BYTES + " bytes");
        }
        final int existing = indexOf(id, subcode);
        if (existing >= 0)
        {
            throw new HaRecordException(HaRecordException.Reason.DUPLICATE,
                "cannot register HA record " + name + ": preprocessor id " + id + " subcode " + subcode +
                " is already registered by " + describe(providers[existing]) + " at index " + existing);
        }
        if (count == MAX_RECORDS)
        {
            throw new HaRecordException(HaRecordException.Reason.REGISTRY_FULL,
                "cannot register HA record " + name + ": all " + MAX_RECORDS + " record slots of the pending mask " +
                "are taken (" + registeredNames() + ")");
        }
        final int index = count++;
        providers[index] = provider;
        recordBuffers[index] = new UnsafeBuffer(new byte[maxBytes]);
        provider.registered(index);
        return index;
    }

    /**
     * Register every provider {@link ServiceLoader} finds for {@link HaRecordProvider} through a class loader, in
     * (preprocessor id, subcode) order so that indexes do not depend on the class path order.
     *
     * @param loader the class loader to search (e.g. the context class loader).
     * @return the providers registered, in index order.
     * @throws HaRecordException as {@link #register(HaRecordProvider)}, for the first provider refused.
     */
    public List<HaRecordProvider> registerServices(final ClassLoader loader)
    {
        final List<HaRecordProvider> found = new ArrayList<>();
        for (final HaRecordProvider provider : ServiceLoader.load(HaRecordProvider.class, loader))
        {
            found.add(provider);
        }
        found.sort(Comparator.comparingInt(HaRecordProvider::preprocessorId)
            .thenComparingInt(HaRecordProvider::subcode));
        for (final HaRecordProvider provider : found)
        {
            register(provider);
        }
        return found;
    }

    /**
     * Number of registered providers.
     *
     * @return 0..8.
     */
    public int count()
    {
        return count;
    }

    /**
     * Mask with a bit set for every registered index.
     *
     * @return the mask.
     */
    public int registeredMask()
    {
        return (1 << count) - 1;
    }

    /**
     * The provider at an index.
     *
     * @param index bit index.
     * @return the provider.
     * @throws HaRecordException when no provider holds the index.
     */
    public HaRecordProvider provider(final int index)
    {
        checkIndex(index);
        return providers[index];
    }

    /**
     * The index of the provider registered for a (preprocessor id, subcode).
     *
     * @param preprocessorId preprocessor id.
     * @param subcode        subcode.
     * @return the index, or -1 when none is registered.
     */
    public int indexOf(final int preprocessorId, final int subcode)
    {
        for (int i = 0; i < count; i++)
        {
            if (providers[i].preprocessorId() == preprocessorId && providers[i].subcode() == subcode)
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * Mark a record of a session as changed, to be sent with its next update (Snort's Stream5SetHAPendingBit).
     *
     * @param session the session.
     * @param index   the record's bit index.
     * @throws HaRecordException when no provider holds the index.
     */
    public void markPending(final HaSessionHandle session, final int index)
    {
        checkIndex(index);
        session.pendingMask(session.pendingMask() | (1 << index));
    }

    /**
     * Have a provider produce its record for a session into the registry's buffer for that index.
     *
     * @param index   the record's bit index.
     * @param session the session.
     * @return the record's length; the bytes are at 0 of {@link #recordBuffer(int)}.
     * @throws HaRecordException when no provider holds the index, or the provider wrote or reported more than it
     *                           declared.
     */
    public int produce(final int index, final HaSessionHandle session)
    {
        checkIndex(index);
        final HaRecordProvider provider = providers[index];
        final int maxBytes = recordBuffers[index].capacity();
        final int length;
        try
        {
            length = provider.produce(session, recordBuffers[index], 0);
        }
        catch (final IndexOutOfBoundsException ex)
        {
            throw new HaRecordException(HaRecordException.Reason.RECORD_TOO_LARGE,
                "HA record " + describe(provider) + " wrote beyond its declared maximum of " + maxBytes + " bytes");
        }
        if (length < 0 || length > maxBytes)
        {
            throw new HaRecordException(HaRecordException.Reason.RECORD_TOO_LARGE,
                "HA record " + describe(provider) + " produced " + length + " bytes, more than its declared maximum " +
                "of " + maxBytes + " bytes");
        }
        producedRecords++;
        return length;
    }

    /**
     * Where {@link #produce(int, HaSessionHandle)} left the record of an index.
     *
     * @param index the record's bit index.
     * @return the buffer, valid until the next produce for the index.
     */
    public DirectBuffer recordBuffer(final int index)
    {
        checkIndex(index);
        return recordBuffers[index];
    }

    /**
     * Apply a received record to a session through the provider registered for it.
     *
     * @param session        the session.
     * @param preprocessorId the record's preprocessor id.
     * @param subcode        the record's subcode.
     * @param buffer         the record's bytes.
     * @param offset         where they start.
     * @param length         how many.
     * @return true when a provider consumed it; false when it was skipped and counted (no provider registered, or
     *         larger than the provider declared).
     */
    public boolean consume(
        final HaSessionHandle session,
        final int preprocessorId,
        final int subcode,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        final int index = indexOf(preprocessorId, subcode);
        if (index < 0)
        {
            unknownRecords++;
            return false;
        }
        if (length > recordBuffers[index].capacity())
        {
            oversizeRecords++;
            return false;
        }
        providers[index].consume(session, buffer, offset, length);
        consumedRecords++;
        return true;
    }

    /**
     * Received records skipped because no provider is registered for their (preprocessor id, subcode).
     *
     * @return the count.
     */
    public long unknownRecords()
    {
        return unknownRecords;
    }

    /**
     * Received records skipped because they were larger than their provider declared.
     *
     * @return the count.
     */
    public long oversizeRecords()
    {
        return oversizeRecords;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void reportStats(final StatsSink sink)
    {
        sink.counter("ha.records.registered", count);
        sink.counter("ha.records.produced", producedRecords);
        sink.counter("ha.records.consumed", consumedRecords);
        sink.counter("ha.records.unknown", unknownRecords);
        sink.counter("ha.records.oversize", oversizeRecords);
    }

    private void checkIndex(final int index)
    {
        if (index < 0 || index >= count)
        {
            throw new HaRecordException(HaRecordException.Reason.UNKNOWN_INDEX,
                "no HA record is registered at index " + index + " (" + count + " registered)");
        }
    }

    private String registeredNames()
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            sb.append(i == 0 ? "" : ", ").append(describe(providers[i]));
        }
        return sb.toString();
    }

    private static String describe(final HaRecordProvider provider)
    {
        return provider.getClass().getName() + " (preprocessor id " + provider.preprocessorId() + ", subcode " +
            provider.subcode() + ")";
    }
}
