package io.tandem.node.worker;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.tandem.node.config.TandemConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-packet cost of the dispatcher (decode for the address pair, copy into a worker's ring) with the workers
 * consuming on their own threads, over the same synth mix as {@link PipelineBenchmark}. Run with {@code -prof gc}:
 * the allocation rate covers every thread of the process, so {@code gc.alloc.rate.norm} is what the dispatcher and
 * the workers together allocate per packet.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {
    "-XX:+UseCompactObjectHeaders", "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED" })
public class DispatchBenchmark
{
    @Param({"2"})
    private int workers;

    private SynthFrames frames;
    private WorkerGroup group;
    private PacketDispatcher dispatcher;

    /**
     * Generate the mix and start the workers.
     */
    @Setup
    public void setup()
    {
        frames = new SynthFrames();
        final TandemConfig config = TandemConfig.defaults();
        final List<Worker> list = new ArrayList<>();
        for (int i = 0; i < workers; i++)
        {
            list.add(WorkerContexts.newWorker(config, i, workers, (flow, reason) -> { }, (p, event) -> { }));
        }
        group = new WorkerGroup("jmh-worker", list, WorkerContexts.from(config).decode());
        dispatcher = group.dispatcher();
    }

    /**
     * Stop the workers.
     */
    @TearDown
    public void tearDown()
    {
        group.finish();
        group.close();
    }

    /**
     * Dispatch one frame (the workers process it on their threads; a full ring makes this wait).
     *
     * @return packets dispatched (keeps the work alive).
     */
    @Benchmark
    public long dispatch()
    {
        frames.feedNext(dispatcher);
        return dispatcher.packets();
    }
}
