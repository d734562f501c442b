package io.tandem.node.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import io.tandem.node.config.TandemConfig;
import io.tandem.node.flow.FlowTable;
import io.tandem.node.io.PcapFileSource;
import io.tandem.node.synth.FrameBuilder;
import io.tandem.node.synth.SynthOptions;
import io.tandem.node.synth.TrafficSynthesizer;
import io.tandem.node.tcp.TcpSessionPool;
import io.tandem.node.worker.Worker;
import io.tandem.node.worker.WorkerContexts;
import io.tandem.node.worker.WorkerGroup;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tandem bench}: the engine against a bare libpcap read loop over the same capture, run alternately several
 * times, reporting medians and ratios. The engine is measured twice for each worker count: its own loop in this JVM
 * (start-up excluded), and a whole {@code tandem analyze} process (start-up included). {@code --memory} measures the
 * heap per idle established TCP session instead, {@code --ha} HA replication between two processes
 * ({@link HaBench}); {@code --report} writes CSV, JSON and SVG charts ({@link BenchReport}, {@link HaBenchReport}).
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Measure the engine against a bare libpcap loop on the same capture (medians, ratios), or HA " +
        "replication between two processes (--ha).")
public final class BenchCommand implements Callable<Integer>
{
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--pcap", paramLabel = "FILE", description = "Capture to use (default: generate one with synth).")
    private Path pcap;

    @Option(names = "--sessions", defaultValue = "50000",
        description = "Sessions to generate when no --pcap is given; with --ha, the sessions updated round-robin " +
            "(default ${DEFAULT-VALUE}).")
    private int sessions;

    @Option(names = "--runs", defaultValue = "5", description = "Alternating runs of each (default ${DEFAULT-VALUE}).")
    private int runs;

    @Option(names = "--workers", paramLabel = "N[,N...]", split = ",", defaultValue = "1",
        description = "Worker counts to measure the engine and the whole process with (default ${DEFAULT-VALUE}).")
    private List<Integer> workers;

    @Option(names = "--loop", paramLabel = "PATH", defaultValue = "bench/pcap_loop",
        description = "The bare loop binary; built from bench/pcap_loop.c with gcc and libpcap when missing.")
    private Path loop;

    @Option(names = "--memory", paramLabel = "SESSIONS[,SESSIONS...]", split = ",",
        description = "Instead: build this many established TCP sessions through the pipeline and report heap bytes " +
            "per session (several counts: one fresh worker each).")
    private List<Integer> memorySessions;

    @Option(names = "--report", paramLabel = "DIR",
        description = "Also write the results as CSV and JSON, and SVG charts, into this directory.")
    private Path report;

    @Option(names = "--latency-csv", paramLabel = "FILE",
        description = "With --report: chart a latency distribution from FILE (lines 'percentile,micros', or one " +
            "sample in micros per line) as latency-distribution.svg.")
    private Path latencyCsv;

    @CommandLine.Mixin
    private HaBenchOptions ha;

    @Override
    public Integer call() throws IOException, InterruptedException
    {
        final PrintWriter out = spec.commandLine().getOut();
        if (ha.enabled)
        {
            try
            {
                return new HaBench(ha, runs, sessions, report, out).run();
            }
            catch (final IllegalArgumentException ex)
            {
                throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage());
            }
        }
        if (latencyCsv != null)
        {
            if (report == null)
            {
                throw new CommandLine.ParameterException(spec.commandLine(), "--latency-csv needs --report DIR");
            }
            BenchReport.latency(latencyCsv, report, out);
            if (memorySessions == null && pcap == null)
            {
                return 0;
            }
        }
        if (memorySessions != null && !memorySessions.isEmpty())
        {
            return measureMemory(out);
        }
        for (final int w : workers)
        {
            if (w < 1)
            {
                throw new CommandLine.ParameterException(spec.commandLine(), "--workers: " + w + " is not positive");
            }
        }
        final Path capture = pcap != null ? pcap : generate(out);
        ensureLoop(out);
        warmPageCache(capture);

        final int counts = workers.size();
        final long[] bareNs = new long[runs];
        final long[][] engineNs = new long[counts][runs];
        final long[][] processNs = new long[counts][runs];
        long packets = 0;
        final StringBuilder warmUp = new StringBuilder("warm-up (not counted): bare ");
        warmUp.append(String.format("%.3f s", runBareLoop(capture) / 1e9));
        for (int k = 0; k < counts; k++)
        {
            final long startNs = System.nanoTime();
            runEngine(capture, workers.get(k));
            warmUp.append(String.format(", %d worker(s): engine %.3f s", workers.get(k),
                (System.nanoTime() - startNs) / 1e9));
        }
        out.println(warmUp);
        out.flush();
        for (int r = 0; r < runs; r++)
        {
            bareNs[r] = runBareLoop(capture);
            final StringBuilder line = new StringBuilder(String.format("run %d: bare %.3f s", r + 1, bareNs[r] / 1e9));
            for (int k = 0; k < counts; k++)
            {
                final long startNs = System.nanoTime();
                packets = runEngine(capture, workers.get(k));
                engineNs[k][r] = System.nanoTime() - startNs;
                processNs[k][r] = runProcess(capture, workers.get(k));
                line.append(String.format(", %d worker(s): engine %.3f s, whole process %.3f s",
                    workers.get(k), engineNs[k][r] / 1e9, processNs[k][r] / 1e9));
            }
            out.println(line);
            out.flush();
        }

