package io.tandem.node.ha.spi;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Produces and consumes one kind of HA record: the equivalent of a Snort Stream5 HA record registration, found with
 * {@link java.util.ServiceLoader} and registered in a {@link HaRecordRegistry}.
 * <p>
 * Implementations need a public no-argument constructor. Both methods run on the worker thread that owns the session,
 * off the per-packet path (when an update is built or applied); they should not block.
 */
public interface HaRecordProvider
{
    /**
     * Preprocessor id of the record, 0..255; together with {@link #subcode()} it names the record on the wire.
     *
     * @return the id.
     */
    int preprocessorId();

    /**
     * Subcode of the record within its preprocessor, 0..255.
     *
     * @return the subcode.
     */
    int subcode();

    /**
     * Largest record {@link #produce} writes, in bytes (1..{@link HaRecordRegistry#MAX_RECORD_BYTES}).
     *
     * @return the size.
     */
    int maxRecordBytes();

    /**
     * Told once the registry accepted this provider: the bit index it holds, also the slot of its
     * {@link HaSessionHandle#attachment(int)}.
     *
     * @param index the bit index, 0..7.
     */
    default void registered(final int index)
    {
    }

    /**
     * Write the session's record.
     *
     * @param session the session whose pending bit for this record is set.
     * @param buffer  where to write; its capacity is exactly {@link #maxRecordBytes()} from {@code offset}.
     * @param offset  where the record starts.
     * @return bytes written, 0..{@link #maxRecordBytes()}.
     */
    int produce(HaSessionHandle session, MutableDirectBuffer buffer, int offset);

    /**
     * Apply a received record to a session.
     *
     * @param session the session the update is for (held in standby).
     * @param buffer  the record's bytes.
     * @param offset  where the record starts.
     * @param length  the record's length, at most {@link #maxRecordBytes()}.
     */
    void consume(HaSessionHandle session, DirectBuffer buffer, int offset, int length);
}
