package io.tandem.node.ha;

import java.nio.file.Path;

import io.tandem.node.config.TandemConfig;

/**
 * Settings of the HA manager, read once at start from the {@code ha:} section of the configuration; defaults live in
 * {@link io.tandem.node.config.ConfigSchema}.
 */
public final class HaContext
{
    /** Largest throttle value, in milliseconds (Snort's range for both throttles). */
    public static final int MAX_THROTTLE_MS = 65_535;

    private boolean enabled;
    private int nodeId = 1;
    private int clusterId;
    private int minSessionLifetimeMs = 1000;
    private int minSyncIntervalMs = 1000;
    private Path startupInputFile;
    private Path runtimeOutputFile;
    private long runtimeOutputMaxBytes = 64L * 1024 * 1024;
    private boolean useSideChannel;

    /**
     * The HA settings of a validated configuration.
     *
     * @param config the configuration.
     * @return the settings.
     */
    public static HaContext fromConfig(final TandemConfig config)
    {
        final String startup = config.path("ha.startup-input-file");
        final String output = config.path("ha.runtime-output-file");
        return new HaContext()
            .enabled(config.bool("ha.enabled"))
            .nodeId(config.integer("ha.node-id"))
            .clusterId(config.integer("ha.cluster-id"))
            .minSessionLifetimeMs(config.integer("ha.min-session-lifetime"))
            .minSyncIntervalMs(config.integer("ha.min-sync-interval"))
            .startupInputFile(startup.isEmpty() ? null : Path.of(startup))
            .runtimeOutputFile(output.isEmpty() ? null : Path.of(output))
            .runtimeOutputMaxBytes(config.size("ha.runtime-output-max-size"))
            .useSideChannel(config.bool("ha.use-side-channel"));
    }

    /**
     * Whether HA is on.
     *
     * @return true when enabled.
     */
    public boolean enabled()
    {
        return enabled;
    }

    /**
     * Turn HA on or off.
     *
     * @param value true to enable.
     * @return this context.
     */
    public HaContext enabled(final boolean value)
    {
        enabled = value;
        return this;
    }

    /**
     * This node's id.
     *
     * @return 1..65535.
     */
    public int nodeId()
    {
        return nodeId;
    }

    /**
     * Set this node's id.
     *
     * @param value 1..65535.
     * @return this context.
     */
    public HaContext nodeId(final int value)
    {
        nodeId = value;
        return this;
    }

    /**
     * The cluster id.
     *
     * @return the id.
     */
    public int clusterId()
    {
        return clusterId;
    }

    /**
     * Set the cluster id.
     *
     * @param value the id, 0 or more.
     * @return this context.
     */
    public HaContext clusterId(final int value)
    {
        clusterId = value;
        return this;
    }

    /**
     * Milliseconds a session must exist before its first (non-critical) update; 0 = no limit.
     *
     * @return the lifetime.
     */
    public int minSessionLifetimeMs()
    {
        return minSessionLifetimeMs;
    }

    /**
     * Set the minimum session lifetime.
     *
     * @param value 0..65535 ms.
     * @return this context.
     */
    public HaContext minSessionLifetimeMs(final int value)
    {
        minSessionLifetimeMs = value;
        return this;
    }

    /**
     * Least milliseconds between two (non-critical) updates of a session; 0 = no limit.
     *
     * @return the interval.
     */
    public int minSyncIntervalMs()
    {
        return minSyncIntervalMs;
    }

    /**
     * Set the minimum sync interval.
     *
     * @param value 0..65535 ms.
     * @return this context.
     */
    public HaContext minSyncIntervalMs(final int value)
    {
        minSyncIntervalMs = value;
        return this;
    }

    /**
     * HA file read at start, or null for none.
     *
     * @return the path.
     */
    public Path startupInputFile()
    {
        return startupInputFile;
    }

    /**
     * Set the HA file read at start.
     *
     * @param value the path, or null for none.
     * @return this context.
     */
    public HaContext startupInputFile(final Path value)
    {
        startupInputFile = value;
        return this;
    }

    /**
     * HA file every generated message is appended to, or null for none.
     *
     * @return the path.
     */
    public Path runtimeOutputFile()
    {
        return runtimeOutputFile;
    }

    /**
     * Set the HA output file.
     *
     * @param value the path, or null for none.
     * @return this context.
     */
    public HaContext runtimeOutputFile(final Path value)
    {
        runtimeOutputFile = value;
        return this;
    }

    /**
     * Size at which the output file is rotated.
     *
     * @return bytes.
     */
    public long runtimeOutputMaxBytes()
    {
        return runtimeOutputMaxBytes;
    }

    /**
     * Set the rotation size of the output file.
     *
     * @param value bytes.
     * @return this context.
     */
    public HaContext runtimeOutputMaxBytes(final long value)
    {
        runtimeOutputMaxBytes = value;
        return this;
    }

    /**
     * Whether HA messages go over the Aeron side channel.
     *
     * @return true when used.
     */
    public boolean useSideChannel()
    {
        return useSideChannel;
    }

    /**
     * Use the Aeron side channel or not.
     *
     * @param value true to use it.
     * @return this context.
     */
    public HaContext useSideChannel(final boolean value)
    {
        useSideChannel = value;
        return this;
    }

    /**
     * Check the settings (those from a validated configuration always pass).
     *
     * @return this context.
     * @throws IllegalArgumentException naming the setting and its allowed range.
     */
    public HaContext conclude()
    {
        if (nodeId < 1 || nodeId > 65_535)
        {
            throw new IllegalArgumentException("ha.node-id: " + nodeId + " is out of range (1 to 65535)");
        }
        if (clusterId < 0)
        {
            throw new IllegalArgumentException("ha.cluster-id: " + clusterId + " is negative");
        }
        checkThrottle("ha.min-session-lifetime", minSessionLifetimeMs);
        checkThrottle("ha.min-sync-interval", minSyncIntervalMs);
        if (runtimeOutputMaxBytes < 1024)
        {
            throw new IllegalArgumentException(
                "ha.runtime-output-max-size: " + runtimeOutputMaxBytes + " is below 1024 bytes");
        }
        return this;
    }

    private static void checkThrottle(final String name, final int valueMs)
    {
        if (valueMs < 0 || valueMs > MAX_THROTTLE_MS)
        {
            throw new IllegalArgumentException(
                name + ": " + valueMs + " is out of range (0 to " + MAX_THROTTLE_MS + " ms)");
        }
    }
}
