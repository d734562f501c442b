package io.tandem.node.flow;

import java.util.function.Consumer;

import io.tandem.node.decode.Packet;
import io.tandem.node.stats.StatsSink;
import io.tandem.node.stats.StatsSource;

/**
 * The flow table of one worker: a chained hash of preallocated {@link Flow}s, bounded by a memcap, with one
 * least-recently-used list per (protocol class, flow state).
 * <p>
 * Because every flow in one list has the same timeout, a list is ordered by expiry and {@link #expire(long)} only
 * looks at list heads: it never scans the table. When the memcap is reached the table enters emergency mode (the
 * emergency timeouts apply); if no flow has timed out even then, the least recently seen flows are evicted with
 * reason {@code forced} ({@code prune-flows} of them at once). Emergency mode ends once the free capacity is back
 * above {@code emergency-recovery} percent of {@code prealloc}, as in Suricata.
 * <p>
 * A packet for a flow that is past its timeout but not yet swept ends that flow ({@code timeout}) and starts a new
 * one, as Suricata's lookup does, so the sweep's granularity never changes the result.
 * <p>
 * HA-standby flows ({@link #insertStandby(FlowKey, long)}) are kept in a list of their own that the sweep skips: they
 * do not time out while a peer owns them. They are pruned like any other flow when the memcap is reached (counted as
 * {@code flow.end.standby_pruned}); the first packet for one promotes it (the {@link FlowPromotionListener} is told)
 * unless its replicated last-seen time is already past the timeout, in which case it ends as a timed-out flow would
 * have on its owner.
 * <p>
 * Time is whatever the caller says it is: packet timestamps when reading a file, a clock when live. It never goes
 * backwards inside the table (a packet older than the newest seen counts as seen now).
 */
public final class FlowTable implements StatsSource
{
    /**
     * Bytes accounted against the memcap per flow: what the heap really holds for it (the flow with its embedded key,
     * counters and links, 168 bytes with compact object headers as {@code bin/tandem} runs, measured by {@code
     * tandem bench --memory}, and its spare-pool slot), so {@code flow.memcap} bounds the heap.
     */
    public static final int FLOW_BYTES = 176;
    /** Bytes accounted per hash bucket. */
    public static final int BUCKET_BYTES = 8;

    private static final int LIST_COUNT = FlowProtocol.count() * FlowState.count();
    /** The list of standby flows: never expired, pruned like the others. */
    private static final int STANDBY_LIST = LIST_COUNT;

    private final Context ctx;
    private final FlowTimeouts timeouts;
    private final FlowEndListener listener;
    private final Flow[] buckets;
    private final int bucketMask;
    private final Flow[] spare;
    private final Flow[] lruHead = new Flow[LIST_COUNT + 1];
    private final Flow[] lruTail = new Flow[LIST_COUNT + 1];
    private final int maxFlows;
    private final int recoveryFlows;

    private int spareCount;
    private int allocated;
    private int active;
    private boolean emergency;
    private long nowNs = Long.MIN_VALUE;
    private long flowSequence;
    private int lastDirection;
    private FlowReuseCheck reuseCheck;
    private long reused;
    private FlowPromotionListener promotionListener = FlowPromotionListener.NONE;
    private int standbyActive;
    private long standbyInserted;
    private long standbyPromoted;
    private long standbyPruned;
    private long haDeleted;

    private long flowsTotal;
    private final long[] flowsByProtocol = new long[FlowProtocol.count()];
    private long memcapHits;
    private long emergencyEntered;
    private long emergencyOver;
    private long timedOut;
    private long forced;
    private long flushed;

    /**
     * Settings of a flow table ({@code flow:} in tandem.yaml) with Suricata's defaults.
     */
    public static final class Context
    {
        private long memcapBytes = 32L * 1024 * 1024;
        private int hashSize = 65536;
        private int prealloc = 10000;
        private int emergencyRecoveryPercent = 30;
        private int pruneFlows = 5;
        private boolean vlanInKey = true;
        private long hashSeed = 0x5eed_7a4d_e3c1_9b27L;
        private int flowIdOffset;
        private int flowIdStride = 1;
        private FlowTimeouts timeouts = new FlowTimeouts();

