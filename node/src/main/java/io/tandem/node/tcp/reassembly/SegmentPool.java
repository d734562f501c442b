package io.tandem.node.tcp.reassembly;

/**
 * A worker's preallocated segments ({@code stream.reassembly.segment-prealloc}). The payload bytes of segments in
 * use are counted against {@code stream.reassembly.memcap}; when the pool runs dry it grows (counted) while the memcap
 * allows, so a steady state allocates nothing.
 */
public final class SegmentPool
{
    private final long memcapBytes;
    private Segment free;
    private int freeCount;
    private long usedBytes;
    private long inUse;
    private long grown;
    private long memcapHits;

    /**
     * A pool.
     *
     * @param prealloc    segments created up front.
     * @param memcapBytes payload bytes that may be queued at once; 0 = no limit.
     */
    public SegmentPool(final int prealloc, final long memcapBytes)
    {
        this.memcapBytes = memcapBytes;
        for (int i = 0; i < prealloc; i++)
        {
            final Segment s = new Segment();
            s.next = free;
            free = s;
            freeCount++;
        }
    }

    /**
     * Take a segment for {@code length} payload bytes.
     *
     * @param length bytes it will hold (at most {@link Segment#SLOT_BYTES}).
     * @return the segment, or null when the memcap does not allow it.
     */
    public Segment acquire(final int length)
    {
        if (memcapBytes > 0 && usedBytes + length > memcapBytes)
        {
            memcapHits++;
            return null;
        }
        Segment s = free;
        if (s == null)
        {
            s = new Segment();
            grown++;
        }
        else
        {
            free = s.next;
            freeCount--;
        }
        s.next = null;
        s.prev = null;
        s.length = length;
        usedBytes += length;
        inUse++;
        return s;
    }

    /**
     * Give a segment back.
     *
     * @param s the segment.
     */
    public void release(final Segment s)
    {
        usedBytes -= s.length;
        inUse--;
        s.length = 0;
        s.prev = null;
        s.next = free;
        free = s;
        freeCount++;
    }

    /**
     * Payload bytes in queued segments.
     *
     * @return bytes.
     */
    public long usedBytes()
    {
        return usedBytes;
    }

    /**
     * Segments in use.
     *
     * @return count.
     */
    public long inUse()
    {
        return inUse;
    }

    /**
     * Segments on the free list.
     *
     * @return count.
     */
    public int freeCount()
    {
        return freeCount;
    }

    /**
     * Segments created after preallocation.
     *
     * @return count.
     */
    public long grown()
    {
        return grown;
    }

    /**
     * Times a segment was refused by the memcap.
     *
     * @return count.
     */
    public long memcapHits()
    {
        return memcapHits;
    }
}
