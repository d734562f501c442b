package io.tandem.node.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.tandem.node.ha.HaContext;
import io.tandem.node.ha.HaManager;
import io.tandem.node.ha.HaMessageSink;
import io.tandem.node.ha.HaSideChannel;
import io.tandem.node.ha.spi.HaRecordRegistry;
import io.tandem.node.worker.Worker;
import io.tandem.proto.ha.v1.SessionMessage;
import io.tandem.proto.wire.SessionMessageReader;
import io.tandem.transport.HaTransport;
import io.tandem.transport.TransportCounter;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.CompositeAgent;

/**
 * The standby process of {@code tandem bench --ha}, started by {@link HaBench} in a child JVM: it receives the active
 * process's updates over Aeron UDP and applies them, either through the whole path of {@code tandem run} (transport
 * agent, {@link HaSideChannel}, the worker's {@link HaManager#apply(SessionMessage, long)}) or, for the transport-only
 * figure, in the transport's message handler. For each update applied it takes the latency from the time the update
 * carries (the active's {@link System#nanoTime()} of the packet) to its own {@link System#nanoTime()}.
 * <p>
 * It talks to the parent over its standard streams, one line each, prefixed {@value #PREFIX}: it prints
 * {@code ready} once its side is up and resynced; the parent sends {@code begin CAPACITY} (start a phase, keep up to
 * CAPACITY latency samples), {@code end EXPECTED} (wait until EXPECTED messages of the phase are applied, then answer
 * {@code result ...}) and {@code quit}.
 */
public final class HaBenchStandby
{
    /** Prefix of the protocol lines on standard output. */
    static final String PREFIX = "@ha-bench ";

