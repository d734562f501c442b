package io.tandem.node.tcp;

import io.tandem.node.host.HostOsPolicy;

/**
 * One direction of a TCP session: the data one side sends and what the other side acknowledges of it (Suricata's
 * {@code TcpStream}). All sequence fields are 32-bit sequence numbers held in ints; compare them with {@link SeqNum}.
 * <p>
 * {@link #window()} is the window the receiver advertised, scaled by {@link #windowScale()} (the receiver's
 * window scale option), so {@code lastAck + window} is the right edge of what this side may send.
 * Fields are public, as in {@code Packet}: a plain per-worker record that the state handlers update and the HA
 * serialiser reads; only the owning worker thread touches it. The window scale and the TCP flags are narrow so a
 * tracker fits 64 bytes (two per session).
 */
public final class TcpStreamTracker
{
    /** Timestamps were seen on this direction's handshake packet. */
    public static final int FLAG_TIMESTAMP = 0x0001;
    /** The handshake used a zero timestamp value. */
    public static final int FLAG_ZERO_TIMESTAMP = 0x0002;
    /** A keep-alive was seen from this side (waiting for its ACK). */
    public static final int FLAG_KEEPALIVE = 0x0004;
    /** This side sent a RST that was accepted. */
    public static final int FLAG_RST_SENT = 0x0008;
    /** This side sent a FIN. */
    public static final int FLAG_FIN_SENT = 0x0010;
    /** Data of this direction was acknowledged without being seen (a sequence gap). */
    public static final int FLAG_GAP = 0x0020;
    /** Reassembly depth reached on this direction. */
    public static final int FLAG_DEPTH_REACHED = 0x0040;
    /** Window scaling is in use for this direction. */
    public static final int FLAG_WSCALE = 0x0080;
    /** HA takeover gap: bytes sent before this node took the session over were never seen here (not an evasion). */
    public static final int FLAG_TAKEOVER_GAP = 0x0100;
    /**
     * HA: this node took the session over; its view of this direction's stream starts at {@link #takeoverSeq}, stream
     * offset {@link #takeoverOffset}, and bytes it misses before {@link #takeoverEndSeq} are takeover gaps.
     */
    public static final int FLAG_TAKEN_OVER = 0x0200;

    /** Initial sequence number. */
    public int isn;
    /** Next sequence number expected from this side. */
    public int nextSeq;
    /** Highest acknowledgement the receiver sent for this direction. */
    public int lastAck;
    /** Right edge of the receive window ({@code lastAck + window}, never moving left). */
    public int nextWin;
    /** Scaled window the receiver advertised (bytes). */
    public long window;
    /** Window scale shift applied to the receiver's window field (0..14). */
    public byte windowScale;
    /** Whether this side offered SACK. */
    public boolean sackPermitted;
    /** Last valid TSval from this side. */
    public int lastTs;
    /** Packet time (seconds) of the last valid timestamp. */
    public long lastPktTsSeconds;
    /** Direction flags ({@code FLAG_*}). */
    public int flags;
    /**
     * HA: the first sequence number of the stream not yet inspected by the session's owner (replicated; the stream of
     * a node that takes the session over starts here, the owner inspected everything before).
     */
    public int takeoverSeq;
    /** HA: the owner's stream offset at {@link #takeoverSeq} (bytes of this direction it passed, gaps included). */
    public long takeoverOffset;
    /** HA, with {@link #FLAG_TAKEN_OVER}: {@link #nextSeq} when this node took over (the owner had seen up to it). */
    public int takeoverEndSeq;
    /** TCP flags seen from this side, or-ed. */
    public short tcpFlags;
    /** Host OS policy of this direction's receiver (null until looked up). */
    public HostOsPolicy osPolicy;

    /**
     * Forget everything (the session goes back to the pool).
     */
    public void reset()
    {
        isn = 0;
        nextSeq = 0;
        lastAck = 0;
        nextWin = 0;
        window = 0;
        windowScale = 0;
        sackPermitted = false;
        lastTs = 0;
        lastPktTsSeconds = 0;
        flags = 0;
        takeoverSeq = 0;
        takeoverOffset = 0;
        takeoverEndSeq = 0;
        tcpFlags = 0;
        osPolicy = null;
    }

    /**
     * Copy another tracker's state.
     *
     * @param other to copy.
     */
    public void copyFrom(final TcpStreamTracker other)
    {
        isn = other.isn;
        nextSeq = other.nextSeq;
        lastAck = other.lastAck;
        nextWin = other.nextWin;
        window = other.window;
        windowScale = other.windowScale;
        sackPermitted = other.sackPermitted;
        lastTs = other.lastTs;
        lastPktTsSeconds = other.lastPktTsSeconds;
        flags = other.flags;
        tcpFlags = other.tcpFlags;
        osPolicy = other.osPolicy;
    }

    /**
     * Restore the state (HA takeover).
     *
     * @param isnValue           ISN.
     * @param nextSeqValue       next sequence.
     * @param lastAckValue       last ACK.
     * @param windowValue        scaled window.
     * @param windowScaleValue   window scale.
     * @param sackPermittedValue SACK permitted.
     * @param lastTsValue        last TSval.
     * @param flagsValue         {@code FLAG_*} bits.
     * @return this.
     */
    public TcpStreamTracker restore(
        final int isnValue,
        final int nextSeqValue,
        final int lastAckValue,
        final long windowValue,
        final int windowScaleValue,
        final boolean sackPermittedValue,
        final int lastTsValue,
        final int flagsValue)
    {
        isn = isnValue;
        nextSeq = nextSeqValue;
        lastAck = lastAckValue;
        window = windowValue;
        windowScale = (byte)windowScaleValue;
        sackPermitted = sackPermittedValue;
        lastTs = lastTsValue;
        flags = flagsValue;
        nextWin = lastAck + (int)window;
        return this;
    }

    /**
     * Whether a direction flag is set.
     *
     * @param flag a {@code FLAG_*} bit.
     * @return true if set.
     */
    public boolean has(final int flag)
    {
        return (flags & flag) != 0;
    }

    /**
     * Move {@link #lastAck} forward (never back).
     *
     * @param ack acknowledgement seen.
     */
    public void updateLastAck(final int ack)
    {
        if (SeqNum.gt(ack, lastAck))
        {
            lastAck = ack;
        }
    }

    /**
     * Move {@link #nextSeq} forward (never back).
     *
     * @param seq end of the data seen.
     */
    public void updateNextSeq(final int seq)
    {
        if (SeqNum.gt(seq, nextSeq))
        {
            nextSeq = seq;
        }
    }

    /**
     * Move {@link #nextWin} to {@code lastAck + window} when that is further right.
     */
    public void updateNextWin()
    {
        final int win = lastAck + (int)window;
        if (SeqNum.gt(win, nextWin))
        {
            nextWin = win;
        }
    }

    @Override
    public String toString()
    {
        return "isn=" + SeqNum.unsigned(isn) + " next_seq=" + SeqNum.unsigned(nextSeq) + " last_ack=" +
            SeqNum.unsigned(lastAck) + " window=" + window + " wscale=" + windowScale + " flags=0x" +
            Integer.toHexString(flags);
    }
}
