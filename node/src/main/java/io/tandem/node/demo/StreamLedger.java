package io.tandem.node.demo;

import io.tandem.node.applayer.StreamConsumer;
import io.tandem.node.flow.Flow;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongArrayList;

/**
 * The failover demo's account of reassembled streams: per flow and direction, the data bytes and gap bytes handed to
 * stream consumers, and (when asked) where in the stream each run lay, as an offset from the first byte this node's
 * reassembler handled. With the runs, the part of a stream from a given offset on can be counted afterwards: the
 * single-node reference is cut where the standby took a session over.
 */
final class StreamLedger implements StreamConsumer
{
    /**
     * One flow's streams.
     */
    static final class Streams
    {
        final long[] bytes = new long[2];
        final long[] gapBytes = new long[2];
        final long[] takeoverGapBytes = new long[2];
        private final long[] offset = new long[2];
        private final LongArrayList[] runs;

        Streams(final boolean keepRuns)
        {
            runs = keepRuns ? new LongArrayList[] { new LongArrayList(), new LongArrayList() } : null;
        }

        /**
         * Data bytes at or after a stream offset.
         *
         * @param direction 0 to the server, 1 to the client.
         * @param from      offset from the first byte of the stream.
         * @return the bytes.
         */
        long bytesFrom(final int direction, final long from)
        {
            return countFrom(direction, from, false);
        }

        /**
         * Gap bytes at or after a stream offset.
         *
         * @param direction 0 to the server, 1 to the client.
         * @param from      offset from the first byte of the stream.
         * @return the bytes.
         */
        long gapBytesFrom(final int direction, final long from)
        {
            return countFrom(direction, from, true);
        }

        private long countFrom(final int direction, final long from, final boolean gaps)
        {
            if (runs == null)
            {
                return 0;
            }
            final LongArrayList list = runs[direction];
            long total = 0;
            for (int i = 0; i < list.size(); i += 2)
            {
                final long start = list.getLong(i);
                final long signedLength = list.getLong(i + 1);
                if (gaps == signedLength < 0)
                {
                    final long end = start + Math.abs(signedLength);
                    total += Math.max(0, end - Math.max(start, from));
                }
            }
            return total;
        }

        private void takeoverGap(final int direction, final long length)
        {
            offset[direction] += length;
            takeoverGapBytes[direction] += length;
        }

        private void add(final int direction, final long length, final boolean gap)
        {
            if (runs != null)
            {
                runs[direction].addLong(offset[direction]);
                runs[direction].addLong(gap ? -length : length);
            }
            offset[direction] += length;
            if (gap)
            {
                gapBytes[direction] += length;
            }
            else
            {
                bytes[direction] += length;
            }
        }
    }

    private static final Streams NONE = new Streams(false);

    private final Long2ObjectHashMap<Streams> flows = new Long2ObjectHashMap<>();
    private final boolean keepRuns;

    /**
     * A ledger.
     *
     * @param keepRuns whether to remember where each run lay (for cutting streams afterwards).
     */
    StreamLedger(final boolean keepRuns)
    {
        this.keepRuns = keepRuns;
    }

    @Override
    public void onData(
        final Flow flow, final boolean toServer, final DirectBuffer buffer, final int offset, final int length,
        final int flags)
    {
        final boolean gap = (flags & FLAG_GAP) != 0;
        if (length <= 0 || (!gap && buffer == null))
        {
            return;
        }
        Streams streams = flows.get(flow.flowId());
        if (streams == null)
        {
            streams = new Streams(keepRuns);
            flows.put(flow.flowId(), streams);
        }
        if ((flags & FLAG_TAKEOVER_GAP) != 0)
        {
            streams.takeoverGap(toServer ? 0 : 1, length);
        }
        else
        {
            streams.add(toServer ? 0 : 1, length, gap);
        }
    }

    /**
     * A live flow's streams so far.
     *
     * @param flow the flow.
     * @return its streams (empty when nothing was reassembled).
     */
    Streams peek(final Flow flow)
    {
        final Streams streams = flows.get(flow.flowId());
        return streams == null ? NONE : streams;
    }

    /**
     * Take an ended flow's streams (and forget the flow).
     *
     * @param flow the flow.
     * @return its streams (empty when nothing was reassembled).
     */
    Streams remove(final Flow flow)
    {
        final Streams streams = flows.remove(flow.flowId());
        return streams == null ? new Streams(keepRuns) : streams;
    }
}
