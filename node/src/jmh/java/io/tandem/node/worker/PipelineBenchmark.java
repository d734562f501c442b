package io.tandem.node.worker;

import java.util.concurrent.TimeUnit;

import io.tandem.node.config.TandemConfig;
import io.tandem.node.decode.DecodeContext;
import io.tandem.node.decode.Packet;
import io.tandem.node.decode.PacketDecoder;
import io.tandem.node.io.PacketHandler;
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
    private final Packet packet = new Packet();
    private SynthFrames frames;
    private PacketDecoder decoder;
    private Worker worker;
    private boolean decoded;
    private final PacketHandler decodeOne = (frame, capturedLength, wireLength, timestampNs, linkType) ->
    {
        final Packet p = packet;
        p.reset();
        p.buffer.wrap(frame, 0, capturedLength);
        p.capturedLength = capturedLength;
        p.wireLength = wireLength;
        p.linkType = linkType;
        decoded = decoder.decode(p);
    };

    /**
     * Generate a seeded mix (TCP and UDP, IPv4 and IPv6, VLANs, fragments, loss, reordering) into memory.
     */
    @Setup
    public void setup()
    {
        frames = new SynthFrames();
        decoder = new PacketDecoder(new DecodeContext());
        worker = WorkerContexts.newWorker(TandemConfig.defaults(), (flow, reason) -> { }, (p, event) -> { });
    }

    /**
     * Decode one frame.
     *
     * @return whether it had an IP layer (keeps the work alive).
     */
    @Benchmark
    public boolean decode()
    {
        frames.feedNext(decodeOne);
        return decoded;
    }

    /**
     * One frame through the worker: decode, defrag, flow table, TCP state machine, reassembly, detection, expiry.
     *
     * @return packets seen (keeps the work alive).
     */
    @Benchmark
    public long pipeline()
    {
        frames.feedNext(worker);
        return worker.packetsSeen();
    }
}
