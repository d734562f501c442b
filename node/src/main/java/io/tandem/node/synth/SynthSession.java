package io.tandem.node.synth;

import java.util.Arrays;

import io.tandem.node.decode.Packet;

/**
 * One session's script, reused slot by slot: {@link #plan} draws everything the session will do and lays out its
 * packets (captured or not) as parallel primitive arrays with absolute timestamps; the synthesizer then emits them one
 * at a time, interleaved with other live sessions. Arrays only grow, so steady state allocates nothing.
 */
final class SynthSession
{
    static final int CLIENT = 0;
    static final int SERVER = 1;

    static final int KIND_PLAIN = 0;
    static final int KIND_SYN = 1;
    static final int KIND_RST = 2;
    static final int KIND_COPY = 3;
    static final int KIND_ALTERED = 4;

    static final int MIN_FRAGMENTED_PAYLOAD = 16;

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final int[] TCP_PORTS = { 80, 443, 8080, 25 };
    private static final int[] UDP_PORTS = { 53, 123, 5060 };
    private static final int[] APP_PORTS = { 80, 443, 22, 25 };

    long flowId;
    boolean udp;
    int ipVersion;
    final long[] addressHi = new long[2];
    final long[] addressLo = new long[2];
    final int[] port = new int[2];
    final long[] mac = new long[2];
    final int[] ttl = new int[2];
    int vlanCount;
    int outerVlan;
    int innerVlan;
    boolean fragmented;
    int anomalies;
    int close;
    int capturedDirections;
    long startNs;
    int firstCapturedDirection;

    final int[] isn = new int[2];
    final int[] tsBase = new int[2];
    final int[] lastTsval = new int[2];
    final int[] ipId = new int[2];
    final int[] payloadKey = new int[2];
    final long[] payloadBytes = new long[2];
    final long[] offset = new long[2];
    final int[] next = new int[2];

    final long[] packets = new long[2];
    final long[] frameBytes = new long[2];
    final long[] datagrams = new long[2];
    final long[] datagramBytes = new long[2];
    final long[] capturedPayloadBytes = new long[2];
    long firstNs;
    long lastNs;

    int eventCount;
    int cursor;
    int[] evDir = new int[64];
    int[] evFlags = new int[64];
    int[] evSeq = new int[64];
    int[] evAck = new int[64];
    int[] evLength = new int[64];
    int[] evKind = new int[64];
    int[] evFragments = new int[64];
    long[] evOffset = new long[64];
    long[] evTimeNs = new long[64];
    boolean[] evCaptured = new boolean[64];

    private int segmentCount;
    private int[] segDir = new int[64];
    private int[] segLength = new int[64];
    private boolean[] segPairStart = new boolean[64];
    private int[] exchangeBytes = new int[8];
    private final int[] picked = new int[5];
    private int pickedCount;

    private final SynthRandom random = new SynthRandom(0);
    private final SynthRandom appRandom = new SynthRandom(0);
    private int thinkMaxMs;

