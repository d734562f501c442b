package io.tandem.node.applayer;

import java.util.concurrent.atomic.AtomicLong;

import io.tandem.node.flow.Flow;
import org.agrona.DirectBuffer;

/**
 * A stream consumer registered through the test class path's
 * {@code META-INF/services/io.tandem.node.applayer.StreamConsumer}: counts the bytes and EOFs it is given.
 */
public final class CountingStreamConsumer implements StreamConsumer
{
    static final AtomicLong BYTES = new AtomicLong();
    static final AtomicLong EOFS = new AtomicLong();

    @Override
    public void onData(
        final Flow flow, final boolean toServer, final DirectBuffer buffer, final int offset, final int length,
        final int flags)
    {
        if (buffer != null)
        {
            BYTES.addAndGet(length);
        }
        if ((flags & FLAG_EOF) != 0)
        {
            EOFS.incrementAndGet();
        }
    }
}
