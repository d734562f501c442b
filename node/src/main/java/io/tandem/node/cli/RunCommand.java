package io.tandem.node.cli;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.tandem.node.admin.AdminServer;
import io.tandem.node.config.ConfigException;
import io.tandem.node.config.TandemConfig;
import io.tandem.node.flow.FlowEndReason;
import io.tandem.node.ha.HaContext;
import io.tandem.node.ha.HaFileSink;
import io.tandem.node.ha.HaManager;
import io.tandem.node.ha.HaMessageSink;
import io.tandem.node.ha.HaSideChannel;
import io.tandem.node.ha.spi.HaRecordException;
import io.tandem.node.ha.spi.HaRecordRegistry;
import io.tandem.node.io.Encapsulation;
import io.tandem.node.io.MirrorFeedSource;
import io.tandem.node.output.EveWriter;
import io.tandem.node.output.LineAlignedOutputStream;
import io.tandem.node.stats.StatsTotals;
import io.tandem.node.worker.Worker;
import io.tandem.node.worker.WorkerAgent;
import io.tandem.node.worker.WorkerContexts;
import io.tandem.node.worker.WorkerGroup;
import io.tandem.transport.HaTransport;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.SystemEpochNanoClock;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tandem run}: a long-running node. Packets arrive on a VXLAN or GENEVE mirror port; one worker agent tracks
 * them on its own thread (with {@code threading.workers} above 1, that agent hands them by IP address pair to the
 * workers of a {@link WorkerGroup}, each on its own thread, and HA is refused); with {@code ha.enabled} it
 * replicates its sessions (to an HA file and, with {@code ha.use-side-channel}, over the Aeron side channel, whose
 * transport agent runs on a thread of its own); the
 * admin HTTP endpoint serves health, readiness (with the side channel: once its start-up resync is over), metrics and
 * status; EVE is written as flows end. It stops on SIGTERM/SIGINT, after {@code --duration}, or after
 * {@code --until-packets}; at stop every live flow is logged with reason {@code shutdown}.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = "Run a node: mirror-feed input, tracking, EVE output, admin HTTP (health, ready, metrics).")