        /**
         * Memory the table may use ({@code flow.memcap}).
         *
         * @param bytes the cap.
         * @return this.
         */
        public Context memcapBytes(final long bytes)
        {
            memcapBytes = bytes;
            return this;
        }

        /**
         * Memory cap.
         *
         * @return bytes.
         */
        public long memcapBytes()
        {
            return memcapBytes;
        }

        /**
         * Number of hash buckets ({@code flow.hash-size}), rounded up to a power of two.
         *
         * @param size buckets.
         * @return this.
         */
        public Context hashSize(final int size)
        {
            hashSize = size;
            return this;
        }

        /**
         * Flows allocated at start ({@code flow.prealloc}).
         *
         * @param flows count.
         * @return this.
         */
        public Context prealloc(final int flows)
        {
            prealloc = flows;
            return this;
        }

        /**
         * Percentage of {@code prealloc} free flows that ends emergency mode ({@code flow.emergency-recovery}).
         *
         * @param percent 1..100.
         * @return this.
         */
        public Context emergencyRecoveryPercent(final int percent)
        {
            emergencyRecoveryPercent = percent;
            return this;
        }

        /**
         * Flows evicted at once when a new flow finds the table full and none has timed out, least recently seen
         * first ({@code flow.prune-flows}; at least one is always evicted).
         *
         * @param flows count.
         * @return this.
         */
        public Context pruneFlows(final int flows)
        {
            pruneFlows = flows;
            return this;
        }

        /**
         * Whether VLAN ids are part of the flow key ({@code vlan.use-for-tracking}).
         *
         * @param use true to track per VLAN.
         * @return this.
         */
        public Context vlanInKey(final boolean use)
        {
            vlanInKey = use;
            return this;
        }

        /**
         * Seed of the flow hash (so an attacker cannot predict bucket collisions).
         *
         * @param seed any value.
         * @return this.
         */
        public Context hashSeed(final long seed)
        {
            hashSeed = seed;
            return this;
        }

        /**
         * Flow ids of one table among several: the table numbers its flows {@code offset + stride}, {@code offset +
         * 2 * stride}, ..., so the tables of N workers (offset = worker index, stride = N) never hand out the same id.
         *
         * @param offset this table's index, 0..stride - 1.
         * @param stride the number of tables.
         * @return this.
         */
        public Context flowIds(final int offset, final int stride)
        {
            flowIdOffset = offset;
            flowIdStride = stride;
            return this;
        }

        /**
         * Per-protocol, per-state timeouts.
         *
         * @param value the timeouts.
         * @return this.
         */
        public Context timeouts(final FlowTimeouts value)
        {
            timeouts = value;
            return this;
        }

        /**
         * Check the settings.
         *
         * @return this.
         * @throws IllegalArgumentException naming the bad setting.
         */
        public Context conclude()
        {
            if (hashSize <= 0 || hashSize > 1 << 28)
            {
                throw new IllegalArgumentException("flow.hash-size: " + hashSize + " is not in 1..268435456");
            }
            if (prealloc < 0)
            {
                throw new IllegalArgumentException("flow.prealloc: " + prealloc + " is negative");
            }
            if (emergencyRecoveryPercent < 1 || emergencyRecoveryPercent > 100)
            {
                throw new IllegalArgumentException(
                    "flow.emergency-recovery: " + emergencyRecoveryPercent + " is not in 1..100");
            }
            if (flowIdStride < 1 || flowIdOffset < 0 || flowIdOffset >= flowIdStride)
            {
                throw new IllegalArgumentException(
                    "flow ids: offset " + flowIdOffset + " is not in 0.." + (flowIdStride - 1));
            }
            final long bucketBytes = (long)Integer.highestOneBit(Math.max(1, hashSize * 2 - 1)) * BUCKET_BYTES;
            if (memcapBytes < bucketBytes + FLOW_BYTES)
            {
                throw new IllegalArgumentException("flow.memcap: " + memcapBytes + " bytes cannot hold the hash (" +
                    bucketBytes + " bytes for flow.hash-size " + hashSize + ") and one flow");
            }
            return this;
        }
    }