    private static final long END_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final long READY_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);
    private static final double[] PERCENTILES = {50, 90, 99, 99.9, 100};

    private final Recorder recorder = new Recorder();
    private final HaTransport transport;
    private final HaSideChannel channel;
    private final AgentRunner[] runners;
    private long runQueueBefore;
    private long gcBefore;

    private HaBenchStandby(final Map<String, String> args)
    {
        final HaTransport.Context ctx = HaBench.transportContext(HaBench.STANDBY_NODE_ID,
            Integer.parseInt(args.get("local")), Integer.parseInt(args.get("peer")), readKey(args.get("key")),
            Integer.parseInt(args.get("term")), Path.of(args.get("dir")))
            .driverThreadingMode(io.aeron.driver.ThreadingMode.valueOf(args.get("driver")))
            .mtuBytes(Integer.parseInt(args.getOrDefault("mtu", "0")));
        final int park = Integer.parseInt(args.getOrDefault("park", "0"));
        if (park > 0)
        {
            ctx.idleStrategy(HaBench.idle(park));
        }
        final boolean composed = "composed".equals(args.get("threads"));
        if ("transport".equals(args.get("mode")))
        {
            ctx.sessionMessageHandler((sender, buffer, offset, length) -> recorder.onApplied(
                recorder.reader.wrap(buffer, offset, length) ? HaBenchTraffic.stampOf(recorder.reader) : 0));
            transport = HaTransport.launch(ctx);
            channel = null;
            runners = composed ? new AgentRunner[] {runner(transport.agent(), ctx)} : new AgentRunner[0];
            return;
        }
        channel = HaSideChannel.launch(ctx);
        transport = channel.transport();
        final Worker worker = HaBenchTraffic.worker(HaBench.STANDBY_NODE_ID);
        final HaManager manager = worker.enableHa(HaContext.fromConfig(HaBenchTraffic.config(HaBench.STANDBY_NODE_ID)),
            new HaRecordRegistry(), HaMessageSink.NONE, channel);
        manager.registry().registerServices(Thread.currentThread().getContextClassLoader());
        channel.appliedListener((message, nowNs) -> recorder.onApplied(HaBenchTraffic.stampOf(message)));
        final Agent workerAgent = new Agent()
        {
            @Override
            public int doWork()
            {
                return worker.haWork(System.nanoTime());
            }

            @Override
            public String roleName()
            {
                return "ha-bench-standby-worker";
            }
        };
        runners = composed ?
            new AgentRunner[] {runner(new CompositeAgent(transport.agent(), workerAgent), ctx)} :
            new AgentRunner[] {new AgentRunner(park > 0 ? HaBench.idle(park) : new BackoffIdleStrategy(),
                Throwable::printStackTrace, null, workerAgent)};
    }

    private static AgentRunner runner(final Agent agent, final HaTransport.Context ctx)
    {
        return new AgentRunner(ctx.idleStrategy(), Throwable::printStackTrace, null, agent);
    }

    /**
     * Run the standby: arguments {@code key=value} (mode, threads, local, peer, key, term, dir).
     *
     * @param args the arguments.
     * @throws IOException when standard input cannot be read.
     */
    public static void main(final String[] args) throws IOException
    {
        final Map<String, String> options = new HashMap<>();
        for (final String arg : args)
        {
            final int eq = arg.indexOf('=');
            options.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        final PrintStream out = System.out;
        final HaBenchStandby standby = new HaBenchStandby(options);
        try
        {
            if (!"composed".equals(options.get("threads")))
            {
                standby.transport.startAgentRunner();
            }
            for (final AgentRunner runner : standby.runners)
            {
                AgentRunner.startOnThread(runner);
            }
            standby.awaitReady();
            out.println(PREFIX + "ready");
            out.flush();
            standby.serve(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)), out);
        }
        finally
        {
            CloseHelper.closeAll(standby.runners);
            CloseHelper.quietCloseAll(standby.channel, standby.channel == null ? standby.transport : null);
        }
        System.exit(0);
    }

    private void awaitReady()
    {
        final long deadlineNs = System.nanoTime() + READY_TIMEOUT_NS;
        while (!((channel == null ? transport.isReady() : channel.isReady()) && transport.isConnected()))
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException("the standby did not connect to the active in " +
                    TimeUnit.NANOSECONDS.toSeconds(READY_TIMEOUT_NS) + " s");
            }
            sleepMs(1);
        }
    }

    private void serve(final BufferedReader in, final PrintStream out) throws IOException
    {
        String line;
        while ((line = in.readLine()) != null)
        {
            final String[] words = line.trim().split(" ");
            switch (words[0])
            {
                case "begin" ->
                {
                    runQueueBefore = HaBench.runQueueWaitNs();
                    gcBefore = HaBench.gcMillis();
                    recorder.begin(Integer.parseInt(words[1]));
                    out.println(PREFIX + "begun");
                }
                case "end" -> out.println(PREFIX + end(Long.parseLong(words[1])));
                case "quit" ->
                {
                    return;
                }
                default -> out.println(PREFIX + "error unknown command " + line);
            }
            out.flush();
        }
    }

    private String end(final long expected)
    {
        final long deadlineNs = System.nanoTime() + END_TIMEOUT_NS;
        while (recorder.applied < expected && System.nanoTime() - deadlineNs < 0)
        {
            sleepMs(1);
        }
        final long applied = recorder.applied;
        final long runQueueNs = HaBench.runQueueWaitNs() - runQueueBefore;
        final long gcMs = HaBench.gcMillis() - gcBefore;
        final int count = Math.min(recorder.count, recorder.samples.length);
        final long[] sorted = Arrays.copyOf(recorder.samples, count);
        Arrays.sort(sorted);
        final StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "result applied=%d last_ns=%d " +
            "samples=%d", applied, recorder.lastAppliedNs, count));
        for (final double p : PERCENTILES)
        {
            line.append(' ').append(HaBench.percentileName(p)).append('=').append(percentile(sorted, p));
        }
        final Map<String, Long> stats = new HashMap<>();
        if (channel != null)
        {
            channel.reportStats(stats::put);
        }
        line.append(" runq_ns=").append(runQueueNs).append(" gc_ms=").append(gcMs);
        line.append(" inbound_dropped=").append(stats.getOrDefault("ha.side_channel.inbound_dropped", 0L))
            .append(" gaps=").append(transport.counter(TransportCounter.GAPS))
            .append(" resync_requests=").append(transport.counter(TransportCounter.RESYNC_REQUESTS_SENT));
        return line.toString();
    }

    static long percentile(final long[] sorted, final double percentile)
    {
        if (sorted.length == 0)
        {
            return 0;
        }
        final int rank = (int)Math.ceil(percentile / 100.0 * sorted.length);
        return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
    }

    private static byte[] readKey(final String file)
    {
        try
        {
            return Files.readAllBytes(Path.of(file));
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot read the cluster key " + file, ex);
        }
    }

    private static void sleepMs(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /**
     * Counts applied messages and keeps the latency of each update, written by the applying thread (the transport's
     * in the transport-only path, the worker's in the whole path), read by the main thread between phases.
     */
    private static final class Recorder
    {
        private final SessionMessageReader reader = new SessionMessageReader();
        private volatile long[] samples = new long[0];
        private volatile int count;
        private volatile long applied;
        private volatile long lastAppliedNs;

        void begin(final int capacity)
        {
            samples = new long[capacity];
            count = 0;
            lastAppliedNs = 0;
            applied = 0;
        }

        void onApplied(final long stampNs)
        {
            final long nowNs = System.nanoTime();
            final long[] s = samples;
            final int c = count;
            if (stampNs != 0 && c < s.length)
            {
                s[c] = nowNs - stampNs;
                count = c + 1;
            }
            lastAppliedNs = nowNs;
            applied = applied + 1;
        }
    }

    static List<String> percentileNames()
    {
        final String[] names = new String[PERCENTILES.length];
        for (int i = 0; i < names.length; i++)
        {
            names[i] = HaBench.percentileName(PERCENTILES[i]);
        }
        return List.of(names);
    }
}
