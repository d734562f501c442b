package io.tandem.node.ha.spi;

import java.nio.charset.StandardCharsets;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The example record provider of docs/ha-records.md: replicates a short text note a plugin keeps per session (its
 * attachment), as UTF-8. Registered through META-INF/services in the test tree.
 */
public final class ExampleNoteRecordProvider implements HaRecordProvider
{
    /** Preprocessor id of the example. */
    public static final int PREPROCESSOR_ID = 200;
    /** Subcode of the example. */
    public static final int SUBCODE = 1;
    /** Largest note, in bytes. */
    public static final int MAX_BYTES = 64;

    private int index;

    @Override
    public void registered(final int bitIndex)
    {
        index = bitIndex;
    }

    @Override
    public int preprocessorId()
    {
        return PREPROCESSOR_ID;
    }

    @Override
    public int subcode()
    {
        return SUBCODE;
    }

    @Override
    public int maxRecordBytes()
    {
        return MAX_BYTES;
    }

    @Override
    public int produce(final HaSessionHandle session, final MutableDirectBuffer buffer, final int offset)
    {
        final Object note = session.attachment(index);
        final byte[] bytes = note == null ? new byte[0] : note.toString().getBytes(StandardCharsets.UTF_8);
        buffer.putBytes(offset, bytes);
        return bytes.length;
    }

    @Override
    public void consume(final HaSessionHandle session, final DirectBuffer buffer, final int offset, final int length)
    {
        session.attachment(index, buffer.getStringWithoutLengthUtf8(offset, length));
    }
}