    /**
     * Create a table and preallocate its flows.
     *
     * @param ctx      settings (concluded here).
     * @param listener told about every flow that ends.
     */
    public FlowTable(final Context ctx, final FlowEndListener listener)
    {
        this.ctx = ctx.conclude();
        this.timeouts = ctx.timeouts;
        flowSequence = ctx.flowIdOffset;
        this.listener = listener;
        final int bucketCount = Integer.highestOneBit(Math.max(1, ctx.hashSize * 2 - 1));
        buckets = new Flow[bucketCount];
        bucketMask = bucketCount - 1;
        maxFlows = (int)Math.min(Integer.MAX_VALUE - 8, (ctx.memcapBytes - (long)bucketCount * BUCKET_BYTES) /
            FLOW_BYTES);
        spare = new Flow[maxFlows];
        final int preallocated = Math.min(ctx.prealloc, maxFlows);
        for (int i = 0; i < preallocated; i++)
        {
            spare[spareCount++] = new Flow();
        }
        allocated = preallocated;
        recoveryFlows = (int)Math.max(1, (long)Math.max(1, Math.min(ctx.prealloc, maxFlows)) *
            ctx.emergencyRecoveryPercent / 100);
    }

    /**
     * Find the packet's flow, creating it when new, and account the packet to it.
     *
     * @param p     a decoded packet with an IP layer.
     * @param timeNs packet time.
     * @return the flow, or null when no flow could be had (memcap reached and nothing evictable).
     */
    public Flow handle(final Packet p, final long timeNs)
    {
        advance(timeNs);
        final int hashValue = hash(p);
        final int bucket = hashValue & bucketMask;
        for (Flow f = buckets[bucket]; f != null; f = f.hashNext)
        {
            final int direction = f.match(p, hashValue, ctx.vlanInKey);
            if (direction != Flow.NO_MATCH)
            {
                if (f.lastNs + timeoutNs(f) <= nowNs)
                {
                    end(f, FlowEndReason.TIMEOUT);
                    timedOut++;
                    break;
                }
                if (f.standby)
                {
                    promote(f, p, direction);
                }
                if (reuseCheck != null && reuseCheck.reuse(f, p, direction))
                {
                    end(f, FlowEndReason.TCP_REUSE);
                    reused++;
                    break;
                }
                account(f, p, direction);
                return f;
            }
        }

        final Flow f = allocate();
        if (f == null)
        {
            lastDirection = Flow.NO_MATCH;
            return null;
        }
        f.init(p, hashValue, nextFlowId(hashValue), nowNs, ctx.vlanInKey);
        f.hashNext = buckets[bucket];
        buckets[bucket] = f;
        active++;
        flowsTotal++;
        flowsByProtocol[FlowProtocol.of(f.protocol).ordinal()]++;
        linkTail(f, listIndex(f));
        account(f, p, Flow.TO_SERVER);
        return f;
    }

