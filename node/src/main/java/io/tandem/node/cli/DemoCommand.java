package io.tandem.node.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;

import io.tandem.node.config.ConfigException;
import io.tandem.node.config.TandemConfig;
import io.tandem.node.demo.AeronHaLink;
import io.tandem.node.demo.FailoverDemo;
import io.tandem.node.demo.FailoverReport;
import io.tandem.node.demo.InMemoryHaLink;
import io.tandem.node.ha.HaContext;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tandem demo}: the HA failover demo. An active and a standby node run in one process and replicate over the
 * HA side channel; a seeded synthetic traffic mix feeds the active until it is killed in the middle of thousands of
 * live sessions; the rest of the traffic goes to the standby. The report says how many sessions were synced, held,
 * lost and taken over, the replication lag and the takeover time, and whether every taken-over session ends as on
 * one node that saw all the traffic ({@link FailoverReport} defines each figure). Exits 1 when anything was lost or
 * differs.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = "Active/standby failover demo: replicate, kill the active mid-traffic, take over on the standby, " +
        "and check every session against one node that saw all the traffic.")
public final class DemoCommand implements Callable<Integer>
{
    /** Replication is on unless --set turns it off (a --config file's ha.enabled is overridden). */
    static final String HA_ON = "ha.enabled=true";
    /** Without --config, every change of a session older than min-session-lifetime goes at the end of its batch. */
    static final String SYNC_EVERY_BATCH = "ha.min-sync-interval=0";

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--sessions", defaultValue = "10000",
        description = "Sessions to generate, a quarter of them live at once (default ${DEFAULT-VALUE}).")
    private int sessions;

    @Option(names = "--seed", defaultValue = "1", description = "Generator seed (default ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--kill-at", defaultValue = "0.5", paramLabel = "FRACTION",
        description = "Where the active dies, as a fraction of the capture's packets (default ${DEFAULT-VALUE}).")
    private double killAt;

    @Option(names = "--speed", defaultValue = "1", paramLabel = "X",
        description = "Feed the active at X times capture speed, 0 for as fast as it goes (default ${DEFAULT-VALUE}).")
    private double speed;

    @Option(names = "--transport", defaultValue = "aeron", paramLabel = "aeron|memory",
        description = "The side channel between the nodes: aeron (UDP on 127.0.0.1, an embedded media driver each) " +
            "or memory (a queue between the two threads) (default ${DEFAULT-VALUE}).")
    private String transport;

    @Option(names = "--config", paramLabel = "FILE",
        description = "tandem.yaml for both nodes and the reference (its ha.enabled is ignored: use --set).")
    private Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
        description = "Override a configuration key, e.g. ha.min-session-lifetime=500 (repeatable). The demo runs " +
            "with ha.enabled=true, and without --config with ha.min-sync-interval=0, unless set otherwise.")
    private List<String> sets = new ArrayList<>();

    @Option(names = "--dir", paramLabel = "DIR",
        description = "Keep the capture and manifest here (default: a temporary directory, removed after).")
    private Path dir;

    @Override
    public Integer call() throws IOException, InterruptedException
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        if (!(killAt > 0 && killAt < 1) || sessions < 1 || !(speed >= 0))
        {
            err.println("tandem: demo: --kill-at must be between 0 and 1 (exclusive), --sessions at least 1 and " +
                "--speed at least 0");
            return AnalyzeCommand.EXIT_BAD_INPUT;
        }
        if (!"aeron".equals(transport) && !"memory".equals(transport))
        {
            err.println("tandem: demo: --transport must be aeron or memory, not " + transport);
            return AnalyzeCommand.EXIT_BAD_INPUT;
        }
        final TandemConfig cfg;
        try
        {
            final List<String> all = new ArrayList<>();
            all.add(HA_ON);
            if (config == null)
            {
                all.add(SYNC_EVERY_BATCH);
            }
            all.addAll(sets);
            cfg = TandemConfig.load(config, all);
            HaContext.fromConfig(cfg).conclude();
        }
        catch (final ConfigException | IllegalArgumentException ex)
        {
            err.println("tandem: configuration: " + ex.getMessage());
            return AnalyzeCommand.EXIT_BAD_INPUT;
        }

        final Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("tandem-demo");
        try
        {
            final FailoverReport report = new FailoverDemo(new FailoverDemo.Settings(
                sessions, seed, killAt, speed, cfg, work,
                "aeron".equals(transport) ? AeronHaLink::new : path -> new InMemoryHaLink())).run();
            if (dir != null)
            {
                report.manifest().writeJsonLines(work.resolve("demo.manifest.json"));
            }
            report.print(out);
            return report.ok() ? 0 : 1;
        }
        finally
        {
            if (dir == null)
            {
                deleteTree(work);
            }
        }
    }

    private static void deleteTree(final Path root)
    {
        try (var paths = Files.walk(root))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
