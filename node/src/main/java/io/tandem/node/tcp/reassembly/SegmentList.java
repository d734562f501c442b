package io.tandem.node.tcp.reassembly;

import io.tandem.node.host.HostOsPolicy;
import org.agrona.MutableDirectBuffer;

/**
 * One direction's queued segments in stream order. New data is judged against every queued segment it overlaps
 * ({@link OverlapResolver}), the winning bytes are written over the queued ones, and only the parts not yet held are
 * added as new segments, so queued segments never overlap and an exact duplicate adds nothing.
 */
public final class SegmentList
{
    /** Insert result bit: the new data overlapped queued data. */
    public static final int OVERLAP = 0x01;
    /** Insert result bit: overlapping bytes differed (only when compared). */
    public static final int DIFFERENT = 0x02;
    /** Insert result bit: nothing new was added (the data was already held). */
    public static final int DUPLICATE = 0x04;
    /** Insert result bit: the memcap refused (part of) the data. */
    public static final int MEMCAP = 0x08;
    /** Insert result bit: the new data's bytes were replaced by queued bytes somewhere (the packet was normalised). */
    public static final int REWRITTEN = 0x10;

    private Segment head;
    private Segment tail;
    private int count;
    private long bytes;
    private int lastOverlaps;

    /**
     * Insert data.
     *
     * @param start   stream offset of the first byte.
     * @param data    the bytes, at index 0; overwritten with the bytes the stream keeps where queued data wins.
     * @param length  number of bytes.
     * @param policy  the receiver's overlap policy.
     * @param compare compare overlapping bytes (otherwise they are assumed different, as Suricata does).
     * @param pool    where new segments come from.
     * @return a mask of {@link #OVERLAP}, {@link #DIFFERENT}, {@link #DUPLICATE}, {@link #MEMCAP}, {@link #REWRITTEN}.
     */
    public int insert(
        final long start,
        final MutableDirectBuffer data,
        final int length,
        final HostOsPolicy policy,
        final boolean compare,
        final SegmentPool pool)
    {
        final long end = start + length;
        lastOverlaps = 0;
        int result = 0;
        Segment first = tail;
        while (first != null && first.prev != null && first.prev.end() > start)
        {
            first = first.prev;
        }
        if (first != null && first.end() <= start)
        {
            first = first.next;
        }

        for (Segment s = first; s != null && s.offset < end; s = s.next)
        {
            final long os = Math.max(start, s.offset);
            final long oe = Math.min(end, s.end());
            final int n = (int)(oe - os);
            final int newIndex = (int)(os - start);
            final int oldIndex = (int)(os - s.offset);
            boolean differ = true;
            if (compare)
            {
                differ = !equal(data, newIndex, s.data, oldIndex, n);
                if (differ)
                {
                    result |= DIFFERENT;
                }
            }
            result |= OVERLAP;
            lastOverlaps++;
            if (differ && !OverlapResolver.useNewData(policy, start, end, s.offset, s.end(), true))
            {
                data.putBytes(newIndex, s.data, oldIndex, n);
                if (compare)
                {
                    result |= REWRITTEN;
                }
            }
        }

        long cursor = start;
        Segment s = first;
        boolean added = false;
        while (cursor < end)
        {
            if (s != null && s.offset < end)
            {
                if (s.offset > cursor)
                {
                    if (!fill(cursor, s.offset, start, data, s, pool))
                    {
                        return result | MEMCAP;
                    }
                    added = true;
                }
                final long os = Math.max(cursor, s.offset);
                final long oe = Math.min(end, s.end());
                s.data.putBytes((int)(os - s.offset), data, (int)(os - start), (int)(oe - os));
                cursor = oe;
                s = s.next;
            }
            else
            {
                if (!fill(cursor, end, start, data, s, pool))
                {
                    return result | MEMCAP;
                }
                added = true;
                cursor = end;
            }
        }
        return added ? result : result | DUPLICATE;
    }

    private boolean fill(
        final long from,
        final long to,
        final long start,
        final MutableDirectBuffer data,
        final Segment before,
        final SegmentPool pool)
    {
        long at = from;
        while (at < to)
        {
            final int n = (int)Math.min(Segment.SLOT_BYTES, to - at);
            final Segment seg = pool.acquire(n);
            if (seg == null)
            {
                return false;
            }
            seg.offset = at;
            seg.data.putBytes(0, data, (int)(at - start), n);
            link(seg, before);
            at += n;
        }
        return true;
    }

    private void link(final Segment seg, final Segment before)
    {
        if (before == null)
        {
            seg.prev = tail;
            if (tail == null)
            {
                head = seg;
            }
            else
            {
                tail.next = seg;
            }
            tail = seg;
        }
        else
        {
            seg.next = before;
            seg.prev = before.prev;
            if (before.prev == null)
            {
                head = seg;
            }
            else
            {
                before.prev.next = seg;
            }
            before.prev = seg;
        }
        count++;
        bytes += seg.length;
    }

    private static boolean equal(
        final MutableDirectBuffer a, final int aIndex, final MutableDirectBuffer b, final int bIndex, final int n)
    {
        for (int i = 0; i < n; i++)
        {
            if (a.getByte(aIndex + i) != b.getByte(bIndex + i))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Remove the first segment and give it back to the pool.
     *
     * @param pool the pool.
     */
    public void removeHead(final SegmentPool pool)
    {
        final Segment s = head;
        if (s != null)
        {
            head = s.next;
            if (head == null)
            {
                tail = null;
            }
            else
            {
                head.prev = null;
            }
            count--;
            bytes -= s.length;
            pool.release(s);
        }
    }

    /**
     * Give every segment back.
     *
     * @param pool the pool.
     */
    public void clear(final SegmentPool pool)
    {
        while (head != null)
        {
            removeHead(pool);
        }
    }

    /**
     * The first segment.
     *
     * @return it, or null when empty.
     */
    public Segment head()
    {
        return head;
    }

    /**
     * The last segment.
     *
     * @return it, or null when empty.
     */
    public Segment tail()
    {
        return tail;
    }

    /**
     * The segment after another.
     *
     * @param s a queued segment.
     * @return the next one, or null.
     */
    public static Segment next(final Segment s)
    {
        return s.next;
    }

    /**
     * Queued segments.
     *
     * @return count.
     */
    public int count()
    {
        return count;
    }

    /**
     * Queued payload bytes.
     *
     * @return bytes.
     */
    public long bytes()
    {
        return bytes;
    }

    /**
     * Queued segments the last insert overlapped.
     *
     * @return count.
     */
    public int lastOverlaps()
    {
        return lastOverlaps;
    }
}