    /**
     * Create a standby flow from a key without a packet (a peer owns it), or make the existing flow of that key
     * standby. The flow is oriented as the key says (an existing flow seen the other way round is swapped). Standby
     * flows do not time out; they are pruned like any other under memory pressure (counted as
     * {@code flow.end.standby_pruned}); the first packet seen for one promotes it.
     *
     * @param key    the flow's key, client to server.
     * @param timeNs time of insertion (last-seen time of a new flow).
     * @return the flow, or null when no flow could be had (memcap reached and nothing evictable).
     */
    public Flow insertStandby(final FlowKey key, final long timeNs)
    {
        advance(timeNs);
        Flow f = lookup(key);
        if (f != null)
        {
            if (f.clientPort != key.clientPort || f.clientLo != key.clientLo || f.clientHi != key.clientHi)
            {
                f.swap();
            }
            if (!f.standby)
            {
                unlink(f);
                f.standby = true;
                standbyActive++;
                linkTail(f, listIndex(f));
            }
            return f;
        }
        f = allocate();
        if (f == null)
        {
            return null;
        }
        final int hashValue = hash(key);
        final int bucket = hashValue & bucketMask;
        f.initStandby(key, hashValue, nextFlowId(hashValue), nowNs);
        f.hashNext = buckets[bucket];
        buckets[bucket] = f;
        active++;
        standbyActive++;
        standbyInserted++;
        linkTail(f, listIndex(f));
        return f;
    }

    /**
     * Find the live flow of a key, either orientation.
     *
     * @param key the key.
     * @return the flow, or null.
     */
    public Flow lookup(final FlowKey key)
    {
        final int hashValue = hash(key);
        for (Flow f = buckets[hashValue & bucketMask]; f != null; f = f.hashNext)
        {
            if (f.matches(key, hashValue))
            {
                return f;
            }
        }
        return null;
    }

    /**
     * Number of hash buckets, for a walk over the table spread across several calls of
     * {@link #forEachFlowInBucket(int, Consumer)}.
     *
     * @return the count.
     */
    public int bucketCount()
    {
        return buckets.length;
    }

    /**
     * Visit the live flows of one hash bucket. A flow never changes bucket, so a walk over every bucket spread across
     * several calls (an HA resync served a few buckets per duty cycle) visits each flow that stays in the table from
     * start to end exactly once, whatever is inserted or removed in between. The visitor must not insert or remove
     * flows.
     *
     * @param bucket  0 to {@link #bucketCount()} - 1.
     * @param visitor told about each flow of the bucket, standby ones included.
     * @return the number of flows visited.
     */
    public int forEachFlowInBucket(final int bucket, final Consumer<Flow> visitor)
    {
        int visited = 0;
        for (Flow f = buckets[bucket]; f != null; f = f.hashNext)
        {
            visitor.accept(f);
            visited++;
        }
        return visited;
    }

    /**
     * End a live flow now (an HA delete from the peer that owns it).
     *
     * @param f      a live flow of this table.
     * @param reason why.
     */
    public void remove(final Flow f, final FlowEndReason reason)
    {
        end(f, reason);
        if (reason == FlowEndReason.HA_DELETE)
        {
            haDeleted++;
        }
        checkRecovery();
    }

    /**
     * Install the listener told when a packet promotes a standby flow.
     *
     * @param listener the listener, or null for none.
     * @return this.
     */
    public FlowTable promotionListener(final FlowPromotionListener listener)
    {
        promotionListener = listener == null ? FlowPromotionListener.NONE : listener;
        return this;
    }

    /**
     * Live standby flows.
     *
     * @return the count.
     */
    public int standbyFlows()
    {
        return standbyActive;
    }

    /**
     * Standby flows evicted under memory pressure.
     *
     * @return the count.
     */
    public long standbyPruned()
    {
        return standbyPruned;
    }

    /**
     * Standby flows promoted by a packet.
     *
     * @return the count.
     */
    public long standbyPromoted()
    {
        return standbyPromoted;
    }

    /**
     * Install the check that decides TCP port reuse (the TCP engine's), consulted for every packet matching a flow.
     *
     * @param check the check, or null for none.
     * @return this.
     */
    public FlowTable reuseCheck(final FlowReuseCheck check)
    {
        reuseCheck = check;
        return this;
    }

