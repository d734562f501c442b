package io.tandem.node.worker;

import java.util.concurrent.TimeUnit;

import io.tandem.node.decode.DecodeContext;
import io.tandem.node.decode.Packet;
import io.tandem.node.decode.PacketDecoder;
import io.tandem.node.io.PacketHandler;
import io.tandem.node.stats.StatsSink;
import io.tandem.node.stats.StatsSource;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ringbuffer.RingBuffer;

/**
 * Hands each packet of one source to one of N workers through their single-producer single-consumer rings, so a
 * flow's packets, both directions and every IP fragment of its datagrams, always reach the same worker.
 * <p>
 * The worker is chosen by a symmetric hash of the packet's IP address pair (Suricata's {@code ip-pair} autofp
 * scheduler), not of the 5-tuple: the ports of a fragmented datagram are only known once it is reassembled, and
 * reassembly stays in the workers, so hashing ports would send a datagram's fragments and the rest of its flow to
 * different workers. Suricata hashes the 5-tuple only because its capture thread (autofp) or the kernel (AF_PACKET
 * fanout with defrag) reassembles fragments before the flow hash; the address pair is known from every fragment.
 * The cost is coarser balance: every flow between two hosts lands on one worker. The addresses are those the flow
 * key uses (the innermost tunnel layer) except for a fragment, whose addresses are those of the fragmented layer:
 * a tunnel whose outer packets are fragmented is the one case where a flow's packets can part.
 * <p>
 * The dispatcher also keeps time for its workers: it broadcasts a tick at the very packets at which a single
 * worker would run its once-a-second timer, so flows expire at the same packet times with one worker or many, and
 * the results do not depend on the number of workers; a live source's reader adds ticks by the wall clock
 * ({@link #tick(long)}). Non-IP packets go to the first worker.
 * <p>
 * Ring message layout (little-endian), type {@link #PACKET}:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                     timestamp (ns, 64 bits)                   |
 *  +---------------------------------------------------------------+
 *  |                  packet number in the capture                 |
 *  +---------------------------------------------------------------+
 *  |                          wire length                          |
 *  +---------------------------------------------------------------+
 *  |                           link type                           |
 *  +---------------------------------------------------------------+
 *  |                    frame (captured bytes) ...                 |
 * </pre>
 * {@link #TICK} carries the timestamp only; {@link #END} carries the last timestamp and ends the worker's input.
 */
public final class PacketDispatcher implements PacketHandler, StatsSource
{
    /** Message type: a packet. */
    public static final int PACKET = 1;
    /** Message type: the timer tick of every worker. */
    public static final int TICK = 2;
    /** Message type: end of input. */
    public static final int END = 3;
    /** Offset of the timestamp. */
    public static final int TIMESTAMP_OFFSET = 0;
    /** Offset of the packet number. */
    public static final int PACKET_NUMBER_OFFSET = 8;
    /** Offset of the wire length. */
    public static final int WIRE_LENGTH_OFFSET = 16;
    /** Offset of the link type. */
    public static final int LINK_TYPE_OFFSET = 20;
    /** Offset of the frame; the header's length. */
    public static final int FRAME_OFFSET = 24;

    private static final long TICK_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long HASH_SEED = 0x2545_F491_4F6C_DD1DL;

    private final RingBuffer[] rings;
    private final Packet packet = new Packet();
    private final PacketDecoder decoder;
    private final IdleStrategy fullRingIdle = new BackoffIdleStrategy(
        10, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(100));
    private final WorkerGroup.FailureCheck failureCheck;
    private long packets;
    private long nextTickNs = Long.MIN_VALUE;
    private long lastTimestampNs;
    private long ringFullWaits;
    private final long[] packetsPerWorker;

    PacketDispatcher(final RingBuffer[] rings, final DecodeContext decode, final WorkerGroup.FailureCheck failureCheck)
    {
        this.rings = rings.clone();
        this.failureCheck = failureCheck;
        this.packetsPerWorker = new long[rings.length];
        decoder = new PacketDecoder(new DecodeContext().checksumValidation(false).maxLayers(decode.maxLayers()));
    }

