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

import io.tandem.node.admin.AdminServer;
import io.tandem.node.config.ConfigException;
import io.tandem.node.config.TandemConfig;
import io.tandem.node.flow.FlowEndReason;
import io.tandem.node.io.Encapsulation;
import io.tandem.node.io.MirrorFeedSource;
import io.tandem.node.output.EveWriter;
import io.tandem.node.worker.Worker;
import io.tandem.node.worker.WorkerAgent;
import io.tandem.node.worker.WorkerContexts;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.SystemEpochNanoClock;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tandem run}: a long-running node. Packets arrive on a VXLAN or GENEVE mirror port; one worker agent tracks
 * them on its own thread; the admin HTTP endpoint serves health, readiness, metrics and status; EVE is written as
 * flows end. It stops on SIGTERM/SIGINT, after {@code --duration}, or after {@code --until-packets}; at stop every
 * live flow is logged with reason {@code shutdown}.
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
        if (cfg.integer("threading.workers") != 1)
        {
            err.println("tandem: configuration: threading.workers: run tracks the mirror feed on one worker thread " +
                "for now; set it to 1 (analyze takes more)");
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

        final OutputStream eveOut = "-".equals(eve) ?
            new BufferedOutputStream(new FileOutputStream(java.io.FileDescriptor.out), 1 << 16) :
            new BufferedOutputStream(new FileOutputStream(eve, true), 1 << 16);
        final EveWriter eveWriter = new EveWriter(eveOut);
        final Worker worker = new Worker(WorkerContexts.from(cfg), eveWriter, eveWriter);
        final WorkerAgent agent = new WorkerAgent("tandem-worker-0", worker, source, new SystemEpochNanoClock(),
            source);
        if (untilPackets > 0)
        {
            agent.stopAfterPackets(untilPackets);
        }
        final AgentRunner runner = new AgentRunner(
            new BackoffIdleStrategy(), throwable ->
            {
                if (!(throwable instanceof AgentTerminationException))
                {
                    err.println("tandem: worker error: " + throwable);
                }
            }, null, agent);

        final Map<String, Object> identity = new LinkedHashMap<>();
        identity.put("node", "tandem");
        identity.put("mirror", source.name());
        identity.put("workers", 1);
        final AdminServer admin = new AdminServer(new InetSocketAddress(adminBind, adminPort),
            () -> List.of(agent.snapshot()), () -> !runner.isClosed(), identity);

        final CountDownLatch stopped = new CountDownLatch(1);
        final Thread hook = new Thread(() ->
        {
            runner.close();
            awaitQuietly(stopped);
        }, "tandem-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        AgentRunner.startOnThread(runner);
        err.printf("tandem: running: mirror %s (%s, %s), admin http://%s:%d/ (health, ready, metrics, " +
            "api/v1/status)%n", source.name(), encap, source.transport(), adminBind, admin.port());
        err.flush();

        final long timeoutNs = durationSeconds > 0 ? TimeUnit.SECONDS.toNanos(durationSeconds) : Long.MAX_VALUE;
        agent.awaitClosed(timeoutNs);
        runner.close();
        worker.finish(FlowEndReason.SHUTDOWN);
        eveWriter.close();
        admin.close();
        source.close();
        err.printf("tandem: stopped after %d packets, %d flows%n", worker.packetsSeen(),
            agent.snapshot().counters().getOrDefault("flow.total", 0L));
        err.flush();
        stopped.countDown();
        try
        {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        catch (final IllegalStateException ex)
        {
            return 0;
        }
        return 0;
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
}