    void plan(final long flowId, final long startNs, final SynthOptions options, final int portBase)
    {
        this.flowId = flowId;
        this.startNs = startNs;
        random.seed(SynthRandom.mix(options.seed() * GOLDEN + 0x5EED) ^ (flowId * GOLDEN));
        reset();

        udp = random.percent(options.udpPct());
        final boolean ipv6 = random.percent(options.ipv6Pct());
        final boolean vlan = random.percent(options.vlanPct());
        final boolean qinq = vlan && random.nextInt(4) == 0;
        final int outer = random.between(1, 4094);
        final int inner = random.between(1, 4094);
        fragmented = random.percent(options.fragPct());
        final boolean oneSided = random.percent(options.onesidePct());
        final int sideCaptured = random.nextInt(2);
        final boolean midstream = random.percent(options.midstreamPct()) && !udp;
        final boolean rst = random.percent(options.rstPct()) && !udp;
        final boolean reorder = random.percent(options.reorderPct()) && !udp;
        final boolean loss = random.percent(options.lossPct()) && !udp;
        final boolean retrans = random.percent(options.retransPct()) && !udp;
        final boolean overlap = random.percent(options.overlapPct()) && !udp;
        final boolean wrap = random.percent(options.wrapPct()) && !udp;

        ipVersion = ipv6 ? 6 : 4;
        vlanCount = qinq ? 2 : (vlan ? 1 : 0);
        outerVlan = vlan ? outer : 0;
        innerVlan = qinq ? inner : 0;
        capturedDirections = oneSided ? 1 << sideCaptured : 3;
        if (oneSided)
        {
            anomalies |= SynthAnomaly.ONE_SIDED.bit();
        }
        if (ipv6)
        {
            anomalies |= SynthAnomaly.IPV6.bit();
        }
        if (vlan)
        {
            anomalies |= SynthAnomaly.VLAN.bit();
        }
        if (qinq)
        {
            anomalies |= SynthAnomaly.QINQ.bit();
        }

        assignEndpoints(flowId, options, portBase, ipv6);

        final int rttNs = random.between(200_000, 40_000_000);
        for (int d = 0; d < 2; d++)
        {
            isn[d] = wrap ? -random.between(1, 3000) : random.nextInt();
            tsBase[d] = random.nextInt() & 0x7FFF_FFFF;
            ipId[d] = random.nextInt() & 0xFFFF;
            payloadKey[d] = random.nextInt() & (PayloadPattern.TABLE_LENGTH - 1);
        }
        if (!udp && options.appPct() > 0)
        {
            appRandom.seed(SynthRandom.mix(options.seed() * GOLDEN + 0xA990) ^ (flowId * GOLDEN));
            if (appRandom.percent(options.appPct()))
            {
                final int app = appRandom.nextInt(APP_PORTS.length);
                port[SERVER] = APP_PORTS[app];
                payloadKey[CLIENT] = PayloadPattern.withPreamble(payloadKey[CLIENT], 1 + app * 2);
                payloadKey[SERVER] = PayloadPattern.withPreamble(payloadKey[SERVER], 2 + app * 2);
            }
        }

        thinkMaxMs = options.maxThinkTimeMs();
        final int exchanges = random.between(1, options.maxExchanges());
        if (exchangeBytes.length < exchanges * 2)
        {
            exchangeBytes = new int[exchanges * 2];
        }
        for (int e = 0; e < exchanges; e++)
        {
            exchangeBytes[e * 2] = random.between(options.requestMinBytes(), options.requestMaxBytes());
            exchangeBytes[e * 2 + 1] = random.between(options.responseMinBytes(), options.responseMaxBytes());
            payloadBytes[CLIENT] += exchangeBytes[e * 2];
            payloadBytes[SERVER] += exchangeBytes[e * 2 + 1];
        }
        final int mss = options.mss();
        layoutSegments(exchanges, mss);

        int reorderAt = -1;
        int lossAt = -1;
        int retransAt = -1;
        int overlapAt = -1;
        if (reorder)
        {
            reorderAt = pick(true);
            mark(reorderAt, SynthAnomaly.REORDER);
        }
        if (loss)
        {
            lossAt = pick(false);
            mark(lossAt, SynthAnomaly.LOSS);
        }
        if (retrans)
        {
            retransAt = pick(false);
            mark(retransAt, SynthAnomaly.RETRANSMISSION);
        }
        if (overlap)
        {
            overlapAt = pick(false);
            mark(overlapAt, SynthAnomaly.OVERLAP);
        }
        if (midstream)
        {
            anomalies |= SynthAnomaly.MIDSTREAM.bit();
        }

        if (udp)
        {
            layoutUdp(exchanges, mss, rttNs);
            close = SynthManifest.CLOSE_NONE;
        }
        else
        {
            layoutTcp(exchanges, rttNs, midstream, reorderAt, lossAt, retransAt, overlapAt);
            layoutClose(rst, rttNs);
            close = rst ? SynthManifest.CLOSE_RST : SynthManifest.CLOSE_FIN;
            for (int d = 0; d < 2; d++)
            {
                if ((isn[d] & 0xFFFF_FFFFL) + payloadBytes[d] + 2 > 0x1_0000_0000L)
                {
                    anomalies |= SynthAnomaly.SEQ_WRAP.bit();
                }
            }
        }

        long timeNs = startNs;
        firstCapturedDirection = -1;
        for (int i = 0; i < eventCount; i++)
        {
            timeNs += evTimeNs[i];
            evTimeNs[i] = timeNs;
            if (evCaptured[i])
            {
                if (firstCapturedDirection < 0)
                {
                    firstCapturedDirection = evDir[i];
                }
                if (evFragments[i] > 0)
                {
                    anomalies |= SynthAnomaly.FRAGMENTED.bit();
                }
            }
        }
    }

