package io.tandem.node.tcp.reassembly;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import io.tandem.node.applayer.StreamConsumer;
import io.tandem.node.decode.Packet;
import io.tandem.node.flow.Flow;
import io.tandem.node.flow.FlowState;
import io.tandem.node.host.HostOsPolicy;
import io.tandem.node.stats.StatsSink;
import io.tandem.node.stats.StatsSource;
import io.tandem.node.tcp.SeqNum;
import io.tandem.node.tcp.TcpEngine;
import io.tandem.node.tcp.TcpSession;
import io.tandem.node.tcp.TcpState;
import io.tandem.node.tcp.TcpStreamEvent;
import io.tandem.node.tcp.TcpStreamTracker;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A worker's TCP stream reassembler: queues each accepted data segment in its direction's {@link SegmentList}
 * (overlaps resolved by the receiver's host-OS policy), and hands the stream to {@link StreamConsumer}s in order.
 * In IDS mode data is delivered once the other side ACKed it; in inline mode (or on an asynchronous session) as soon
 * as it is contiguous, and an overlapping retransmission with different data is normalised to the bytes already
 * accepted. Data the receiver ACKed but was never seen is a gap. What is still queued is delivered when the flow
 * ends, unacknowledged data up to its first hole. Call {@link #handle} after the TCP engine handled each packet
 * and {@link #flowEnd} before a flow's records are written.
 */
public final class Reassembler implements StatsSource
{
    /** Urgent bytes taken out of band per direction before {@code oob-limit-policy} applies (Suricata's). */
    public static final int URGENT_OOB_LIMIT = 65_535;

    private static final int MAX_CHUNK_BYTES = 65_535 * 2;
    private static final int MAX_PAYLOAD_BYTES = 65_535 + 64;

    /**
     * What happens to urgent data ({@code stream.reassembly.urgent.policy} and {@code oob-limit-policy}), as
     * Suricata does it: the urgent byte is the last byte of a packet whose urgent pointer points into its payload.
     */
    public enum UrgentPolicy
    {
        /** The urgent byte stays in the stream. */
        INLINE,
        /** The urgent byte is taken out of the stream (out of band); later bytes close up. */
        OOB,
        /** The urgent byte is left out and reported as a one-byte gap. */
        GAP,
        /**
         * Inline mode: a packet with the URG flag is dropped (the TCP engine's verdict) and never reaches the
         * stream; in IDS mode nothing can be dropped and the data stays inline. As {@code oob-limit-policy}: an
         * urgent packet past the out-of-band limit is not added to the stream (and dropped inline).
         */
        DROP;

        /**
         * Parse a configuration value.
         *
         * @param name inline, oob, gap or drop.
         * @return the policy.
         */
        public static UrgentPolicy fromName(final String name)
        {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        }
    }

    /**
     * Settings ({@code stream.reassembly.*}); Suricata's defaults.
     */
    public static final class Context
    {
        private long memcapBytes = 256L * 1024 * 1024;
        private String memcapPolicy = "ignore";
        private long depthBytes = 1024 * 1024;
        private int toServerChunkSize = 2560;
        private int toClientChunkSize = 2560;
        private boolean randomizeChunkSize = true;
        private int randomizeChunkRange = 10;
        private long chunkSeed = 0x5EED_C0DEL;
        private boolean raw = true;
        private int segmentPrealloc = 2048;
        private boolean checkOverlapDifferentData;
        private long maxQueuedBytes = 1024 * 1024;
        private int maxQueuedSegments = 2621;
        private int maxOverlaps = 1024;
        private UrgentPolicy urgentPolicy = UrgentPolicy.INLINE;
        private UrgentPolicy urgentOobLimitPolicy = UrgentPolicy.DROP;

        /**
         * Payload bytes queued at once per worker; 0 = no limit ({@code memcap}).
         *
         * @param value bytes.
         * @return this.
         */
        public Context memcapBytes(final long value)
        {
            memcapBytes = value;
            return this;
        }

        /**
         * What to do at the memcap ({@code memcap-policy}): the segment is always refused and counted; with
         * {@code drop-flow}, {@code pass-flow}, {@code bypass} or {@code reject} the session's reassembly also stops
         * for good (nothing more is queued for either direction; what is queued is still delivered). Packet verdicts
         * are the TCP engine's.
         *
         * @param value the policy name.
         * @return this.
         */
        public Context memcapPolicy(final String value)
        {
            memcapPolicy = value;
            return this;
        }

        /**
         * Bytes reassembled per direction; 0 = unlimited ({@code depth}).
         *
         * @param value bytes.
         * @return this.
         */
        public Context depthBytes(final long value)
        {
            depthBytes = value;
            return this;
        }

        /**
         * Raw chunk size of the client's data ({@code toserver-chunk-size}).
         *
         * @param value bytes.
         * @return this.
         */
        public Context toServerChunkSize(final int value)
        {
            toServerChunkSize = value;
            return this;
        }

        /**
         * Raw chunk size of the server's data ({@code toclient-chunk-size}).
         *
         * @param value bytes.
         * @return this.
         */
        public Context toClientChunkSize(final int value)
        {
            toClientChunkSize = value;
            return this;
        }

        /**
         * Vary chunk sizes ({@code randomize-chunk-size}).
         *
         * @param value on or off.
         * @return this.
         */
        public Context randomizeChunkSize(final boolean value)
        {
            randomizeChunkSize = value;
            return this;
        }

        /**
         * Width of the variation in percent ({@code randomize-chunk-range}): a chunk size varies by up to
         * ±range/2 % of the configured size, as Suricata's {@code size * (r - 0.5) * range / 100}.
         *
         * @param value percent, 0..99.
         * @return this.
         */
        public Context randomizeChunkRange(final int value)
        {
            randomizeChunkRange = value;
            return this;
        }

        /**
         * Seed of the chunk size randomisation (deterministic runs).
         *
         * @param value the seed.
         * @return this.
         */
        public Context chunkSeed(final long value)
        {
            chunkSeed = value;
            return this;
        }

        /**
         * Deliver raw chunks ({@code raw}).
         *
         * @param value on or off.
         * @return this.
         */
        public Context raw(final boolean value)
        {
            raw = value;
            return this;
        }

        /**
         * Segments preallocated ({@code segment-prealloc}).
         *
         * @param value count.
         * @return this.
         */
        public Context segmentPrealloc(final int value)
        {
            segmentPrealloc = value;
            return this;
        }

        /**
         * Compare overlapping bytes and raise {@code reassembly_overlap_different_data}
         * ({@code check-overlap-different-data}; always on in inline mode).
         *
         * @param value on or off.
         * @return this.
         */
        public Context checkOverlapDifferentData(final boolean value)
        {
            checkOverlapDifferentData = value;
            return this;
        }

        /**
         * Queued bytes per direction of a session; 0 = no limit ({@code max-queued-bytes}).
         *
         * @param value bytes.
         * @return this.
         */
        public Context maxQueuedBytes(final long value)
        {
            maxQueuedBytes = value;
            return this;
        }

        /**
         * Queued segments per direction of a session; 0 = no limit ({@code max-queued-segments}).
         *
         * @param value count.
         * @return this.
         */
        public Context maxQueuedSegments(final int value)
        {
            maxQueuedSegments = value;
            return this;
        }

        /**
         * Overlapping segments accepted per session; 0 = no limit ({@code max-overlaps}).
         *
         * @param value count.
         * @return this.
         */
        public Context maxOverlaps(final int value)
        {
            maxOverlaps = value;
            return this;
        }

        /**
         * Urgent data policy ({@code urgent.policy}).
         *
         * @param value the policy.
         * @return this.
         */
        public Context urgentPolicy(final UrgentPolicy value)
        {
            urgentPolicy = value;
            return this;
        }

        /**
         * What to do with urgent data once {@link #URGENT_OOB_LIMIT} bytes of a direction were taken out of band
         * ({@code urgent.oob-limit-policy}: inline, gap or drop; only with policy oob).
         *
         * @param value the policy.
         * @return this.
         */
        public Context urgentOobLimitPolicy(final UrgentPolicy value)
        {
            if (value == UrgentPolicy.OOB)
            {
                throw new IllegalArgumentException("stream.reassembly.urgent.oob-limit-policy: oob is not one of " +
                    "inline, gap, drop");
            }
            urgentOobLimitPolicy = value;
            return this;
        }

        /**
         * The memcap policy name.
         *
         * @return the name.
         */
        public String memcapPolicy()
        {
            return memcapPolicy;
        }

        /**
         * The depth.
         *
         * @return bytes, 0 = unlimited.
         */
        public long depthBytes()
        {
            return depthBytes;
        }
    }

    /**
     * A session's reassembly state while both directions are untouched: the reassembler has seen the session
     * (its streams end with EOF) but needs no per-direction state yet, so an idle session carries none.
     */
    private static final Object ENGAGED = new Object();

    private final Context ctx;
    private final TcpEngine engine;
    private final StreamConsumer[] consumers;
    private final StreamConsumer[] rawConsumers;
    private final boolean rawEnabled;
    private final SegmentPool pool;
    private ReassemblySession[] freeSessions = new ReassemblySession[16];
    private int freeSessionCount;
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[MAX_PAYLOAD_BYTES]);
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer chunk = new UnsafeBuffer(new byte[MAX_CHUNK_BYTES]);
    private boolean payloadRewritten;
    private boolean packetDropped;
    private int payloadLength;
    private boolean payloadCopied;
    private DirectBuffer packetBuffer;
    private int packetPayloadOffset;

    private long segmentsInserted;
    private long overlapCount;
    private long overlapDifferent;
    private long duplicates;
    private long gapCount;
    private long gapBytes;
    private long takeoverGapCount;
    private long takeoverGapBytes;
    private long memcapDrops;
    private long queueLimitDrops;
    private long overlapLimitDrops;
    private long depthReachedCount;
    private long beforeBase;
    private long urgentBytes;
    private long urgentDropped;
    private long rstPayloadIgnored;
    private long chunks;
    private long memcapStopped;
    private final boolean stopAtMemcap;

    /**
     * A reassembler.
     *
     * @param ctx       settings.
     * @param engine    the worker's TCP engine (sessions, host-OS policies, events, depth and gap notices).
     * @param consumers told about the streams.
     */
    public Reassembler(final Context ctx, final TcpEngine engine, final List<StreamConsumer> consumers)
    {
        this.ctx = ctx;
        this.engine = engine;
        this.consumers = consumers.toArray(new StreamConsumer[0]);
        this.rawConsumers = consumers.stream().filter(StreamConsumer::wantsRaw).toArray(StreamConsumer[]::new);
        this.rawEnabled = ctx.raw && rawConsumers.length > 0;
        this.pool = new SegmentPool(ctx.segmentPrealloc, ctx.memcapBytes);
        this.stopAtMemcap = switch (ctx.memcapPolicy)
        {
            case "drop-flow", "pass-flow", "bypass", "reject" -> true;
            default -> false;
        };
    }

    /**
     * Reassemble after the TCP engine handled a packet: queue its data (when the engine accepted it and it is not a
     * RST) and deliver what either direction may now release.
     *
     * @param p        the packet.
     * @param flow     its flow.
     * @param toServer its direction.
     * @param accepted whether the TCP engine accepted the packet.
     * @return {@link TcpEngine#VERDICT_DROP} when reassembly drops the packet (inline mode: urgent data past the
     *         out-of-band limit with {@code oob-limit-policy: drop}), else {@link TcpEngine#VERDICT_PASS}.
     */
    public int handle(final Packet p, final Flow flow, final boolean toServer, final boolean accepted)
    {
        payloadRewritten = false;
        packetDropped = false;
        payloadLength = 0;
        payloadCopied = false;
        packetBuffer = null;
        final TcpSession ssn = TcpEngine.session(flow);
        if (ssn == null || ssn.state == TcpState.NONE)
        {
            return TcpEngine.VERDICT_PASS;
        }
        final boolean queue = p.payloadLength > 0 && (p.tcpFlags & Packet.TH_RST) == 0 && accepted &&
            flow.state() != FlowState.BYPASSED;
        if (p.payloadLength > 0 && (p.tcpFlags & Packet.TH_RST) != 0)
        {
            rstPayloadIgnored++;
        }
        if (!(ssn.reassembly instanceof ReassemblySession) && !queue && !stateNeeded(ssn))
        {
            ssn.reassembly = ENGAGED;
            return TcpEngine.VERDICT_PASS;
        }
        final ReassemblySession rs = session(ssn);
        if (queue)
        {
            insert(p, flow, ssn, rs, toServer);
        }
        deliver(p, flow, ssn, rs, true, false);
        deliver(p, flow, ssn, rs, false, false);
        if (ssn.has(TcpSession.FLAG_REVERSE_PENDING))
        {
            reverse(flow, ssn, rs);
            deliver(p, flow, ssn, rs, true, false);
            deliver(p, flow, ssn, rs, false, false);
        }
        return packetDropped ? TcpEngine.VERDICT_DROP : TcpEngine.VERDICT_PASS;
    }

    private void reverse(final Flow flow, final TcpSession ssn, final ReassemblySession rs)
    {
        engine.reverse(flow, ssn);
        rs.swap();
        directionReversed(flow);
    }

    /**
     * A flow was reversed (its key and counters already swapped): every consumer swaps its per-direction state.
     *
     * @param flow the reversed flow.
     */
    public void directionReversed(final Flow flow)
    {
        for (final StreamConsumer c : consumers)
        {
            c.onDirectionReversed(flow);
        }
    }

    /**
     * A UDP datagram: its payload goes to every consumer's {@link StreamConsumer#onDatagram}.
     *
     * @param p        the packet.
     * @param flow     its flow.
     * @param toServer its direction.
     */
    public void datagram(final Packet p, final Flow flow, final boolean toServer)
    {
        if (p.payloadLength > 0)
        {
            for (final StreamConsumer c : consumers)
            {
                c.onDatagram(flow, toServer, p.buffer, p.payloadOffset, p.payloadLength);
            }
        }
    }

    /**
     * A flow ends: deliver what is still queued in both directions, then EOF, and free the segments. Acknowledged
     * data goes with its gaps; unacknowledged data only as far as it is contiguous, as Suricata declares no gap the
     * receiver did not acknowledge (data past such a hole is never delivered; on an asynchronous session, whose
     * receiver is unseen, holes are gaps). Call before the flow's records are written. A session handed over
     * ({@link #handOver(Flow)}) delivers nothing more: the peer owns it.
     *
     * @param flow the ending flow.
     */
    public void flowEnd(final Flow flow)
    {
        final TcpSession ssn = TcpEngine.session(flow);
        if (ssn == null || ssn.reassembly == null)
        {
            return;
        }
        if (ssn.reassembly == ENGAGED && !stateNeeded(ssn))
        {
            ssn.reassembly = null;
            endOfStreams(flow);
            return;
        }
        final ReassemblySession rs = session(ssn);
        if (!rs.handedOver)
        {
            drain(flow, ssn, rs);
        }
        if (ssn.has(TcpSession.FLAG_REVERSE_PENDING))
        {
            reverse(flow, ssn, rs);
            if (!rs.handedOver)
            {
                drain(flow, ssn, rs);
            }
        }
        for (int d = 0; d < 2; d++)
        {
            final boolean toServer = d == 0;
            final ReassemblyStream st = rs.stream(toServer);
            if (st.initialised)
            {
                chunkRaw(flow, st, toServer, true);
            }
            for (final StreamConsumer c : consumers)
            {
                c.onData(flow, toServer, null, 0, 0, StreamConsumer.FLAG_EOF);
            }
            for (final StreamConsumer c : rawConsumers)
            {
                if (rawEnabled)
                {
                    c.onRawChunk(flow, toServer, null, 0, 0, StreamConsumer.FLAG_EOF);
                }
            }
            st.list.clear(pool);
        }
        rs.reset();
        ssn.reassembly = null;
        if (freeSessionCount == freeSessions.length)
        {
            freeSessions = Arrays.copyOf(freeSessions, freeSessionCount * 2);
        }
        freeSessions[freeSessionCount++] = rs;
    }

    private void endOfStreams(final Flow flow)
    {
        for (int d = 0; d < 2; d++)
        {
            final boolean toServer = d == 0;
            for (final StreamConsumer c : consumers)
            {
                c.onData(flow, toServer, null, 0, 0, StreamConsumer.FLAG_EOF);
            }
            for (final StreamConsumer c : rawConsumers)
            {
                if (rawEnabled)
                {
                    c.onRawChunk(flow, toServer, null, 0, 0, StreamConsumer.FLAG_EOF);
                }
            }
        }
    }

    private void drain(final Flow flow, final TcpSession ssn, final ReassemblySession rs)
    {
        for (int d = 0; d < 2 && !ssn.has(TcpSession.FLAG_REVERSE_PENDING); d++)
        {
            final boolean toServer = d == 0;
            final ReassemblyStream st = rs.stream(toServer);
            deliver(null, flow, ssn, rs, toServer, true);
            if (st.initialised && !ssn.has(TcpSession.FLAG_REVERSE_PENDING))
            {
                deliverTo(null, flow, ssn, st, toServer, Long.MAX_VALUE, ssn.has(TcpSession.FLAG_ASYNC), false);
            }
        }
    }

    /**
     * This node hands the session over to an HA peer (it stops; the flow is not ending): deliver every byte queued in
     * order, ACKed or not, up to the first missing byte, declaring no gap and no end. The peer continues the stream
     * from the first byte this node did not deliver; segments queued beyond a hole are dropped with the flow (the
     * peer never has them: when the hole is filled there, they are a takeover gap).
     *
     * @param flow the flow.
     */
    public void handOver(final Flow flow)
    {
        final TcpSession ssn = TcpEngine.session(flow);
        if (ssn == null || ssn.reassembly == null)
        {
            return;
        }
        final ReassemblySession rs = session(ssn);
        rs.handedOver = true;
        for (int d = 0; d < 2 && !ssn.has(TcpSession.FLAG_REVERSE_PENDING); d++)
        {
            final boolean toServer = d == 0;
            final ReassemblyStream st = rs.stream(toServer);
            if (st.initialised)
            {
                deliverTo(null, flow, ssn, st, toServer, Long.MAX_VALUE, false, false);
            }
        }
    }

    /**
     * The reassembly state of a session.
     *
     * @param flow a flow.
     * @return its state, or null when it has none.
     */
    public static ReassemblySession state(final Flow flow)
    {
        final TcpSession ssn = TcpEngine.session(flow);
        return ssn != null && ssn.reassembly instanceof ReassemblySession rs ? rs : null;
    }

    /**
     * Whether the last packet's payload was normalised (inline mode: overlapping bytes replaced by the data already
     * accepted); {@link #payload()} then holds the bytes to forward and inspect.
     *
     * @return true when rewritten.
     */
    public boolean payloadRewritten()
    {
        return payloadRewritten;
    }

    /**
     * The last packet's payload as the stream accepted it (valid until the next packet).
     *
     * @return a buffer whose first {@link #payloadLength()} bytes are the payload.
     */
    public DirectBuffer payload()
    {
        copyPayload();
        return payload;
    }

    /**
     * Copy the packet's payload into {@link #payload} once, when it is asked for or may be rewritten: data that
     * overlaps nothing queued is inserted straight from the packet.
     */
    private void copyPayload()
    {
        if (!payloadCopied && packetBuffer != null)
        {
            payload.putBytes(0, packetBuffer, packetPayloadOffset, payloadLength);
            payloadCopied = true;
        }
    }

    /**
     * Length of {@link #payload()}.
     *
     * @return bytes.
     */
    public int payloadLength()
    {
        return payloadLength;
    }

    /**
     * The segment pool.
     *
     * @return the pool.
     */
    public SegmentPool pool()
    {
        return pool;
    }

    private ReassemblySession session(final TcpSession ssn)
    {
        if (ssn.reassembly instanceof ReassemblySession rs)
        {
            return rs;
        }
        final ReassemblySession rs;
        if (freeSessionCount > 0)
        {
            rs = freeSessions[--freeSessionCount];
            freeSessions[freeSessionCount] = null;
        }
        else
        {
            rs = new ReassemblySession();
        }
        ssn.reassembly = rs;
        return rs;
    }

    /**
     * Whether a session whose reassembly state is still untouched needs it now: a direction reversal is pending, or
     * a direction would deliver (a gap up to the ACK).
     */
    private static boolean stateNeeded(final TcpSession ssn)
    {
        return ssn.has(TcpSession.FLAG_REVERSE_PENDING) || deliveryDue(ssn, true) || deliveryDue(ssn, false);
    }

    /**
     * Whether a direction whose reassembly state is still untouched would have something to do now: its ISN is
     * known, the session is established and not one-sided, and the receiver acknowledged past the point where this
     * node's view of the stream starts (data this node never saw: a gap to declare). Until then a session needs no
     * reassembly state at all.
     */
    private static boolean deliveryDue(final TcpSession ssn, final boolean toServer)
    {
        if (!ssn.isnKnown(toServer) || !ssn.state.atLeastEstablished() || ssn.has(TcpSession.FLAG_ASYNC))
        {
            return false;
        }
        final TcpStreamTracker snd = toServer ? ssn.client : ssn.server;
        int ackSeq = snd.lastAck;
        if (snd.has(TcpStreamTracker.FLAG_FIN_SENT) && SeqNum.gt(ackSeq, snd.nextSeq - 1))
        {
            ackSeq = snd.nextSeq - 1;
        }
        final int startSeq = snd.has(TcpStreamTracker.FLAG_TAKEN_OVER) ? snd.takeoverSeq : snd.isn + 1;
        return ackSeq - startSeq > 0;
    }

    private void init(
        final Flow flow, final ReassemblyStream st, final TcpStreamTracker tracker, final boolean toServer)
    {
        st.initialised = true;
        if (tracker.has(TcpStreamTracker.FLAG_TAKEN_OVER))
        {
            st.appProgress = tracker.takeoverOffset;
            st.rawProgress = tracker.takeoverOffset;
            st.originSeq = tracker.takeoverSeq - (int)tracker.takeoverOffset;
            st.takeoverEnd = tracker.takeoverOffset + Math.max(0, tracker.takeoverEndSeq - tracker.takeoverSeq);
        }
        else
        {
            st.originSeq = tracker.isn + 1;
        }
        final int base = toServer ? ctx.toServerChunkSize : ctx.toClientChunkSize;
        int size = base;
        if (ctx.randomizeChunkSize && ctx.randomizeChunkRange > 0)
        {
            size = base + (int)(base * (chunkRandom(flow, toServer) - 0.5) * ctx.randomizeChunkRange / 100.0);
        }
        st.chunkSize = Math.max(1, Math.min(size, MAX_CHUNK_BYTES));
    }

    /**
     * A direction's chunk size draw: uniform in [0, 1), from the chunk seed, the flow's key hash, its start time and
     * the direction, so it does not depend on the order sessions start in or on which worker holds them.
     */
    private double chunkRandom(final Flow flow, final boolean toServer)
    {
        long z = ctx.chunkSeed ^ ((flow.hash() & 0xFFFF_FFFFL) * 0x9E37_79B9_7F4A_7C15L) ^
            (flow.startNs() * 0xC2B2_AE3D_27D4_EB4FL) ^ (toServer ? 0x1L : 0x2L);
        z = (z ^ (z >>> 33)) * 0xFF51_AFD7_ED55_8CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CE_B9FE_1A85_EC53L;
        z ^= z >>> 33;
        return (z >>> 11) * 0x1.0p-53;
    }

    private void insert(
        final Packet p, final Flow flow, final TcpSession ssn, final ReassemblySession rs, final boolean toServer)
    {
        final ReassemblyStream st = rs.stream(toServer);
        final TcpStreamTracker snd = toServer ? ssn.client : ssn.server;
        if (!st.initialised)
        {
            init(flow, st, snd, toServer);
        }
        int seq = p.seq;
        if ((p.tcpFlags & Packet.TH_SYN) != 0)
        {
            seq++;
        }
        final int len = Math.min(p.payloadLength, MAX_PAYLOAD_BYTES);
        packetBuffer = p.buffer;
        packetPayloadOffset = p.payloadOffset;
        payloadLength = len;
        final UrgentPolicy policy = ctx.urgentPolicy;
        final int urgent = p.urgentPointer;
        if ((p.tcpFlags & Packet.TH_URG) != 0 && urgent > 0 && urgent <= len &&
            (policy == UrgentPolicy.OOB || policy == UrgentPolicy.GAP))
        {
            urgentBytes++;
            boolean outOfBand = false;
            int kept = len - 1;
            if (st.urgentRemoved < URGENT_OOB_LIMIT)
            {
                outOfBand = policy == UrgentPolicy.OOB;
                if (outOfBand && st.urgentRemoved + 1 == URGENT_OOB_LIMIT)
                {
                    engine.event(p, TcpStreamEvent.REASSEMBLY_URGENT_OOB_LIMIT_REACHED);
                }
            }
            else
            {
                switch (ctx.urgentOobLimitPolicy)
                {
                    case DROP ->
                    {
                        urgentDropped++;
                        packetDropped = engine.inline();
                        return;
                    }
                    case INLINE -> kept = len;
                    default ->
                    {
                    }
                }
            }
            insertRange(p, flow, ssn, rs, st, toServer, seq, 0, kept);
            if (outOfBand)
            {
                st.urgentRemoved++;
            }
            return;
        }
        insertRange(p, flow, ssn, rs, st, toServer, seq, 0, len);
    }

    private void insertRange(
        final Packet p,
        final Flow flow,
        final TcpSession ssn,
        final ReassemblySession rs,
        final ReassemblyStream st,
        final boolean toServer,
        final int seq,
        final int index,
        final int length)
    {
        if (length <= 0)
        {
            return;
        }
        long start = st.offset(seq);
        long end = start + length;
        int idx = index;
        final SegmentList list = st.list;
        final long retained = list.head() != null ? Math.min(list.head().offset, st.appProgress) : st.appProgress;
        if (end <= retained)
        {
            beforeBase++;
            return;
        }
        if (start < retained)
        {
            idx += (int)(retained - start);
            start = retained;
        }
        final long depth = ctx.depthBytes;
        if (depth > 0 && end > depth)
        {
            if (!st.depthReached)
            {
                st.depthReached = true;
                depthReachedCount++;
                engine.event(p, TcpStreamEvent.REASSEMBLY_DEPTH_REACHED);
                engine.depthReached(flow, toServer);
            }
            end = depth;
            if (start >= end)
            {
                return;
            }
        }
        final int n = (int)(end - start);
        if ((ctx.maxQueuedSegments > 0 && list.count() >= ctx.maxQueuedSegments) ||
            (ctx.maxQueuedBytes > 0 && list.bytes() + n > ctx.maxQueuedBytes))
        {
            queueLimitDrops++;
            return;
        }
        if (rs.stopped)
        {
            memcapStopped++;
            return;
        }
        if (ctx.maxOverlaps > 0 && rs.overlaps >= ctx.maxOverlaps && overlaps(list, start, end))
        {
            overlapLimitDrops++;
            return;
        }
        final boolean inline = engine.inline();
        final boolean compare = inline || ctx.checkOverlapDifferentData;
        final HostOsPolicy policy = inline ? HostOsPolicy.FIRST :
            OverlapResolver.normalise(engine.osPolicy(toServer ? ssn.server : ssn.client, p));
        int r = 0;
        int overlapsSeen = 0;
        long at = start;
        final DirectBuffer source;
        int sourceIndex = idx;
        if (overlaps(list, start, end))
        {
            copyPayload();
            source = payload;
        }
        else
        {
            source = packetBuffer;
            sourceIndex += packetPayloadOffset;
        }
        if (at < st.appProgress)
        {
            final int delivered = (int)(Math.min(end, st.appProgress) - at);
            view.wrap(source, sourceIndex, delivered);
            r |= list.insert(at, view, delivered, HostOsPolicy.FIRST, compare, pool);
            overlapsSeen += list.lastOverlaps();
            at += delivered;
            sourceIndex += delivered;
        }
        if (at < end)
        {
            final int rest = (int)(end - at);
            view.wrap(source, sourceIndex, rest);
            final int tail = list.insert(at, view, rest, policy, compare, pool);
            overlapsSeen += list.lastOverlaps();
            r = (r & ~SegmentList.DUPLICATE) | tail;
        }
        segmentsInserted++;
        if ((r & SegmentList.OVERLAP) != 0)
        {
            rs.overlaps += overlapsSeen;
            overlapCount++;
        }
        if ((r & SegmentList.DIFFERENT) != 0)
        {
            overlapDifferent++;
            engine.event(p, TcpStreamEvent.REASSEMBLY_OVERLAP_DIFFERENT_DATA);
        }
        if ((r & SegmentList.REWRITTEN) != 0 && inline)
        {
            payloadRewritten = true;
        }
        if ((r & SegmentList.DUPLICATE) != 0)
        {
            duplicates++;
        }
        if ((r & SegmentList.MEMCAP) != 0)
        {
            memcapDrops++;
            rs.stopped = stopAtMemcap;
        }
    }

    private static boolean overlaps(final SegmentList list, final long start, final long end)
    {
        for (Segment s = list.tail(); s != null && s.end() > start; s = s.prev)
        {
            if (s.offset < end)
            {
                return true;
            }
        }
        return false;
    }

    private void deliver(
        final Packet p,
        final Flow flow,
        final TcpSession ssn,
        final ReassemblySession rs,
        final boolean toServer,
        final boolean ending)
    {
        if (ssn.has(TcpSession.FLAG_REVERSE_PENDING))
        {
            return;
        }
        final ReassemblyStream st = rs.stream(toServer);
        final TcpStreamTracker snd = toServer ? ssn.client : ssn.server;
        if (!st.initialised)
        {
            if (!ssn.isnKnown(toServer) || !ssn.state.atLeastEstablished())
            {
                return;
            }
            init(flow, st, snd, toServer);
        }
        if (engine.inline() || ssn.has(TcpSession.FLAG_ASYNC))
        {
            deliverTo(p, flow, ssn, st, toServer, Long.MAX_VALUE, false, false);
        }
        if (ssn.has(TcpSession.FLAG_REVERSE_PENDING))
        {
            return;
        }
        if (ssn.has(TcpSession.FLAG_ASYNC))
        {
            if (!ending)
            {
                chunkRaw(flow, st, toServer, false);
                release(st);
            }
            return;
        }
        int ackSeq = snd.lastAck;
        if (snd.has(TcpStreamTracker.FLAG_FIN_SENT) && SeqNum.gt(ackSeq, snd.nextSeq - 1))
        {
            ackSeq = snd.nextSeq - 1;
        }
        long limit = st.offset(ackSeq);
        if (ctx.depthBytes > 0)
        {
            limit = Math.min(limit, ctx.depthBytes);
        }
        if (limit > st.appProgress && limit - st.appProgress < (1L << 31))
        {
            deliverTo(p, flow, ssn, st, toServer, limit, true, true);
        }
        if (!ending && !ssn.has(TcpSession.FLAG_REVERSE_PENDING))
        {
            chunkRaw(flow, st, toServer, false);
            release(st);
        }
    }

    private void deliverTo(
        final Packet p,
        final Flow flow,
        final TcpSession ssn,
        final ReassemblyStream st,
        final boolean toServer,
        final long limit,
        final boolean allowGap,
        final boolean trailingGap)
    {
        Segment s = st.list.head();
        while (st.appProgress < limit)
        {
            while (s != null && s.end() <= st.appProgress)
            {
                s = s.next;
            }
            if (s == null)
            {
                if (trailingGap)
                {
                    gap(p, flow, st, toServer, limit - st.appProgress);
                }
                break;
            }
            if (s.offset > st.appProgress)
            {
                if (!allowGap)
                {
                    break;
                }
                gap(p, flow, st, toServer, Math.min(s.offset, limit) - st.appProgress);
                continue;
            }
            final int from = (int)(st.appProgress - s.offset);
            final int n = (int)(Math.min(s.end(), limit) - st.appProgress);
            st.appProgress += n;
            st.bytes += n;
            final int flags = depthFlag(st);
            for (final StreamConsumer c : consumers)
            {
                c.onData(flow, toServer, s.data, from, n, flags);
            }
            if (ssn.has(TcpSession.FLAG_REVERSE_PENDING))
            {
                return;
            }
        }
    }

    private int depthFlag(final ReassemblyStream st)
    {
        if (ctx.depthBytes > 0 && st.depthReached && !st.depthDelivered && st.appProgress >= ctx.depthBytes)
        {
            st.depthDelivered = true;
            return StreamConsumer.FLAG_DEPTH;
        }
        return 0;
    }

    private void gap(
        final Packet p, final Flow flow, final ReassemblyStream st, final boolean toServer, final long length)
    {
        if (length <= 0)
        {
            return;
        }
        chunkRaw(flow, st, toServer, true);
        final long takeover = Math.min(length, st.takeoverEnd - st.appProgress);
        if (takeover > 0)
        {
            missing(flow, st, toServer, takeover, StreamConsumer.FLAG_GAP | StreamConsumer.FLAG_TAKEOVER_GAP);
            takeoverGapCount++;
            takeoverGapBytes += takeover;
            if (takeover == length)
            {
                return;
            }
        }
        final long lost = length - Math.max(0, takeover);
        missing(flow, st, toServer, lost, StreamConsumer.FLAG_GAP);
        st.gaps++;
        st.gapBytes += lost;
        gapCount++;
        gapBytes += lost;
        if (p != null)
        {
            engine.event(p, TcpStreamEvent.REASSEMBLY_SEQ_GAP);
        }
        if (!st.gapRaised)
        {
            st.gapRaised = true;
            engine.gap(flow, toServer);
        }
    }

    private void missing(
        final Flow flow, final ReassemblyStream st, final boolean toServer, final long length, final int gapFlags)
    {
        long left = length;
        while (left > 0)
        {
            final int n = (int)Math.min(left, Integer.MAX_VALUE);
            st.appProgress += n;
            final int flags = gapFlags | depthFlag(st);
            for (final StreamConsumer c : consumers)
            {
                c.onData(flow, toServer, null, 0, n, flags);
            }
            if (rawEnabled)
            {
                st.rawDepthDelivered |= (flags & StreamConsumer.FLAG_DEPTH) != 0;
                for (final StreamConsumer c : rawConsumers)
                {
                    c.onRawChunk(flow, toServer, null, 0, n, flags);
                }
            }
            left -= n;
        }
        st.rawProgress = st.appProgress;
    }

    private void chunkRaw(final Flow flow, final ReassemblyStream st, final boolean toServer, final boolean force)
    {
        if (!rawEnabled)
        {
            st.rawProgress = st.appProgress;
            return;
        }
        final long depth = ctx.depthBytes;
        final boolean atDepth = depth > 0 && st.depthReached && st.appProgress >= depth;
        while (true)
        {
            final long available = st.appProgress - st.rawProgress;
            if (available <= 0)
            {
                return;
            }
            final int n;
            if (available >= st.chunkSize)
            {
                n = st.chunkSize;
            }
            else if (force || atDepth)
            {
                n = (int)available;
            }
            else
            {
                return;
            }
            copy(st, st.rawProgress, n);
            st.rawProgress += n;
            chunks++;
            int flags = 0;
            if (atDepth && !st.rawDepthDelivered && st.rawProgress >= depth)
            {
                st.rawDepthDelivered = true;
                flags = StreamConsumer.FLAG_DEPTH;
            }
            for (final StreamConsumer c : rawConsumers)
            {
                c.onRawChunk(flow, toServer, chunk, 0, n, flags);
            }
        }
    }

    private void copy(final ReassemblyStream st, final long from, final int length)
    {
        int written = 0;
        long at = from;
        for (Segment s = st.list.head(); s != null && written < length; s = s.next)
        {
            if (s.end() <= at)
            {
                continue;
            }
            final int idx = (int)(at - s.offset);
            final int n = Math.min(s.length - idx, length - written);
            chunk.putBytes(written, s.data, idx, n);
            written += n;
            at += n;
        }
    }

    private void release(final ReassemblyStream st)
    {
        final long done = Math.min(st.appProgress, st.rawProgress);
        Segment h = st.list.head();
        while (h != null && h.end() <= done)
        {
            st.list.removeHead(pool);
            h = st.list.head();
        }
    }

    @Override
    public void reportStats(final StatsSink sink)
    {
        sink.counter("tcp.reassembly_segments", segmentsInserted);
        sink.counter("tcp.overlap", overlapCount);
        sink.counter("tcp.overlap_diff_data", overlapDifferent);
        sink.counter("tcp.reassembly_duplicates", duplicates);
        sink.counter("tcp.reassembly_gap", gapCount);
        sink.counter("tcp.reassembly_gap_bytes", gapBytes);
        sink.counter("tcp.reassembly_takeover_gap", takeoverGapCount);
        sink.counter("tcp.reassembly_takeover_gap_bytes", takeoverGapBytes);
        sink.counter("tcp.segment_memcap_drop", memcapDrops);
        sink.counter("tcp.reassembly_memcap_stopped", memcapStopped);
        sink.counter("tcp.reassembly_memuse", pool.usedBytes());
        sink.counter("tcp.reassembly_queue_limit", queueLimitDrops);
        sink.counter("tcp.reassembly_overlap_limit", overlapLimitDrops);
        sink.counter("tcp.reassembly_depth_reached", depthReachedCount);
        sink.counter("tcp.reassembly_before_base_seq", beforeBase);
        sink.counter("tcp.reassembly_urgent", urgentBytes);
        sink.counter("tcp.reassembly_urgent_dropped", urgentDropped);
        sink.counter("tcp.reassembly_rst_payload_ignored", rstPayloadIgnored);
        sink.counter("tcp.reassembly_raw_chunks", chunks);
        sink.counter("tcp.segment_pool_grown", pool.grown());
    }
}