    /**
     * The worker of an address pair, either way round: how the dispatcher picks a packet's worker, and how anything
     * keyed by a flow (an HA message, say) finds the worker that holds it.
     *
     * @param aHi     one address, high 64 bits.
     * @param aLo     one address, low 64 bits.
     * @param bHi     the other address, high 64 bits.
     * @param bLo     the other address, low 64 bits.
     * @param workers the number of workers.
     * @return the worker index, 0..workers - 1.
     */
    public static int workerOf(final long aHi, final long aLo, final long bHi, final long bLo, final int workers)
    {
        final long a = mix(aHi * 0x9E37_79B9_7F4A_7C15L ^ aLo ^ HASH_SEED);
        final long b = mix(bHi * 0x9E37_79B9_7F4A_7C15L ^ bLo ^ HASH_SEED);
        return (int)Long.remainderUnsigned(mix(a + b), workers);
    }

    @Override
    public void onPacket(
        final DirectBuffer frame, final int capturedLength, final int wireLength, final long timestampNs,
        final int linkType)
    {
        final long number = ++packets;
        final int worker = workerFor(frame, capturedLength, wireLength, timestampNs, linkType);
        final RingBuffer ring = rings[worker];
        final int index = claim(ring, PACKET, FRAME_OFFSET + capturedLength);
        final AtomicBuffer buffer = ring.buffer();
        buffer.putLong(index + TIMESTAMP_OFFSET, timestampNs);
        buffer.putLong(index + PACKET_NUMBER_OFFSET, number);
        buffer.putInt(index + WIRE_LENGTH_OFFSET, wireLength);
        buffer.putInt(index + LINK_TYPE_OFFSET, linkType);
        buffer.putBytes(index + FRAME_OFFSET, frame, 0, capturedLength);
        ring.commit(index);
        packetsPerWorker[worker]++;
        lastTimestampNs = timestampNs;
        tick(timestampNs);
    }

    /**
     * Time passes: broadcast a tick to every worker if a second has gone by since the last one. Called with each
     * packet's timestamp, and by a live source's reader with the clock, so that flows expire when no packet comes.
     *
     * @param nowNs current time (packet time or wall clock).
     */
    public void tick(final long nowNs)
    {
        if (nowNs >= nextTickNs)
        {
            broadcast(TICK, nowNs);
            nextTickNs = nowNs + TICK_INTERVAL_NS;
        }
    }

    /**
     * End of input: every worker finishes (its live flows end with reason {@code shutdown}).
     */
    public void end()
    {
        broadcast(END, lastTimestampNs);
    }

    /**
     * Packets dispatched.
     *
     * @return the count.
     */
    public long packets()
    {
        return packets;
    }

    /**
     * Timestamp of the last packet dispatched.
     *
     * @return nanoseconds since the epoch.
     */
    public long lastTimestampNs()
    {
        return lastTimestampNs;
    }

    @Override
    public void reportStats(final StatsSink sink)
    {
        sink.counter("dispatch.workers", rings.length);
        sink.counter("dispatch.ring_full_waits", ringFullWaits);
        for (int i = 0; i < rings.length; i++)
        {
            sink.counter("dispatch.worker_" + i + ".packets", packetsPerWorker[i]);
        }
    }

    private int workerFor(
        final DirectBuffer frame, final int capturedLength, final int wireLength, final long timestampNs,
        final int linkType)
    {
        final Packet p = packet;
        p.reset();
        p.buffer.wrap(frame, 0, capturedLength);
        p.capturedLength = capturedLength;
        p.wireLength = wireLength;
        p.timestampNs = timestampNs;
        p.linkType = linkType;
        decoder.decode(p);
        if (p.ipVersion != 4 && p.ipVersion != 6)
        {
            return 0;
        }
        return workerOf(p.srcHi, p.srcLo, p.dstHi, p.dstLo, rings.length);
    }

    private void broadcast(final int type, final long timestampNs)
    {
        for (final RingBuffer ring : rings)
        {
            final int index = claim(ring, type, FRAME_OFFSET);
            ring.buffer().putLong(index + TIMESTAMP_OFFSET, timestampNs);
            ring.commit(index);
        }
    }

    private int claim(final RingBuffer ring, final int type, final int length)
    {
        int index = ring.tryClaim(type, length);
        if (index < 0)
        {
            fullRingIdle.reset();
            while ((index = ring.tryClaim(type, length)) < 0)
            {
                ringFullWaits++;
                failureCheck.check();
                fullRingIdle.idle();
            }
        }
        return index;
    }

    private static long mix(final long value)
    {
        long z = value;
        z = (z ^ (z >>> 33)) * 0xFF51_AFD7_ED55_8CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CE_B9FE_1A85_EC53L;
        return z ^ (z >>> 33);
    }
}