    private void assignEndpoints(final long flowId, final SynthOptions options, final int portBase, final boolean ipv6)
    {
        final int clientIndex = (int)(flowId % options.clientHosts());
        final long portIndex = flowId / options.clientHosts();
        final int serverIndex = random.nextInt(options.serverHosts());
        port[CLIENT] = 1024 + (int)((portIndex * 7919 + portBase) % 64_000);
        port[SERVER] = udp ? UDP_PORTS[random.nextInt(UDP_PORTS.length)] : TCP_PORTS[random.nextInt(TCP_PORTS.length)];
        if (ipv6)
        {
            addressHi[CLIENT] = options.clientNetworkV6();
            addressLo[CLIENT] = clientIndex + 1;
            addressHi[SERVER] = options.serverNetworkV6();
            addressLo[SERVER] = serverIndex + 1;
        }
        else
        {
            addressHi[CLIENT] = 0;
            addressLo[CLIENT] = (options.clientNetworkV4() + clientIndex) & 0xFFFF_FFFFL;
            addressHi[SERVER] = 0;
            addressLo[SERVER] = (options.serverNetworkV4() + serverIndex) & 0xFFFF_FFFFL;
        }
        mac[CLIENT] = 0x0200_0000_0000L | (clientIndex + 1);
        mac[SERVER] = 0x02AA_0000_0000L | (serverIndex + 1);
        ttl[CLIENT] = 64;
        ttl[SERVER] = 56;
    }

    boolean done()
    {
        return cursor >= eventCount;
    }

    long nextTimeNs()
    {
        return evTimeNs[cursor];
    }

    private void reset()
    {
        anomalies = 0;
        eventCount = 0;
        cursor = 0;
        segmentCount = 0;
        pickedCount = 0;
        firstNs = 0;
        lastNs = 0;
        Arrays.fill(payloadBytes, 0);
        Arrays.fill(offset, 0);
        Arrays.fill(lastTsval, 0);
        Arrays.fill(packets, 0);
        Arrays.fill(frameBytes, 0);
        Arrays.fill(datagrams, 0);
        Arrays.fill(datagramBytes, 0);
        Arrays.fill(capturedPayloadBytes, 0);
    }

    private boolean captured(final int direction)
    {
        return (capturedDirections & (1 << direction)) != 0;
    }

    private void layoutSegments(final int exchanges, final int mss)
    {
        for (int e = 0; e < exchanges; e++)
        {
            for (int d = 0; d < 2; d++)
            {
                final int size = exchangeBytes[e * 2 + d];
                final int count = (size + mss - 1) / mss;
                for (int j = 0; j < count; j++)
                {
                    ensureSegmentCapacity(segmentCount + 1);
                    segDir[segmentCount] = d;
                    segLength[segmentCount] = Math.min(mss, size - j * mss);
                    segPairStart[segmentCount] = (j & 1) == 0 && j + 1 < count;
                    segmentCount++;
                }
            }
        }
    }

    private boolean free(final int segment)
    {
        for (int i = 0; i < pickedCount; i++)
        {
            if (picked[i] == segment)
            {
                return false;
            }
        }
        return true;
    }

    private boolean candidate(final int segment, final boolean pair)
    {
        return captured(segDir[segment]) && free(segment) &&
            (!pair || (segPairStart[segment] && free(segment + 1)));
    }

