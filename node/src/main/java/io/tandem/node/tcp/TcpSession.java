package io.tandem.node.tcp;

/**
 * A TCP session: two {@link TcpStreamTracker}s (client to server and server to client), the session state and
 * flags, and the bounded queue of alternative SYNs or SYN/ACKs seen during the handshake (Suricata's
 * {@code TcpSession} and {@code TcpStateQueue}). Sessions are preallocated by the {@link TcpSessionPool} and reused.
 * The queue's storage comes from the pool when the first alternative is queued and goes back with the session, so a
 * session that never queued one (almost all) carries no queue at all.
 * <p>
 * Fields are public for the state handlers and the HA serialiser; only the owning worker thread touches them.
 */
public final class TcpSession
{
    /** Session picked up midstream. */
    public static final int FLAG_MIDSTREAM = 0x0001;
    /** Midstream pickup on an ACK or data packet (established at once). */
    public static final int FLAG_MIDSTREAM_ESTABLISHED = 0x0002;
    /** Midstream pickup on a SYN/ACK. */
    public static final int FLAG_MIDSTREAM_SYNACK = 0x0004;
    /** Both sides use TCP timestamps. */
    public static final int FLAG_TIMESTAMP = 0x0008;
    /** The client's SYN carried a window scale option. */
    public static final int FLAG_SERVER_WSCALE = 0x0010;
    /** Session closed by an accepted RST. */
    public static final int FLAG_CLOSED_BY_RST = 0x0020;
    /** Only one direction is visible (async-oneside). */
    public static final int FLAG_ASYNC = 0x0040;
    /** 4-way (split) handshake: the server answered the SYN with a SYN. */
    public static final int FLAG_4WHS = 0x0080;
    /** The handshake looked like an evasion attempt (right seq, wrong ack). */
    public static final int FLAG_DETECTION_EVASION_ATTEMPT = 0x0100;
    /** The client's SYN offered SACK. */
    public static final int FLAG_CLIENT_SACKOK = 0x0200;
    /** SACK is in use (both sides offered it, or assumed midstream). */
    public static final int FLAG_SACKOK = 0x0400;
    /** TCP Fast Open was used on the SYN. */
    public static final int FLAG_TCP_FAST_OPEN = 0x0800;
    /** The queue holds SYN/ACKs (otherwise SYNs). */
    public static final int FLAG_QUEUE_SYNACK = 0x1000;
    /** A zero window probe was seen to the server. */
    public static final int FLAG_ZWP_TS = 0x2000;
    /** A zero window probe was seen to the client. */
    public static final int FLAG_ZWP_TC = 0x4000;
    /** The session is bypassed (no longer inspected). */
    public static final int FLAG_BYPASSED = 0x8000;
    /**
     * The SYN/ACK acknowledged only the SYN of a TCP Fast Open SYN with data: the client will retransmit, and its
     * next SYN on the tuple starts a new session (Suricata's STREAMTCP_FLAG_TFO_DATA_IGNORED).
     */
    public static final int FLAG_TFO_DATA_IGNORED = 0x10000;
    /**
     * Application-protocol detection found the first data of a session picked up midstream going the wrong way (a
     * response to the assumed server): the flow is reversed once the data being delivered is out.
     */
    public static final int FLAG_REVERSE_PENDING = 0x20000;
    /** The flow was reversed after protocol detection (Suricata's FLOW_DIR_REVERSED); it is never reversed again. */
    public static final int FLAG_REVERSED = 0x40000;
    /**
     * The server sent an ACK in ESTABLISHED, so it saw the handshake complete: a SYN/ACK resent after this is
     * suspicious (Suricata's STREAMTCP_FLAG_3WHS_CONFIRMED).
     */
    public static final int FLAG_3WHS_CONFIRMED = 0x80000;

    /** Queue entry flag: window scale option present. */
    public static final int QUEUE_WSCALE = 0x01;
    /** Queue entry flag: SACK permitted present. */
    public static final int QUEUE_SACKOK = 0x02;
    /** Queue entry flag: timestamps present. */
    public static final int QUEUE_TS = 0x04;

    /** Client to server direction (exchanged with {@link #server} only by {@link #swapDirections()}). */
    public TcpStreamTracker client = new TcpStreamTracker();
    /** Server to client direction. */
    public TcpStreamTracker server = new TcpStreamTracker();
    /** Current state. */
    public TcpState state = TcpState.NONE;
    /** Previous state. */
    public TcpState prevState = TcpState.NONE;
    /** Session flags ({@code FLAG_*}). */
    public int flags;
    /** TCP flags seen in both directions, or-ed. */
    public int tcpFlags;

    private static final int QUEUE_SEQ = 0;
    private static final int QUEUE_ACK = 1;
    private static final int QUEUE_WINDOW = 2;
    private static final int QUEUE_WSCALE_SHIFT = 3;
    private static final int QUEUE_TSVAL = 4;
    private static final int QUEUE_FLAGS = 5;
    /** Ints per queued handshake packet: seq, ack, raw window, window scale shift, TSval, {@code QUEUE_*} flags. */
    static final int QUEUE_ENTRY_INTS = 6;

    /** Number of queued handshake packets. */
    public int queueLength;
    /**
     * The reassembler's state for this session: null until the reassembler sees it, then a marker while both
     * directions are untouched, and per-direction state (from the reassembler's pool) once data or a gap needs it.
     */
    public Object reassembly;

