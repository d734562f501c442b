package io.tandem.node.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.tandem.node.synth.SynFlood;
import io.tandem.node.synth.SynthManifest;
import io.tandem.node.synth.SynthOptions;
import io.tandem.node.synth.TrafficSynthesizer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tandem synth}: write a deterministic synthetic capture (and optionally its ground-truth manifest).
 */
@Command(
    name = "synth",
    mixinStandardHelpOptions = true,
    description = "Generate a deterministic pcap of TCP/UDP sessions with chosen anomalies.")
public final class SynthCommand implements Callable<Integer>
{
    private static final SynthOptions DEFAULTS = new SynthOptions();

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "FILE.pcap", description = "pcap file to write.")
    private Path out;

    @Option(names = "--manifest", paramLabel = "FILE", description = "Write the ground truth as JSON lines here.")
    private Path manifest;

    @Option(names = "--seed", description = "Random seed (default ${DEFAULT-VALUE}).")
    private long seed = DEFAULTS.seed();

    @Option(names = "--sessions", description = "Number of sessions (default ${DEFAULT-VALUE}).")
    private int sessions = DEFAULTS.sessions();

    @Option(names = "--concurrency", description = "Live sessions at a time (default ${DEFAULT-VALUE}).")
    private int concurrency = DEFAULTS.concurrency();

    @Option(names = "--req-size", paramLabel = "A-B", converter = RangeConverter.class,
        description = "Request size range in bytes (default 64-2000).")
    private SizeRange requestSize = new SizeRange(DEFAULTS.requestMinBytes(), DEFAULTS.requestMaxBytes());

    @Option(names = "--resp-size", paramLabel = "A-B", converter = RangeConverter.class,
        description = "Response size range in bytes (default 64-16000).")
    private SizeRange responseSize = new SizeRange(DEFAULTS.responseMinBytes(), DEFAULTS.responseMaxBytes());

    @Option(names = "--mss", description = "Segment payload size (default ${DEFAULT-VALUE}).")
    private int mss = DEFAULTS.mss();

    @Option(names = "--reorder-pct", converter = PercentConverter.class, description = "Reordering rate, percent.")
    private double reorderPct = DEFAULTS.reorderPct();

    @Option(names = "--loss-pct", converter = PercentConverter.class, description = "Capture loss rate, percent.")
    private double lossPct = DEFAULTS.lossPct();

    @Option(names = "--retrans-pct", converter = PercentConverter.class, description = "Retransmission rate.")
    private double retransPct = DEFAULTS.retransPct();

    @Option(names = "--overlap-pct", converter = PercentConverter.class,
        description = "Different-data retransmission rate.")
    private double overlapPct = DEFAULTS.overlapPct();

    @Option(names = "--midstream-pct", converter = PercentConverter.class, description = "Midstream start rate.")
    private double midstreamPct = DEFAULTS.midstreamPct();

    @Option(names = "--oneside-pct", converter = PercentConverter.class, description = "One-sided capture rate.")
    private double onesidePct = DEFAULTS.onesidePct();

    @Option(names = "--rst-pct", converter = PercentConverter.class, description = "RST teardown rate.")
    private double rstPct = DEFAULTS.rstPct();

    @Option(names = "--ipv6-pct", converter = PercentConverter.class, description = "IPv6 session rate.")
    private double ipv6Pct = DEFAULTS.ipv6Pct();

    @Option(names = "--vlan-pct", converter = PercentConverter.class, description = "VLAN-tagged session rate.")
    private double vlanPct = DEFAULTS.vlanPct();

    @Option(names = "--frag-pct", converter = PercentConverter.class, description = "Fragmented session rate.")
    private double fragPct = DEFAULTS.fragPct();

    @Option(names = "--udp-pct", converter = PercentConverter.class, description = "UDP session rate.")
    private double udpPct = DEFAULTS.udpPct();

    @Option(names = "--app-pct", converter = PercentConverter.class,
        description = "TCP sessions speaking HTTP, TLS, SSH or SMTP (their openings and ports), percent (default 0).")
    private double appPct = DEFAULTS.appPct();

    @Option(names = "--nanos", description = "Write a nanosecond-resolution pcap.")
    private boolean nanos;

    @Option(names = "--syn-flood", paramLabel = "N",
        description = "Instead of sessions: N SYNs from N spoofed sources to one server, 1 us apart.")
    private int synFlood;

    @Override
    public Integer call()
    {
        if (synFlood != 0)
        {
            positive("--syn-flood", synFlood);
            new SynFlood(seed).generate(out, synFlood, DEFAULTS.startTimeNs());
            final PrintWriter err = spec.commandLine().getErr();
            err.println("synth: " + synFlood + " SYNs from " + synFlood + " sources -> " + out);
            err.flush();
            return 0;
        }
        positive("--sessions", sessions);
        positive("--concurrency", concurrency);
        if (mss < 16 || mss > 9000)
        {
            throw usage("--mss", mss + " (must be 16..9000)");
        }
        if (requestSize.minBytes() < 1)
        {
            throw usage("--req-size", requestSize.minBytes() + "-" + requestSize.maxBytes() + " (at least 1 byte)");
        }
        final SynthOptions options = new SynthOptions()
            .seed(seed)
            .sessions(sessions)
            .concurrency(concurrency)
            .requestMinBytes(requestSize.minBytes())
            .requestMaxBytes(requestSize.maxBytes())
            .responseMinBytes(responseSize.minBytes())
            .responseMaxBytes(responseSize.maxBytes())
            .mss(mss)
            .reorderPct(reorderPct)
            .lossPct(lossPct)
            .retransPct(retransPct)
            .overlapPct(overlapPct)
            .midstreamPct(midstreamPct)
            .onesidePct(onesidePct)
            .rstPct(rstPct)
            .ipv6Pct(ipv6Pct)
            .vlanPct(vlanPct)
            .fragPct(fragPct)
            .udpPct(udpPct)
            .appPct(appPct);
        try
        {
            options.conclude();
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage());
        }
        final TrafficSynthesizer synthesizer = new TrafficSynthesizer(options);
        final SynthManifest result = synthesizer.generate(out, nanos);
        if (manifest != null)
        {
            result.writeJsonLines(manifest);
        }
        final PrintWriter err = spec.commandLine().getErr();
        err.println("synth: " + synthesizer.packets() + " packets, " + synthesizer.sessions() + " sessions, " +
            synthesizer.frameBytes() + " bytes -> " + out);
        err.flush();
        return 0;
    }

    private void positive(final String option, final int value)
    {
        if (value <= 0)
        {
            throw usage(option, value + " (must be positive)");
        }
    }

    private CommandLine.ParameterException usage(final String option, final String detail)
    {
        return new CommandLine.ParameterException(
            spec.commandLine(), "Invalid value for option '" + option + "': " + detail);
    }

    /**
     * A size range in bytes.
     *
     * @param minBytes smallest size.
     * @param maxBytes largest size.
     */
    public record SizeRange(int minBytes, int maxBytes)
    {
    }

    /**
     * Parses {@code A-B} (or a single {@code N}) into a {@link SizeRange} with {@code 0 <= A <= B}.
     */
    public static final class RangeConverter implements CommandLine.ITypeConverter<SizeRange>
    {
        @Override
        public SizeRange convert(final String value)
        {
            final int dash = value.indexOf('-');
            try
            {
                final int min = Integer.parseInt((dash < 0 ? value : value.substring(0, dash)).trim());
                final int max = dash < 0 ? min : Integer.parseInt(value.substring(dash + 1).trim());
                if (min < 0 || max < min || max > SynthOptions.MAX_MESSAGE_BYTES)
                {
                    throw new CommandLine.TypeConversionException(
                        "'" + value + "' is not a range A-B with 0 <= A <= B <= " + SynthOptions.MAX_MESSAGE_BYTES);
                }
                return new SizeRange(min, max);
            }
            catch (final NumberFormatException ex)
            {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a range A-B");
            }
        }
    }

    /**
     * Parses a percentage in 0..100.
     */
    public static final class PercentConverter implements CommandLine.ITypeConverter<Double>
    {
        @Override
        public Double convert(final String value)
        {
            try
            {
                final double pct = Double.parseDouble(value);
                if (!(pct >= 0.0 && pct <= 100.0))
                {
                    throw new CommandLine.TypeConversionException("'" + value + "' is not a percentage in 0..100");
                }
                return pct;
            }
            catch (final NumberFormatException ex)
            {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a percentage in 0..100");
            }
        }
    }
}