    private int pick(final boolean pair)
    {
        int count = 0;
        for (int g = 0; g < segmentCount; g++)
        {
            if (candidate(g, pair))
            {
                count++;
            }
        }
        final int chosen = random.nextInt(Math.max(1, count));
        if (count == 0)
        {
            return -1;
        }
        int seen = 0;
        for (int g = 0; g < segmentCount; g++)
        {
            if (candidate(g, pair) && seen++ == chosen)
            {
                picked[pickedCount++] = g;
                if (pair)
                {
                    picked[pickedCount++] = g + 1;
                }
                return g;
            }
        }
        return -1;
    }

    private void mark(final int segment, final SynthAnomaly anomaly)
    {
        if (segment >= 0)
        {
            anomalies |= anomaly.bit();
        }
    }

    private void layoutTcp(
        final int exchanges,
        final int rttNs,
        final boolean midstream,
        final int reorderAt,
        final int lossAt,
        final int retransAt,
        final int overlapAt)
    {
        final int ackFlag = Packet.TH_ACK;
        add(CLIENT, Packet.TH_SYN, isn[CLIENT], 0, 0, KIND_SYN, 0, !midstream && captured(CLIENT));
        add(SERVER, Packet.TH_SYN | ackFlag, isn[SERVER], isn[CLIENT] + 1, 0, KIND_SYN, rttNs / 2,
            !midstream && captured(SERVER));
        add(CLIENT, ackFlag, isn[CLIENT] + 1, isn[SERVER] + 1, 0, KIND_PLAIN, rttNs / 2,
            !midstream && captured(CLIENT));
        next[CLIENT] = isn[CLIENT] + 1;
        next[SERVER] = isn[SERVER] + 1;

        int g = 0;
        for (int e = 0; e < exchanges; e++)
        {
            for (int d = 0; d < 2; d++)
            {
                final int peer = 1 - d;
                final int size = exchangeBytes[e * 2 + d];
                final int count = segmentCountOf(size, g);
                for (int j = 0; j < count; j++, g++)
                {
                    final int length = segLength[g];
                    final int flags = ackFlag | (j == count - 1 ? Packet.TH_PSH : 0);
                    final long delta = j == 0 ? rttNs / 2 + random.between(10_000, 2_000_000) + thinkNs(e, d) :
                        random.between(5_000, 50_000);
                    final int fragments = fragmented && length >= MIN_FRAGMENTED_PAYLOAD ? random.between(2, 3) : 0;
                    final int index = add(d, flags, next[d], next[peer], length, KIND_PLAIN, delta,
                        captured(d) && g != lossAt);
                    evFragments[index] = fragments;
                    if (reorderAt >= 0 && g == reorderAt + 1)
                    {
                        swap(index - 1, index);
                    }
                    if (g == retransAt || g == overlapAt)
                    {
                        final int copy = add(d, flags, next[d], next[peer], length,
                            g == retransAt ? KIND_COPY : KIND_ALTERED, rttNs + random.between(1_000, 200_000),
                            captured(d));
                        evFragments[copy] = fragments;
                    }
                    next[d] += length;
                    offset[d] += length;
                    if ((j & 1) == 1 || j == count - 1)
                    {
                        add(peer, ackFlag, next[peer], next[d], 0, KIND_PLAIN, random.between(20_000, 200_000),
                            captured(peer));
                    }
                }
            }
        }
    }

    private long thinkNs(final int exchange, final int direction)
    {
        return thinkMaxMs > 0 && exchange > 0 && direction == CLIENT ? random.between(0, thinkMaxMs) * 1_000_000L : 0;
    }

    private int segmentCountOf(final int size, final int firstSegment)
    {
        int count = 0;
        int covered = 0;
        while (covered < size)
        {
            covered += segLength[firstSegment + count];
            count++;
        }
        return count;
    }

