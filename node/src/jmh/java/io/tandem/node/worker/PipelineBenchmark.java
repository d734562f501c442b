package io.tandem.node.worker;

import java.util.concurrent.TimeUnit;

import io.tandem.node.config.TandemConfig;
import io.tandem.node.decode.DecodeContext;
import io.tandem.node.decode.Packet;
import io.tandem.node.decode.PacketDecoder;
import org.agrona.concurrent.UnsafeBuffer;
import io.tandem.node.synth.SynthOptions;
import io.tandem.node.synth.TrafficSynthesizer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-packet cost of the decode path and of the whole worker pipeline (decode, defrag, flow table) over a synth mix
 * held in memory. Run with {@code -prof gc}: {@code gc.alloc.rate.norm} is the bytes allocated per packet.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {
    "-XX:+UseCompactObjectHeaders", "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED" })
public class PipelineBenchmark
{
    private static final int MAX_FRAMES = 200_000;

    private final UnsafeBuffer frames = new UnsafeBuffer(new byte[64 * 1024 * 1024]);
    private final int[] offsets = new int[MAX_FRAMES];
    private final int[] lengths = new int[MAX_FRAMES];
    private final long[] timestamps = new long[MAX_FRAMES];
    private final UnsafeBuffer frame = new UnsafeBuffer(0, 0);
    private final Packet packet = new Packet();
    private int count;
    private int next;
    private long span;
    private long cycleOffsetNs;
    private PacketDecoder decoder;
    private Worker worker;

    /**
     * Generate a seeded mix (TCP and UDP, IPv4 and IPv6, VLANs, fragments, loss, reordering) into memory.
     */
    @Setup
    public void setup()
    {
        new TrafficSynthesizer(new SynthOptions().seed(5).sessions(3000).concurrency(300).udpPct(20).ipv6Pct(20)
            .vlanPct(20).fragPct(5)).generate((buffer, capturedLength, wireLength, timestampNs, linkType) ->
            {
                final int offset = count == 0 ? 0 : offsets[count - 1] + lengths[count - 1];
                buffer.getBytes(0, frames, offset, capturedLength);
                offsets[count] = offset;
                lengths[count] = capturedLength;
                timestamps[count] = timestampNs;
                count++;
            });
        span = timestamps[count - 1] - timestamps[0] + TimeUnit.HOURS.toNanos(1);
        decoder = new PacketDecoder(new DecodeContext());
        worker = new Worker(WorkerContexts.from(TandemConfig.defaults()), (flow, reason) -> { }, (p, event) -> { });
    }

    /**
     * Decode one frame.
     *
     * @return whether it had an IP layer (keeps the work alive).
     */
    @Benchmark
    public boolean decode()
    {
        final int i = advance();
        final Packet p = packet;
        p.reset();
        p.buffer.wrap(frames, offsets[i], lengths[i]);
        p.capturedLength = lengths[i];
        p.wireLength = lengths[i];
        p.linkType = 1;
        return decoder.decode(p);
    }

    /**
     * One frame through the worker: decode, defrag, flow table, expiry.
     *
     * @return packets seen (keeps the work alive).
     */
    @Benchmark
    public long pipeline()
    {
        final int i = advance();
        frame.wrap(frames, offsets[i], lengths[i]);
        worker.onPacket(frame, lengths[i], lengths[i], timestamps[i] + cycleOffsetNs, 1);
        return worker.packetsSeen();
    }

    private int advance()
    {
        final int i = next;
        if (++next == count)
        {
            next = 0;
            cycleOffsetNs += span;
        }
        return i;
    }
}
