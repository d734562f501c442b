package io.tandem.node.tcp;

import java.util.Arrays;

/**
 * Preallocated TCP sessions of one worker, bounded by {@code stream.memcap}: {@code prealloc-sessions} are built at
 * start, more on demand until the memcap's share is used up, and then {@link #acquire()} fails and counts a memcap
 * hit. A SYN flood therefore never grows the heap past the cap.
 */
public final class TcpSessionPool
{
    /**
     * Bytes accounted per session, not counting its handshake queue entries: what the heap may hold for it, so
     * {@code stream.memcap} bounds the heap, as a SYN flood shows. With compact object headers (as {@code bin/tandem}
     * runs, measured by {@code tandem bench --memory} and the class histogram): the session (56 bytes) and its two
     * trackers (72 each), the reassembly state a session carries once it has data (272: {@code ReassemblySession} 32,
     * two streams of 88, two segment lists of 32), the header of its handshake queue block (16, when one is taken) and
     * its two pool slots (8). An idle session without data holds only the first 200 of these.
     */
    public static final int SESSION_BYTES = 496;
    /** Bytes accounted per handshake queue entry (six ints). */
    public static final int QUEUE_ENTRY_BYTES = 24;

    private final int queueCapacity;
    private final long bytesPerSession;
    private final boolean unbounded;
    private TcpSession[] sessions;
    private int[] free;
    private int freeCount;
    private int created;
    private int inUse;
    private long memcapHits;
    private int[][] freeQueues = new int[16][];
    private int freeQueueCount;

    /**
     * Create a pool.
     *
     * @param memcapBytes   memory for sessions and their queues; 0 means no limit.
     * @param prealloc      sessions built at once.
     * @param queueCapacity handshake queue entries per session.
     */
    public TcpSessionPool(final long memcapBytes, final int prealloc, final int queueCapacity)
    {
        this.queueCapacity = queueCapacity;
        bytesPerSession = SESSION_BYTES + (long)queueCapacity * QUEUE_ENTRY_BYTES;
        unbounded = memcapBytes <= 0;
        final int maxSessions = unbounded ? Integer.MAX_VALUE - 8 :
            (int)Math.min(Integer.MAX_VALUE - 8, memcapBytes / bytesPerSession);
        final int initial = Math.max(0, Math.min(prealloc, maxSessions));
        final int length = unbounded ? Math.max(initial, 16) : maxSessions;
        sessions = new TcpSession[length];
        free = new int[length];
        for (int i = 0; i < initial; i++)
        {
            sessions[i] = new TcpSession(i, this);
            free[freeCount++] = i;
        }
        created = initial;
    }

    /**
     * Take a session, reset.
     *
     * @return the session, or null when the memcap is reached (counted).
     */
    public TcpSession acquire()
    {
        final TcpSession s;
        if (freeCount > 0)
        {
            s = sessions[free[--freeCount]];
        }
        else
        {
            if (created == sessions.length && unbounded)
            {
                sessions = Arrays.copyOf(sessions, sessions.length * 2);
                free = Arrays.copyOf(free, free.length * 2);
            }
            if (created == sessions.length)
            {
                memcapHits++;
                return null;
            }
            s = new TcpSession(created, this);
            sessions[created++] = s;
        }
        s.reset();
        s.inUse = true;
        inUse++;
        return s;
    }

    /**
     * Give a session back.
     *
     * @param s a session of this pool.
     */
    public void release(final TcpSession s)
    {
        if (s.inUse)
        {
            s.inUse = false;
            s.reset();
            free[freeCount++] = s.poolIndex;
            inUse--;
        }
    }

    /**
     * Handshake queue entries per session.
     *
     * @return the capacity.
     */
    public int queueCapacity()
    {
        return queueCapacity;
    }

    /**
     * Storage for one session's handshake queue: a free one, or a new one while none is free.
     *
     * @return {@link #queueCapacity()} entries of {@link TcpSession#QUEUE_ENTRY_INTS} ints.
     */
    int[] acquireQueue()
    {
        if (freeQueueCount > 0)
        {
            final int[] queue = freeQueues[--freeQueueCount];
            freeQueues[freeQueueCount] = null;
            return queue;
        }
        return new int[queueCapacity * TcpSession.QUEUE_ENTRY_INTS];
    }

    /**
     * Give a session's handshake queue storage back.
     *
     * @param queue from {@link #acquireQueue()}.
     */
    void releaseQueue(final int[] queue)
    {
        if (freeQueueCount == freeQueues.length)
        {
            freeQueues = Arrays.copyOf(freeQueues, freeQueues.length * 2);
        }
        freeQueues[freeQueueCount++] = queue;
    }

    /**
     * Session by handle.
     *
     * @param poolIndex a session's {@link TcpSession#poolIndex()}.
     * @return the session.
     */
    public TcpSession session(final int poolIndex)
    {
        return sessions[poolIndex];
    }

    /**
     * Sessions in use.
     *
     * @return the count.
     */
    public int inUse()
    {
        return inUse;
    }

    /**
     * Most sessions the memcap allows.
     *
     * @return the count, or {@link Integer#MAX_VALUE} without a memcap.
     */
    public int maxSessions()
    {
        return unbounded ? Integer.MAX_VALUE : sessions.length;
    }

    /**
     * Times a session was wanted and the memcap refused it.
     *
     * @return the count.
     */
    public long memcapHits()
    {
        return memcapHits;
    }

    /**
     * Bytes accounted against the memcap now.
     *
     * @return bytes.
     */
    public long memuseBytes()
    {
        return created * bytesPerSession;
    }
}
