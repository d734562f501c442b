package io.tandem.node.ha;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import io.tandem.proto.ha.v1.Envelope;

/**
 * Appends every envelope to an HA file ({@code ha.runtime-output-file}), each record stamped with the envelope's
 * timestamp and protected by a CRC32C, rotated by size.
 */
public final class HaFileSink implements HaMessageSink, AutoCloseable
{
    private final HaFileWriter writer;

    /**
     * Open (create or append to) an HA file.
     *
     * @param path         the file.
     * @param maxFileBytes size at which it is rotated.
     * @throws IOException when the file cannot be opened.
     */
    public HaFileSink(final Path path, final long maxFileBytes) throws IOException
    {
        writer = new HaFileWriter(path, maxFileBytes);
    }

    /**
     * {@inheritDoc}
     *
     * @throws UncheckedIOException when the file cannot be written.
     */
    @Override
    public void onEnvelope(final Envelope envelope)
    {
        try
        {
            writer.append(envelope.getTimestampNs(), envelope);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot append to the HA runtime output file", ex);
        }
    }

    /**
     * Records written.
     *
     * @return the count.
     */
    public long recordsWritten()
    {
        return writer.recordsWritten();
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void close() throws IOException
    {
        writer.close();
    }
}
