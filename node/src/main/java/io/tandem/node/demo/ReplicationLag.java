package io.tandem.node.demo;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Replication lag of the failover demo, per session message: from the moment the active node's HA manager hands a
 * message over (end of its batch) to the moment the standby's HA manager has applied it. Both nodes run in one
 * process, so one {@link System#nanoTime()} serves both sides. The active's thread records send times into a
 * single-producer single-consumer ring; the standby's thread takes one per message applied (messages arrive in the
 * order they were sent) and keeps the differences. Percentiles are exact: the samples are sorted.
 */
final class ReplicationLag
{
    private static final int RING_CAPACITY = 1 << 21;
    private static final int MASK = RING_CAPACITY - 1;

    private final long[] sentNs = new long[RING_CAPACITY];
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong applied = new AtomicLong();
    private long unmeasured;
    private long unmatched;
    private long[] samples = new long[1 << 16];
    private int sampleCount;
    private boolean sorted;

    /**
     * The active handed messages over now (active's thread).
     *
     * @param messages how many.
     */
    void sent(final int messages)
    {
        final long nowNs = System.nanoTime();
        long tail = sent.get();
        for (int i = 0; i < messages; i++)
        {
            if (tail - applied.get() >= RING_CAPACITY)
            {
                unmeasured++;
                continue;
            }
            sentNs[(int)(tail & MASK)] = nowNs;
            tail++;
        }
        sent.lazySet(tail);
    }

    /**
     * The standby applied messages now (standby's thread).
     *
     * @param messages how many.
     */
    void applied(final int messages)
    {
        if (messages <= 0)
        {
            return;
        }
        final long nowNs = System.nanoTime();
        long head = applied.get();
        final long tail = sent.get();
        for (int i = 0; i < messages; i++)
        {
            if (head >= tail)
            {
                unmatched++;
                continue;
            }
            record(nowNs - sentNs[(int)(head & MASK)]);
            head++;
        }
        applied.lazySet(head);
    }

    /**
     * Samples taken.
     *
     * @return the count.
     */
    int samples()
    {
        return sampleCount;
    }

    /**
     * Messages that could not be measured (the ring was full, or a message was applied that was never recorded).
     *
     * @return the count.
     */
    long unmeasured()
    {
        return unmeasured + unmatched;
    }

    /**
     * The lag at a percentile (call once the standby's thread stopped).
     *
     * @param percentile 0..100.
     * @return nanoseconds, 0 without samples.
     */
    long percentileNs(final double percentile)
    {
        if (sampleCount == 0)
        {
            return 0;
        }
        if (!sorted)
        {
            Arrays.sort(samples, 0, sampleCount);
            sorted = true;
        }
        final int rank = (int)Math.ceil(percentile / 100.0 * sampleCount);
        return samples[Math.min(sampleCount, Math.max(1, rank)) - 1];
    }

    private void record(final long lagNs)
    {
        if (sampleCount == samples.length)
        {
            samples = Arrays.copyOf(samples, samples.length * 2);
        }
        samples[sampleCount++] = lagNs;
        sorted = false;
    }
}
