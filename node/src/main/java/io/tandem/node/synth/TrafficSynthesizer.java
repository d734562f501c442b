package io.tandem.node.synth;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

import org.agrona.concurrent.UnsafeBuffer;

import io.tandem.node.io.PacketHandler;
import io.tandem.node.io.PcapFileWriter;

/**
 * Deterministic traffic generator: TCP conversations that follow the protocol (handshake with MSS, SACK-permitted,
 * timestamps and window scale; request/response data with exact seq/ack arithmetic and delayed ACKs; FIN/FIN-ACK/ACK
 * or RST teardown) and UDP request/response datagrams, {@link SynthOptions#concurrency()} sessions interleaved at a
 * time with non-decreasing timestamps, with the anomalies the options ask for. The same seed and options give
 * byte-identical output.
 * <p>
 * Every session is drawn from its own seeded generator, so a session's content does not depend on its neighbours.
 * The ground truth of what was captured is returned as a {@link SynthManifest}.
 */
public final class TrafficSynthesizer
{
    /** pcap LINKTYPE_ETHERNET, the link type of every generated frame. */
    public static final int LINKTYPE_ETHERNET = 1;

    private static final int SYN_WINDOW_CLIENT = 64_240;
    private static final int SYN_WINDOW_SERVER = 65_160;
    private static final int WINDOW_CLIENT = 502;
    private static final int WINDOW_SERVER = 509;
    private static final int WINDOW_SCALE = 7;
    private static final int MAX_START_GAP_NS = 200_000;

    private final SynthOptions options;
    private final FrameBuilder builder = new FrameBuilder();
    private final UnsafeBuffer fragmentBuffer = new UnsafeBuffer(new byte[FrameBuilder.MAX_FRAME_LENGTH]);
    private final UnsafeBuffer payloadBuffer = new UnsafeBuffer(new byte[FrameBuilder.MAX_FRAME_LENGTH]);
    private final CRC32C crc = new CRC32C();

    private long packets;
    private long frameBytes;
    private long sessionsGenerated;

    /**
     * A synthesizer over a validated copy of the options.
     *
     * @param options settings; copied, then validated with {@link SynthOptions#conclude()}.
     */
    public TrafficSynthesizer(final SynthOptions options)
    {
        this.options = options.copy().conclude();
    }

    /**
     * Generate into a pcap file (Ethernet link type).
     *
     * @param pcap  file to create or truncate.
     * @param nanos true for a nanosecond-resolution pcap, false for microseconds.
     * @return the manifest of what was written.
     */
    public SynthManifest generate(final Path pcap, final boolean nanos)
    {
        try (PcapFileWriter writer = new PcapFileWriter(pcap, LINKTYPE_ETHERNET, nanos))
        {
            return generate((frame, capturedLength, wireLength, timestampNs, linkType) ->
                writer.write(frame, 0, capturedLength, wireLength, timestampNs));
        }
    }

    /**
     * Generate, handing every captured frame to a handler in capture order. The frame buffer is reused after the
     * call returns.
     *
     * @param handler receives each frame (starting at index 0), its length twice, its timestamp and
     *                {@link #LINKTYPE_ETHERNET}.
     * @return the manifest of what was handed over.
     */
    public SynthManifest generate(final PacketHandler handler)
    {
        packets = 0;
        frameBytes = 0;
        sessionsGenerated = 0;
        final int sessions = options.sessions();
        final int slotCount = Math.min(options.concurrency(), sessions);
        final SynthSession[] slots = new SynthSession[slotCount];
        final int[] heap = new int[slotCount];
        final List<SynthManifest.Flow> flows = new ArrayList<>(Math.min(sessions, 1 << 20));
        final SynthRandom schedule = new SynthRandom(SynthRandom.mix(options.seed() ^ 0x5CEDL));
        final int portBase = (int)((SynthRandom.mix(options.seed() + 0x9047L) >>> 1) % 64_000);

        long startNs = options.startTimeNs();
        for (int i = 0; i < slotCount; i++)
        {
            slots[i] = new SynthSession();
            slots[i].plan(sessionsGenerated++, startNs, options, portBase);
            heap[i] = i;
            siftUp(slots, heap, i);
            startNs += schedule.between(0, MAX_START_GAP_NS);
        }
        int heapSize = slotCount;
        while (heapSize > 0)
        {
            final int slot = heap[0];
            final SynthSession session = slots[slot];
            final long timeNs = session.nextTimeNs();
            emit(session, session.cursor++, handler);
            if (session.done())
            {
                final SynthManifest.Flow flow = flow(session);
                if (flow != null)
                {
                    flows.add(flow);
                }
                if (sessionsGenerated < sessions)
                {
                    final long nextStartNs = timeNs + schedule.between(0, MAX_START_GAP_NS);
                    session.plan(sessionsGenerated++, nextStartNs, options, portBase);
                }
                else
                {
                    heap[0] = heap[--heapSize];
                }
            }
            siftDown(slots, heap, heapSize);
        }
        flows.sort((a, b) -> Long.compare(a.flowId(), b.flowId()));
        return new SynthManifest(flows);
    }