public final class RunCommand implements Callable<Integer>
{
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "tandem.yaml (defaults apply without it).")
    private java.nio.file.Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a configuration key (repeatable).")
    private List<String> sets = new ArrayList<>();

    @Option(names = "--mirror-bind", defaultValue = "0.0.0.0", description = "Mirror feed address (${DEFAULT-VALUE}).")
    private String mirrorBind;

    @Option(names = "--mirror-port", defaultValue = "-1",
        description = "Mirror feed UDP port (default: 4789 for VXLAN, 6081 for GENEVE; 0: any free port).")
    private int mirrorPort;

    @Option(names = "--encap", defaultValue = "vxlan", description = "vxlan or geneve (default ${DEFAULT-VALUE}).")
    private String encap;

    @Option(names = "--admin-bind", defaultValue = "127.0.0.1",
        description = "Admin HTTP address (default ${DEFAULT-VALUE}).")
    private String adminBind;

    @Option(names = "--admin-port", defaultValue = "9780",
        description = "Admin HTTP port (default ${DEFAULT-VALUE}; 0: any free port).")
    private int adminPort;

    @Option(names = "--eve", paramLabel = "FILE|-", defaultValue = "eve.json",
        description = "Where to write EVE JSON lines; - for standard output (default: ${DEFAULT-VALUE}).")
    private String eve;

    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "0",
        description = "Stop after this many seconds (default: run until stopped).")
    private long durationSeconds;

    @Option(names = "--until-packets", paramLabel = "N", defaultValue = "0",
        description = "Stop once this many packets were handled (default: no limit).")
    private long untilPackets;

    @Override
    public Integer call() throws IOException, InterruptedException
    {
        final PrintWriter err = spec.commandLine().getErr();
        final TandemConfig cfg;
        try
        {
            cfg = TandemConfig.load(config, sets);
        }
        catch (final ConfigException ex)
        {
            err.println("tandem: configuration: " + ex.getMessage());
            return AnalyzeCommand.EXIT_BAD_INPUT;
        }

        final HaContext haCtx;
        final HaTransport.Context transportCtx;
        try
        {
            haCtx = HaContext.fromConfig(cfg).conclude();
            transportCtx = haCtx.useSideChannel() ? HaSideChannel.transportContext(cfg) : null;
        }
        catch (final IllegalArgumentException | ConfigException ex)
        {
            err.println("tandem: configuration: " + ex.getMessage());
            return AnalyzeCommand.EXIT_BAD_INPUT;
        }
        final int workerCount = cfg.integer("threading.workers");
        if (workerCount > 1 && haCtx.enabled())
        {
            err.println("tandem: configuration: threading.workers: " + workerCount + ": run runs HA on one worker " +
                "only (set threading.workers to 1 or ha.enabled to no)");
            return AnalyzeCommand.EXIT_BAD_INPUT;
        }

        final MirrorFeedSource source;
        try
        {
            source = MirrorFeedSource.open(new MirrorFeedSource.Context()
                .bindAddress(mirrorBind)
                .port(mirrorPort)
                .encapsulation(Encapsulation.byName(encap)));
        }
        catch (final IllegalArgumentException | IllegalStateException ex)
        {
            err.println("tandem: mirror feed: " + ex.getMessage());
            return AnalyzeCommand.EXIT_BAD_INPUT;
        }

        final OutputStream eveOut;
        try
        {
            eveOut = openEve();
        }
        catch (final IOException ex)
        {
            err.println("tandem: --eve: cannot write " + eve + ": " + ex.getMessage());
            source.close();
            return AnalyzeCommand.EXIT_BAD_INPUT;
        }
        if (workerCount > 1)
        {
            return serve(trackOnWorkers(cfg, workerCount, source, eveOut), null, haCtx, source, err);
        }
        final EveWriter eveWriter = new EveWriter(eveOut);
        final Worker worker = WorkerContexts.newWorker(cfg, eveWriter, eveWriter);
        final HaSideChannel sideChannel;
        HaFileSink haFile = null;
        try
        {
            haFile = haCtx.enabled() && haCtx.runtimeOutputFile() != null ?
                new HaFileSink(haCtx.runtimeOutputFile(), haCtx.runtimeOutputMaxBytes()) : null;
            sideChannel = enableHa(haCtx, transportCtx, worker, haFile);
        }
        catch (final IOException | HaRecordException ex)
        {
            err.println("tandem: HA: " + ex.getMessage());
            CloseHelper.quietCloseAll(haFile, eveWriter, source);
            return AnalyzeCommand.EXIT_BAD_INPUT;
        }
        catch (final RuntimeException ex)
        {
            err.println("tandem: HA side channel: cannot start: " + ex);
            CloseHelper.quietCloseAll(haFile, eveWriter, source);
            return 1;
        }
        final WorkerAgent agent = new WorkerAgent("tandem-worker-0", worker, source, new SystemEpochNanoClock(),
            source);
        final HaFileSink haSink = haFile;
        return serve(new Tracking(agent, 1, () ->
        {
            worker.finish(FlowEndReason.SHUTDOWN);
            CloseHelper.quietCloseAll(sideChannel, haSink);
            eveWriter.close();
        }), sideChannel, haCtx, source, err);
    }

    /**
     * Several workers on threads of their own, fed by one reading agent through a {@link WorkerGroup}'s dispatcher
     * (as analyze reads a file into one); each writes its EVE lines whole into the one output.
     */
    private static Tracking trackOnWorkers(
        final TandemConfig cfg, final int workerCount, final MirrorFeedSource source, final OutputStream shared)
    {
        final List<EveWriter> eveWriters = new ArrayList<>();
        final List<Worker> workers = new ArrayList<>();
        for (int i = 0; i < workerCount; i++)
        {
            final EveWriter eveWriter = new EveWriter(new LineAlignedOutputStream(shared));
            eveWriters.add(eveWriter);
            workers.add(WorkerContexts.newWorker(cfg, i, workerCount, eveWriter, eveWriter));
        }
        final SystemEpochNanoClock clock = new SystemEpochNanoClock();
        final WorkerGroup group = new WorkerGroup("tandem-worker", workers, WorkerContexts.from(cfg).decode(), clock);
        final WorkerAgent agent = new WorkerAgent("tandem-reader", group, source, clock, source);
        return new Tracking(agent, workerCount, () ->
        {
            try
            {
                group.finish();
            }
            finally
            {
                group.close();
                for (final EveWriter eveWriter : eveWriters)
                {
                    eveWriter.close();
                }
                shared.close();
            }
        });
    }

    private int serve(
        final Tracking tracking,
        final HaSideChannel sideChannel,
        final HaContext haCtx,
        final MirrorFeedSource source,
        final PrintWriter err) throws InterruptedException, IOException
    {
        final WorkerAgent agent = tracking.agent();
        final AgentRunner runner = new AgentRunner(
            new BackoffIdleStrategy(), throwable ->
            {
                if (!(throwable instanceof AgentTerminationException))
                {
                    err.println("tandem: worker error: " + throwable);
                }
            }, null, agent);
        if (untilPackets > 0)
        {
            agent.stopAfterPackets(untilPackets);
        }

        final Map<String, Object> identity = new LinkedHashMap<>();
        identity.put("node", "tandem");
        identity.put("mirror", source.name());
        identity.put("workers", tracking.workers());
        if (haCtx.enabled())
        {
            identity.put("ha_node_id", haCtx.nodeId());
        }
        if (sideChannel != null)
        {
            identity.put("ha", (Supplier<Map<String, Object>>)sideChannel::status);
        }
        final AdminServer admin = new AdminServer(new InetSocketAddress(adminBind, adminPort), agent::snapshots,
            () -> !runner.isClosed() && (sideChannel == null || sideChannel.isReady()), identity);

        final CountDownLatch stopped = new CountDownLatch(1);
        final Thread hook = new Thread(() ->
        {
            runner.close();
            awaitQuietly(stopped);
        }, "tandem-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        if (sideChannel != null)
        {
            sideChannel.transport().startAgentRunner();
        }
        AgentRunner.startOnThread(runner);
        err.printf("tandem: running: mirror %s (%s, %s), %d worker%s, admin http://%s:%d/ (health, ready, metrics, " +
            "api/v1/status)%n", source.name(), encap, source.transport(), tracking.workers(),
            tracking.workers() == 1 ? "" : "s", adminBind, admin.port());
        err.flush();

        final long timeoutNs = durationSeconds > 0 ? TimeUnit.SECONDS.toNanos(durationSeconds) : Long.MAX_VALUE;
        agent.awaitClosed(timeoutNs);
        runner.close();
        int exitCode = 0;
        try
        {
            tracking.stop().run();
        }
        catch (final IllegalStateException ex)
        {
            err.println("tandem: worker error: " + ex.getMessage());
            exitCode = 1;
        }
        admin.close();
        source.close();
        err.printf("tandem: stopped after %d packets, %d flows%n", agent.packets(),
            StatsTotals.of(agent.snapshots()).getOrDefault("flow.total", 0L));
        err.flush();
        stopped.countDown();
        try
        {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        catch (final IllegalStateException ex)
        {
            return exitCode;
        }
        return exitCode;
    }

    private OutputStream openEve() throws IOException
    {
        return "-".equals(eve) ?
            new BufferedOutputStream(new FileOutputStream(java.io.FileDescriptor.out), 1 << 16) :
            new BufferedOutputStream(new FileOutputStream(eve, true), 1 << 16);
    }

    private static HaSideChannel enableHa(
        final HaContext haCtx, final HaTransport.Context transportCtx, final Worker worker, final HaFileSink haFile)
        throws IOException
    {
        if (!haCtx.enabled())
        {
            return null;
        }
        final HaSideChannel sideChannel = transportCtx == null ? null : HaSideChannel.launch(transportCtx);
        try
        {
            final HaRecordRegistry registry = new HaRecordRegistry();
            final HaManager manager =
                worker.enableHa(haCtx, registry, haFile == null ? HaMessageSink.NONE : haFile, sideChannel);
            registry.registerServices(Thread.currentThread().getContextClassLoader());
            if (haCtx.startupInputFile() != null)
            {
                manager.prime(haCtx.startupInputFile());
            }
            return sideChannel;
        }
        catch (final IOException | RuntimeException ex)
        {
            CloseHelper.quietClose(sideChannel);
            throw ex;
        }
    }

    private static void awaitQuietly(final CountDownLatch latch)
    {
        try
        {
            latch.await(10, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * How the node ends its tracking once its agent has stopped: every live flow ends with reason {@code shutdown},
     * on every worker, and the outputs are closed.
     */
    @FunctionalInterface
    private interface Stop
    {
        void run() throws IOException;
    }

    /**
     * The agent that polls the mirror feed, the number of workers behind it, and how to stop them.
     */
    private record Tracking(WorkerAgent agent, int workers, Stop stop)
    {
    }
}
