package io.tandem.node.cli;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import io.tandem.node.applayer.ReassemblyDigest;
import io.tandem.node.applayer.StreamConsumer;
import io.tandem.node.config.ConfigException;
import io.tandem.node.config.TandemConfig;
import io.tandem.node.flow.FlowEndReason;
import io.tandem.node.ha.HaContext;
import io.tandem.node.ha.HaFileSink;
import io.tandem.node.ha.HaManager;
import io.tandem.node.ha.HaMessageSink;
import io.tandem.node.ha.spi.HaRecordException;
import io.tandem.node.ha.spi.HaRecordRegistry;
import io.tandem.node.io.CaptureFormatException;
import io.tandem.node.io.PacketHandler;
import io.tandem.node.io.PcapFileSource;
import io.tandem.node.output.EveWriter;
import io.tandem.node.output.LineAlignedOutputStream;
import io.tandem.node.output.TcpDataWriter;
import io.tandem.node.worker.Worker;
import io.tandem.node.worker.WorkerContexts;
import io.tandem.node.worker.WorkerGroup;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tandem analyze}: read a capture file through one worker (or several, {@code --workers}), flush every flow at
 * the end, write EVE.
 */
@Command(
    name = "analyze",
    mixinStandardHelpOptions = true,
    description = "Read a pcap/pcapng file, track its flows and write EVE JSON.")
public final class AnalyzeCommand implements Callable<Integer>
{
    static final int EXIT_BAD_INPUT = 2;
    private static final int POLL_LIMIT = 256;
    private static final long PROGRESS_INTERVAL_NS = 1_000_000_000L;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--pcap", required = true, paramLabel = "FILE", description = "Capture file (pcap or pcapng).")
    private Path pcap;

