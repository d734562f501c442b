package io.tandem.node.output;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * One writer's view of an output shared by several threads (the EVE file of several workers): bytes are buffered
 * here and passed on only as whole lines, under the shared stream's lock, so records of different writers never
 * interleave within a line. EVE records are single lines (JSON escapes every newline inside a value).
 * <p>
 * Closing passes on what is left and leaves the shared stream open for the other writers.
 */
public final class LineAlignedOutputStream extends OutputStream
{
    private static final int FLUSH_BYTES = 64 * 1024;

    private final OutputStream shared;
    private byte[] buffer = new byte[FLUSH_BYTES * 2];
    private int length;

    /**
     * A view of a shared stream.
     *
     * @param shared the stream every writer's lines go to; writes to it synchronise on it.
     */
    public LineAlignedOutputStream(final OutputStream shared)
    {
        this.shared = shared;
    }

    @Override
    public void write(final int b) throws IOException
    {
        ensure(1);
        buffer[length++] = (byte)b;
        if (length >= FLUSH_BYTES)
        {
            passLines();
        }
    }

    @Override
    public void write(final byte[] bytes, final int offset, final int count) throws IOException
    {
        ensure(count);
        System.arraycopy(bytes, offset, buffer, length, count);
        length += count;
        if (length >= FLUSH_BYTES)
        {
            passLines();
        }
    }

    /**
     * Pass on the whole lines buffered so far (a record still being written stays here) and flush the shared stream.
     *
     * @throws IOException from the shared stream.
     */
    @Override
    public void flush() throws IOException
    {
        passLines();
        synchronized (shared)
        {
            shared.flush();
        }
    }

    /**
     * Pass on everything left; the shared stream stays open.
     *
     * @throws IOException from the shared stream.
     */
    @Override
    public void close() throws IOException
    {
        pass(length);
    }

    private void passLines() throws IOException
    {
        int end = length;
        while (end > 0 && buffer[end - 1] != '\n')
        {
            end--;
        }
        pass(end);
    }

    private void pass(final int end) throws IOException
    {
        if (end > 0)
        {
            synchronized (shared)
            {
                shared.write(buffer, 0, end);
            }
            System.arraycopy(buffer, end, buffer, 0, length - end);
            length -= end;
        }
    }

    private void ensure(final int count)
    {
        if (length + count > buffer.length)
        {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + count));
        }
    }
}
