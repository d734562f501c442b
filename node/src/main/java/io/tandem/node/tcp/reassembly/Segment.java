package io.tandem.node.tcp.reassembly;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * One queued piece of a direction's stream: a slot of payload bytes at a stream offset, linked in sequence order.
 * Segments never overlap inside a {@link SegmentList}; the list splits new data around what it already holds.
 */
public final class Segment
{
    /** Payload bytes a segment holds at most; longer payloads span several segments. */
    public static final int SLOT_BYTES = 2048;

    final UnsafeBuffer data = new UnsafeBuffer(new byte[SLOT_BYTES]);
    long offset;
    int length;
    Segment prev;
    Segment next;

    /**
     * Stream offset of the first byte (0 = the byte after the ISN).
     *
     * @return the offset.
     */
    public long offset()
    {
        return offset;
    }

    /**
     * Bytes held.
     *
     * @return the length.
     */
    public int length()
    {
        return length;
    }

    /**
     * Stream offset just past the last byte.
     *
     * @return the end offset.
     */
    public long end()
    {
        return offset + length;
    }

    /**
     * The payload bytes (the first {@link #length()} are valid).
     *
     * @return the buffer.
     */
    public UnsafeBuffer data()
    {
        return data;
    }
}