    /**
     * Swap a flow's client and server (and their counters): the TCP engine does this when it picks a session up
     * from a SYN/ACK, whose sender is the server. The last packet's direction flips with it.
     *
     * @param f a flow of this table.
     */
    public void swap(final Flow f)
    {
        f.swap();
        if (lastDirection != Flow.NO_MATCH)
        {
            lastDirection = -lastDirection;
        }
    }

    /**
     * Direction of the last packet given to {@link #handle(Packet, long)}.
     *
     * @return {@link Flow#TO_SERVER}, {@link Flow#TO_CLIENT} or {@link Flow#NO_MATCH} when no flow was had.
     */
    public int lastDirection()
    {
        return lastDirection;
    }

    /**
     * Change a flow's state (the TCP tracker does this); the flow moves to the list of its new timeout.
     *
     * @param f     a flow of this table.
     * @param state new state.
     */
    public void state(final Flow f, final FlowState state)
    {
        if (f.state != state)
        {
            unlink(f);
            f.state = state;
            linkTail(f, listIndex(f));
        }
    }

    /**
     * End every flow idle past its timeout at {@code timeNs}.
     *
     * @param timeNs current time.
     * @return number of flows ended.
     */
    public int expire(final long timeNs)
    {
        advance(timeNs);
        int ended = 0;
        for (int list = 0; list < LIST_COUNT; list++)
        {
            final long timeoutNs = timeouts.timeoutNs(list / FlowState.count(), list % FlowState.count(), emergency);
            Flow head = lruHead[list];
            while (head != null && head.lastNs + timeoutNs <= nowNs)
            {
                end(head, FlowEndReason.TIMEOUT);
                timedOut++;
                ended++;
                head = lruHead[list];
            }
        }
        checkRecovery();
        return ended;
    }

    /**
     * End every live flow with the given reason (end of a capture: {@link FlowEndReason#SHUTDOWN}).
     *
     * @param reason for every flow.
     * @return number of flows ended.
     */
    public int flushAll(final FlowEndReason reason)
    {
        int ended = 0;
        for (int list = 0; list <= LIST_COUNT; list++)
        {
            while (lruHead[list] != null)
            {
                end(lruHead[list], reason);
                ended++;
            }
        }
        flushed += ended;
        checkRecovery();
        return ended;
    }

    /**
     * Visit every live flow (standby ones included), oldest first per list; the action must not end flows.
     *
     * @param action told about each flow.
     */
    public void forEachFlow(final Consumer<Flow> action)
    {
        for (int list = 0; list <= LIST_COUNT; list++)
        {
            for (Flow f = lruHead[list]; f != null; f = f.lruNext)
            {
                action.accept(f);
            }
        }
    }

    /**
     * Live flows.
     *
     * @return the count.
     */
    public int activeFlows()
    {
        return active;
    }

    /**
     * Most flows the memcap allows.
     *
     * @return the count.
     */
    public int maxFlows()
    {
        return maxFlows;
    }

    /**
     * Whether emergency mode is on.
     *
     * @return true in emergency mode.
     */
    public boolean isEmergency()
    {
        return emergency;
    }

    /**
     * Bytes accounted against the memcap now.
     *
     * @return bytes in use.
     */
    public long memuseBytes()
    {
        return (long)buckets.length * BUCKET_BYTES + (long)allocated * FLOW_BYTES;
    }

