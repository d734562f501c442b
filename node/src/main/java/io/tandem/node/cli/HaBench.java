package io.tandem.node.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.DatagramSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.aeron.driver.ThreadingMode;
import io.tandem.node.ha.HaContext;
import io.tandem.node.ha.HaMessageSink;
import io.tandem.node.ha.HaSideChannel;
import io.tandem.node.ha.spi.HaRecordRegistry;
import io.tandem.node.worker.Worker;
import io.tandem.transport.ChannelMode;
import io.tandem.transport.HaTransport;
import io.tandem.transport.TransportCounter;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * {@code tandem bench --ha}: HA replication between two processes over Aeron UDP on 127.0.0.1. This process is the
 * active node; a child JVM ({@link HaBenchStandby}: the same {@code java}, JVM flags and class path) is the standby.
 * Both run an embedded media driver and authenticate every envelope with a random cluster key, as a production pair.
 * <p>
 * Two paths are measured, each with its own pair of processes: <b>transport</b>, real encoded updates offered to
 * {@link HaTransport} and counted in the standby transport's handler, and <b>manager</b>, the whole way of
 * {@code tandem run}: pure ACK packets through a worker with HA on (no throttle, so each packet yields one update),
 * {@code HaManager} to {@link HaSideChannel} to {@link HaTransport}, and on the standby its transport, side channel and
 * worker, which applies each update ({@code HaManager.apply}).
 * <p>
 * Each run has two phases. <b>Rate</b>: updates as fast as the active's transport takes them (the generator waits
 * while the transport's ring is nearly full) for {@code --seconds}; the figure is the updates the standby applied over
 * the time from the first packet to the last update applied. <b>Latency</b>: a fixed offered rate ({@code --rate}) for
 * {@code --latency-seconds}; each update carries the time its packet was due (its flow record's last-packet time),
 * and the standby takes the difference with its own {@link System#nanoTime()}: both read CLOCK_MONOTONIC, one clock
 * for every process of a Linux machine. Measuring from when the packet was due, not when the generator got to it,
 * keeps the active's own delays in the figure (no coordinated omission). Percentiles are exact (sorted samples);
 * medians are taken over the runs after a warm-up run.
 */
final class HaBench
{
    static final int ACTIVE_NODE_ID = 1;
    static final int STANDBY_NODE_ID = 2;

    private static final int BATCH = 64;
    private static final int KEY_BYTES = 32;
    private static final long DRAIN_QUIET_NS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final long DRAIN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final long CHILD_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(90);
    private static final double WARM_UP_SECONDS = 1.5;

    private final HaBenchOptions options;
    private final int runs;
    private final int sessions;
    private final Path report;
    private final PrintWriter out;
    private final boolean composed;
    private final int termLength;
    private final int mtu;
    private final ThreadingMode driverThreading;

    HaBench(final HaBenchOptions options, final int runs, final int sessions, final Path report, final PrintWriter out)
    {
        this.options = options;
        this.runs = runs;
        this.sessions = sessions;
        this.report = report;
        this.out = out;
        this.composed = "composed".equals(options.threads);
        this.termLength = options.termLength == null ? HaTransport.Context.DEFAULT_TERM_LENGTH_BYTES :
            options.termLength;
        this.mtu = options.mtu == null ? 0 : options.mtu;
        driverThreading = options.driverThreading == null ? HaTransport.Context.DEFAULT_DRIVER_THREADING_MODE :
            ThreadingMode.valueOf(options.driverThreading.toUpperCase(Locale.ROOT));
        if (driverThreading != ThreadingMode.SHARED && driverThreading != ThreadingMode.INVOKER)
        {
            throw new IllegalArgumentException("--driver-threading: '" + options.driverThreading +
                "' is not shared or invoker");
        }
        if (!composed && !"separate".equals(options.threads))
        {
            throw new IllegalArgumentException("--ha-threads: '" + options.threads + "' is not separate or composed");
        }
        for (final String path : options.paths)
        {
            if (!"transport".equals(path) && !"manager".equals(path))
            {
                throw new IllegalArgumentException("--ha-path: '" + path + "' is not transport or manager");
            }
        }
    }

    /**
     * Run every path asked for, print each run and the medians, and write the report when asked.
     *
     * @return the exit status: 0, or 1 when an update never reached the standby.
     * @throws IOException          when the child cannot be started or the report written.
     * @throws InterruptedException when interrupted.
     */
    int run() throws IOException, InterruptedException
    {
        final Map<String, PathResult> results = new LinkedHashMap<>();
        boolean complete = true;
        for (final String path : options.paths)
        {
            final PathResult result = runPath(path);
            results.put(path, result);
            complete &= result.complete();
        }
        out.println();
        for (final PathResult result : results.values())
        {
            out.printf(Locale.ROOT, "median %s path over %d runs: %,.0f updates/s; latency at %,d updates/s: %s%n",
                result.path, result.rates.size(), result.medianRate(), options.rate,
                latencyLine(result.medianLatencyNs()));
        }
        out.flush();
        if (report != null)
        {
            HaBenchReport.write(report, settings(), results, out);
        }
        return complete ? 0 : 1;
    }

    private Map<String, Object> settings()
    {
        final Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("sessions", sessions);
        settings.put("runs", runs);
        settings.put("rate_seconds", options.seconds);
        settings.put("latency_offered_per_s", options.rate);
        settings.put("latency_seconds", options.latencySeconds);
        settings.put("threads", options.threads);
        settings.put("term_length_bytes", termLength);
        settings.put("mtu_bytes", mtu == 0 ? 1408 : mtu);
        settings.put("driver_threading", driverThreading.name().toLowerCase(Locale.ROOT));
        settings.put("batch_packets", BATCH);
        settings.put("authenticated", true);
        settings.put("cores", Runtime.getRuntime().availableProcessors());
        settings.put("load_average", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        settings.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        settings.put("date", LocalDate.now().toString());
        return settings;
    }

    private PathResult runPath(final String path) throws IOException, InterruptedException
    {
        final Path work = Files.createTempDirectory("tandem-ha-bench-");
        final Path keyFile = work.resolve("cluster.key");
        final byte[] key = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(key);
        Files.write(keyFile, key);
        final int activePort = freeUdpPort();
        final int standbyPort = freeUdpPort();
        final HaBenchTraffic traffic = new HaBenchTraffic(sessions);
        out.printf(Locale.ROOT, "ha bench, %s path: %s; %,d TCP sessions updated round-robin, Aeron UDP " +
            "127.0.0.1:%d -> 127.0.0.1:%d, %d KB terms, MTU %d, authenticated, threads %s, driver %s%n", path,
            describe(path), sessions, activePort, standbyPort, termLength / 1024, mtu == 0 ? 1408 : mtu,
            options.threads,
            driverThreading.name().toLowerCase(Locale.ROOT));
        out.flush();
        final PathResult result = new PathResult(path);
        final Child child = Child.spawn(List.of("mode=" + path, "threads=" + options.threads,
            "local=" + standbyPort, "peer=" + activePort, "key=" + keyFile, "term=" + termLength, "mtu=" + mtu,
            "driver=" + driverThreading.name(),
            "park=" + (options.idleMaxParkUs == null ? 0 : options.idleMaxParkUs),
            "dir=" + work.resolve("standby")), work.resolve("standby.log"));
        try
        {
            final HaTransport.Context ctx = transportContext(ACTIVE_NODE_ID, activePort, standbyPort, key, termLength,
                work.resolve("active")).driverThreadingMode(driverThreading).mtuBytes(mtu);
            if (options.idleMaxParkUs != null)
            {
                ctx.idleStrategy(idle(options.idleMaxParkUs));
            }
            try (Active active = "transport".equals(path) ? new TransportActive(ctx, traffic, composed) :
                new ManagerActive(ctx, traffic, composed))
            {
                active.connect(child);
                active.setUp(child);
                runPhases(child, active, result);
            }
        }
        finally
        {
            child.quit();
            deleteTree(work);
        }
        return result;
    }

    private void runPhases(final Child child, final Active active, final PathResult result)
    {
        final int samples = (int)(options.rate * options.latencySeconds) + 1024;
        phase(child, active, 0, () -> rate(active, WARM_UP_SECONDS));
        phase(child, active, samples, () -> paced(active, options.rate, WARM_UP_SECONDS));
        for (int r = 1; r <= runs; r++)
        {
            final Map<String, Long> rate = phase(child, active, 0, () -> rate(active, options.seconds));
            final Map<String, Long> latency = phase(child, active, samples,
                () -> paced(active, options.rate, options.latencySeconds));
            result.add(rate, latency);
            out.printf(Locale.ROOT, "run %d: rate %,.0f updates/s (%,d applied in %.2f s, back pressure %,d, " +
                "ring full %,d); latency at %,d/s: %s (%,d applied; waiting for a CPU: active %,d ms, standby %,d " +
                "ms; GC: active %,d ms, standby %,d ms)%n", r, result.rates.getLast(),
                rate.get("applied"), rate.get("elapsed_ns") / 1e9, rate.get("back_pressure"),
                rate.get("ring_full"), options.rate, latencyLine(result.latencies.getLast()),
                latency.get("applied"), latency.get("active_runq_ns") / 1_000_000,
                latency.get("runq_ns") / 1_000_000, latency.get("active_gc_ms"), latency.get("gc_ms"));
            out.flush();
        }
    }

    private static String describe(final String path)
    {
        return "transport".equals(path) ?
            "encoded updates offered to HaTransport, counted in the standby transport's handler" :
            "packets -> worker -> HaManager -> HaSideChannel -> HaTransport ... HaTransport -> HaSideChannel -> " +
            "worker -> HaManager.apply";
    }

    /**
     * Time this process's threads spent runnable but waiting for a CPU, from Linux's per-thread scheduler statistics
     * ({@code /proc/self/task/TID/schedstat}, second field), summed over the threads.
     *
     * @return nanoseconds, or 0 where the statistics are not available.
     */
    static long runQueueWaitNs()
    {
        long total = 0;
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task")))
        {
            for (final Path task : tasks.toList())
            {
                try
                {
                    final String[] fields = Files.readString(task.resolve("schedstat")).trim().split(" ");
                    total += Long.parseLong(fields[1]);
                }
                catch (final IOException | RuntimeException ex)
                {
                    total += 0;
                }
            }
        }
        catch (final IOException ex)
        {
            return 0;
        }
        return total;
    }

    /**
     * Time spent in garbage collection by this JVM so far (the collectors' accumulated collection time).
     *
     * @return milliseconds.
     */
    static long gcMillis()
    {
        long total = 0;
        for (final java.lang.management.GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
        {
            total += Math.max(0, gc.getCollectionTime());
        }
        return total;
    }

    static String latencyLine(final long[] ns)
    {
        return String.format(Locale.ROOT, "p50 %s, p90 %s, p99 %s, p99.9 %s, max %s", micros(ns[0]), micros(ns[1]),
            micros(ns[2]), micros(ns[3]), micros(ns[4]));
    }

    private static String micros(final long ns)
    {
        final double us = ns / 1e3;
        return us >= 100 ? String.format(Locale.ROOT, "%,.0f us", us) : String.format(Locale.ROOT, "%.1f us", us);
    }

    static String percentileName(final double percentile)
    {
        if (percentile >= 100)
        {
            return "max";
        }
        return percentile == Math.rint(percentile) ? "p" + (long)percentile : "p" + percentile;
    }

    /**
     * One phase: the standby starts counting, the active generates, waits until all it sent is out, and the standby
     * reports once it applied as many.
     */
    private Map<String, Long> phase(
        final Child child, final Active active, final int samples, final Generator generator)
    {
        child.command("begin " + samples, "begun", active);
        final long sentBefore = active.sent();
        final long[] countersBefore = active.counters();
        final long runQueueBefore = runQueueWaitNs();
        final long gcBefore = gcMillis();
        final long startNs = System.nanoTime();
        final long generated = generator.generate();
        final long generatedNs = System.nanoTime() - startNs;
        final long runQueueNs = runQueueWaitNs() - runQueueBefore;
        final long gcMs = gcMillis() - gcBefore;
        active.drain();
        final long sent = active.sent() - sentBefore;
        final Map<String, Long> result = parse(child.command("end " + sent, "result", active));
        final long[] countersAfter = active.counters();
        result.put("generated", generated);
        result.put("sent", sent);
        result.put("start_ns", startNs);
        result.put("elapsed_ns", result.get("last_ns") - startNs);
        result.put("back_pressure", countersAfter[0] - countersBefore[0]);
        result.put("ring_full", countersAfter[1] - countersBefore[1]);
        result.put("returned", countersAfter[2] - countersBefore[2]);
        result.put("generated_ns", generatedNs);
        result.put("active_runq_ns", runQueueNs);
        result.put("active_gc_ms", gcMs);
        return result;
    }

    private static Map<String, Long> parse(final String line)
    {
        final Map<String, Long> values = new LinkedHashMap<>();
        for (final String word : line.split(" "))
        {
            final int eq = word.indexOf('=');
            if (eq > 0)
            {
                values.put(word.substring(0, eq), Long.parseLong(word.substring(eq + 1)));
            }
        }
        return values;
    }

    private long rate(final Active active, final double seconds)
    {
        final int n = sessions;
        final long endNs = System.nanoTime() + (long)(seconds * 1e9);
        long generated = 0;
        int s = 0;
        while (true)
        {
            final long nowNs = System.nanoTime();
            if (nowNs - endNs >= 0)
            {
                return generated;
            }
            if (!active.hasRoom())
            {
                if (active.pump() == 0)
                {
                    Thread.yield();
                }
                continue;
            }
            for (int b = 0; b < BATCH; b++)
            {
                active.feed(s, nowNs);
                if (++s == n)
                {
                    s = 0;
                }
            }
            generated += BATCH;
            active.endOfBatch(nowNs);
            active.pump();
        }
    }

    private long paced(final Active active, final int perSecond, final double seconds)
    {
        final int n = sessions;
        final long count = (long)(perSecond * seconds);
        final double intervalNs = 1e9 / perSecond;
        final long t0 = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1);
        long i = 0;
        int s = 0;
        while (i < count)
        {
            final long nowNs = System.nanoTime();
            int fed = 0;
            long dueNs;
            while (i < count && fed < BATCH && (dueNs = t0 + (long)(i * intervalNs)) - nowNs <= 0)
            {
                active.feed(s, dueNs);
                if (++s == n)
                {
                    s = 0;
                }
                i++;
                fed++;
            }
            if (fed > 0)
            {
                active.endOfBatch(nowNs);
            }
            if (active.pump() == 0 && fed == 0)
            {
                Thread.yield();
            }
        }
        return count;
    }

    static org.agrona.concurrent.IdleStrategy idle(final int maxParkUs)
    {
        return new org.agrona.concurrent.BackoffIdleStrategy(10, 20, 1_000, maxParkUs * 1_000L);
    }

    static HaTransport.Context transportContext(
        final int nodeId, final int localPort, final int peerPort, final byte[] key, final int termLength,
        final Path dataDir)
    {
        return new HaTransport.Context()
            .nodeId(nodeId)
            .clusterKey(key)
            .channelMode(ChannelMode.UNICAST)
            .localEndpoint("127.0.0.1:" + localPort)
            .peerEndpoints(List.of("127.0.0.1:" + peerPort))
            .termLengthBytes(termLength)
            .dataDir(dataDir);
    }

    private static int freeUdpPort()
    {
        try (DatagramSocket socket = new DatagramSocket(0))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static void deleteTree(final Path dir)
    {
        try (Stream<Path> paths = Files.walk(dir))
        {
            for (final Path p : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
        catch (final IOException ex)
        {
            dir.toFile().deleteOnExit();
        }
    }

    /**
     * Makes a phase's updates.
     */
    @FunctionalInterface
    private interface Generator
    {
        long generate();
    }

    /**
     * The figures of one path: a rate and latency percentiles per run.
     */
    static final class PathResult
    {
        final String path;
        final List<Double> rates = new ArrayList<>();
        final List<long[]> latencies = new ArrayList<>();
        final List<Map<String, Long>> rateRuns = new ArrayList<>();
        final List<Map<String, Long>> latencyRuns = new ArrayList<>();

        PathResult(final String path)
        {
            this.path = path;
        }

        void add(final Map<String, Long> rate, final Map<String, Long> latency)
        {
            rateRuns.add(rate);
            latencyRuns.add(latency);
            rates.add(rate.get("applied") / (rate.get("elapsed_ns") / 1e9));
            final List<String> names = HaBenchStandby.percentileNames();
            final long[] ns = new long[names.size()];
            for (int i = 0; i < ns.length; i++)
            {
                ns[i] = latency.get(names.get(i));
            }
            latencies.add(ns);
        }

        boolean complete()
        {
            for (final List<Map<String, Long>> phases : List.of(rateRuns, latencyRuns))
            {
                for (final Map<String, Long> phase : phases)
                {
                    if (phase.get("applied") < phase.get("sent"))
                    {
                        return false;
                    }
                }
            }
            return true;
        }

        double medianRate()
        {
            final double[] sorted = rates.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            return sorted.length == 0 ? 0 : sorted.length % 2 == 1 ? sorted[sorted.length / 2] :
                (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
        }

        long[] medianLatencyNs()
        {
            final int width = HaBenchStandby.percentileNames().size();
            final long[] medians = new long[width];
            for (int i = 0; i < width; i++)
            {
                final long[] column = new long[latencies.size()];
                for (int r = 0; r < column.length; r++)
                {
                    column[r] = latencies.get(r)[i];
                }
                Arrays.sort(column);
                medians[i] = column.length == 0 ? 0 : column.length % 2 == 1 ? column[column.length / 2] :
                    (column[column.length / 2 - 1] + column[column.length / 2]) / 2;
            }
            return medians;
        }
    }

    /**
     * The standby process and the lines it prints.
     */
    private static final class Child
    {
        private final Process process;
        private final Path log;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final PrintWriter in;

        private Child(final Process process, final Path log)
        {
            this.process = process;
            this.log = log;
            this.in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
            final Thread reader = new Thread(() ->
            {
                try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
                {
                    String line;
                    while ((line = r.readLine()) != null)
                    {
                        if (line.startsWith(HaBenchStandby.PREFIX))
                        {
                            lines.add(line.substring(HaBenchStandby.PREFIX.length()));
                        }
                    }
                }
                catch (final IOException ex)
                {
                    lines.add("error " + ex);
                }
            }, "ha-bench-standby-reader");
            reader.setDaemon(true);
            reader.start();
        }

        static Child spawn(final List<String> args, final Path log) throws IOException
        {
            final List<String> command = new ArrayList<>();
            command.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            for (final String arg : ManagementFactory.getRuntimeMXBean().getInputArguments())
            {
                if (!arg.startsWith("-agentlib:jdwp") && !arg.startsWith("-XX:StartFlightRecording") &&
                    !arg.startsWith("-XX:FlightRecorderOptions"))
                {
                    command.add(arg);
                }
            }
            final String extra = System.getenv("TANDEM_HA_STANDBY_OPTS");
            if (extra != null && !extra.isBlank())
            {
                command.addAll(Arrays.asList(extra.trim().split("\\s+")));
            }
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(HaBenchStandby.class.getName());
            command.addAll(args);
            return new Child(new ProcessBuilder(command).redirectError(log.toFile()).start(), log);
        }

        String await(final String word, final Active active)
        {
            final long deadlineNs = System.nanoTime() + CHILD_TIMEOUT_NS;
            while (true)
            {
                final String line = lines.poll();
                if (line != null)
                {
                    if (line.startsWith(word))
                    {
                        return line;
                    }
                    throw new IllegalStateException("the standby process said: " + line + tail());
                }
                if (!process.isAlive() || System.nanoTime() - deadlineNs > 0)
                {
                    throw new IllegalStateException("the standby process " + (process.isAlive() ?
                        "did not answer '" + word + "' in time" : "exited with " + process.exitValue()) + tail());
                }
                if (active == null || active.pump() == 0)
                {
                    Thread.onSpinWait();
                    Thread.yield();
                }
            }
        }

        String command(final String command, final String answer, final Active active)
        {
            in.println(command);
            return await(answer, active);
        }

        void quit() throws InterruptedException
        {
            if (process.isAlive())
            {
                in.println("quit");
                if (!process.waitFor(15, TimeUnit.SECONDS))
                {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }

        private String tail()
        {
            try
            {
                final List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
                return "\n  standby log (" + log + "):\n  " +
                    String.join("\n  ", all.subList(Math.max(0, all.size() - 20), all.size()));
            }
            catch (final IOException ex)
            {
                return "";
            }
        }
    }

    /**
     * The active node of one path.
     */
    private abstract static class Active implements AutoCloseable
    {
        final HaTransport transport;
        final boolean composed;

        Active(final HaTransport transport, final boolean composed)
        {
            this.transport = transport;
            this.composed = composed;
            if (!composed)
            {
                transport.startAgentRunner();
            }
        }

        abstract void feed(int session, long stampNs);

        @Override
        public abstract void close();

        void endOfBatch(final long nowNs)
        {
        }

        boolean hasRoom()
        {
            return true;
        }

        int sideWork()
        {
            return 0;
        }

        boolean quiet()
        {
            return transport.ringBacklogBytes() == 0;
        }

        void setUp(final Child child)
        {
        }

        final int pump()
        {
            int work = sideWork();
            if (composed)
            {
                try
                {
                    work += transport.agent().doWork();
                }
                catch (final Exception ex)
                {
                    throw new IllegalStateException(ex);
                }
            }
            return work;
        }

        final long sent()
        {
            return transport.counter(TransportCounter.MESSAGES_SENT) +
                transport.counter(TransportCounter.RESYNC_MESSAGES_SENT);
        }

        final long[] counters()
        {
            return new long[] {transport.counter(TransportCounter.BACK_PRESSURE_EVENTS),
                transport.counter(TransportCounter.RING_FULL), transport.counter(TransportCounter.MESSAGES_RETURNED)};
        }

        final void connect(final Child child)
        {
            child.await("ready", this);
            final long deadlineNs = System.nanoTime() + CHILD_TIMEOUT_NS;
            while (!(transport.isReady() && transport.isConnected()))
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw new IllegalStateException("the active did not connect to the standby");
                }
                if (pump() == 0)
                {
                    Thread.yield();
                }
            }
        }

        String state()
        {
            return "ring backlog " + transport.ringBacklogBytes() + " bytes, connected " + transport.isConnected() +
                ", sent " + sent() + ", returned " + transport.counter(TransportCounter.MESSAGES_RETURNED) +
                ", back pressure " + transport.counter(TransportCounter.BACK_PRESSURE_EVENTS);
        }

        final void drain()
        {
            final long deadlineNs = System.nanoTime() + DRAIN_TIMEOUT_NS;
            long lastSent = sent();
            long quietSinceNs = System.nanoTime();
            while (true)
            {
                final long nowNs = System.nanoTime();
                final long sent = sent();
                if (sent != lastSent || !quiet())
                {
                    lastSent = sent;
                    quietSinceNs = nowNs;
                }
                else if (nowNs - quietSinceNs > DRAIN_QUIET_NS)
                {
                    return;
                }
                if (nowNs - deadlineNs > 0)
                {
                    throw new IllegalStateException("the active did not drain in time: " + state());
                }
                if (pump() == 0)
                {
                    Thread.yield();
                }
            }
        }
    }

    /**
     * The transport alone: encoded updates offered straight to the transport.
     */
    private static final class TransportActive extends Active
    {
        private final HaBenchTraffic.Templates templates;
        private final UnsafeBuffer buffer;

        TransportActive(final HaTransport.Context ctx, final HaBenchTraffic traffic, final boolean composed)
        {
            this(traffic.templates(), ctx, composed);
        }

        private TransportActive(
            final HaBenchTraffic.Templates templates, final HaTransport.Context ctx, final boolean composed)
        {
            super(HaTransport.launch(ctx), composed);
            this.templates = templates;
            this.buffer = templates.buffer();
        }

        @Override
        void feed(final int session, final long stampNs)
        {
            templates.stamp(session, stampNs);
            while (!transport.offer(session, buffer, templates.offsets()[session], templates.lengths()[session]))
            {
                if (pump() == 0)
                {
                    Thread.yield();
                }
            }
        }

        @Override
        public void close()
        {
            transport.close();
        }
    }

    /**
     * The whole path: packets through a worker with HA on and the side channel.
     */
    private static final class ManagerActive extends Active
    {
        private final HaSideChannel channel;
        private final HaBenchTraffic traffic;
        private final Worker worker;
        private final UnsafeBuffer[] frames;

        ManagerActive(final HaTransport.Context ctx, final HaBenchTraffic traffic, final boolean composed)
        {
            this(HaSideChannel.launch(ctx), traffic, composed);
        }

        private ManagerActive(final HaSideChannel channel, final HaBenchTraffic traffic, final boolean composed)
        {
            super(channel.transport(), composed);
            this.channel = channel;
            this.traffic = traffic;
            worker = HaBenchTraffic.worker(ACTIVE_NODE_ID);
            worker.enableHa(HaContext.fromConfig(HaBenchTraffic.config(ACTIVE_NODE_ID)), new HaRecordRegistry(),
                HaMessageSink.NONE, channel).registry()
                .registerServices(Thread.currentThread().getContextClassLoader());
            frames = traffic.ackFrames();
        }

        @Override
        void setUp(final Child child)
        {
            child.command("begin 0", "begun", this);
            final long sentBefore = sent();
            for (int s = 0; s < traffic.sessions(); s++)
            {
                while (!hasRoom())
                {
                    if (pump() == 0)
                    {
                        Thread.yield();
                    }
                }
                final long nowNs = System.nanoTime();
                traffic.handshake(worker, s, nowNs);
                if (s % BATCH == BATCH - 1)
                {
                    endOfBatch(nowNs);
                    pump();
                }
            }
            endOfBatch(System.nanoTime());
            drain();
            child.command("end " + (sent() - sentBefore), "result", this);
        }

        @Override
        void feed(final int session, final long stampNs)
        {
            final UnsafeBuffer frame = frames[session];
            worker.onPacket(frame, frame.capacity(), frame.capacity(), stampNs, 1);
        }

        @Override
        void endOfBatch(final long nowNs)
        {
            worker.endOfBatch();
            worker.haWork(nowNs);
        }

        @Override
        boolean hasRoom()
        {
            return channel.hasRoom();
        }

        @Override
        int sideWork()
        {
            worker.endOfBatch();
            return worker.haWork(System.nanoTime());
        }

        @Override
        boolean quiet()
        {
            return super.quiet() && worker.haManager().dirtySessions() == 0;
        }

        @Override
        String state()
        {
            final StringBuilder counters = new StringBuilder(super.state()).append(", dirty sessions ")
                .append(worker.haManager().dirtySessions());
            channel.reportStats((name, value) ->
            {
                if (name.startsWith("ha.side_channel.") && value != 0)
                {
                    counters.append(", ").append(name).append(' ').append(value);
                }
            });
            return counters.toString();
        }

        @Override
        public void close()
        {
            channel.close();
        }
    }
}