    final int poolIndex;
    boolean inUse;
    /** The handshake queue's entries, {@link #QUEUE_ENTRY_INTS} ints each: null until the first is queued. */
    private int[] queue;
    private final TcpSessionPool pool;

    TcpSession(final int poolIndex, final TcpSessionPool pool)
    {
        this.poolIndex = poolIndex;
        this.pool = pool;
    }

    /**
     * Forget everything before reuse.
     */
    public void reset()
    {
        client.reset();
        server.reset();
        state = TcpState.NONE;
        prevState = TcpState.NONE;
        flags = 0;
        tcpFlags = 0;
        queueLength = 0;
        if (queue != null)
        {
            pool.releaseQueue(queue);
            queue = null;
        }
    }

    /**
     * Exchange the client and server sides: the flow was reversed, so what was seen as the client is the server
     * (Suricata's TcpStreamFlowSwap). Direction-bound session flags follow their side.
     */
    public void swapDirections()
    {
        final TcpStreamTracker formerClient = client;
        client = server;
        server = formerClient;
        final int zwp = flags & (FLAG_ZWP_TS | FLAG_ZWP_TC);
        flags &= ~(FLAG_ZWP_TS | FLAG_ZWP_TC);
        if ((zwp & FLAG_ZWP_TS) != 0)
        {
            flags |= FLAG_ZWP_TC;
        }
        if ((zwp & FLAG_ZWP_TC) != 0)
        {
            flags |= FLAG_ZWP_TS;
        }
    }

    /**
     * Whether a session flag is set.
     *
     * @param flag a {@code FLAG_*} bit.
     * @return true if set.
     */
    public boolean has(final int flag)
    {
        return (flags & flag) != 0;
    }

    /**
     * Whether a direction's initial sequence number is known: the client's once the session has a state (a SYN, or a
     * midstream pickup), the server's from SYN_RECV on.
     *
     * @param toServer true for the client's direction.
     * @return true when known.
     */
    public boolean isnKnown(final boolean toServer)
    {
        return toServer ? state != TcpState.NONE : state.ordinal() >= TcpState.SYN_RECV.ordinal();
    }

    /**
     * Queue capacity (the larger of max-syn-queued and max-synack-queued).
     *
     * @return entries.
     */
    public int queueCapacity()
    {
        return pool.queueCapacity();
    }

    /**
     * Append a handshake packet to the queue.
     *
     * @param seq    sequence number.
     * @param ack    acknowledgement number.
     * @param window raw window.
     * @param wscale window scale shift.
     * @param ts     TSval.
     * @param qflags {@code QUEUE_*} flags.
     * @return false when the queue is full.
     */
    public boolean enqueue(
        final int seq, final int ack, final int window, final int wscale, final int ts, final int qflags)
    {
        if (queueLength >= pool.queueCapacity())
        {
            return false;
        }
        if (queue == null)
        {
            queue = pool.acquireQueue();
        }
        final int at = queueLength++ * QUEUE_ENTRY_INTS;
        queue[at + QUEUE_SEQ] = seq;
        queue[at + QUEUE_ACK] = ack;
        queue[at + QUEUE_WINDOW] = window;
        queue[at + QUEUE_WSCALE_SHIFT] = wscale;
        queue[at + QUEUE_TSVAL] = ts;
        queue[at + QUEUE_FLAGS] = qflags;
        return true;
    }

    /**
     * A queued handshake packet's sequence number.
     *
     * @param index below {@link #queueLength}.
     * @return the sequence number.
     */
    public int queueSeq(final int index)
    {
        return queue[index * QUEUE_ENTRY_INTS + QUEUE_SEQ];
    }

    /**
     * A queued handshake packet's acknowledgement number.
     *
     * @param index below {@link #queueLength}.
     * @return the acknowledgement number.
     */
    public int queueAck(final int index)
    {
        return queue[index * QUEUE_ENTRY_INTS + QUEUE_ACK];
    }

    /**
     * A queued handshake packet's raw window.
     *
     * @param index below {@link #queueLength}.
     * @return the window.
     */
    public int queueWindow(final int index)
    {
        return queue[index * QUEUE_ENTRY_INTS + QUEUE_WINDOW];
    }

    /**
     * A queued handshake packet's window scale shift.
     *
     * @param index below {@link #queueLength}.
     * @return the shift.
     */
    public int queueWscale(final int index)
    {
        return queue[index * QUEUE_ENTRY_INTS + QUEUE_WSCALE_SHIFT];
    }

    /**
     * A queued handshake packet's TSval.
     *
     * @param index below {@link #queueLength}.
     * @return the TSval.
     */
    public int queueTs(final int index)
    {
        return queue[index * QUEUE_ENTRY_INTS + QUEUE_TSVAL];
    }

    /**
     * A queued handshake packet's {@code QUEUE_*} flags.
     *
     * @param index below {@link #queueLength}.
     * @return the flags.
     */
    public int queueFlags(final int index)
    {
        return queue[index * QUEUE_ENTRY_INTS + QUEUE_FLAGS];
    }

    /**
     * Slot of this session in its pool (a stable handle).
     *
     * @return the index.
     */
    public int poolIndex()
    {
        return poolIndex;
    }

    @Override
    public String toString()
    {
        return "TcpSession{state=" + state.eveName() + " flags=0x" + Integer.toHexString(flags) + " client[" +
            client + "] server[" + server + "]}";
    }
}
