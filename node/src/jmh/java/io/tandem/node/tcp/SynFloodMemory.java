package io.tandem.node.tcp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.tandem.node.config.TandemConfig;
import io.tandem.node.synth.SynFlood;
import io.tandem.node.worker.Worker;
import io.tandem.node.worker.WorkerContexts;

/**
 * Heap taken by a spoofed SYN flood (not a JMH benchmark: one run, heap measured after GC). A worker built from the
 * configuration ({@code key=value} arguments after the SYN count, as {@code --set}) takes the SYNs; the live heap
 * is compared before and after with the flow and stream memcaps, and the counters that show the caps at work are
 * printed.
 * <pre>
 * java -XX:+UseCompactObjectHeaders -cp ... io.tandem.node.tcp.SynFloodMemory 2000000 [stream.memcap=64mb ...]
 * </pre>
 */
public final class SynFloodMemory
{
    private SynFloodMemory()
    {
    }

    /**
     * Run the flood.
     *
     * @param args SYN count, then configuration overrides.
     */
    public static void main(final String[] args)
    {
        final int syns = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
        final List<String> sets = new ArrayList<>(Arrays.asList(args).subList(Math.min(1, args.length), args.length));
        final TandemConfig config = TandemConfig.load(null, sets);
        final long before = usedHeapAfterGc();
        final Worker worker = new Worker(WorkerContexts.from(config).loadStreamConsumers(false), (flow, reason) ->
        {
        }, (p, event) ->
        {
        });
        final long empty = usedHeapAfterGc();
        new SynFlood(1).generate(syns, 1_700_000_000_000_000_000L, worker);
        final long full = usedHeapAfterGc();
        final long[] counters = new long[8];
        final String[] names = {"flow.memuse", "tcp.memuse", "flow.active", "tcp.active_sessions",
            "tcp.ssn_memcap_drop", "flow.memcap", "flow.emerg_mode_entered", "tcp.sessions"};
        worker.reportStats((name, value) ->
        {
            for (int i = 0; i < names.length; i++)
            {
                if (names[i].equals(name))
                {
                    counters[i] = value;
                }
            }
        });
        final long flowCap = config.size("flow.memcap");
        final long streamCap = config.size("stream.memcap");
        System.out.printf("SYNs: %,d from %,d spoofed sources%n", syns, syns);
        System.out.printf("caps: flow.memcap %.1f MiB, stream.memcap %.1f MiB (sum %.1f MiB)%n",
            flowCap / 1048576.0, streamCap / 1048576.0, (flowCap + streamCap) / 1048576.0);
        System.out.printf("accounted: flow.memuse %.1f MiB, tcp.memuse %.1f MiB%n",
            counters[0] / 1048576.0, counters[1] / 1048576.0);
        System.out.printf("live heap after GC: %.1f MiB before the worker, %.1f MiB empty worker, %.1f MiB after the " +
            "flood (growth %.1f MiB)%n", before / 1048576.0, empty / 1048576.0, full / 1048576.0,
            (full - empty) / 1048576.0);
        System.out.printf("flows active %,d, sessions active %,d, sessions started %,d, refused by stream.memcap " +
            "%,d, flow memcap hits %,d, emergency mode entered %,d%n", counters[2], counters[3], counters[7],
            counters[4], counters[5], counters[6]);
    }

    private static long usedHeapAfterGc()
    {
        final Runtime runtime = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++)
        {
            System.gc();
            used = Math.min(used, runtime.totalMemory() - runtime.freeMemory());
        }
        return used;
    }
}