    @Override
    public void reportStats(final StatsSink sink)
    {
        sink.counter("flow.total", flowsTotal);
        sink.counter("flow.active", active);
        sink.counter("flow.tcp", flowsByProtocol[FlowProtocol.TCP.ordinal()]);
        sink.counter("flow.udp", flowsByProtocol[FlowProtocol.UDP.ordinal()]);
        sink.counter("flow.icmp", flowsByProtocol[FlowProtocol.ICMP.ordinal()]);
        sink.counter("flow.other", flowsByProtocol[FlowProtocol.DEFAULT.ordinal()]);
        sink.counter("flow.memcap", memcapHits);
        sink.counter("flow.memuse", memuseBytes());
        sink.counter("flow.emerg_mode_entered", emergencyEntered);
        sink.counter("flow.emerg_mode_over", emergencyOver);
        sink.counter("flow.end.timeout", timedOut);
        sink.counter("flow.end.forced", forced);
        sink.counter("flow.end.shutdown", flushed);
        sink.counter("flow.end.tcp_reuse", reused);
        sink.counter("flow.end.standby_pruned", standbyPruned);
        sink.counter("flow.end.ha_delete", haDeleted);
        sink.counter("flow.standby", standbyActive);
        sink.counter("flow.standby_inserted", standbyInserted);
        sink.counter("flow.standby_promoted", standbyPromoted);
    }

    private void account(final Flow f, final Packet p, final int direction)
    {
        lastDirection = direction;
        f.lastNs = nowNs;
        if (direction == Flow.TO_SERVER)
        {
            f.pktsToServer++;
            f.bytesToServer += p.capturedLength;
            f.tcpFlagsToServer |= p.tcpFlags;
        }
        else
        {
            f.pktsToClient++;
            f.bytesToClient += p.capturedLength;
            f.tcpFlagsToClient |= p.tcpFlags;
        }
        if (f.protocol != 6 && f.state == FlowState.NEW && f.pktsToServer > 0 && f.pktsToClient > 0)
        {
            state(f, FlowState.ESTABLISHED);
        }
        else
        {
            final int list = listIndex(f);
            if (f.listIndex != list || lruTail[list] != f)
            {
                unlink(f);
                linkTail(f, list);
            }
        }
    }

    private Flow allocate()
    {
        if (spareCount > 0)
        {
            return spare[--spareCount];
        }
        if (allocated < maxFlows)
        {
            allocated++;
            return new Flow();
        }

        memcapHits++;
        if (!emergency)
        {
            emergency = true;
            emergencyEntered++;
        }
        expire(nowNs);
        if (spareCount == 0)
        {
            final int prune = Math.max(1, ctx.pruneFlows);
            for (int i = 0; i < prune; i++)
            {
                final Flow victim = oldest();
                if (victim == null)
                {
                    break;
                }
                if (victim.standby)
                {
                    standbyPruned++;
                }
                end(victim, FlowEndReason.FORCED);
                forced++;
            }
        }
        return spareCount > 0 ? spare[--spareCount] : null;
    }

    private Flow oldest()
    {
        Flow oldest = null;
        for (int list = 0; list <= LIST_COUNT; list++)
        {
            final Flow head = lruHead[list];
            if (head != null && (oldest == null || head.lastNs < oldest.lastNs))
            {
                oldest = head;
            }
        }
        return oldest;
    }

    private void checkRecovery()
    {
        if (emergency && (maxFlows - active) >= recoveryFlows)
        {
            emergency = false;
            emergencyOver++;
        }
    }

    private void promote(final Flow f, final Packet p, final int direction)
    {
        unlink(f);
        f.standby = false;
        standbyActive--;
        standbyPromoted++;
        linkTail(f, listIndex(f));
        promotionListener.onPromote(f, p, direction);
    }

    private void end(final Flow f, final FlowEndReason reason)
    {
        if (f.standby)
        {
            standbyActive--;
        }
        listener.onFlowEnd(f, reason);
        unlink(f);
        final int bucket = f.hash & bucketMask;
        if (buckets[bucket] == f)
        {
            buckets[bucket] = f.hashNext;
        }
        else
        {
            Flow prev = buckets[bucket];
            while (prev.hashNext != f)
            {
                prev = prev.hashNext;
            }
            prev.hashNext = f.hashNext;
        }
        f.hashNext = null;
        active--;
        spare[spareCount++] = f;
    }

    private long timeoutNs(final Flow f)
    {
        return timeouts.timeoutNs(FlowProtocol.of(f.protocol).ordinal(), f.state.ordinal(), emergency);
    }

