package io.tandem.node.tcp.reassembly;

/**
 * One direction's reassembly state: where its stream starts, how far it was delivered to application and raw
 * consumers, its queued segments and its totals. Stream offsets are 64-bit (0 = the byte after the ISN); sequence
 * numbers are mapped to offsets relative to the delivery point, so wrapping and gaps of any size cost nothing.
 */
public final class ReassemblyStream
{
    final SegmentList list = new SegmentList();
    boolean initialised;
    int originSeq;
    long appProgress;
    long rawProgress;
    long bytes;
    long gaps;
    long gapBytes;
    int chunkSize;
    boolean depthReached;
    boolean depthDelivered;
    boolean rawDepthDelivered;
    boolean gapRaised;
    long urgentRemoved;
    long takeoverEnd;

    void reset()
    {
        initialised = false;
        originSeq = 0;
        appProgress = 0;
        rawProgress = 0;
        bytes = 0;
        gaps = 0;
        gapBytes = 0;
        chunkSize = 0;
        depthReached = false;
        depthDelivered = false;
        rawDepthDelivered = false;
        gapRaised = false;
        urgentRemoved = 0;
        takeoverEnd = 0;
    }

    /**
     * The stream offset of a sequence number (near the delivery point). Urgent bytes removed from the stream
     * (policy oob) shift every later offset back.
     *
     * @param seq a sequence number.
     * @return its offset.
     */
    long offset(final int seq)
    {
        final int anchorSeq = originSeq + (int)(appProgress + urgentRemoved);
        return appProgress + (seq - anchorSeq);
    }

    /**
     * Whether the stream has started (its origin is set).
     *
     * @return true once started.
     */
    public boolean initialised()
    {
        return initialised;
    }

    /**
     * The sequence number of the first byte not yet delivered to application consumers (valid once initialised).
     *
     * @return the sequence number.
     */
    public int deliverySeq()
    {
        return originSeq + (int)(appProgress + urgentRemoved);
    }

    /**
     * Data bytes delivered to application consumers.
     *
     * @return bytes.
     */
    public long bytes()
    {
        return bytes;
    }

    /**
     * Gaps declared.
     *
     * @return count.
     */
    public long gaps()
    {
        return gaps;
    }

    /**
     * Bytes declared missing.
     *
     * @return bytes.
     */
    public long gapBytes()
    {
        return gapBytes;
    }

    /**
     * Stream offset delivered to application consumers so far.
     *
     * @return the offset.
     */
    public long appProgress()
    {
        return appProgress;
    }

    /**
     * Queued segments.
     *
     * @return the list.
     */
    public SegmentList segments()
    {
        return list;
    }

    /**
     * Whether data reached the depth.
     *
     * @return true once reached.
     */
    public boolean depthReached()
    {
        return depthReached;
    }

    /**
     * This direction's raw chunk size (randomised once per direction when configured).
     *
     * @return bytes.
     */
    public int chunkSize()
    {
        return chunkSize;
    }
}