        final double bare = BenchReport.median(bareNs);
        out.printf("capture: %s, %d packets%n", capture, packets);
        out.printf("median bare libpcap loop: %.3f s, %.0f packets/s%n", bare / 1e9, packets / (bare / 1e9));
        final double[] engineMedians = new double[counts];
        final double[] processMedians = new double[counts];
        for (int k = 0; k < counts; k++)
        {
            engineMedians[k] = BenchReport.median(engineNs[k]);
            processMedians[k] = BenchReport.median(processNs[k]);
            out.printf("median engine (%d worker(s), start-up excluded): %.3f s, %.0f packets/s, %.1f%% of the bare " +
                "loop%s%n", workers.get(k), engineMedians[k] / 1e9, packets / (engineMedians[k] / 1e9),
                100.0 * bare / engineMedians[k],
                k == 0 ? "" : String.format(", %.2fx the first count", engineMedians[0] / engineMedians[k]));
            out.printf("median whole analyze process (%d worker(s)): %.3f s, %.0f packets/s, %.1f%% of the bare loop%n",
                workers.get(k), processMedians[k] / 1e9, packets / (processMedians[k] / 1e9),
                100.0 * bare / processMedians[k]);
        }
        out.flush();
        if (report != null)
        {
            BenchReport.throughput(report, capture, packets, workers, bareNs, engineNs, processNs, out);
        }
        return 0;
    }

    private int measureMemory(final PrintWriter out) throws IOException
    {
        final List<BenchReport.MemoryPoint> points = new ArrayList<>();
        boolean complete = true;
        for (final int count : memorySessions)
        {
            final BenchReport.MemoryPoint point = measureMemory(out, count);
            points.add(point);
            complete &= point.sessions() == count;
        }
        if (report != null)
        {
            BenchReport.memory(report, points, out);
        }
        return complete ? 0 : 1;
    }

    private static BenchReport.MemoryPoint measureMemory(final PrintWriter out, final int count)
    {
        final long sessionsLong = count;
        final TandemConfig defaults = TandemConfig.defaults();
        final int queueEntries = Math.max(defaults.integer("stream.max-syn-queued"),
            defaults.integer("stream.max-synack-queued"));
        final long flowMemcap = sessionsLong * FlowTable.FLOW_BYTES * 5 / 4 +
            2L * Integer.highestOneBit(Math.max(1, count)) * FlowTable.BUCKET_BYTES + (1L << 20);
        final long streamMemcap = sessionsLong * (TcpSessionPool.SESSION_BYTES +
            queueEntries * TcpSessionPool.QUEUE_ENTRY_BYTES) * 5 / 4 + (1L << 20);
        final TandemConfig config = TandemConfig.load(null, List.of(
            "flow.memcap=" + flowMemcap, "flow.prealloc=0",
            "flow.hash-size=" + Integer.highestOneBit(Math.max(1, count)),
            "stream.memcap=" + streamMemcap, "stream.prealloc-sessions=0"));
        final long before = usedHeapAfterGc();
        final HeapHistogram beforeHistogram = HeapHistogram.take();
        final Worker worker = WorkerContexts.newWorker(config, (flow, reason) -> { }, (p, event) -> { });
        final long empty = usedHeapAfterGc();
        final HeapHistogram emptyHistogram = HeapHistogram.take();
        final FrameBuilder builder = new FrameBuilder();
        final long t0 = 1_700_000_000_000_000_000L;
        for (int i = 0; i < count; i++)
        {
            final int client = 0x0a000000 | (i >>> 14);
            final int port = 1024 + (i & 0x3FFF);
            final int isn = i * 7919;
            final int serverIsn = ~isn;
            handshake(worker, builder, client, port, isn, serverIsn, t0 + i);
        }
        final long full = usedHeapAfterGc();
        final HeapHistogram fullHistogram = HeapHistogram.take();
        final long active = worker.flowTable().activeFlows();
        out.printf("sessions built: %d established (flows active: %d)%n", count, active);
        out.printf("heap: %.1f MiB before the worker, %.1f MiB with an empty worker, %.1f MiB with the sessions%n",
            before / 1048576.0, empty / 1048576.0, full / 1048576.0);
        out.printf("bytes per idle established TCP session (flow + key + TCP session + table share): %.0f%n",
            (full - empty) / (double)Math.max(1, active));
        out.printf("the empty worker (memcap-sized pool arrays, buffers), classes above 1 MiB:%n");
        for (final HeapHistogram.Row row : emptyHistogram.growthSince(beforeHistogram, 1 << 20))
        {
            out.printf("  %8.1f MiB  %10d instances  %s%n", row.bytes() / 1048576.0, row.instances(), row.className());
        }
        out.printf("per session, classes above 1 byte per session:%n");
        for (final HeapHistogram.Row row : fullHistogram.growthSince(emptyHistogram, active))
        {
            out.printf("  %8.1f bytes/session  %8.2f instances/session  %s%n",
                row.bytes() / (double)Math.max(1, active), row.instances() / (double)Math.max(1, active),
                row.className());
        }
        out.flush();
        return new BenchReport.MemoryPoint(active, before, empty, full);
    }

    private static void handshake(
        final Worker worker, final FrameBuilder builder, final int client, final int port, final int isn,
        final int serverIsn, final long timeNs)
    {
        final int server = 0x0b000001;
        final long clientMac = 0x0200_0000_0001L;
        final long serverMac = 0x0200_0000_0002L;
        int length = builder.ethernet(clientMac, serverMac).ipv4(client, server)
            .tcp(port, 80, isn, 0, 0x02, 65535).mss(1460).windowScale(7).sackPermitted().build();
        worker.onPacket(builder.buffer(), length, length, timeNs, 1);
        length = builder.ethernet(serverMac, clientMac).ipv4(server, client)
            .tcp(80, port, serverIsn, isn + 1, 0x12, 65535).mss(1460).windowScale(7).sackPermitted().build();
        worker.onPacket(builder.buffer(), length, length, timeNs, 1);
        length = builder.ethernet(clientMac, serverMac).ipv4(client, server)
            .tcp(port, 80, isn + 1, serverIsn + 1, 0x10, 512).build();
        worker.onPacket(builder.buffer(), length, length, timeNs, 1);
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

    private Path generate(final PrintWriter out) throws IOException
    {
        final Path file = Files.createTempFile("tandem-bench", ".pcap");
        file.toFile().deleteOnExit();
        new TrafficSynthesizer(new SynthOptions().seed(1).sessions(sessions)
            .concurrency(Math.max(1, Math.min(2000, sessions / 20)))).generate(file, false);
        out.printf("generated %d sessions into %s%n", sessions, file);
        return file;
    }

    private void ensureLoop(final PrintWriter out) throws IOException, InterruptedException
    {
        if (Files.isExecutable(loop))
        {
            return;
        }
        final Path source = loop.resolveSibling("pcap_loop.c");
        out.printf("building %s from %s (gcc -O2 ... -lpcap)%n", loop, source);
        final Process gcc = new ProcessBuilder("gcc", "-O2", "-o", loop.toString(), source.toString(), "-lpcap")
            .inheritIO().start();
        if (gcc.waitFor() != 0)
        {
            throw new CommandLine.ExecutionException(spec.commandLine(),
                "cannot build " + loop + ": install gcc and libpcap-dev (apt-get install libpcap-dev)");
        }
    }

    private static void warmPageCache(final Path capture) throws IOException
    {
        try (var in = Files.newInputStream(capture))
        {
            final byte[] chunk = new byte[1 << 20];
            while (in.read(chunk) > 0)
            {
                Thread.onSpinWait();
            }
        }
    }

    private long runBareLoop(final Path capture) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(loop.toString(), capture.toString()).start();
        final String line;
        try (BufferedReader reader = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII)))
        {
            line = reader.readLine();
        }
        if (process.waitFor() != 0 || line == null)
        {
            throw new IOException(loop + " failed on " + capture);
        }
        for (final String field : line.split(" "))
        {
            if (field.startsWith("ns="))
            {
                return Long.parseLong(field.substring(3));
            }
        }
        throw new IOException(loop + " printed no time: " + line);
    }

    private static long runEngine(final Path capture, final int workerCount)
    {
        final TandemConfig config = TandemConfig.defaults();
        try (PcapFileSource source = PcapFileSource.open(capture))
        {
            if (workerCount == 1)
            {
                return WorkerContexts.newWorker(config, (flow, reason) -> { }, (p, event) -> { }).drain(source);
            }
            final List<Worker> group = new ArrayList<>();
            for (int i = 0; i < workerCount; i++)
            {
                group.add(WorkerContexts.newWorker(config, i, workerCount, (flow, reason) -> { }, (p, event) -> { }));
            }
            try (WorkerGroup workerGroup = new WorkerGroup("tandem-bench", group, WorkerContexts.from(config).decode()))
            {
                return workerGroup.drain(source);
            }
        }
    }

    private static long runProcess(final Path capture, final int workerCount) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--enable-native-access=ALL-UNNAMED", "-XX:+UseCompactObjectHeaders",
            "-cp", System.getProperty("java.class.path"), TandemCommand.class.getName(),
            "analyze", "--no-progress", "--workers", Integer.toString(workerCount), "--pcap", capture.toString(),
            "--eve", "/dev/null"));
        final long startNs = System.nanoTime();
        final Process process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0)
        {
            throw new IOException("analyze process failed on " + capture);
        }
        return System.nanoTime() - startNs;
    }
}