    /**
     * Frames handed over by the last generation.
     *
     * @return the count.
     */
    public long packets()
    {
        return packets;
    }

    /**
     * Sum of the frame lengths handed over by the last generation.
     *
     * @return bytes.
     */
    public long frameBytes()
    {
        return frameBytes;
    }

    /**
     * Sessions generated by the last generation (including any with nothing captured).
     *
     * @return the count.
     */
    public long sessions()
    {
        return sessionsGenerated;
    }

    private static boolean before(final SynthSession a, final SynthSession b)
    {
        final long ta = a.nextTimeNs();
        final long tb = b.nextTimeNs();
        return ta < tb || (ta == tb && a.flowId < b.flowId);
    }

    private static void siftUp(final SynthSession[] slots, final int[] heap, final int index)
    {
        int i = index;
        while (i > 0)
        {
            final int parent = (i - 1) >>> 1;
            if (!before(slots[heap[i]], slots[heap[parent]]))
            {
                break;
            }
            final int value = heap[i];
            heap[i] = heap[parent];
            heap[parent] = value;
            i = parent;
        }
    }

    private static void siftDown(final SynthSession[] slots, final int[] heap, final int size)
    {
        int i = 0;
        while (true)
        {
            final int left = 2 * i + 1;
            if (left >= size)
            {
                return;
            }
            final int right = left + 1;
            final int child = right < size && before(slots[heap[right]], slots[heap[left]]) ? right : left;
            if (!before(slots[heap[child]], slots[heap[i]]))
            {
                return;
            }
            final int value = heap[i];
            heap[i] = heap[child];
            heap[child] = value;
            i = child;
        }
    }

