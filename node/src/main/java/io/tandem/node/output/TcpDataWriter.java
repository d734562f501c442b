package io.tandem.node.output;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import io.tandem.node.applayer.StreamConsumer;
import io.tandem.node.flow.Flow;
import io.tandem.node.flow.FlowKey;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * A {@link StreamConsumer} that writes each direction of each TCP flow's reassembled stream to its own file, as
 * tcpflow does, so streams can be compared byte for byte with other engines ({@code analyze --tcp-data DIR}). A file
 * holds the data one side sent, in stream order, gaps left out (its SHA-256 is the reassembly digest's); it is named
 * after the sender and the receiver, {@code SRCIP.SRCPORT-DSTIP.DSTPORT}, with IPv4 octets and ports zero-padded
 * (tcpflow's form, e.g. {@code 010.000.000.001.40000-010.000.000.002.00080}; IPv6 addresses in their RFC 5952
 * text); a later flow on the same tuple gets {@code c1}, {@code c2}, ... appended. Directions that carried no data
 * get no file. Data is buffered per direction and appended to the file in blocks, so open flows hold no file handle.
 */
public final class TcpDataWriter implements StreamConsumer
{
    private static final int INITIAL_BUFFER_BYTES = 1024;
    private static final int FLUSH_BYTES = 32 * 1024;

    private final Path directory;
    private final Long2ObjectHashMap<State> flows = new Long2ObjectHashMap<>();
    private final Map<String, Integer> namesUsed = new HashMap<>();
    private long filesWritten;
    private long bytesWritten;

    private static final class State
    {
        final byte[][] buffers = new byte[2][];
        final int[] lengths = new int[2];
        final Path[] files = new Path[2];
        int ended;
    }

    /**
     * A writer into a directory (created when missing).
     *
     * @param directory where the files go.
     */
    public TcpDataWriter(final Path directory)
    {
        this.directory = directory;
        try
        {
            Files.createDirectories(directory);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create " + directory, ex);
        }
    }

    @Override
    public void onData(
        final Flow flow, final boolean toServer, final DirectBuffer buffer, final int offset, final int length,
        final int flags)
    {
        final int d = toServer ? 0 : 1;
        State st = flows.get(flow.flowId());
        if (buffer != null && length > 0 && (flags & FLAG_GAP) == 0)
        {
            if (st == null)
            {
                st = new State();
                flows.put(flow.flowId(), st);
            }
            append(flow, st, d, buffer, offset, length);
        }
        if ((flags & FLAG_EOF) != 0 && st != null)
        {
            flush(flow, st, d);
            st.ended |= 1 << d;
            if (st.ended == 3)
            {
                flows.remove(flow.flowId());
            }
        }
    }

    @Override
    public void onDirectionReversed(final Flow flow)
    {
        final State st = flows.get(flow.flowId());
        if (st != null)
        {
            swap(st.buffers);
            swap(st.files);
            final int length = st.lengths[0];
            st.lengths[0] = st.lengths[1];
            st.lengths[1] = length;
        }
    }

    /**
     * Files created so far.
     *
     * @return the count.
     */
    public long filesWritten()
    {
        return filesWritten;
    }

    /**
     * Stream bytes written so far.
     *
     * @return bytes.
     */
    public long bytesWritten()
    {
        return bytesWritten;
    }

    /**
     * The file name for the data one side of a flow sends: {@code SRCIP.SRCPORT-DSTIP.DSTPORT}.
     *
     * @param key      the flow's key.
     * @param toServer true for the client's data.
     * @return the name, without a reuse suffix.
     */
    public static String fileName(final FlowKey key, final boolean toServer)
    {
        final StringBuilder sb = new StringBuilder(96);
        if (toServer)
        {
            endpoint(sb, key.ipVersion(), key.clientHi(), key.clientLo(), key.clientPort()).append('-');
            endpoint(sb, key.ipVersion(), key.serverHi(), key.serverLo(), key.serverPort());
        }
        else
        {
            endpoint(sb, key.ipVersion(), key.serverHi(), key.serverLo(), key.serverPort()).append('-');
            endpoint(sb, key.ipVersion(), key.clientHi(), key.clientLo(), key.clientPort());
        }
        return sb.toString();
    }

    private static StringBuilder endpoint(
        final StringBuilder sb, final int ipVersion, final long hi, final long lo, final int port)
    {
        if (ipVersion == 4)
        {
            for (int shift = 24; shift >= 0; shift -= 8)
            {
                pad(sb, (int)(lo >>> shift) & 0xFF, 3).append('.');
            }
        }
        else
        {
            IpFormat.append(sb, ipVersion, hi, lo).append('.');
        }
        return pad(sb, port, 5);
    }

    private static StringBuilder pad(final StringBuilder sb, final int value, final int digits)
    {
        final String text = Integer.toString(value);
        for (int i = text.length(); i < digits; i++)
        {
            sb.append('0');
        }
        return sb.append(text);
    }

    private void append(
        final Flow flow, final State st, final int d, final DirectBuffer buffer, final int offset, final int length)
    {
        int done = 0;
        while (done < length)
        {
            byte[] b = st.buffers[d];
            if (b == null)
            {
                b = new byte[INITIAL_BUFFER_BYTES];
                st.buffers[d] = b;
            }
            else if (st.lengths[d] == b.length && b.length < FLUSH_BYTES)
            {
                b = Arrays.copyOf(b, b.length * 2);
                st.buffers[d] = b;
            }
            final int n = Math.min(length - done, b.length - st.lengths[d]);
            buffer.getBytes(offset + done, b, st.lengths[d], n);
            st.lengths[d] += n;
            done += n;
            if (st.lengths[d] == FLUSH_BYTES)
            {
                flush(flow, st, d);
            }
        }
    }

    private void flush(final Flow flow, final State st, final int d)
    {
        final int length = st.lengths[d];
        if (length == 0)
        {
            return;
        }
        final boolean created = st.files[d] == null;
        if (created)
        {
            final String name = fileName(flow.key(), d == 0);
            final int used = namesUsed.merge(name, 1, Integer::sum);
            st.files[d] = directory.resolve(used == 1 ? name : name + "c" + (used - 1));
            filesWritten++;
        }
        try (OutputStream out = created ?
            Files.newOutputStream(st.files[d], StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE) :
            Files.newOutputStream(st.files[d], StandardOpenOption.APPEND))
        {
            out.write(st.buffers[d], 0, length);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write " + st.files[d], ex);
        }
        bytesWritten += length;
        st.lengths[d] = 0;
    }

    private static <T> void swap(final T[] pair)
    {
        final T first = pair[0];
        pair[0] = pair[1];
        pair[1] = first;
    }
}