    private void layoutClose(final boolean rst, final int rttNs)
    {
        final int closer = random.nextInt(2);
        final int peer = 1 - closer;
        final int delta = random.between(50_000, 5_000_000);
        if (rst)
        {
            anomalies |= SynthAnomaly.RST.bit();
            add(closer, Packet.TH_RST | Packet.TH_ACK, next[closer], next[peer], 0, KIND_RST, delta, captured(closer));
            return;
        }
        add(closer, Packet.TH_FIN | Packet.TH_ACK, next[closer], next[peer], 0, KIND_PLAIN, delta, captured(closer));
        next[closer]++;
        add(peer, Packet.TH_FIN | Packet.TH_ACK, next[peer], next[closer], 0, KIND_PLAIN, rttNs / 2, captured(peer));
        next[peer]++;
        add(closer, Packet.TH_ACK, next[closer], next[peer], 0, KIND_PLAIN, rttNs / 2, captured(closer));
    }

    private void layoutUdp(final int exchanges, final int mss, final int rttNs)
    {
        int g = 0;
        for (int e = 0; e < exchanges; e++)
        {
            for (int d = 0; d < 2; d++)
            {
                final int size = exchangeBytes[e * 2 + d];
                final int count = segmentCountOf(size, g);
                for (int j = 0; j < count; j++, g++)
                {
                    final int length = segLength[g];
                    final long delta = j == 0 ? rttNs / 2 + random.between(10_000, 2_000_000) + thinkNs(e, d) :
                        random.between(5_000, 50_000);
                    final int index = add(d, 0, 0, 0, length, KIND_PLAIN, delta, captured(d));
                    evFragments[index] = fragmented && length >= MIN_FRAGMENTED_PAYLOAD ? random.between(2, 3) : 0;
                    offset[d] += length;
                }
            }
        }
    }

    private int add(
        final int direction,
        final int flags,
        final int seq,
        final int ack,
        final int length,
        final int kind,
        final long deltaNs,
        final boolean isCaptured)
    {
        ensureEventCapacity(eventCount + 1);
        final int i = eventCount++;
        evDir[i] = direction;
        evFlags[i] = flags;
        evSeq[i] = seq;
        evAck[i] = ack;
        evLength[i] = length;
        evKind[i] = kind;
        evFragments[i] = 0;
        evOffset[i] = offset[direction];
        evTimeNs[i] = deltaNs;
        evCaptured[i] = isCaptured;
        return i;
    }

    private void swap(final int a, final int b)
    {
        swap(evDir, a, b);
        swap(evFlags, a, b);
        swap(evSeq, a, b);
        swap(evAck, a, b);
        swap(evLength, a, b);
        swap(evKind, a, b);
        swap(evFragments, a, b);
        final long offsetA = evOffset[a];
        evOffset[a] = evOffset[b];
        evOffset[b] = offsetA;
        final long timeA = evTimeNs[a];
        evTimeNs[a] = evTimeNs[b];
        evTimeNs[b] = timeA;
        final boolean capturedA = evCaptured[a];
        evCaptured[a] = evCaptured[b];
        evCaptured[b] = capturedA;
    }

    private static void swap(final int[] array, final int a, final int b)
    {
        final int value = array[a];
        array[a] = array[b];
        array[b] = value;
    }

    private void ensureSegmentCapacity(final int capacity)
    {
        if (capacity > segDir.length)
        {
            final int length = Math.max(capacity, segDir.length * 2);
            segDir = Arrays.copyOf(segDir, length);
            segLength = Arrays.copyOf(segLength, length);
            segPairStart = Arrays.copyOf(segPairStart, length);
        }
    }

    private void ensureEventCapacity(final int capacity)
    {
        if (capacity > evDir.length)
        {
            final int length = Math.max(capacity, evDir.length * 2);
            evDir = Arrays.copyOf(evDir, length);
            evFlags = Arrays.copyOf(evFlags, length);
            evSeq = Arrays.copyOf(evSeq, length);
            evAck = Arrays.copyOf(evAck, length);
            evLength = Arrays.copyOf(evLength, length);
            evKind = Arrays.copyOf(evKind, length);
            evFragments = Arrays.copyOf(evFragments, length);
            evOffset = Arrays.copyOf(evOffset, length);
            evTimeNs = Arrays.copyOf(evTimeNs, length);
            evCaptured = Arrays.copyOf(evCaptured, length);
        }
    }
}