    private static int listIndex(final Flow f)
    {
        if (f.standby)
        {
            return STANDBY_LIST;
        }
        return FlowProtocol.of(f.protocol).ordinal() * FlowState.count() + f.state.ordinal();
    }

    private void linkTail(final Flow f, final int list)
    {
        f.listIndex = (byte)list;
        f.lruNext = null;
        f.lruPrev = lruTail[list];
        if (lruTail[list] != null)
        {
            lruTail[list].lruNext = f;
        }
        else
        {
            lruHead[list] = f;
        }
        lruTail[list] = f;
    }

    private void unlink(final Flow f)
    {
        final int list = f.listIndex;
        if (f.lruPrev != null)
        {
            f.lruPrev.lruNext = f.lruNext;
        }
        else
        {
            lruHead[list] = f.lruNext;
        }
        if (f.lruNext != null)
        {
            f.lruNext.lruPrev = f.lruPrev;
        }
        else
        {
            lruTail[list] = f.lruPrev;
        }
        f.lruPrev = null;
        f.lruNext = null;
        f.listIndex = -1;
    }

    private void advance(final long timeNs)
    {
        if (timeNs > nowNs)
        {
            nowNs = timeNs;
        }
    }

    private long nextFlowId(final int hashValue)
    {
        flowSequence += ctx.flowIdStride;
        return (((hashValue & 0xFFFF_FFFFL) << 20) ^ flowSequence) & 0x000F_FFFF_FFFF_FFFFL;
    }

    /**
     * Symmetric hash of the packet's flow key: both directions of a flow hash alike.
     *
     * @param p decoded packet.
     * @return the hash.
     */
    int hash(final Packet p)
    {
        return hash(p.srcHi, p.srcLo, p.srcPort, p.dstHi, p.dstLo, p.dstPort, p.protocol, p.ipVersion,
            ctx.vlanInKey ? p.vlanCount : 0, p.vlanIds);
    }

    /**
     * The same symmetric hash from a flow key (equal to the hash of either direction's packets).
     *
     * @param k the key.
     * @return the hash.
     */
    int hash(final FlowKey k)
    {
        long h = hashEndpoints(k.clientHi, k.clientLo, k.clientPort, k.serverHi, k.serverLo, k.serverPort,
            k.protocol, k.ipVersion);
        final int vlanCount = ctx.vlanInKey ? k.vlanCount : 0;
        for (int i = 0; i < vlanCount; i++)
        {
            h = h * 31 + k.vlan(i);
        }
        return finish(h);
    }

    private int hash(
        final long srcHi,
        final long srcLo,
        final int srcPort,
        final long dstHi,
        final long dstLo,
        final int dstPort,
        final int protocol,
        final int ipVersion,
        final int vlanCount,
        final int[] vlanIds)
    {
        long h = hashEndpoints(srcHi, srcLo, srcPort, dstHi, dstLo, dstPort, protocol, ipVersion);
        for (int i = 0; i < vlanCount; i++)
        {
            h = h * 31 + vlanIds[i];
        }
        return finish(h);
    }

    private long hashEndpoints(
        final long srcHi,
        final long srcLo,
        final int srcPort,
        final long dstHi,
        final long dstLo,
        final int dstPort,
        final int protocol,
        final int ipVersion)
    {
        final long seed = ctx.hashSeed;
        final long a = mix(srcHi * 0x9E3779B97F4A7C15L ^ srcLo ^ seed) + srcPort;
        final long b = mix(dstHi * 0x9E3779B97F4A7C15L ^ dstLo ^ seed) + dstPort;
        final long h = mix(a) + mix(b);
        return h ^ (((long)protocol << 8) | ipVersion);
    }

    private int finish(final long value)
    {
        final long h = mix(value ^ ctx.hashSeed);
        return (int)(h ^ (h >>> 32));
    }

    private static long mix(final long value)
    {
        long z = value;
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }
}
