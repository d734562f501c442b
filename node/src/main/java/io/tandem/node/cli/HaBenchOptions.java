package io.tandem.node.cli;

import java.util.List;

import io.tandem.transport.HaTransport;
import picocli.CommandLine.Option;

/**
 * The options of {@code tandem bench --ha} (a picocli mixin of {@link BenchCommand}).
 */
final class HaBenchOptions
{
    @Option(names = "--ha",
        description = "Instead: measure HA replication between two processes over Aeron UDP on 127.0.0.1, the rate " +
            "(as fast as it goes) and the latency at a fixed offered rate (docs/PERFORMANCE.md).")
    boolean enabled;

    @Option(names = "--ha-path", paramLabel = "transport|manager", split = ",", defaultValue = "transport,manager",
        description = "With --ha: what is measured, one after the other: the transport alone (encoded updates " +
            "offered to HaTransport, counted in its handler) and the whole path (packets -> worker -> HaManager -> " +
            "HaSideChannel -> HaTransport ... HaSideChannel -> HaManager.apply). Default ${DEFAULT-VALUE}.")
    List<String> paths;

    @Option(names = "--ha-threads", paramLabel = "separate|composed", defaultValue = "separate",
        description = "With --ha: separate (each node's transport agent on its own thread, as tandem run does) or " +
            "composed (the transport agent in the worker's thread, as the demo does). Default ${DEFAULT-VALUE}.")
    String threads;

    @Option(names = "--seconds", defaultValue = "3",
        description = "With --ha: length of each rate run, in seconds (default ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--rate", defaultValue = "100000",
        description = "With --ha: offered updates per second of each latency run (default ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--latency-seconds", defaultValue = "3",
        description = "With --ha: length of each latency run, in seconds (default ${DEFAULT-VALUE}).")
    double latencySeconds;

    @Option(names = "--driver-threading", paramLabel = "shared|invoker",
        description = "With --ha: each node's embedded media driver on its own thread (shared) or run by the " +
            "transport agent (invoker). Default: the transport's.")
    String driverThreading;

    @Option(names = "--idle-max-park-us", paramLabel = "MICROS",
        description = "With --ha: longest park of the transport agents' back-off idle strategy (default: the " +
            "transport's).")
    Integer idleMaxParkUs;

    @Option(names = "--term-length", paramLabel = "BYTES",
        description = "With --ha: Aeron term length of both nodes (default: the transport's, " +
            HaTransport.Context.DEFAULT_TERM_LENGTH_BYTES / 1024 + " KB).")
    Integer termLength;

    @Option(names = "--mtu", paramLabel = "BYTES",
        description = "With --ha: Aeron MTU of both nodes' publications (default: Aeron's 1408; loopback takes up " +
            "to 65504).")
    Integer mtu;
}