    @Option(names = "--config", paramLabel = "FILE", description = "tandem.yaml (defaults apply without it).")
    private Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
        description = "Override a configuration key with a YAML value, e.g. stream.midstream=true (repeatable).")
    private List<String> sets = new ArrayList<>();

    @Option(names = "--eve", paramLabel = "FILE|-", defaultValue = "eve.json",
        description = "Where to write EVE JSON lines; - for standard output (default: ${DEFAULT-VALUE}).")
    private String eve;

    @Option(names = "--reassembly-digest",
        description = "Add per-direction reassembled bytes, gaps and SHA-256 to each TCP flow record.")
    private boolean reassemblyDigest;

    @Option(names = "--tcp-data", paramLabel = "DIR",
        description = "Write each TCP flow's reassembled data per direction to a file in DIR, named " +
            "SRCIP.SRCPORT-DSTIP.DSTPORT as tcpflow does.")
    private Path tcpData;

    @Option(names = "--workers", paramLabel = "N",
        description = "Worker threads (default: threading.workers, 1); packets go to them by IP address pair.")
    private Integer workers;

    @Option(names = "--progress", negatable = true, defaultValue = "true", fallbackValue = "true",
        description = "Show a progress line on a terminal (default: on).")
    private boolean progress;

    @Override
    public Integer call()
    {
        final PrintWriter err = spec.commandLine().getErr();
        final TandemConfig cfg;
        final PcapFileSource source;
        try
        {
            cfg = TandemConfig.load(config, sets);
        }
        catch (final ConfigException ex)
        {
            err.println("tandem: configuration: " + ex.getMessage());
            return EXIT_BAD_INPUT;
        }
        final HaContext haCtx;
        try
        {
            haCtx = HaContext.fromConfig(cfg).conclude();
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("tandem: configuration: " + ex.getMessage());
            return EXIT_BAD_INPUT;
        }
        final int workerCount = workers != null ? workers : cfg.integer("threading.workers");
        if (workerCount < 1)
        {
            err.println("tandem: --workers: " + workerCount + " is not a positive number");
            return EXIT_BAD_INPUT;
        }
        if (workerCount > 1 && haCtx.enabled())
        {
            err.println("tandem: --workers: analyze runs HA on one worker only (set --workers 1 or ha.enabled=no)");
            return EXIT_BAD_INPUT;
        }
        try
        {
            source = PcapFileSource.open(pcap);
        }
        catch (final CaptureFormatException ex)
        {
            err.println("tandem: " + ex.getMessage());
            return EXIT_BAD_INPUT;
        }

        final long startNs = System.nanoTime();
        final boolean showProgress = progress && System.console() != null;
        if (workerCount > 1)
        {
            return analyzeParallel(cfg, source, workerCount, startNs, showProgress, err);
        }
        HaFileSink haFile = null;
        try (source; EveWriter eveWriter = new EveWriter(open(eve)))
        {
            final Worker worker = newWorker(cfg, 0, 1, eveWriter);
            if (haCtx.enabled())
            {
                if (haCtx.useSideChannel())
                {
                    err.println("tandem: warning: ha.use-side-channel is for tandem run; analyze replicates through " +
                        "ha.runtime-output-file only");
                }
                haFile = haCtx.runtimeOutputFile() == null ? null :
                    new HaFileSink(haCtx.runtimeOutputFile(), haCtx.runtimeOutputMaxBytes());
                final HaRecordRegistry registry = new HaRecordRegistry();
                final HaManager manager =
                    worker.enableHa(haCtx, registry, haFile == null ? HaMessageSink.NONE : haFile);
                registry.registerServices(Thread.currentThread().getContextClassLoader());
                if (haCtx.startupInputFile() != null)
                {
                    manager.prime(haCtx.startupInputFile());
                }
            }
            read(source, worker, worker::endOfBatch, startNs, showProgress, err);
            worker.finish(FlowEndReason.SHUTDOWN);

            final Map<String, Long> counters = new LinkedHashMap<>();
            source.reportStats(counters::put);
            worker.reportStats(counters::put);
            eveWriter.writeStats(worker.lastTimestampNs(), counters);
            summary(source, counters, startNs, showProgress, err);
        }
        catch (final UncheckedIOException ex)
        {
            err.println("tandem: " + ex.getMessage());
            return 1;
        }
        catch (final IOException ex)
        {
            err.println("tandem: HA: " + ex.getMessage());
            return EXIT_BAD_INPUT;
        }
        catch (final HaRecordException ex)
        {
            err.println("tandem: HA: " + ex.getMessage());
            return EXIT_BAD_INPUT;
        }
        finally
        {
            closeQuietly(haFile, err);
        }
        return 0;
    }

    private int analyzeParallel(
        final TandemConfig cfg,
        final PcapFileSource source,
        final int workerCount,
        final long startNs,
        final boolean showProgress,
        final PrintWriter err)
    {
        final List<EveWriter> eveWriters = new ArrayList<>();
        try (source; OutputStream shared = open(eve))
        {
            final List<Worker> group = new ArrayList<>();
            for (int i = 0; i < workerCount; i++)
            {
                final EveWriter eveWriter = new EveWriter(new LineAlignedOutputStream(shared));
                eveWriters.add(eveWriter);
                group.add(newWorker(cfg, i, workerCount, eveWriter));
            }
            final Map<String, Long> counters = new LinkedHashMap<>();
            try (WorkerGroup workerGroup = new WorkerGroup("tandem-worker", group, WorkerContexts.from(cfg).decode()))
            {
                read(source, workerGroup.dispatcher(), () -> { }, startNs, showProgress, err);
                workerGroup.finish();
                source.reportStats(counters::put);
                workerGroup.reportStats(counters::put);
            }
            for (final EveWriter eveWriter : eveWriters)
            {
                eveWriter.close();
            }
            try (EveWriter statsWriter = new EveWriter(new LineAlignedOutputStream(shared)))
            {
                long lastNs = 0;
                for (final Worker worker : group)
                {
                    lastNs = Math.max(lastNs, worker.lastTimestampNs());
                }
                statsWriter.writeStats(lastNs, counters);
            }
            summary(source, counters, startNs, showProgress, err);
        }
        catch (final UncheckedIOException | IOException ex)
        {
            err.println("tandem: " + ex.getMessage());
            return 1;
        }
        catch (final IllegalStateException ex)
        {
            err.println("tandem: " + ex.getMessage());
            return 1;
        }
        return 0;
    }

    private Worker newWorker(final TandemConfig cfg, final int index, final int count, final EveWriter eveWriter)
    {
        final List<StreamConsumer> consumers = new ArrayList<>();
        if (tcpData != null)
        {
            consumers.add(new TcpDataWriter(tcpData));
        }
        if (reassemblyDigest)
        {
            final ReassemblyDigest digest = new ReassemblyDigest();
            consumers.add(digest);
            eveWriter.reassemblyDigest(digest);
        }
        return WorkerContexts.newWorker(cfg, index, count, eveWriter, eveWriter,
            consumers.toArray(new StreamConsumer[0]));
    }

    private static void read(
        final PcapFileSource source,
        final PacketHandler handler,
        final Runnable endOfBatch,
        final long startNs,
        final boolean showProgress,
        final PrintWriter err)
    {
        long nextProgressNs = startNs + PROGRESS_INTERVAL_NS;
        while (!source.isEndOfStream())
        {
            if (source.poll(handler, POLL_LIMIT) == 0 && source.isEndOfStream())
            {
                break;
            }
            endOfBatch.run();
            if (showProgress && System.nanoTime() >= nextProgressNs)
            {
                nextProgressNs += PROGRESS_INTERVAL_NS;
                err.printf("\r%d packets, %.0f%% of %s", source.packetsRead(),
                    100.0 * source.position() / Math.max(1, source.fileSize()), source.name());
                err.flush();
            }
        }
    }

    private static void summary(
        final PcapFileSource source,
        final Map<String, Long> counters,
        final long startNs,
        final boolean showProgress,
        final PrintWriter err)
    {
        final double seconds = (System.nanoTime() - startNs) / 1e9;
        if (showProgress)
        {
            err.print("\r");
        }
        err.flush();
        if (source.torn())
        {
            err.println("tandem: warning: " + source.warning());
        }
        err.printf("tandem: %s: %d packets, %d flows, %.3f s, %.0f pps%n", source.name(),
            source.packetsRead(), counters.getOrDefault("flow.total", 0L), seconds,
            source.packetsRead() / Math.max(seconds, 1e-9));
        err.flush();
    }

    private static void closeQuietly(final HaFileSink haFile, final PrintWriter err)
    {
        if (haFile != null)
        {
            try
            {
                haFile.close();
            }
            catch (final IOException ex)
            {
                err.println("tandem: HA: cannot close the runtime output file: " + ex.getMessage());
            }
        }
    }

    private static OutputStream open(final String target)
    {
        if ("-".equals(target))
        {
            return new BufferedOutputStream(new FileOutputStream(java.io.FileDescriptor.out), 1 << 16);
        }
        try
        {
            return new BufferedOutputStream(new FileOutputStream(target), 1 << 16);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write " + target, ex);
        }
    }
}