    private void emit(final SynthSession s, final int i, final PacketHandler handler)
    {
        final int d = s.evDir[i];
        final int peer = 1 - d;
        final long timeNs = s.evTimeNs[i];
        final int tsval = s.tsBase[d] + (int)((timeNs - s.startNs) / 1_000_000L);
        final int tsecr = s.lastTsval[peer];
        s.lastTsval[d] = tsval;
        final int ipId = s.ipId[d];
        s.ipId[d] = (ipId + 1) & 0xFFFF;
        if (!s.evCaptured[i])
        {
            return;
        }

        builder.ethernet(s.mac[d], s.mac[peer]);
        if (s.vlanCount == 2)
        {
            builder.qinq(s.outerVlan, s.innerVlan);
        }
        else if (s.vlanCount == 1)
        {
            builder.vlan(s.outerVlan);
        }
        if (s.ipVersion == 4)
        {
            builder.ipv4((int)s.addressLo[d], (int)s.addressLo[peer]).dontFragment(!s.fragmented);
        }
        else
        {
            builder.ipv6(s.addressHi[d], s.addressLo[d], s.addressHi[peer], s.addressLo[peer]);
        }
        builder.ipId(ipId).ttl(s.ttl[d]);

        final int kind = s.evKind[i];
        if (s.udp)
        {
            builder.udp(s.port[d], s.port[peer]);
        }
        else if (kind == SynthSession.KIND_SYN)
        {
            builder.tcp(s.port[d], s.port[peer], s.evSeq[i], s.evAck[i], s.evFlags[i],
                d == SynthSession.CLIENT ? SYN_WINDOW_CLIENT : SYN_WINDOW_SERVER)
                .mss(options.mss()).sackPermitted().timestamps(tsval, tsecr).windowScale(WINDOW_SCALE);
        }
        else if (kind == SynthSession.KIND_RST)
        {
            builder.tcp(s.port[d], s.port[peer], s.evSeq[i], s.evAck[i], s.evFlags[i], 0);
        }
        else
        {
            builder.tcp(s.port[d], s.port[peer], s.evSeq[i], s.evAck[i], s.evFlags[i],
                d == SynthSession.CLIENT ? WINDOW_CLIENT : WINDOW_SERVER)
                .timestamps(tsval, tsecr);
        }
        final int length = s.evLength[i];
        if (length > 0)
        {
            PayloadPattern.fill(
                s.payloadKey[d], kind == SynthSession.KIND_ALTERED, s.evOffset[i], payloadBuffer, 0, length);
            builder.payload(payloadBuffer, 0, length);
        }
        final int frameLength = builder.build();
        s.datagrams[d]++;
        s.datagramBytes[d] += frameLength;
        if (kind == SynthSession.KIND_PLAIN && length > 0)
        {
            s.capturedPayloadBytes[d] += length;
        }

        final int fragments = s.evFragments[i];
        if (fragments > 0)
        {
            final int dataBytes = builder.fragmentDataBytes(fragments);
            final int count = builder.fragmentCount(dataBytes);
            for (int k = 0; k < count; k++)
            {
                final int fragmentLength = builder.fragment(k, dataBytes, fragmentBuffer, 0);
                handler.onPacket(fragmentBuffer, fragmentLength, fragmentLength, timeNs, LINKTYPE_ETHERNET);
                count(s, d, fragmentLength, timeNs);
            }
        }
        else
        {
            handler.onPacket(builder.buffer(), frameLength, frameLength, timeNs, LINKTYPE_ETHERNET);
            count(s, d, frameLength, timeNs);
        }
    }

    private void count(final SynthSession s, final int d, final int length, final long timeNs)
    {
        if (s.packets[0] + s.packets[1] == 0)
        {
            s.firstNs = timeNs;
        }
        s.lastNs = timeNs;
        s.packets[d]++;
        s.frameBytes[d] += length;
        packets++;
        frameBytes += length;
    }

    private SynthManifest.Flow flow(final SynthSession s)
    {
        final int c = s.firstCapturedDirection;
        if (c < 0 || s.packets[0] + s.packets[1] == 0)
        {
            return null;
        }
        final int v = 1 - c;
        return new SynthManifest.Flow(
            s.flowId,
            s.udp ? FrameBuilder.IPPROTO_UDP : FrameBuilder.IPPROTO_TCP,
            s.ipVersion,
            s.addressHi[c],
            s.addressLo[c],
            s.port[c],
            s.addressHi[v],
            s.addressLo[v],
            s.port[v],
            s.vlanCount,
            s.outerVlan,
            s.innerVlan,
            s.packets[c],
            s.packets[v],
            s.frameBytes[c],
            s.frameBytes[v],
            s.datagrams[c],
            s.datagrams[v],
            s.datagramBytes[c],
            s.datagramBytes[v],
            s.payloadBytes[c],
            s.payloadBytes[v],
            s.capturedPayloadBytes[c],
            s.capturedPayloadBytes[v],
            s.payloadKey[c],
            s.payloadKey[v],
            PayloadPattern.crc32c(crc, s.payloadKey[c], s.payloadBytes[c]),
            PayloadPattern.crc32c(crc, s.payloadKey[v], s.payloadBytes[v]),
            s.udp ? 0 : s.isn[c],
            s.udp ? 0 : s.isn[v],
            s.anomalies,
            s.close,
            s.firstNs,
            s.lastNs,
            c != SynthSession.CLIENT);
    }
}
