package io.tandem.node.defrag;

import java.nio.ByteOrder;
import java.util.Arrays;

import io.tandem.node.decode.Checksums;
import io.tandem.node.decode.DecoderEvent;
import io.tandem.node.decode.Packet;
import io.tandem.node.stats.StatsSink;
import io.tandem.node.stats.StatsSource;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * IPv4 and IPv6 fragment reassembly as Suricata's defrag: one tracker per datagram (keyed on addresses, IP id,
 * protocol, version and, when configured, VLAN ids), overlaps resolved per {@link DefragPolicy} exactly as Suricata's
 * {@code DefragInsertFrag} and rebuilt as its {@code Defrag4Reassemble} / {@code Defrag6Reassemble}.
 * <p>
 * All state is preallocated: trackers and fragment slots live in primitive arrays, fragment bytes in a block arena
 * bounded by the memcap, the rebuilt datagram in one reused buffer. Trackers are kept in least-recently-used order so
 * that {@link #expire(long)} only looks at the ones that are due. One instance belongs to one worker thread.
 */
public final class Defragmenter implements StatsSource
{
    /** The fragment was taken (or found redundant by the overlap policy); the datagram is still incomplete. */
    public static final int NOT_COMPLETE = 0;
    /** The fragment completed its datagram: see {@link #reassembled()}. */
    public static final int COMPLETE = 1;
    /** The fragment was not taken: not a fragment, invalid, too large, or a limit was reached. */
    public static final int DROPPED = 2;
    /** Bytes of one arena block: the unit in which fragment bytes count against the memcap. */
    public static final int BLOCK_SIZE = FragmentArena.BLOCK_SIZE;

    private static final int MAX_IP_PACKET = 65535;
    private static final int IPV4_MIN_HEADER = 20;
    private static final int IPV6_HEADER = 40;
    private static final int REBUILT_CAPACITY = IPV6_HEADER + MAX_IP_PACKET + 64;
    private static final int NONE = -1;
    private static final int CONTINUE = 0;
    private static final int INSERT = 1;
    private static final int INSERT_DROP_PREV = 2;
    private static final int DISCARD = 3;
    private static final DefragPolicy[] POLICIES = DefragPolicy.values();

    private final long timeoutNs;
    private final boolean vlanInKey;
    private final DefragPolicyLookup policyLookup;
    private final int maxFrags;
    private final int hashSize;

    private final int[] buckets;
    private final int[] tHashNext;
    private final int[] tBucket;
    private final int[] tLruPrev;
    private final int[] tLruNext;
    private final int[] tVersion;
    private final int[] tProto;
    private final int[] tIpId;
    private final long[] tSrcHi;
    private final long[] tSrcLo;
    private final long[] tDstHi;
    private final long[] tDstLo;
    private final long[] tVlanKey;
    private final long[] tLastNs;
    private final byte[] tPolicy;
    private final boolean[] tSeenLast;
    private final int[] tFragHead;
    private final int[] tFragCount;
    private int trackerFreeHead;
    private int trackersInUse;
    private int lruHead = NONE;
    private int lruTail = NONE;

    private final int[] fNext;
    private final int[] fPrev;
    private final int[] fOffset;
    private final int[] fDataLen;
    private final int[] fLtrim;
    private final int[] fHdrLen;
    private final int[] fBlock;
    private final int[] fNhPos;
    private final int[] fNh;
    private final boolean[] fMore;
    private int fragFreeHead;
    private int fragsInUse;

    private final FragmentArena arena;
    private final UnsafeBuffer rebuilt = new UnsafeBuffer(new byte[REBUILT_CAPACITY]);
    private int rebuiltLength;
    private int ltrim;

    private long ipv4Fragments;
    private long ipv4Reassembled;
    private long ipv6Fragments;
    private long ipv6Reassembled;
    private long maxTrackersReached;
    private long maxFragsReached;
    private long memcapException;
    private long ipv4Timeouts;
    private long ipv6Timeouts;

    /**
     * Create a defragmenter, allocating all its storage.
     *
     * @param context settings; {@link DefragContext#conclude()} is called.
     */
    public Defragmenter(final DefragContext context)
    {
        context.conclude();
        timeoutNs = context.timeoutNs();
        vlanInKey = context.vlanInKey();
        policyLookup = context.policyLookup();
        maxFrags = context.maxFrags();
        hashSize = context.hashSize();

        buckets = new int[hashSize];
        Arrays.fill(buckets, NONE);
        final int trackers = context.trackers();
        tHashNext = new int[trackers];
        tBucket = new int[trackers];
        tLruPrev = new int[trackers];
        tLruNext = new int[trackers];
        tVersion = new int[trackers];
        tProto = new int[trackers];
        tIpId = new int[trackers];
        tSrcHi = new long[trackers];
        tSrcLo = new long[trackers];
        tDstHi = new long[trackers];
        tDstLo = new long[trackers];
        tVlanKey = new long[trackers];
        tLastNs = new long[trackers];
        tPolicy = new byte[trackers];
        tSeenLast = new boolean[trackers];
        tFragHead = new int[trackers];
        tFragCount = new int[trackers];
        for (int i = 0; i < trackers; i++)
        {
            tHashNext[i] = i + 1 < trackers ? i + 1 : NONE;
        }
        trackerFreeHead = 0;

        fNext = new int[maxFrags];
        fPrev = new int[maxFrags];
        fOffset = new int[maxFrags];
        fDataLen = new int[maxFrags];
        fLtrim = new int[maxFrags];
        fHdrLen = new int[maxFrags];
        fBlock = new int[maxFrags];
        fNhPos = new int[maxFrags];
        fNh = new int[maxFrags];
        fMore = new boolean[maxFrags];
        for (int i = 0; i < maxFrags; i++)
        {
            fNext[i] = i + 1 < maxFrags ? i + 1 : NONE;
        }
        fragFreeHead = 0;

        arena = new FragmentArena(context.memcapBytes(), context.prealloc());
    }

    /**
     * Take one fragment. The packet's IP and fragment fields must have been set by the decoder; its buffer is only
     * read during this call.
     *
     * @param p     the fragment.
     * @param nowNs packet time in nanoseconds.
     * @return {@link #NOT_COMPLETE}, {@link #COMPLETE} or {@link #DROPPED}.
     */
    public int insert(final Packet p, final long nowNs)
    {
        final int version = p.ipVersion;
        if (!p.fragment || (version != 4 && version != 6) || (p.fragmentOffset == 0 && !p.moreFragments))
        {
            return DROPPED;
        }
        final boolean v4 = version == 4;
        final int payloadStart = p.fragmentPayloadOffset - p.l3Offset;
        final int dataLen = p.ipTotalLength - payloadStart;
        final int hdrLen = v4 ? payloadStart : p.fragmentHeaderOffset - p.l3Offset;
        if (dataLen < 0 || p.fragmentPayloadOffset + dataLen > p.buffer.capacity() ||
            hdrLen < (v4 ? IPV4_MIN_HEADER : IPV6_HEADER) || p.fragmentOffset < 0)
        {
            return DROPPED;
        }
        if (!v4 && p.moreFragments && (dataLen & 7) != 0)
        {
            p.raise(DecoderEvent.IPV6_FRAG_INVALID_LENGTH);
            return DROPPED;
        }
        if (v4)
        {
            ipv4Fragments++;
        }
        else
        {
            ipv6Fragments++;
        }

        final int datagramEnd = (v4 ? hdrLen : hdrLen - IPV6_HEADER) + p.fragmentOffset + dataLen;
        if (datagramEnd > MAX_IP_PACKET)
        {
            p.raise(v4 ? DecoderEvent.IPV4_FRAG_PKT_TOO_LARGE : DecoderEvent.IPV6_FRAG_PKT_TOO_LARGE);
            return DROPPED;
        }

        final int proto = v4 ? p.buffer.getByte(p.l3Offset + 9) & 0xFF : p.fragmentNextHeader;
        final long vlanKey = vlanInKey ? vlanKey(p) : 0;
        final int bucket = bucket(version, p.srcHi, p.srcLo, p.dstHi, p.dstLo, p.ipId, proto, vlanKey);
        int t = find(bucket, version, p.srcHi, p.srcLo, p.dstHi, p.dstLo, p.ipId, proto, vlanKey);
        if (t != NONE && nowNs - tLastNs[t] > timeoutNs)
        {
            countTimeout(t);
            freeTracker(t);
            t = NONE;
        }
        if (t == NONE)
        {
            t = newTracker(bucket, nowNs, version, p, proto, vlanKey);
            if (t == NONE)
            {
                maxTrackersReached++;
                return DROPPED;
            }
        }
        tLastNs[t] = nowNs;
        lruMoveToTail(t);

        final int result = insertFragment(t, p, v4, dataLen, hdrLen);
        if (result != COMPLETE && tFragHead[t] == NONE)
        {
            freeTracker(t);
        }
        return result;
    }

    /**
     * The datagram rebuilt by the last {@link #insert} that returned {@link #COMPLETE}, starting at its IP header.
     * Valid until the next insert.
     * <p>
     * IPv4: the offset-0 fragment's header with its options, total length set, MF and offset cleared (DF kept) and
     * the header checksum updated incrementally (RFC 1624, so a bad checksum stays bad). IPv6: the offset-0
     * fragment's unfragmentable part without the fragment header, the next-header byte that named the fragment
     * header set to the fragment header's next header, and the payload length set.
     *
     * @return the reused buffer.
     */
    public DirectBuffer reassembled()
    {
        return rebuilt;
    }

    /**
     * Length of the datagram in {@link #reassembled()}.
     *
     * @return bytes.
     */
    public int reassembledLength()
    {
        return rebuiltLength;
    }

    /**
     * Free the trackers idle for longer than the timeout, counting them as timeouts. Only the due trackers are
     * visited.
     *
     * @param nowNs current time in nanoseconds.
     * @return how many trackers were freed.
     */
    public int expire(final long nowNs)
    {
        int freed = 0;
        while (lruHead != NONE && nowNs - tLastNs[lruHead] > timeoutNs)
        {
            final int t = lruHead;
            countTimeout(t);
            freeTracker(t);
            freed++;
        }
        return freed;
    }

    /**
     * Datagrams currently under reassembly.
     *
     * @return tracker count.
     */
    public int trackersInUse()
    {
        return trackersInUse;
    }

    /**
     * Fragments currently held.
     *
     * @return fragment count.
     */
    public int fragmentsInUse()
    {
        return fragsInUse;
    }

    /**
     * Bytes of the arena holding fragment data (the {@code defrag.memuse} counter).
     *
     * @return bytes, never above the memcap.
     */
    public long memuseBytes()
    {
        return arena.bytesInUse();
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void reportStats(final StatsSink sink)
    {
        sink.counter("defrag.ipv4.fragments", ipv4Fragments);
        sink.counter("defrag.ipv4.reassembled", ipv4Reassembled);
        sink.counter("defrag.ipv6.fragments", ipv6Fragments);
        sink.counter("defrag.ipv6.reassembled", ipv6Reassembled);
        sink.counter("defrag.max_trackers_reached", maxTrackersReached);
        sink.counter("defrag.max_frags_reached", maxFragsReached);
        sink.counter("defrag.memcap_exception", memcapException);
        sink.counter("defrag.ipv4.timeouts", ipv4Timeouts);
        sink.counter("defrag.ipv6.timeouts", ipv6Timeouts);
        sink.counter("defrag.memuse", arena.bytesInUse());
    }

    private int insertFragment(final int t, final Packet p, final boolean v4, final int dataLen, final int hdrLen)
    {
        if (tFragCount[t] >= maxFrags)
        {
            maxFragsReached++;
            p.raise(v4 ? DecoderEvent.IPV4_FRAG_TOO_MANY : DecoderEvent.IPV6_FRAG_TOO_MANY);
            return DROPPED;
        }
        if (fragFreeHead == NONE)
        {
            maxFragsReached++;
            p.raise(v4 ? DecoderEvent.IPV4_FRAG_IGNORED : DecoderEvent.IPV6_FRAG_IGNORED);
            return DROPPED;
        }
        if (!arena.canAllocate(hdrLen + dataLen))
        {
            memcapException++;
            p.raise(v4 ? DecoderEvent.IPV4_FRAG_IGNORED : DecoderEvent.IPV6_FRAG_IGNORED);
            return DROPPED;
        }

        final int offset = p.fragmentOffset;
        final int fragEnd = offset + dataLen;
        final DefragPolicy policy = POLICIES[tPolicy[t]];
        ltrim = 0;
        boolean overlap = false;
        boolean discard = false;
        final int head = tFragHead[t];
        if (head != NONE)
        {
            int atOrAfter = head;
            while (atOrAfter != NONE && fOffset[atOrAfter] < offset)
            {
                atOrAfter = fNext[atOrAfter];
            }
            int prev;
            if (atOrAfter == NONE)
            {
                prev = head;
            }
            else if (fPrev[atOrAfter] == NONE)
            {
                prev = atOrAfter;
            }
            else
            {
                prev = fPrev[atOrAfter];
            }
            while (prev != NONE)
            {
                final int next = fNext[prev];
                if (offset < fOffset[prev] + fDataLen[prev] && fOffset[prev] < fragEnd)
                {
                    overlap = true;
                }
                final int action = resolve(policy, prev, next, offset, fragEnd);
                if (action == DISCARD)
                {
                    discard = true;
                    break;
                }
                if (action != CONTINUE)
                {
                    if (action == INSERT_DROP_PREV || fLtrim[prev] >= fDataLen[prev])
                    {
                        removeFragment(t, prev);
                    }
                    break;
                }
                prev = next;
            }
        }
        if (overlap)
        {
            p.raise(v4 ? DecoderEvent.IPV4_FRAG_OVERLAP : DecoderEvent.IPV6_FRAG_OVERLAP);
        }
        if (discard || ltrim >= dataLen)
        {
            return NOT_COMPLETE;
        }

        storeFragment(t, p, v4, dataLen, hdrLen);
        if (!p.moreFragments)
        {
            tSeenLast[t] = true;
        }
        if (tSeenLast[t])
        {
            return reassemble(t, p, v4);
        }
        return NOT_COMPLETE;
    }

    private int resolve(final DefragPolicy policy, final int prev, final int next, final int offset, final int fragEnd)
    {
        final int prevOff = fOffset[prev];
        final int prevEnd = prevOff + fDataLen[prev];
        switch (policy)
        {
            case BSD:
                if (offset < prevEnd)
                {
                    if (prevOff <= offset)
                    {
                        if (prevEnd > fragEnd)
                        {
                            return DISCARD;
                        }
                        ltrim = prevEnd - offset;
                        trimNext(next, fragEnd);
                        return INSERT;
                    }
                    if (offset <= prevOff && fragEnd > prevOff + fLtrim[prev])
                    {
                        fLtrim[prev] = Math.max(fLtrim[prev], fragEnd - prevOff);
                    }
                    trimNext(next, fragEnd);
                    return INSERT;
                }
                return CONTINUE;
            case LINUX:
                if (prevOff + fLtrim[prev] < offset + ltrim && prevEnd > offset + ltrim)
                {
                    ltrim += prevEnd - offset;
                }
                if (offset + ltrim < prevOff + fLtrim[prev] && fragEnd > prevOff + fLtrim[prev])
                {
                    fLtrim[prev] += fragEnd - (prevOff + fLtrim[prev]);
                    return INSERT;
                }
                if (offset + ltrim <= prevOff + fLtrim[prev] && fragEnd >= prevEnd)
                {
                    return INSERT_DROP_PREV;
                }
                return CONTINUE;
            case WINDOWS:
                if (offset >= prevOff && fragEnd <= prevEnd)
                {
                    return DISCARD;
                }
                if (offset < prevOff && fragEnd > prevEnd)
                {
                    return INSERT_DROP_PREV;
                }
                if (offset + ltrim > prevOff + fLtrim[prev] && offset + ltrim < prevEnd)
                {
                    ltrim += prevEnd - offset;
                    return INSERT;
                }
                if (offset == prevOff && fragEnd > prevEnd)
                {
                    ltrim += prevEnd - offset;
                    return INSERT;
                }
                return CONTINUE;
            case SOLARIS:
                if (offset < prevEnd)
                {
                    if (offset >= prevOff)
                    {
                        ltrim = prevEnd - offset;
                    }
                    return offset < prevOff && fragEnd >= prevEnd ? INSERT_DROP_PREV : INSERT;
                }
                return CONTINUE;
            case FIRST:
                if (offset >= prevOff && fragEnd <= prevEnd)
                {
                    return DISCARD;
                }
                if (offset < prevOff)
                {
                    return INSERT;
                }
                if (offset < prevEnd)
                {
                    ltrim = prevEnd - offset;
                    return INSERT;
                }
                return CONTINUE;
            case LAST:
                if (offset <= prevOff)
                {
                    if (fragEnd > prevOff)
                    {
                        fLtrim[prev] = fragEnd - prevOff;
                    }
                    return INSERT;
                }
                return CONTINUE;
            default:
                return CONTINUE;
        }
    }

    private void trimNext(final int next, final int fragEnd)
    {
        if (next != NONE && fragEnd > fOffset[next])
        {
            fLtrim[next] = fragEnd - fOffset[next];
        }
    }

    private void storeFragment(final int t, final Packet p, final boolean v4, final int dataLen, final int hdrLen)
    {
        final int offset = p.fragmentOffset + ltrim;
        final int length = dataLen - ltrim;
        final int storedHdr = offset == 0 ? hdrLen : 0;
        final int block = arena.allocate(storedHdr + length);
        if (storedHdr > 0)
        {
            arena.write(block, 0, p.buffer, p.l3Offset, storedHdr);
        }
        arena.write(block, storedHdr, p.buffer, p.fragmentPayloadOffset + ltrim, length);

        final int f = fragFreeHead;
        fragFreeHead = fNext[f];
        fragsInUse++;
        fOffset[f] = offset;
        fDataLen[f] = length;
        fLtrim[f] = 0;
        fHdrLen[f] = storedHdr;
        fBlock[f] = block;
        fMore[f] = p.moreFragments;
        fNhPos[f] = v4 ? 0 : p.fragmentPrevNextHeaderOffset - p.l3Offset;
        fNh[f] = p.fragmentNextHeader;

        int after = NONE;
        int n = tFragHead[t];
        while (n != NONE && fOffset[n] <= offset)
        {
            after = n;
            n = fNext[n];
        }
        fPrev[f] = after;
        fNext[f] = n;
        if (after == NONE)
        {
            tFragHead[t] = f;
        }
        else
        {
            fNext[after] = f;
        }
        if (n != NONE)
        {
            fPrev[n] = f;
        }
        tFragCount[t]++;
    }

    private int reassemble(final int t, final Packet p, final boolean v4)
    {
        final int first = tFragHead[t];
        if (fOffset[first] != 0)
        {
            return NOT_COMPLETE;
        }
        int len = 0;
        int maxHdr = 0;
        for (int n = first; n != NONE; n = fNext[n])
        {
            if (fOffset[n] > len)
            {
                return NOT_COMPLETE;
            }
            len = Math.max(len, fOffset[n] + fDataLen[n]);
            maxHdr = Math.max(maxHdr, fHdrLen[n]);
        }
        rebuilt.setMemory(0, Math.min(REBUILT_CAPACITY, maxHdr + len), (byte)0);

        int hdr = 0;
        int fragmentableLen = 0;
        int nhPos = 0;
        int nh = 0;
        boolean haveHeader = false;
        boolean more = true;
        int prevOffset = 0;
        for (int n = first; n != NONE; n = fNext[n])
        {
            if (!more && fOffset[n] > prevOffset)
            {
                break;
            }
            if (fLtrim[n] >= fDataLen[n])
            {
                continue;
            }
            if (fOffset[n] == 0)
            {
                if (fHdrLen[n] + fDataLen[n] > REBUILT_CAPACITY)
                {
                    return failReassembly(t, p, v4);
                }
                arena.read(fBlock[n], 0, rebuilt, 0, fHdrLen[n] + fDataLen[n]);
                hdr = fHdrLen[n];
                fragmentableLen = fDataLen[n];
                nhPos = fNhPos[n];
                nh = fNh[n];
                haveHeader = true;
            }
            else
            {
                final int dst = hdr + fOffset[n] + fLtrim[n];
                final int length = fDataLen[n] - fLtrim[n];
                if (dst + length > REBUILT_CAPACITY)
                {
                    return failReassembly(t, p, v4);
                }
                arena.read(fBlock[n], fHdrLen[n] + fLtrim[n], rebuilt, dst, length);
                fragmentableLen = Math.max(fragmentableLen, fOffset[n] + fDataLen[n]);
            }
            more = fMore[n];
            prevOffset = fOffset[n];
        }
        if (!haveHeader)
        {
            freeTracker(t);
            return DROPPED;
        }
        return v4 ? finishIpv4(t, p, hdr, fragmentableLen) : finishIpv6(t, p, hdr, fragmentableLen, nhPos, nh);
    }

    private int finishIpv4(final int t, final Packet p, final int hdr, final int fragmentableLen)
    {
        final int total = hdr + fragmentableLen;
        if (total > MAX_IP_PACKET)
        {
            return failReassembly(t, p, true);
        }
        final int oldLen = rebuilt.getShort(2, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        final int oldOff = rebuilt.getShort(6, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        final int newOff = oldOff & 0x4000;
        final int oldChecksum = rebuilt.getShort(10, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        final long sum = (~oldChecksum & 0xFFFF) + (~oldLen & 0xFFFF) + total + (~oldOff & 0xFFFF) + newOff;
        rebuilt.putShort(2, (short)total, ByteOrder.BIG_ENDIAN);
        rebuilt.putShort(6, (short)newOff, ByteOrder.BIG_ENDIAN);
        rebuilt.putShort(10, (short)(~Checksums.fold(sum) & 0xFFFF), ByteOrder.BIG_ENDIAN);
        rebuiltLength = total;
        ipv4Reassembled++;
        freeTracker(t);
        return COMPLETE;
    }

    private int finishIpv6(
        final int t, final Packet p, final int hdr, final int fragmentableLen, final int nhPos, final int nh)
    {
        final int payloadLength = hdr - IPV6_HEADER + fragmentableLen;
        if (payloadLength > MAX_IP_PACKET || nhPos < 6 || nhPos >= hdr)
        {
            return failReassembly(t, p, false);
        }
        rebuilt.putByte(nhPos, (byte)nh);
        rebuilt.putShort(4, (short)payloadLength, ByteOrder.BIG_ENDIAN);
        rebuiltLength = hdr + fragmentableLen;
        ipv6Reassembled++;
        freeTracker(t);
        return COMPLETE;
    }

    private int failReassembly(final int t, final Packet p, final boolean v4)
    {
        p.raise(v4 ? DecoderEvent.IPV4_FRAG_PKT_TOO_LARGE : DecoderEvent.IPV6_FRAG_PKT_TOO_LARGE);
        freeTracker(t);
        return DROPPED;
    }

    private void removeFragment(final int t, final int f)
    {
        final int prev = fPrev[f];
        final int next = fNext[f];
        if (prev == NONE)
        {
            tFragHead[t] = next;
        }
        else
        {
            fNext[prev] = next;
        }
        if (next != NONE)
        {
            fPrev[next] = prev;
        }
        releaseFragment(f);
        tFragCount[t]--;
    }

    private void releaseFragment(final int f)
    {
        arena.free(fBlock[f]);
        fNext[f] = fragFreeHead;
        fragFreeHead = f;
        fragsInUse--;
    }

    private int newTracker(
        final int bucket, final long nowNs, final int version, final Packet p, final int proto, final long vlanKey)
    {
        if (trackerFreeHead == NONE && lruHead != NONE && nowNs - tLastNs[lruHead] > timeoutNs)
        {
            final int stale = lruHead;
            countTimeout(stale);
            freeTracker(stale);
        }
        final int t = trackerFreeHead;
        if (t == NONE)
        {
            return NONE;
        }
        trackerFreeHead = tHashNext[t];
        trackersInUse++;
        tVersion[t] = version;
        tProto[t] = proto;
        tIpId[t] = p.ipId;
        tSrcHi[t] = p.srcHi;
        tSrcLo[t] = p.srcLo;
        tDstHi[t] = p.dstHi;
        tDstLo[t] = p.dstLo;
        tVlanKey[t] = vlanKey;
        tSeenLast[t] = false;
        tFragHead[t] = NONE;
        tFragCount[t] = 0;
        tPolicy[t] = (byte)policyLookup.policyFor(version, p.dstHi, p.dstLo).ordinal();
        tBucket[t] = bucket;
        tHashNext[t] = buckets[bucket];
        buckets[bucket] = t;
        tLruPrev[t] = lruTail;
        tLruNext[t] = NONE;
        if (lruTail == NONE)
        {
            lruHead = t;
        }
        else
        {
            tLruNext[lruTail] = t;
        }
        lruTail = t;
        return t;
    }

    private void freeTracker(final int t)
    {
        int f = tFragHead[t];
        while (f != NONE)
        {
            final int next = fNext[f];
            releaseFragment(f);
            f = next;
        }
        tFragHead[t] = NONE;
        tFragCount[t] = 0;

        final int bucket = tBucket[t];
        if (buckets[bucket] == t)
        {
            buckets[bucket] = tHashNext[t];
        }
        else
        {
            int n = buckets[bucket];
            while (tHashNext[n] != t)
            {
                n = tHashNext[n];
            }
            tHashNext[n] = tHashNext[t];
        }
        lruUnlink(t);
        tHashNext[t] = trackerFreeHead;
        trackerFreeHead = t;
        trackersInUse--;
    }

    private void lruUnlink(final int t)
    {
        final int prev = tLruPrev[t];
        final int next = tLruNext[t];
        if (prev == NONE)
        {
            lruHead = next;
        }
        else
        {
            tLruNext[prev] = next;
        }
        if (next == NONE)
        {
            lruTail = prev;
        }
        else
        {
            tLruPrev[next] = prev;
        }
    }

    private void lruMoveToTail(final int t)
    {
        if (lruTail == t)
        {
            return;
        }
        lruUnlink(t);
        tLruPrev[t] = lruTail;
        tLruNext[t] = NONE;
        if (lruTail == NONE)
        {
            lruHead = t;
        }
        else
        {
            tLruNext[lruTail] = t;
        }
        lruTail = t;
    }

    private void countTimeout(final int t)
    {
        if (tVersion[t] == 4)
        {
            ipv4Timeouts++;
        }
        else
        {
            ipv6Timeouts++;
        }
    }

    private int find(
        final int bucket,
        final int version,
        final long srcHi,
        final long srcLo,
        final long dstHi,
        final long dstLo,
        final int ipId,
        final int proto,
        final long vlanKey)
    {
        for (int t = buckets[bucket]; t != NONE; t = tHashNext[t])
        {
            if (tIpId[t] == ipId && tSrcLo[t] == srcLo && tDstLo[t] == dstLo && tSrcHi[t] == srcHi &&
                tDstHi[t] == dstHi && tVersion[t] == version && tProto[t] == proto && tVlanKey[t] == vlanKey)
            {
                return t;
            }
        }
        return NONE;
    }

    private int bucket(
        final int version,
        final long srcHi,
        final long srcLo,
        final long dstHi,
        final long dstLo,
        final int ipId,
        final int proto,
        final long vlanKey)
    {
        long h = srcHi;
        h = h * 31 + srcLo;
        h = h * 31 + dstHi;
        h = h * 31 + dstLo;
        h = h * 31 + (ipId & 0xFFFFFFFFL);
        h = h * 31 + ((long)proto << 8 | version);
        h = h * 31 + vlanKey;
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        h ^= h >>> 33;
        return (int)((h >>> 1) % hashSize);
    }

    private static long vlanKey(final Packet p)
    {
        final int count = Math.min(p.vlanCount, Packet.MAX_VLANS);
        long key = count;
        for (int i = 0; i < count; i++)
        {
            key = key << 16 | (p.vlanIds[i] & 0xFFFF);
        }
        return key;
    }
}
