package io.tandem.node.applayer;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import io.tandem.node.flow.Flow;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * A built-in {@link StreamConsumer} for verification: per flow and direction, the reassembled bytes, the gaps and a
 * SHA-256 over the bytes in order (gaps excluded). {@code analyze --reassembly-digest} adds the result to EVE flow
 * records. Takeover gaps (bytes an HA peer saw before this node took the session over) are counted apart from
 * gaps. Not registered with the ServiceLoader: whoever wants it adds it to the worker.
 */
public final class ReassemblyDigest implements StreamConsumer
{
    /**
     * One direction's summary.
     *
     * @param bytes            reassembled data bytes.
     * @param gaps             gaps.
     * @param gapBytes         bytes missing.
     * @param takeoverGapBytes bytes missing in takeover gaps ({@link StreamConsumer#FLAG_TAKEOVER_GAP}).
     * @param sha256           hex SHA-256 of the data bytes.
     */
    public record Direction(long bytes, long gaps, long gapBytes, long takeoverGapBytes, String sha256)
    {
    }

    /**
     * A flow's summary.
     *
     * @param toServer the client's data.
     * @param toClient the server's data.
     */
    public record Result(Direction toServer, Direction toClient)
    {
    }

    private static final class State
    {
        final MessageDigest toServer;
        final MessageDigest toClient;
        final long[] bytes = new long[2];
        final long[] gaps = new long[2];
        final long[] gapBytes = new long[2];
        final long[] takeoverGapBytes = new long[2];

        State()
        {
            this(sha256(), sha256());
        }

        State(final MessageDigest toServer, final MessageDigest toClient)
        {
            this.toServer = toServer;
            this.toClient = toClient;
        }

        State reversed()
        {
            final State st = new State(toClient, toServer);
            for (int d = 0; d < 2; d++)
            {
                st.bytes[d] = bytes[1 - d];
                st.gaps[d] = gaps[1 - d];
                st.gapBytes[d] = gapBytes[1 - d];
                st.takeoverGapBytes[d] = takeoverGapBytes[1 - d];
            }
            return st;
        }
    }

    private final Long2ObjectHashMap<State> flows = new Long2ObjectHashMap<>();
    private final byte[] scratch = new byte[64 * 1024];

    @Override
    public void onData(
        final Flow flow, final boolean toServer, final DirectBuffer buffer, final int offset, final int length,
        final int flags)
    {
        State st = flows.get(flow.flowId());
        if (st == null)
        {
            st = new State();
            flows.put(flow.flowId(), st);
        }
        final int d = toServer ? 0 : 1;
        if ((flags & FLAG_TAKEOVER_GAP) != 0)
        {
            st.takeoverGapBytes[d] += length;
            return;
        }
        if ((flags & FLAG_GAP) != 0)
        {
            st.gaps[d]++;
            st.gapBytes[d] += length;
            return;
        }
        if (buffer == null || length <= 0)
        {
            return;
        }
        final MessageDigest md = toServer ? st.toServer : st.toClient;
        int done = 0;
        while (done < length)
        {
            final int n = Math.min(scratch.length, length - done);
            buffer.getBytes(offset + done, scratch, 0, n);
            md.update(scratch, 0, n);
            done += n;
        }
        st.bytes[d] += length;
    }

    @Override
    public void onDirectionReversed(final Flow flow)
    {
        final State st = flows.get(flow.flowId());
        if (st != null)
        {
            flows.put(flow.flowId(), st.reversed());
        }
    }

    /**
     * Take a flow's summary (and forget the flow).
     *
     * @param flow the flow.
     * @return its summary (zero bytes and the empty digest when nothing was reassembled).
     */
    public Result remove(final Flow flow)
    {
        State st = flows.remove(flow.flowId());
        if (st == null)
        {
            st = new State();
        }
        return new Result(
            new Direction(st.bytes[0], st.gaps[0], st.gapBytes[0], st.takeoverGapBytes[0],
                HexFormat.of().formatHex(st.toServer.digest())),
            new Direction(st.bytes[1], st.gaps[1], st.gapBytes[1], st.takeoverGapBytes[1],
                HexFormat.of().formatHex(st.toClient.digest())));
    }

    private static MessageDigest sha256()
    {
        try
        {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
